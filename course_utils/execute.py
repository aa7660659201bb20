"""Exécute les notebooks de l'édition complète de haut en bas et enregistre leurs sorties.

Usage : ``python -m course_utils.execute notebooks/complet/*.ipynb`` (ou ``make notebooks``).
Affiche la durée d'exécution de chaque notebook (jamais enregistrée dans le notebook).
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute_notebook(path: Path, *, timeout: int = 300) -> float:
    """Exécute le notebook ``path`` sur place (état des widgets compris) ; renvoie la durée (s)."""
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise FileNotFoundError(f"notebook introuvable : {path}")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=True)
    start = time.perf_counter()
    client.execute()
    duration = time.perf_counter() - start
    nbformat.write(notebook, path)
    return duration


def main(paths: list[str]) -> int:
    if not paths:
        print("usage : python -m course_utils.execute NOTEBOOK.ipynb …")
        return 2
    for name in paths:
        duration = execute_notebook(Path(name))
        print(f"{name} : exécuté en {duration:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
