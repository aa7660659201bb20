"""L'édition étudiante, chapitres 00 à 04 (voir ``student_edition.py``)."""

import pytest

from tests.student_edition import STUDENT, check_student_notebook


@pytest.mark.slow
@pytest.mark.parametrize("path", STUDENT[:5], ids=lambda p: p.stem)
def test_student_edition_runs_top_to_bottom(path, monkeypatch):
    monkeypatch.setenv("COURSE_SHRINK", "1")  # hérité par le noyau du notebook
    check_student_notebook(path)
