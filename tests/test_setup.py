"""L'installation : pyproject.toml et environment.yml d'accord, CI, et « make lab » qui répond."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"torch": "pytorch"}  # nom conda-forge quand il diffère du nom PyPI


def _split(requirement: str) -> tuple[str, str]:
    name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
    return name.lower(), requirement[len(name):].replace(" ", "")


def _conda_dependencies() -> dict[str, str]:
    deps = {}
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^  - ([^#\s]+)\s*$", line)
        if not match or match.group(1) in ("pip", "pip:") or match.group(1).startswith("python="):
            continue
        spec = match.group(1)
        bracket = re.match(r"([\w-]+)\[version='([^']+)'", spec)
        name, version = (bracket.groups() if bracket else _split(spec))
        deps[name.lower()] = version
    return deps


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = project["dependencies"] + project["optional-dependencies"]["dev"]
    expected = {CONDA_NAMES.get(name, name): version for name, version in map(_split, required)}
    assert _conda_dependencies() == expected
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "python=3.11" in text and "cpu_*" in text and "-e ." in text


def test_ci_runs_make_test_and_only_points_at_the_data():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in script.splitlines()
                if line.strip() and not line.strip().startswith("#")]
    assert commands[-1] == "make test"
    assert "COURSE_DATA_DIR" in script and "../shared/data/mnist" in script


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_make_lab_serves_the_student_edition(tmp_path):
    port, token = _free_port(), "jeton-de-test"
    args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
            f"--IdentityProvider.token={token} --ServerApp.open_browser=False")
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    url = (f"http://127.0.0.1:{port}/api/contents/etudiant/00_prise_en_main.ipynb"
           f"?token={token}")
    try:
        notebook = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    notebook = json.load(answer)
                break
            except OSError:
                time.sleep(0.25)
        assert notebook is not None, "JupyterLab n'a pas répondu"
        assert notebook["type"] == "notebook"
        assert any("À vous de jouer" in "".join(cell["source"])
                   for cell in notebook["content"]["cells"])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}") as page:
            assert page.status == 200 and b"JupyterLab" in page.read()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


@pytest.mark.parametrize("target", ["lab", "test", "etudiant"])
def test_makefile_targets_install_first(target):
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^{target}: \$\(STAMP\)", makefile, re.MULTILINE)
