"""Chaque vérificateur du paquet : il accepte sa référence en une ligne, ne plante sur aucune
réponse absurde et repère une réponse juste qui modifie son argument."""

import pytest
import torch

from course_utils.checks import sandbox, verdict
from course_utils.checks.framework import KINDS, Report
from tests.checks.battery import ALL_CHECKERS, BATTERY, SECTIONS


def test_every_section_has_checkers_with_distinct_numbers():
    assert len(SECTIONS) >= 8 and len(ALL_CHECKERS) >= 30
    numbers = [c.exercise for c in ALL_CHECKERS]
    assert len(set(numbers)) == len(numbers), sorted(numbers)


@pytest.mark.parametrize("checker", ALL_CHECKERS, ids=lambda c: c.exercise)
def test_reference_is_accepted_with_one_line(checker, capsys):
    report = checker.evaluate(checker.reference)
    assert report.passed and report.kind == "ok", report.message
    assert "\n" not in report.message and report.message.startswith("✅")
    assert checker(checker.reference) is None
    assert capsys.readouterr().out == report.message + "\n"


@pytest.mark.parametrize("checker", ALL_CHECKERS, ids=lambda c: c.exercise)
@pytest.mark.parametrize("name", list(BATTERY))
def test_never_crashes(checker, name, capsys, monkeypatch):
    if name == "boucle-infinie":  # la boucle sans fin ne coûte que 0,05 s par appel
        monkeypatch.setattr(sandbox, "TIME_LIMIT", 0.05)
    fn, kind = BATTERY[name]
    report = checker.evaluate(fn)
    assert isinstance(report, Report) and report.kind in KINDS
    assert not report.passed
    assert f"Exercice {checker.exercise} ({checker.title})" in report.message
    if kind is not None:
        assert report.kind == kind, report.message
    assert checker.evaluate(fn) == report  # message déterministe
    verdict.ATTEMPTS.clear()
    checker(fn)  # premier essai manqué : indice réduit à ce qui ne va pas, rien d'autre
    assert capsys.readouterr().out == verdict.escalate(report, 1).message + "\n"
    if name == "bavarde":
        assert "a affiché 2000 lignes" in report.message


# vérificateurs dont le premier argument est un tenseur que la réponse pourrait modifier
# (sauf les fonctions qui remplissent leur argument en place, comme les initialiseurs)
TENSOR_INPUT_CHECKERS = [c for c in ALL_CHECKERS if not c.inplace and c.cases()[0].args
                         and isinstance(c.cases()[0].args[0], torch.Tensor)]


@pytest.mark.parametrize("checker", TENSOR_INPUT_CHECKERS, ids=lambda c: c.exercise)
def test_correct_result_but_mutated_input_is_custom(checker):
    def answer(*args, **kwargs):
        out = checker.reference(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args],
                                **kwargs)
        args[0].zero_()
        return out

    report = checker.evaluate(answer)
    assert report.kind == "custom" and "modifier son argument" in report.message, report.message
