"""Vérificateur 1.6 (make_q1_model) : accepte tout modèle qui calcule le PMC 784-120-80-10
à sigmoïdes (séquentiel ou non, couches enregistrées dans n'importe quel ordre) et
reconnaît les écarts typiques."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks.models import CHECKERS, check_q1_model

NBSP = "\u00a0"


class _Q1(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 120), nn.Linear(120, 80), nn.Linear(80, 10)

    def forward(self, x):
        return self.fc3(torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x)))))


class _Q1Reversed(nn.Module):
    """Couches enregistrées de la sortie vers l'entrée : le calcul, lui, est juste."""

    def __init__(self):
        super().__init__()
        self.output = nn.Linear(80, 10)
        self.hidden = nn.Linear(120, 80)
        self.first = nn.Linear(784, 120)

    def forward(self, x):
        return self.output(torch.sigmoid(self.hidden(torch.sigmoid(self.first(x)))))


def _q1(act=nn.Sigmoid, final=(), sizes=(784, 120, 80, 10), bias=True):
    def make():
        mods = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            mods += [nn.Linear(a, b, bias=bias)] + ([act()] if i < len(sizes) - 2 else [])
        return nn.Sequential(*mods, *final)

    return make


def _q1_functional_softmax():
    model = _Q1()
    forward = model.forward
    model.forward = lambda x: F.softmax(forward(x), dim=1)
    return model


CORRECT = [check_q1_model.reference, _q1(), _Q1, _Q1Reversed]

WRONG = [
    (_q1(act=nn.ReLU), "custom", ["ReLU"]),
    (_q1(final=[nn.Softmax(dim=1)]), "custom", ["log-softmax", "logits"]),
    (_q1(sizes=(784, 100, 10)), "custom", ["784 → 120 → 80 → 10"]),
    (_q1(bias=False), "custom", ["paramètres"]),
    (_q1_functional_softmax, "custom", ["softmax", "logits"]),
    (_q1(act=nn.Identity), "custom", ["sigmoïdes"]),
    (_q1(act=nn.Tanh), "custom", ["tanh"]),
    (_q1(final=[nn.Sigmoid()]), "custom", ["après la dernière couche"]),
    (lambda: nn.Sequential, "type", ["torch.nn.Module"]),
]


def test_the_module_lists_its_checker():
    assert CHECKERS == (check_q1_model,)


@pytest.mark.parametrize("fn", CORRECT)
def test_correct_models_are_accepted(fn):
    report = check_q1_model.evaluate(fn)
    assert report.passed, report.message


@pytest.mark.parametrize(("fn", "kind", "words"), WRONG)
def test_typical_mistakes_are_diagnosed(fn, kind, words):
    report = check_q1_model.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith("❌ Exercice 1.6 (make_q1_model)")
    assert all(word in report.message for word in words), report.message


def test_success_message_is_exact_and_global_rng_untouched(capsys):
    state = torch.get_rng_state()
    check_q1_model(check_q1_model.reference)
    assert capsys.readouterr().out == f"✅ Exercice 1.6 (make_q1_model){NBSP}: correct.\n"
    assert torch.equal(torch.get_rng_state(), state)
