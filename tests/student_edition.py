"""L'édition étudiante exécutée comme un étudiant qui n'a encore rien fait.

Les tests sont répartis en deux fichiers (``test_student_edition_*.py``) pour que
pytest-xdist les exécute en parallèle sur les deux cœurs.
"""

import ast
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
STUDENT = sorted((NOTEBOOKS / "etudiant").glob("*.ipynb"))


def _text(output) -> str:
    if output.output_type == "stream":
        return output.text
    return "".join(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))


def _assigned_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def check_student_notebook(path: Path) -> None:
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
