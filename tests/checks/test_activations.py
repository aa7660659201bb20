"""Vérificateurs 1.1 (sigmoid_grad), 2.1 (relu_grad), 2.2 (elu) et 2.3 (dead_units) :
acceptent les bonnes réponses, diagnostiquent les erreurs typiques."""

import pytest
import torch
import torch.nn.functional as F

from course_utils.activations import elu, relu_grad, sigmoid_grad
from course_utils.checks.activations import (
    CHECKERS,
    check_dead_units,
    check_elu,
    check_relu_grad,
    check_sigmoid_grad,
)
from course_utils.lab.activations import dead_units


def _sigmoid_grad_naive(x):
    return torch.exp(-x) / (1 + torch.exp(-x)) ** 2


CORRECT = [
    (check_sigmoid_grad, sigmoid_grad),
    (check_sigmoid_grad, lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))),
    (check_relu_grad, relu_grad),
    (check_relu_grad, lambda x: (x > 0).to(x.dtype)),
    (check_relu_grad, lambda x: torch.where(x > 0, torch.ones_like(x), torch.zeros_like(x))),
    (check_relu_grad, lambda x: torch.heaviside(x, torch.zeros_like(x))),
    (check_elu, elu),
    (check_elu, F.elu),
    (check_elu, lambda x, *, alpha=1.0: torch.where(x > 0, x, alpha * (torch.exp(x) - 1))),
    (check_elu, lambda x, alpha=1.0: torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))),
    (check_dead_units, dead_units),
    (check_dead_units, lambda h: (h == 0).all(dim=0)),
    (check_dead_units, lambda h: h.sum(dim=0) == 0),
    (check_dead_units, lambda h: ~(h > 0).any(dim=0)),
    (check_dead_units, lambda h: h.max(dim=0).values == 0),
]

WRONG = [
    (check_sigmoid_grad, _sigmoid_grad_naive, "not_finite", ["±1000", "stable"]),
    # Le nan est en +1000 ou en −1000 selon la formule : l'indice nomme le bon côté.
    (check_sigmoid_grad, lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2, "not_finite",
     ["x = −1000", "stable"]),
    (check_sigmoid_grad, lambda x: torch.exp(x) / (1 + torch.exp(x)) ** 2, "not_finite",
     ["x = +1000", "stable"]),
    (check_sigmoid_grad, torch.sigmoid, "values", ["σ(x)(1 − σ(x))"]),
    (check_sigmoid_grad, lambda x: x * (1 - x), "values", ["pas à x"]),
    (check_sigmoid_grad, lambda x: sigmoid_grad(x).double(), "dtype", ["float64"]),
    (check_relu_grad, torch.relu, "values", ["vous renvoyez ReLU(x)"]),
    (check_relu_grad, lambda x: x > 0, "dtype", ["torch.bool", ".float()"]),
    (check_relu_grad, lambda x: (x >= 0).to(x.dtype), "values",
     ["x = 0 exactement", "ReLU′(0) = 0", "convention"]),
    (check_relu_grad, lambda x: (x > 0).long(), "dtype", ["int64", "flottant"]),
    (check_relu_grad, lambda x: (x > 0).float(), "dtype", ["float64", "même dtype que x"]),
    (check_relu_grad, torch.sign, "values", ["pas −1"]),
    (check_elu, lambda x, *, alpha=1.0: elu(x), "values", ["alpha=0.5", "paramètre alpha"]),
    (check_elu, lambda x, *, alpha=1.0: torch.where(x > 0, x, alpha * torch.exp(x)), "values",
     ["− 1", "continue"]),
    (check_elu, lambda x, *, alpha=1.0: torch.where(x > 0, x, alpha * (torch.exp(-x) - 1)),
     "values", ["e^{−x}"]),
    (check_elu, lambda x, *, alpha=1.0: x * (x > 0) + alpha * (torch.exp(x) - 1) * (x <= 0),
     "not_finite", ["±1000", "inf × 0", "torch.where"]),
    (check_elu, lambda x, *, alpha=1.0: torch.relu(x), "values", ["pas 0"]),
    (check_elu, lambda x, a=1.0: elu(x, alpha=a), "exception", ["elu(x, *, alpha=1.0)"]),
    (check_dead_units, lambda h: (h == 0).all(dim=0).float().mean(), "shape",
     ["(8,)", "proportion"]),
    (check_dead_units, lambda h: (h == 0).all(dim=0).float().mean().item(), "type",
     ["torch.Tensor"]),
    (check_dead_units, lambda h: (h == 0).any(dim=0), "values", ["tous", ".all(dim=0)"]),
    (check_dead_units, lambda h: (h == 0).all(dim=1), "shape", ["(20,)", "dim=0"]),
    (check_dead_units, lambda h: (h == 0).all(dim=0).float(), "dtype", ["torch.bool"]),
    (check_dead_units, lambda h: (h > 0).any(dim=0), "values", ["inversez"]),
    (check_dead_units, lambda h: h.mean(dim=0) < 1e-3, "values", ["un seul exemple"]),
]


def test_the_module_lists_its_checkers_with_the_package_references():
    assert CHECKERS == (check_sigmoid_grad, check_relu_grad, check_elu, check_dead_units)
    assert [c.reference for c in CHECKERS] == [sigmoid_grad, relu_grad, elu, dead_units]
    assert [c.exercise for c in CHECKERS] == ["1.1", "2.1", "2.2", "2.3"]


@pytest.mark.parametrize(("checker", "fn"), CORRECT, ids=lambda x: getattr(x, "exercise", ""))
def test_correct_answers_are_accepted(checker, fn):
    report = checker.evaluate(fn)
    assert report.passed, report.message


@pytest.mark.parametrize(("checker", "fn", "kind", "words"), WRONG,
                         ids=[f"{c.exercise}-{k}-{i}" for i, (c, _, k, _) in enumerate(WRONG)])
def test_typical_mistakes_are_diagnosed(checker, fn, kind, words):
    report = checker.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith(f"❌ Exercice {checker.exercise} ({checker.title})")
    assert all(word in report.message for word in words), report.message


def test_each_checker_has_at_least_three_mistakes():
    for checker in CHECKERS:
        assert sum(c is checker for c, *_ in WRONG) >= 3, checker
