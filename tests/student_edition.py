"""L'édition étudiante exécutée comme un étudiant qui n'a encore rien fait.

Les tests sont répartis en deux fichiers (``test_student_edition_*.py``) pour que
pytest-xdist les exécute en parallèle sur les deux cœurs.
"""

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
STUDENT = sorted((NOTEBOOKS / "etudiant").glob("*.ipynb"))


def _text(output) -> str:
    if output.output_type == "stream":
        return output.text
    return "".join(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))


def check_student_notebook(path: Path) -> None:
    """Un étudiant qui n'a encore rien fait lance « Run All » : comme JupyterLab, l'exécution
    s'arrête à la première erreur, et il ne doit pas y en avoir. Chaque vérificateur répond
    « pas encore fait » (⏳) ; là où la suite du chapitre se sert de la fonction de
    l'exercice (``or_reference``), le verdict annonce que la référence la remplace (↪).

    Les apprentissages sont réduits (``COURSE_SHRINK=1``, voir ``training.train``) : on
    vérifie que tout s'enchaîne, pas les résultats ; l'édition complète, elle, est comparée
    à ses sorties enregistrées par nbval, en taille réelle."""
    notebook = nbformat.read(path, as_version=4)
    try:
        NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except CellExecutionError as exc:  # la cellule fautive, sans les couleurs du terminal
        raise AssertionError(re.sub(r"\x1b\[[0-9;]*m", "", str(exc))[-1500:]) from None
    for index, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        text = "".join(_text(o) for o in cell.outputs)
        if "NotImplementedError(" not in cell.source:
            continue
        last = cell.source.rstrip().splitlines()[-1]
        assert re.match(r"(\w+ = )?check_\w+(\.or_reference)?\(", last), (index, last)
        assert "⏳ Exercice" in text, f"cellule {index} : {text[:300]}"
        if ".or_reference(" in last:
            assert "↪ En attendant, la suite du notebook utilise la version de référence" in text
