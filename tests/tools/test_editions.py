"""L'édition étudiante : générée correctement, à jour, sans fuite de solution."""

from pathlib import Path

import nbformat
import pytest

from tools.editions import CODE_BEGIN, CODE_END, EditionError, student_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
COMPLETE = sorted((NOTEBOOKS / "complet").glob("*.ipynb"))


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_solution_block_replaced_by_placeholder_named_after_exercise():
    complete = _notebook(
        nbformat.v4.new_markdown_cell("### Exercice 1.3 — softmax\nÉcrivez…"),
        nbformat.v4.new_code_cell(
            f"def softmax(o):\n    \"\"\"Doc.\"\"\"\n    {CODE_BEGIN}\n    e = o.exp()\n"
            f"    return e / e.sum()\n    {CODE_END}",
            outputs=[nbformat.v4.new_output("stream", text="x")], execution_count=3),
        nbformat.v4.new_markdown_cell("Dérivation :\n<!-- DÉBUT SOLUTION -->\nsecret\n"
                                      "<!-- FIN SOLUTION -->\nfin"),
    )
    student = student_notebook(complete)
    assert student.cells[1].source == (
        'def softmax(o):\n    """Doc."""\n    # À vous de jouer\n'
        '    raise NotImplementedError("Exercice 1.3 : à compléter")')
    assert student.cells[1].outputs == [] and student.cells[1].execution_count is None
    assert "secret" not in student.cells[2].source and "À vous de jouer" in student.cells[2].source
    assert "e.sum()" in complete.cells[1].source  # l'original n'est pas modifié


@pytest.mark.parametrize("source", [
    f"{CODE_BEGIN}\nx = 1",
    f"x = 1\n{CODE_END}",
    f"{CODE_BEGIN}\n{CODE_BEGIN}\n{CODE_END}",
])
def test_malformed_markers_are_reported(source):
    nb = _notebook(nbformat.v4.new_markdown_cell("### Exercice 2.1"),
                   nbformat.v4.new_code_cell(source))
    with pytest.raises(EditionError, match="cellule 1"):
        student_notebook(nb)


def test_solution_without_exercise_title_is_reported():
    nb = _notebook(nbformat.v4.new_code_cell(f"{CODE_BEGIN}\nx = 1\n{CODE_END}"))
    with pytest.raises(EditionError, match="Exercice N.k"):
        student_notebook(nb)


def test_there_are_complete_notebooks():
    assert [p.name[:2] for p in COMPLETE][:2] == ["00", "01"]


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.stem)
def test_student_edition_is_in_sync(path):
    expected = student_notebook(nbformat.read(path, as_version=4))
    stored = nbformat.read(NOTEBOOKS / "etudiant" / path.name, as_version=4)
    assert [(c.cell_type, c.source) for c in stored.cells] == [
        (c.cell_type, c.source) for c in expected.cells
    ], "édition étudiante périmée : lancez « make etudiant »"
    assert all(c.get("outputs", []) == [] for c in stored.cells)


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.stem)
def test_student_edition_leaks_no_solution(path):
    complete = nbformat.read(path, as_version=4)
    student_text = (NOTEBOOKS / "etudiant" / path.name).read_text(encoding="utf-8")
    assert "DÉBUT SOLUTION" not in student_text and "FIN SOLUTION" not in student_text
    n_blocks = 0
    for cell in complete.cells:
        lines = cell.source.split("\n")
        starts = [i for i, line in enumerate(lines) if "DÉBUT SOLUTION" in line]
        for start in starts:
            n_blocks += 1
            end = next(i for i in range(start, len(lines)) if "FIN SOLUTION" in lines[i])
            for line in lines[start + 1 : end]:
                if len(line.strip()) > 12:  # une ligne de solution non triviale
                    assert line.strip() not in student_text, f"fuite : {line.strip()!r}"
    assert n_blocks >= 3, "au moins trois exercices par notebook"
