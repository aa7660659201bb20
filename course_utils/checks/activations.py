"""Vérificateurs de la partie « fonctions d'activation » (chapitres 1 et 2) : exercices 1.1,
2.1, 2.2 et 2.3.

Les fonctions attendues ont les noms et les signatures du paquet, qui sert de référence :
``sigmoid_grad(x)``, ``relu_grad(x)`` et ``elu(x, *, alpha=1.0)`` de
:mod:`course_utils.activations`, ``dead_units(h)`` de :mod:`course_utils.lab.activations`.
"""

import torch

from course_utils.activations import elu, relu_grad, sigmoid_grad
from course_utils.checks.framework import Case, Checker, generator
from course_utils.lab.activations import dead_units


def _sigmoid_cases() -> list[Case]:
    g = generator(3)
    return [Case("vecteur aléatoire (8,)", (3 * torch.randn(8, generator=g),)),
            Case("matrice aléatoire (3, 4)", (torch.randn(3, 4, generator=g),)),
            Case("x = 0 (maximum 1/4)", (torch.zeros(1),)),
            Case("valeurs extrêmes ±1000", (torch.tensor([-1000.0, -50.0, 50.0, 1000.0]),))]


check_sigmoid_grad = Checker(
    exercise="1.1", title="sigmoid_grad", reference=sigmoid_grad, cases=_sigmoid_cases,
    signature="sigmoid_grad(x)",
    finite_hint="une exponentielle déborde (e¹⁰⁰⁰ = inf) : calculez σ(x) de façon stable "
                "(torch.sigmoid) puis σ(x)(1 − σ(x)).",
    hints=[(lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2,
            "en x = −1000, e^{−x} = inf et inf / inf = nan : calculez σ(x) de façon stable "
            "(torch.sigmoid) puis σ(x)(1 − σ(x))."),
           (lambda x: torch.exp(x) / (1 + torch.exp(x)) ** 2,
            "en x = +1000, eˣ = inf et inf / inf = nan : calculez σ(x) de façon stable "
            "(torch.sigmoid) puis σ(x)(1 − σ(x))."),
           (torch.sigmoid, "vous renvoyez σ(x) : la dérivée est σ′(x) = σ(x)(1 − σ(x))."),
           (lambda x: x * (1 - x), "appliquez σ′(x) = σ(x)(1 − σ(x)) à σ(x), pas à x.")])


def _relu_grad_cases() -> list[Case]:
    g = generator(21)
    return [Case("vecteur aléatoire (8,)", (3 * torch.randn(8, generator=g),)),
            Case("matrice aléatoire (3, 4)", (torch.randn(3, 4, generator=g),)),
            Case("x = 0 exactement (convention en 0)", (torch.tensor([-1.0, 0.0, 0.0, 2.0]),)),
            Case("valeurs extrêmes ±1000", (torch.tensor([-1000.0, -1e-8, 1e-8, 1000.0]),)),
            Case("tenseur float64 (même dtype que x)",
                 (torch.randn(5, dtype=torch.float64, generator=g),))]


check_relu_grad = Checker(
    exercise="2.1", title="relu_grad", reference=relu_grad, cases=_relu_grad_cases,
    signature="relu_grad(x)", hints=[
        (torch.relu, "vous renvoyez ReLU(x) : la dérivée vaut 1 si x > 0 et 0 sinon."),
        (lambda x: (x >= 0).to(x.dtype),
         "en x = 0, ReLU n'est pas dérivable : on prend ReLU′(0) = 0 (la convention "
         "d'autograd), donc la condition est x > 0 et non x ≥ 0."),
        (torch.sign, "pour x < 0, la dérivée vaut 0, pas −1."),
    ])


