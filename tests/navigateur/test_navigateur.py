"""Le cours tel qu'un étudiant le rencontre : JupyterLab dans un vrai navigateur (Chromium).

Lancé par ``make test`` seulement si Chromium est installé (paquet Debian ``chromium``) :
Playwright pilote le Chromium du système, aucun navigateur n'est téléchargé. Chaque étape
laisse une capture d'écran dans ``artifacts/navigateur/`` (ignoré par git).
"""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright

pytestmark = pytest.mark.slow  # un vrai navigateur et JupyterLab : hors de la boucle rapide
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "navigateur"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTINGS = {  # pas de sauvegarde automatique (le dépôt reste intact), pas de nouvelles
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fingerprint() -> dict[str, str]:
    """Empreinte des notebooks du dépôt (hors points de reprise de JupyterLab, ignorés par git)."""
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((ROOT / "notebooks").rglob("*.ipynb"))
            if ".ipynb_checkpoints" not in p.parts}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab lancé par ``make lab`` sur 127.0.0.1, avec un jeton ; renvoie son adresse."""
    home = tmp_path_factory.mktemp("home")
    for name, value in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    port, token = _free_port(), "jeton-navigateur"
    args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
            f"--IdentityProvider.token={token}")
    env = os.environ | {"HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings")}
    server = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture
def page(lab):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()


def _open_and_run_all(page, lab, notebook: str, shot: str) -> None:
    base, token = lab
    # un espace de travail neuf par test : un seul onglet ouvert, celui du notebook testé
    page.goto(f"{base}/lab/workspaces/{shot}/tree/{notebook}?token={token}&reset")
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=60_000)
    page.screenshot(path=SHOTS / f"{shot}-1-ouvert.png")
    started = page.locator(".jp-InputPrompt").filter(has_text=re.compile(r"\[[0-9*]+\]"))
    for _ in range(4):  # juste après l'ouverture, le noyau peut ignorer la première demande
        dialog = page.locator(".jp-Dialog")
        if dialog.count():  # un dialogue (noyau lent à démarrer…) bloquerait le menu
            page.screenshot(path=SHOTS / f"{shot}-dialogue.png")
            dialog.locator(".jp-mod-accept").first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            started.first.wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    page.screenshot(path=SHOTS / f"{shot}-2-lance.png")


def test_student_edition_widget_renders_and_reacts(page, lab):
    before = _fingerprint()
    _open_and_run_all(page, lab, "etudiant/00_prise_en_main.ipynb", "etudiant-00")
    slider = page.locator(".widget-hslider").first
    slider.wait_for(timeout=90_000)
    slider.scroll_into_view_if_needed()
    widget = page.locator(".jupyter-widgets.widget-vbox").first
    expect(widget.locator("img").first).to_be_visible(timeout=30_000)
    page.screenshot(path=SHOTS / "etudiant-00-3-widget.png")
    assert page.get_by_text("Error displaying widget").count() == 0
    image_before = widget.locator("img").first.get_attribute("src")
    handle = slider.locator("[role=slider]").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", "2.0", timeout=10_000)
    expect(widget.locator("img").first).not_to_have_attribute("src", image_before,
                                                              timeout=30_000)
    page.screenshot(path=SHOTS / "etudiant-00-4-curseur-deplace.png")
    # les vérificateurs répondent, en couleur et en toutes lettres
    todo = page.locator("div").filter(has=page.locator("strong", has_text="À faire")).filter(
        has_text=re.compile(r"Exercice 0\.1 \(to_float_images\)\s:\spas encore fait"))
    assert todo.count() >= 1
    label = todo.last.locator("strong").first
    assert label.evaluate("e => getComputedStyle(e).color") == "rgb(178, 106, 0)"
    assert _fingerprint() == before, "le test ne doit pas modifier les notebooks du dépôt"


def test_complete_notebook_runs_end_to_end(page, lab):
    before = _fingerprint()
    _open_and_run_all(page, lab, "complet/00_prise_en_main.ipynb", "complet-00")
    # les messages des vérificateurs ont une espace insécable avant « : »
    success = page.get_by_text(re.compile(r"Exercice 0\.3 \(accuracy\)\s:\scorrect"))
    success.wait_for(timeout=120_000)
    label = page.locator("strong", has_text="Réussi").last
    assert label.evaluate("e => getComputedStyle(e).color") == "rgb(46, 125, 50)"
    success.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "complet-00-3-fin.png")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                          ).filter(has_text="Traceback")
    assert errors.count() == 0, errors.first.inner_text()[:2000]
    assert page.get_by_text("Error displaying widget").count() == 0
    assert _fingerprint() == before
