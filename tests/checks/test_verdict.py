"""Le verdict tel que l'étudiant le voit : indices gradués d'un essai manqué au suivant,
ligne colorée et écrite en toutes lettres dans un notebook, première ligne courte."""

import pytest
import torch

from course_utils.checks import verdict
from course_utils.checks.framework import Case, Checker
from course_utils.checks.losses import check_softmax

NBSP = "\u00a0"


def _naive_softmax(o, dim=-1):
    e = torch.exp(o)
    return e / e.sum(dim, keepdim=True)


@pytest.fixture(autouse=True)
def fresh_attempts():
    verdict.ATTEMPTS.clear()
    yield
    verdict.ATTEMPTS.clear()


def test_the_fix_comes_only_at_the_second_missed_attempt(capsys):
    full = check_softmax.evaluate(_naive_softmax).message
    assert "o − o.amax" in full  # le diagnostic complet, celui des tests
    check_softmax(_naive_softmax)
    first = capsys.readouterr().out
    assert f"Indice{NBSP}: débordement (au prochain essai manqué" in first
    assert "amax" not in first and "soustraire" not in first
    assert first.splitlines()[:3] == full.splitlines()[:3]  # même diagnostic, sans la correction
    check_softmax(_naive_softmax)
    assert capsys.readouterr().out == full + "\n"
    assert verdict.ATTEMPTS["1.3"] == 2


def test_success_and_unfinished_work_are_not_counted_as_attempts(capsys):
    check_softmax(lambda o, dim=-1: torch.softmax(o, dim=dim))

    def todo(o, dim=-1):
        raise NotImplementedError("Exercice 1.3 : à compléter")

    check_softmax(todo)
    out = capsys.readouterr().out
    assert out.startswith("✅ Exercice 1.3") and "⏳ Exercice 1.3" in out
    assert verdict.ATTEMPTS["1.3"] == 0


def test_a_hint_in_one_piece_is_shown_whole_at_the_first_attempt(capsys):
    check = Checker(exercise="9.9", title="double", reference=lambda x: 2 * x,
                    cases=lambda: [Case("x = [1, 2]", (torch.tensor([1.0, 2.0]),))],
                    hints=[(lambda x: x, "multipliez par deux.")])
    check(lambda x: x)
    assert f"Indice{NBSP}: multipliez par deux." in capsys.readouterr().out


def test_the_case_label_goes_on_its_own_line():
    report = check_softmax.evaluate(_naive_softmax)
    head, second = report.message.splitlines()[:2]
    assert head == f"❌ Exercice 1.3 (softmax){NBSP}: valeurs non finies (nan ou inf)."
    assert second.startswith(f"   cas «{NBSP}") and second.endswith(f"{NBSP}»")


@pytest.mark.parametrize(("kind", "label", "color"), [
    ("ok", "Réussi", "#2e7d32"), ("not_implemented", "À faire", "#b26a00"),
    ("values", "À corriger", "#c62828"), ("timeout", "À corriger", "#c62828")])
def test_each_verdict_has_a_coloured_worded_html_form(kind, label, color):
    report = check_softmax.evaluate(_naive_softmax)
    report = type(report)(report.exercise, report.title, kind, report.message + "\n   a < b")
    shown = verdict.Verdict(report)
    html = shown._repr_html_()
    assert f'<strong style="color: {color}">{label}</strong>' in html
    assert "a &lt; b" in html and "— Exercice 1.3 (softmax)" in html  # texte échappé, sans ❌
    assert repr(shown) == report.message  # le texte brut : terminal, sorties enregistrées


def test_outside_a_notebook_the_verdict_is_printed(capsys):
    check_softmax(lambda o, dim=-1: torch.softmax(o, dim=dim))
    assert capsys.readouterr().out == "✅ Exercice 1.3 (softmax) : correct sur 6 cas.\n".replace(
        " :", f"{NBSP}:")


def test_in_a_jupyter_kernel_the_verdict_is_displayed_as_rich_output(monkeypatch, capsys):
    from types import SimpleNamespace

    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: SimpleNamespace(kernel=object()))
    monkeypatch.setattr(IPython.display, "display", shown.append)
    check_softmax(_naive_softmax)
    assert capsys.readouterr().out == ""
    assert len(shown) == 1 and isinstance(shown[0], verdict.Verdict)
    assert "À corriger" in shown[0]._repr_html_()


def test_or_reference_keeps_a_correct_answer_silently_apart_from_the_verdict(capsys):
    def mine(o, dim=-1):
        return torch.softmax(o, dim=dim)

    assert check_softmax.or_reference(mine) is mine
    assert capsys.readouterr().out.startswith("✅ Exercice 1.3")


@pytest.mark.parametrize("answer", [None, _naive_softmax, "pas une fonction"])
def test_or_reference_falls_back_on_the_reference_and_says_so(answer, capsys):
    def todo(o, dim=-1):
        raise NotImplementedError("Exercice 1.3 : à compléter")

    for fn in (todo, answer):
        assert check_softmax.or_reference(fn) is check_softmax.reference
        out = capsys.readouterr().out
        assert "Exercice 1.3 (softmax)" in out.splitlines()[0]
        assert out.rstrip().endswith("utilise la version de référence "
                                     "(course_utils.losses.softmax).")


def test_ctrl_c_during_or_reference_gives_the_reference(monkeypatch, capsys):
    def interrupted(fn):
        raise KeyboardInterrupt

    monkeypatch.setattr(check_softmax, "evaluate", interrupted)
    assert check_softmax.or_reference(_naive_softmax) is check_softmax.reference
    assert "vérification interrompue" in capsys.readouterr().out
