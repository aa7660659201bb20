"""Vérificateur de la partie « PMC » (chapitre 1) : exercice 1.6, ``make_q1_model()``.

Le modèle de la Question 1 est le PMC 784 → 120 → 80 → 10 à sigmoïdes, qui renvoie des
logits. On vérifie ses couches linéaires (tailles, biais compris), puis son calcul : la
sortie est comparée à celle qu'on obtient en enchaînant ces couches dans l'ordre des
tailles, quel que soit l'ordre dans lequel le modèle les a enregistrées. Les écarts
typiques (softmax finale, autre activation, activation manquante) sont reconnus.
"""

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from course_utils.checks.framework import Case, Checker, generator
from course_utils.checks.messages import type_name
from course_utils.models import mlp

_SIZES = [(784, 120), (120, 80), (80, 10)]
_SHAPE = "Linear(784, 120) → Sigmoid → Linear(120, 80) → Sigmoid → Linear(80, 10)"
_LOGITS = "F.cross_entropy applique déjà log-softmax : le modèle doit renvoyer des logits."


def _make_q1_model() -> nn.Module:
    return mlp([784, 120, 80, 10], activation="sigmoid")


def _chain(model: nn.Module) -> list[nn.Linear] | str:
    """Les couches linéaires dans l'ordre du calcul (784 → 120 → 80 → 10), ou un diagnostic."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    sizes = [(m.in_features, m.out_features) for m in linears]
    if sorted(sizes) != sorted(_SIZES):
        got = ", ".join(f"Linear({i}, {o})" for i, o in sizes) or "aucune"
        return f"les couches linéaires doivent être 784 → 120 → 80 → 10 (reçu : {got})."
    n = sum(p.numel() for p in model.parameters())
    if n != 104_690:
        return f"le modèle doit avoir 104 690 paramètres (reçu : {n}) : gardez les biais."
    if any(isinstance(m, nn.Softmax | nn.LogSoftmax) for m in model.modules()):
        return f"retirez la couche Softmax finale : {_LOGITS}"
    by_input = {m.in_features: m for m in linears}
    return [by_input[n_in] for n_in, _ in _SIZES]


def _forward(chain: list[nn.Linear], x: torch.Tensor, act: Callable) -> torch.Tensor:
    for layer in chain[:-1]:
        x = act(layer(x))
    return chain[-1](x)


def _q1_extra(fn: Callable[..., Any]) -> str | None:
    model = fn()
    chain = _chain(model)
    if isinstance(chain, str):
        return chain
    x = torch.randn(5, 784, generator=generator(7))
    model.eval()
    with torch.no_grad():
        out = model(x)
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (5, 10):
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type_name(out)
            return f"pour x de forme (5, 784), la sortie doit être (5, 10) (reçu : {shape})."
        logits = _forward(chain, x, torch.sigmoid)
        if torch.allclose(out, logits, atol=1e-5):
            return None
        diagnoses = [(torch.softmax(logits, 1), f"pas de softmax en sortie : {_LOGITS}"),
                     (torch.log_softmax(logits, 1), f"pas de log-softmax en sortie : {_LOGITS}"),
                     (torch.sigmoid(logits), "pas d'activation après la dernière couche."),
                     (_forward(chain, x, torch.relu), "utilisez la sigmoïde, pas ReLU."),
                     (_forward(chain, x, torch.tanh), "utilisez la sigmoïde, pas tanh."),
                     (_forward(chain, x, lambda h: h),
                      "il manque les sigmoïdes entre les couches.")]
    for candidate, text in diagnoses:
        if torch.allclose(out, candidate, atol=1e-5):
            return text
    return f"la sortie ne correspond pas à {_SHAPE}."


check_q1_model = Checker(
    exercise="1.6", title="make_q1_model", reference=_make_q1_model,
    cases=lambda: [Case("construction du modèle")], expect_type=nn.Module, extra=_q1_extra,
    signature="make_q1_model()")

CHECKERS = (check_q1_model,)
