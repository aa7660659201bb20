"""Les notebooks tels qu'un étudiant et nbval les voient : structure, sorties, édition étudiante."""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
COMPLETE = sorted((NOTEBOOKS / "complet").glob("*.ipynb"))
FORBIDDEN = {
    "chemin de la machine": re.compile(r"/(root|tmp|work|home|Users)/|site-packages"),
    "adresse mémoire": re.compile(r" at 0x[0-9a-f]{4,}"),
    "durée ou vitesse": re.compile(r"\d+(\.\d+)?\s?(it/s|s/it)|\[\d\d:\d\d"),
}


def _text(output) -> str:
    if output.output_type == "stream":
        return output.text
    return "".join(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.stem)
def test_complete_notebook_was_executed_top_to_bottom_and_is_clean(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), \
        "exécutez le notebook de haut en bas (make notebooks)"
    for index, cell in enumerate(code):
        for output in cell.outputs:
            assert output.output_type != "error", f"cellule {index} : erreur enregistrée"
            for what, pattern in FORBIDDEN.items():
                assert not pattern.search(_text(output)), f"cellule {index} : {what}"


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.stem)
def test_chapter_shape(path):
    notebook = nbformat.read(path, as_version=4)
    first, setup = notebook.cells[0], notebook.cells[1]
    assert first.cell_type == "markdown" and first.source.startswith("# Chapitre ")
    for word in ("**Prérequis**", "**Durée**", "**Objectifs**"):
        assert word in first.source
    assert "setup(seed=0, threads=1)" in setup.source
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "## À retenir" in markdown and "## Pour aller plus loin" in markdown
    assert "**Chapitre suivant**" in markdown or "**Retour au début**" in markdown
    exercises = re.findall(r"### Exercice (\d+)\.(\d+)", markdown)
    assert len(exercises) >= 3 and {e[0] for e in exercises} == {str(int(path.name[:2]))}


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.stem)
def test_every_checker_call_prints_success(path):
    notebook = nbformat.read(path, as_version=4)
    calls = [c for c in notebook.cells if c.cell_type == "code" and "### DÉBUT SOLUTION" in c.source
             and re.search(r"^(\w+ = )?check_", c.source, re.M)]
    assert len(calls) >= 3
    for cell in calls:  # le verdict : texte brut et ligne colorée « Réussi »
        (verdict,) = [o for o in cell.outputs if o.output_type == "display_data"]
        assert verdict.data["text/plain"].startswith("✅ Exercice"), verdict.data
        assert ">Réussi</strong>" in verdict.data["text/html"]
