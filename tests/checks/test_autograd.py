"""Vérificateur 0.2 (cube_sum_grad) : accepte les gradients obtenus par autograd, refuse
le calcul à la main, l'argument modifié et le graphe conservé."""

import pytest
import torch

from course_utils.checks.autograd import CHECKERS, check_cube_sum_grad


def _backward(w):
    w = w.detach().clone().requires_grad_(True)
    (w**3).sum().backward()
    return w.grad


def _autograd_grad(w):
    w = w.detach().requires_grad_(True)
    return torch.autograd.grad((w**3).sum(), w)[0]


def _grad_inplace(w):
    w.requires_grad_(True)
    (w**3).sum().backward()
    return w.grad


def _grad_with_graph(w):
    w = w.detach().clone().requires_grad_(True)
    return torch.autograd.grad((w**3).sum(), w, create_graph=True)[0]


WRONG = [
    (lambda w: 2 * w, "values", ["3w²"]),
    (lambda w: None, "type", ["None", "return"]),
    (lambda w: (w**3).sum(), "shape", ["gradient"]),
    (lambda w: 3 * w**2, "custom", ["autograd"]),
    (_grad_inplace, "custom", ["modifier", "copie"]),
    (_grad_with_graph, "custom", ["detach"]),
]


def test_the_module_lists_its_checker():
    assert CHECKERS == (check_cube_sum_grad,)


@pytest.mark.parametrize("fn", [_backward, _autograd_grad])
def test_correct_answers_are_accepted(fn):
    report = check_cube_sum_grad.evaluate(fn)
    assert report.passed, report.message


@pytest.mark.parametrize(("fn", "kind", "words"), WRONG)
def test_typical_mistakes_are_diagnosed(fn, kind, words):
    report = check_cube_sum_grad.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith("❌ Exercice 0.2 (cube_sum_grad)")
    assert all(word in report.message for word in words), report.message
