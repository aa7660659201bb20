"""Vérificateurs du chapitre 01 (entropie croisée), exercices 1.1 à 1.6.

Le dernier (1.6) inspecte le modèle de la question Q1 : couches, nombre de paramètres
et sortie (des logits, sans softmax finale).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.activations import sigmoid_grad
from course_utils.checks.framework import Case, Checker, _gen, _type_name
from course_utils.losses import cross_entropy, cross_entropy_grad, one_hot, softmax


def _sigmoid_cases() -> list[Case]:
    g = _gen(3)
    return [Case("vecteur aléatoire (8,)", (3 * torch.randn(8, generator=g),)),
            Case("matrice aléatoire (3, 4)", (torch.randn(3, 4, generator=g),)),
            Case("x = 0 (maximum 1/4)", (torch.zeros(1),)),
            Case("valeurs extrêmes ±1000", (torch.tensor([-1000.0, -50.0, 50.0, 1000.0]),))]


check_sigmoid_grad = Checker(
    exercise="1.1", title="sigmoid_grad", reference=sigmoid_grad, cases=_sigmoid_cases,
    signature="sigmoid_grad(x)",
    finite_hint="exp(−x) déborde pour x très négatif : calculez σ(x) de façon stable "
                "(torch.sigmoid) puis σ(x)(1 − σ(x)).",
    hints=[(torch.sigmoid, "vous renvoyez σ(x) : la dérivée est σ′(x) = σ(x)(1 − σ(x))."),
           (lambda x: x * (1 - x), "appliquez σ′(x) = σ(x)(1 − σ(x)) à σ(x), pas à x.")])


def _one_hot_cases() -> list[Case]:
    y = torch.randint(0, 10, (6,), generator=_gen(4))
    return [Case("6 étiquettes, 10 classes", (y, 10)),
            Case("classes absentes du lot (y = [2, 0, 1], C = 5)", (torch.tensor([2, 0, 1]), 5)),
            Case("une étiquette, la dernière classe (y = [9], C = 10)", (torch.tensor([9]), 10)),
            Case("une seule classe (C = 1)", (torch.tensor([0, 0]), 1))]


check_one_hot = Checker(
    exercise="1.2", title="one_hot", reference=one_hot, cases=_one_hot_cases,
    signature="one_hot(y, num_classes)", hints=[
        (lambda y, c: one_hot(y, c).T, "une ligne par exemple : forme (N, C), pas (C, N)."),
        (lambda y, c: one_hot(y, int(y.max()) + 1),
         "utilisez num_classes et non y.max() + 1 : des classes peuvent manquer dans le lot."),
    ])


def _softmax_cases() -> list[Case]:
    g = _gen(5)
    offsets = torch.tensor([[500.0], [-500.0]])
    return [Case("logits aléatoires (4, 10)", (3 * torch.randn(4, 10, generator=g),)),
            Case("logits extrêmes ±1000", (torch.tensor([[1000.0, -1000.0, 0.0],
                                                          [-1000.0, -1000.0, 1000.0]]),)),
            Case("grande constante par ligne (+500, −500)",
                 (torch.randn(2, 5, generator=g) + offsets,)),
            Case("ligne constante (probabilités uniformes)", (torch.full((1, 4), 7.0),)),
            Case("une seule classe (C = 1)", (torch.randn(3, 1, generator=g),))]


check_softmax = Checker(
    exercise="1.3", title="softmax", reference=softmax, cases=_softmax_cases,
    signature="softmax(o)",
    finite_hint="débordement : pensez à soustraire le maximum de chaque ligne avant exp, "
                "o − o.max(dim=1, keepdim=True).values.",
    hints=[(lambda o: torch.softmax(o, dim=0),
            "normalisez selon la dimension des classes (dim=1) : chaque ligne doit sommer à 1."),
           (lambda o: o, "vous renvoyez les logits : appliquez exp puis normalisez."),
           (lambda o: torch.exp(o - o.amax(1, keepdim=True)),
            "n'oubliez pas de diviser par la somme Σ_k e^{o_k} de chaque ligne.")])


def _ce_cases() -> list[Case]:
    g = _gen(6)
    y = torch.tensor([2, 0, 4])
    return [Case("logits aléatoires (5, 10)", (2 * torch.randn(5, 10, generator=g),
                                               torch.randint(0, 10, (5,), generator=g))),
            Case("un seul exemple (N = 1)", (torch.randn(1, 4, generator=g), torch.tensor([3]))),
            Case("logits extrêmes ±1000", (torch.tensor([[1000.0, -1000.0, 0.0],
                                                          [0.0, 1000.0, -1000.0]]),
                                            torch.tensor([1, 0]))),
            Case("prédictions parfaites (perte ≈ 0)", (50 * one_hot(y, 5), y))]


def _per_sample_ce(o: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return -F.log_softmax(o, dim=1).gather(1, y[:, None])[:, 0]


check_cross_entropy = Checker(
    exercise="1.4", title="cross_entropy", reference=cross_entropy, cases=_ce_cases,
    signature="cross_entropy(o, y)",
    finite_hint="log(softmax(o)) vaut −inf quand une probabilité s'annule : calculez log ŷ "
                "par log-sum-exp, log ŷ_j = o_j − m − log Σ_k e^{o_k − m} avec m = max_k o_k.",
    hints=[(lambda o, y: _per_sample_ce(o, y).sum(),
            "vous calculez la somme : l'énoncé demande la moyenne sur le lot (.mean())."),
           (lambda o, y: -_per_sample_ce(o, y).mean(),
            "attention au signe : l_CE(ŷ, y*) = −Σ_i y*_i log ŷ_i est positive."),
           (_per_sample_ce, "moyennez les pertes des N exemples : le résultat est un scalaire."),
           (lambda o, y: -o.gather(1, y[:, None]).mean(),
            "log ŷ_j = o_j − log Σ_k e^{o_k} : il manque le terme log-sum-exp.")])


check_cross_entropy_grad = Checker(
    exercise="1.5", title="cross_entropy_grad", reference=cross_entropy_grad, cases=_ce_cases,
    signature="cross_entropy_grad(o, y)",
    finite_hint="débordement : utilisez une softmax stable (soustrayez le maximum de chaque "
                "ligne).",
    hints=[(lambda o, y: len(o) * cross_entropy_grad(o, y),
            "gradient de la perte moyenne : divisez par N, ∂L/∂o = (ŷ − y*) / N."),
           (lambda o, y: -cross_entropy_grad(o, y),
            "attention au signe : ∂L/∂o = (ŷ − y*) / N, pas (y* − ŷ) / N."),
           (lambda o, y: torch.softmax(o, dim=1) / len(o),
            "n'oubliez pas de soustraire y* (codage one-hot des étiquettes).")])


def _make_q1_reference() -> nn.Module:
    return nn.Sequential(nn.Linear(784, 120), nn.Sigmoid(), nn.Linear(120, 80), nn.Sigmoid(),
                         nn.Linear(80, 10))


_Q1_SIZES = [(784, 120), (120, 80), (80, 10)]
_Q1_SHAPE = "Linear(784, 120) → Sigmoid → Linear(120, 80) → Sigmoid → Linear(80, 10)"
_LOGITS = "F.cross_entropy applique déjà log-softmax : le modèle doit renvoyer des logits."


def _q1_forward(linears: list[nn.Module], x: torch.Tensor, act: Callable) -> torch.Tensor:
    for layer in linears[:-1]:
        x = act(layer(x))
    return linears[-1](x)


def _q1_structure(model: nn.Module) -> str | None:
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    sizes = [(m.in_features, m.out_features) for m in linears]
    if sizes != _Q1_SIZES:
        got = ", ".join(f"Linear({i}, {o})" for i, o in sizes) or "aucune"
        return f"les couches linéaires doivent être 784 → 120 → 80 → 10 (reçu : {got})."
    n = sum(p.numel() for p in model.parameters())
    if n != 104_690:
        return f"le modèle doit avoir 104 690 paramètres (reçu : {n}) : gardez les biais."
    if any(isinstance(m, (nn.Softmax, nn.LogSoftmax)) for m in model.modules()):
        return f"retirez la couche Softmax finale : {_LOGITS}"
    return None


def _q1_extra(fn: Callable[..., Any]) -> str | None:
    model = fn()
    problem = _q1_structure(model)
    if problem:
        return problem
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    x = torch.randn(5, 784, generator=_gen(7))
    model.eval()
    with torch.no_grad():
        out = model(x)
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (5, 10):
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else _type_name(out)
            return f"pour x de forme (5, 784), la sortie doit être (5, 10) (reçu : {shape})."
        logits = _q1_forward(linears, x, torch.sigmoid)
        if torch.allclose(out, logits, atol=1e-5):
            return None
        diagnoses = [(torch.softmax(logits, 1), f"pas de softmax en sortie : {_LOGITS}"),
                     (torch.log_softmax(logits, 1), f"pas de log-softmax en sortie : {_LOGITS}"),
                     (torch.sigmoid(logits), "pas d'activation après la dernière couche."),
                     (_q1_forward(linears, x, torch.relu), "utilisez la sigmoïde, pas ReLU."),
                     (_q1_forward(linears, x, torch.tanh), "utilisez la sigmoïde, pas tanh."),
                     (_q1_forward(linears, x, lambda h: h),
                      "il manque les sigmoïdes entre les couches.")]
    for candidate, text in diagnoses:
        if torch.allclose(out, candidate, atol=1e-5):
            return text
    return f"la sortie ne correspond pas à {_Q1_SHAPE}."


check_q1_model = Checker(
    exercise="1.6", title="make_q1_model", reference=_make_q1_reference,
    cases=lambda: [Case("construction du modèle")], expect_type=nn.Module, extra=_q1_extra,
    signature="make_q1_model()")


CHAPTER_01_CHECKERS: tuple[Checker, ...] = (
    check_sigmoid_grad, check_one_hot, check_softmax, check_cross_entropy,
    check_cross_entropy_grad, check_q1_model,
)
