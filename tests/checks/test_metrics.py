"""Vérificateur 0.3 (accuracy) : accepte les bonnes réponses, diagnostique les erreurs
typiques."""

import numpy as np
import pytest

from course_utils.checks.metrics import CHECKERS, check_accuracy
from course_utils.metrics import accuracy

CORRECT = [
    accuracy,
    lambda o, y: np.float32(accuracy(o, y)),
    lambda o, y: (o.argmax(dim=1) == y).float().mean().item(),
    lambda o, y: (o.argmax(dim=-1) == y).sum().item() / len(y),
]

WRONG = [
    (lambda o, y: (o.argmax(0) == y).float().mean().item(), "values", ["dim=1"]),
    (lambda o, y: (o.argmax(1) == y).sum().item(), "values", ["divisez par N"]),
    (lambda o, y: (o.argmax(1) == y).float().mean(), "type", [".item()"]),
    (lambda o, y: 100 * accuracy(o, y), "values", ["pourcentage"]),
]


def test_the_module_lists_its_checker():
    assert CHECKERS == (check_accuracy,) and check_accuracy.reference is accuracy


@pytest.mark.parametrize("fn", CORRECT)
def test_correct_answers_are_accepted(fn):
    report = check_accuracy.evaluate(fn)
    assert report.passed, report.message


@pytest.mark.parametrize(("fn", "kind", "words"), WRONG)
def test_typical_mistakes_are_diagnosed(fn, kind, words):
    report = check_accuracy.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith("❌ Exercice 0.3 (accuracy)")
    assert all(word in report.message for word in words), report.message