def _elu_cases() -> list[Case]:
    g = generator(22)
    return [Case("vecteur aléatoire (8,), alpha par défaut", (3 * torch.randn(8, generator=g),)),
            Case("matrice (3, 4), alpha=0.5", (2 * torch.randn(3, 4, generator=g),),
                 {"alpha": 0.5}),
            Case("x = 0 et voisins, alpha=2.0", (torch.tensor([-1e-3, 0.0, 1e-3]),),
                 {"alpha": 2.0}),
            Case("valeurs extrêmes ±1000", (torch.tensor([-1000.0, -50.0, 50.0, 1000.0]),)),
            Case("valeurs extrêmes ±1000, alpha=0.5",
                 (torch.tensor([-1000.0, -1.0, 1.0, 1000.0]),), {"alpha": 0.5})]


def _elu_no_minus_one(x: torch.Tensor, *, alpha: float = 1.0) -> torch.Tensor:
    return torch.where(x > 0, x, alpha * torch.exp(torch.clamp(x, max=0)))


def _elu_minus_x(x: torch.Tensor, *, alpha: float = 1.0) -> torch.Tensor:
    return torch.where(x > 0, x, alpha * (torch.exp(-x) - 1))


check_elu = Checker(
    exercise="2.2", title="elu", reference=elu, cases=_elu_cases,
    signature="elu(x, *, alpha=1.0)",
    finite_hint="en x = 1000, eˣ = inf et inf × 0 = nan : ne multipliez pas par un masque "
                "(x <= 0), utilisez torch.where, ou n'évaluez l'exponentielle que sur "
                "torch.clamp(x, max=0).",
    hints=[(lambda x, *, alpha=1.0: elu(x),
            "utilisez le paramètre alpha : ELU(x) = α(eˣ − 1) pour x ≤ 0."),
           (_elu_no_minus_one,
            "n'oubliez pas le « − 1 » : α(eˣ − 1) s'annule en 0, ELU est continue."),
           (_elu_minus_x, "l'exponentielle est eˣ, pas e^{−x}."),
           (lambda x, *, alpha=1.0: torch.relu(x), "pour x ≤ 0, ELU vaut α(eˣ − 1), pas 0.")])


def _layer(n: int, hidden: int, dead: list[int], seed: int) -> torch.Tensor:
    """Activations post-ReLU (n, hidden) dont les colonnes ``dead`` sont nulles."""
    h = torch.relu(torch.randn(n, hidden, generator=generator(seed)))
    h[:, dead] = 0.0
    return h


def _dead_units_cases() -> list[Case]:
    one_alive = _layer(12, 5, [0, 2, 4], 25)
    one_alive[7, 2] = 0.01  # l'unité 2 ne s'active que sur un exemple : elle est vivante
    return [Case("couche (20, 8), unités 1 et 5 inactives", (_layer(20, 8, [1, 5], 23),)),
            Case("aucune unité inactive (30, 6)", (_layer(30, 6, [], 24),)),
            Case("une unité active sur un seul exemple (12, 5)", (one_alive,)),
            Case("toutes les unités inactives (4, 3)", (torch.zeros(4, 3),)),
            Case("un seul exemple (N = 1)", (_layer(1, 7, [3], 26),))]


check_dead_units = Checker(
    exercise="2.3", title="dead_units", reference=dead_units,
    cases=_dead_units_cases, signature="dead_units(h)", hints=[
        (lambda h: (h == 0).all(dim=0).float().mean(),
         "renvoyez le masque booléen des unités (forme (H,)), pas la proportion d'unités "
         "inactives."),
        (lambda h: (h == 0).all(dim=1),
         "réduisez selon les exemples (dim=0) : un booléen par unité, forme (H,)."),
        (lambda h: (h == 0).any(dim=0),
         "une unité est inactive si son activation est nulle pour tous les exemples : "
         ".all(dim=0), pas .any(dim=0)."),
        (lambda h: (h > 0).any(dim=0),
         "vous renvoyez les unités actives : inversez le masque (True = unité inactive)."),
    ])

CHECKERS = (check_sigmoid_grad, check_relu_grad, check_elu, check_dead_units)
