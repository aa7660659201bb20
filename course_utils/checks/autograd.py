"""Vérificateur de la partie « différentiation automatique » (chapitre 0) : exercice 0.2,
``cube_sum_grad(w)``, le gradient de f(w) = Σ w_i³ obtenu par autograd.

Il n'a pas d'équivalent dans le paquet : sa référence est privée. Au-delà des valeurs, on
vérifie que la réponse passe bien par autograd, qu'elle ne modifie pas w et qu'elle ne
garde pas de graphe de calcul.
"""

from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from course_utils.checks.framework import Case, Checker, generator


def _cube_sum_grad(w: torch.Tensor) -> torch.Tensor:
    """∇f(w) = 3w², calculé par autograd pour f(w) = Σ w_i³ ; même forme que w."""
    w = w.detach().clone().requires_grad_(True)
    (w**3).sum().backward()
    return w.grad


class _AutogradSpy(TorchFunctionMode):
    """Note si ``backward`` ou ``torch.autograd.grad`` est appelé (sans rien modifier)."""

    WATCHED = (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad)

    def __init__(self) -> None:
        super().__init__()
        self.used = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.used = self.used or func in self.WATCHED
        return func(*args, **(kwargs or {}))


def _autograd_extra(fn: Callable[..., Any]) -> str | None:
    w = torch.linspace(-1.0, 2.0, 6)
    spy = _AutogradSpy()
    with spy:
        out = fn(w)
    if w.requires_grad or w.grad is not None or not torch.equal(w, torch.linspace(-1, 2, 6)):
        return ("la fonction ne doit pas modifier son argument w (valeurs, requires_grad ou "
                ".grad) : travaillez sur une copie, w = w.detach().clone().requires_grad_(True).")
    if isinstance(out, torch.Tensor) and out.requires_grad:
        return ("le gradient renvoyé ne doit pas exiger de gradient (requires_grad=True) : "
                "renvoyez w.grad ou utilisez .detach().")
    if not spy.used:
        return ("calculez le gradient avec autograd (.backward() ou torch.autograd.grad), "
                "pas à la main.")
    return None


def _autograd_cases() -> list[Case]:
    g = generator(1)
    return [Case("vecteur w de forme (5,)", (torch.randn(5, generator=g),)),
            Case("matrice w de forme (3, 4)", (torch.randn(3, 4, generator=g),)),
            Case("w = [−2, −1, 0, 1, 2]", (torch.arange(-2.0, 3.0),))]


check_cube_sum_grad = Checker(
    exercise="0.2", title="cube_sum_grad", reference=_cube_sum_grad,
    cases=_autograd_cases, extra=_autograd_extra, signature="cube_sum_grad(w)", hints=[
        (lambda w: 2 * w, "la dérivée de w³ est 3w², pas 2w."),
        (lambda w: (w**3).sum(), "vous renvoyez f(w) et non son gradient ∇f(w) = w.grad."),
    ])

CHECKERS = (check_cube_sum_grad,)
