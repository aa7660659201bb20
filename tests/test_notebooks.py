"""Les notebooks tels qu'un étudiant et nbval les voient : structure, sorties, édition étudiante."""

import ast
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
COMPLETE = sorted((NOTEBOOKS / "complet").glob("*.ipynb"))
STUDENT = sorted((NOTEBOOKS / "etudiant").glob("*.ipynb"))
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
    assert "**Chapitre suivant**" in markdown
    exercises = re.findall(r"### Exercice (\d+)\.(\d+)", markdown)
    assert len(exercises) >= 3 and {e[0] for e in exercises} == {str(int(path.name[:2]))}


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.stem)
def test_every_checker_call_prints_success(path):
    notebook = nbformat.read(path, as_version=4)
    calls = [c for c in notebook.cells if c.cell_type == "code" and "\ncheck_" in "\n" + c.source
             and "### DÉBUT SOLUTION" in c.source]
    assert len(calls) >= 3
    for cell in calls:
        printed = "".join(_text(o) for o in cell.outputs)
        assert printed.startswith("✅ Exercice"), printed


def _assigned_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.stem)
def test_student_edition_runs_top_to_bottom(path):
    """Un étudiant qui n'a encore rien fait exécute tout : chaque vérificateur lui répond
    « pas encore fait », et les seules erreurs sont les exercices non faits et leurs
    conséquences (des noms qu'une cellule interrompue n'a pas pu définir)."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    unfinished: set[str] = set()
    for index, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        for error in errors:
            if error.ename == "NotImplementedError":
                assert error.evalue.startswith("Exercice "), error.evalue
                unfinished |= _assigned_names(cell.source)
            else:
                missing = re.match(r"name '(\w+)' is not defined", error.evalue)
                assert error.ename == "NameError" and missing and missing[1] in unfinished, \
                    f"cellule {index} : {error.ename} : {error.evalue}"
                unfinished |= _assigned_names(cell.source)  # conséquence en cascade
        if "\ncheck_" in "\n" + cell.source and "NotImplementedError(" in cell.source:
            assert not errors and "⏳ Exercice" in "".join(_text(o) for o in cell.outputs)
