"""Les deux éditions du cours : complète (avec solutions) et étudiante (générée).

Dans l'édition complète, une solution est encadrée par deux lignes repères :

    ### DÉBUT SOLUTION
    ...
    ### FIN SOLUTION

L'édition étudiante remplace chaque bloc par une ligne « # À vous de jouer » et une
exception ``NotImplementedError`` qui nomme l'exercice (le dernier titre
« ### Exercice N.k » qui précède la cellule), et vide toutes les sorties. Dans une cellule
Markdown, les repères s'écrivent ``<!-- DÉBUT SOLUTION -->`` et ``<!-- FIN SOLUTION -->``.

Usage : ``python -m tools.editions`` (ou ``make etudiant``) régénère
``notebooks/etudiant/`` à partir de ``notebooks/complet/``.
"""

import re
import sys
from pathlib import Path

import nbformat

CODE_BEGIN, CODE_END = "### DÉBUT SOLUTION", "### FIN SOLUTION"
MD_BEGIN, MD_END = "<!-- DÉBUT SOLUTION -->", "<!-- FIN SOLUTION -->"
MD_PLACEHOLDER = "*À vous de jouer : écrivez votre réponse ici.*"
EXERCISE_TITLE = re.compile(r"^#+\s*Exercice\s+(\d+\.\d+)", re.MULTILINE)
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


class EditionError(ValueError):
    """Repères de solution mal formés dans un notebook de l'édition complète."""


def _replace_blocks(source: str, begin: str, end: str, placeholder) -> tuple[str, int]:
    """Remplace chaque bloc ``begin … end`` par ``placeholder(indentation)``."""
    lines, out, n_blocks = source.split("\n"), [], 0
    inside = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == begin:
            if inside:
                raise EditionError(f"ligne {number} : « {begin} » imbriqué")
            inside, n_blocks = True, n_blocks + 1
            out.extend(placeholder(line[: len(line) - len(line.lstrip())]))
        elif stripped == end:
            if not inside:
                raise EditionError(f"ligne {number} : « {end} » sans « {begin} »")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise EditionError(f"« {begin} » sans « {end} »")
    return "\n".join(out), n_blocks


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Édition étudiante d'un notebook complet (une copie ; l'original n'est pas modifié)."""
    student = nbformat.from_dict(notebook)
    exercise = None
    for index, cell in enumerate(student.cells):
        if cell.cell_type == "markdown":
            titles = EXERCISE_TITLE.findall(cell.source)
            exercise = titles[-1] if titles else exercise
            cell.source, _ = _replace_blocks(cell.source, MD_BEGIN, MD_END,
                                             lambda indent: [indent + MD_PLACEHOLDER])
        elif cell.cell_type == "code":
            message = f"Exercice {exercise} : à compléter" if exercise else "à compléter"

            def placeholder(indent, message=message):
                return [f"{indent}# À vous de jouer",
                        f'{indent}raise NotImplementedError("{message}")']

            try:
                cell.source, n_blocks = _replace_blocks(cell.source, CODE_BEGIN, CODE_END,
                                                        placeholder)
            except EditionError as error:
                raise EditionError(f"cellule {index} : {error}") from None
            if n_blocks and exercise is None:
                raise EditionError(f"cellule {index} : solution sans titre « ### Exercice N.k »")
            cell.outputs, cell.execution_count = [], None
    student.metadata.pop("widgets", None)
    return student


def build_student_edition(complete_dir: Path = NOTEBOOKS / "complet",
                          student_dir: Path = NOTEBOOKS / "etudiant") -> list[Path]:
    """Écrit l'édition étudiante de chaque notebook de ``complete_dir`` ; renvoie les chemins."""
    student_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(complete_dir.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        target = student_dir / path.name
        nbformat.write(student_notebook(notebook), target)
        written.append(target)
    return written


if __name__ == "__main__":
    for written_path in build_student_edition():
        print(f"écrit : {written_path.relative_to(NOTEBOOKS.parent)}")
    sys.exit(0)
