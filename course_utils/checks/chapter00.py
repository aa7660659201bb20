"""Vérificateurs du chapitre 00 (prise en main), exercices 0.1 à 0.3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from course_utils.checks.framework import Case, Checker, _gen
from course_utils.losses import one_hot
from course_utils.metrics import accuracy


def _ref_to_float_images(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.shape[0], -1).float() / 255


def _image_cases() -> list[Case]:
    x = torch.randint(0, 256, (4, 28, 28), generator=_gen(0), dtype=torch.uint8)
    extremes = torch.zeros(2, 28, 28, dtype=torch.uint8)
    extremes[1] = 255
    return [Case("lot de 4 images (4, 28, 28)", (x,)),
            Case("une seule image (1, 28, 28)", (x[:1].clone(),)),
            Case("pixels extrêmes 0 et 255", (extremes,))]


check_to_float_images = Checker(
    exercise="0.1", title="to_float_images", reference=_ref_to_float_images,
    cases=_image_cases, signature="to_float_images(x)", hints=[
        (lambda x: x.reshape(len(x), -1).float(),
         "divisez par 255 pour ramener les pixels dans [0, 1]."),
        (lambda x: x.float() / 255,
         "aplatissez chaque image en un vecteur de 28 × 28 = 784 valeurs : "
         "x.reshape(len(x), -1)."),
    ])


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
    g = _gen(1)
    return [Case("vecteur w de forme (5,)", (torch.randn(5, generator=g),)),
            Case("matrice w de forme (3, 4)", (torch.randn(3, 4, generator=g),)),
            Case("w = [−2, −1, 0, 1, 2]", (torch.arange(-2.0, 3.0),))]


def _ref_cube_sum_grad(w: torch.Tensor) -> torch.Tensor:
    w = w.detach().clone().requires_grad_(True)
    (w**3).sum().backward()
    return w.grad


check_autograd_grad = Checker(
    exercise="0.2", title="cube_sum_grad", reference=_ref_cube_sum_grad,
    cases=_autograd_cases, extra=_autograd_extra, signature="cube_sum_grad(w)", hints=[
        (lambda w: 2 * w, "la dérivée de w³ est 3w², pas 2w."),
        (lambda w: (w**3).sum(), "vous renvoyez f(w) et non son gradient ∇f(w) = w.grad."),
    ])


def _accuracy_cases() -> list[Case]:
    g = _gen(2)
    y = torch.randint(0, 3, (7,), generator=g)
    perfect = torch.tensor([3, 1, 4, 1, 5])
    return [Case("10 exemples, 10 classes", (torch.randn(10, 10, generator=g),
                                             torch.randint(0, 10, (10,), generator=g))),
            Case("7 exemples, 3 classes", (torch.randn(7, 3, generator=g), y)),
            Case("toutes les prédictions justes", (5 * one_hot(perfect, 6), perfect)),
            Case("un seul exemple, mal classé", (torch.tensor([[2.0, -1.0]]), torch.tensor([1])))]


check_accuracy = Checker(
    exercise="0.3", title="accuracy", reference=accuracy, cases=_accuracy_cases,
    signature="accuracy(logits, y)", hints=[
        (lambda o, y: (o.argmax(0) == y).float().mean().item(),
         "argmax doit porter sur la dimension des classes : logits.argmax(dim=1)."),
        (lambda o, y: (o.argmax(1) == y).sum().item(),
         "vous renvoyez le nombre de bonnes prédictions : divisez par N pour une proportion."),
        (lambda o, y: 100 * (o.argmax(1) == y).float().mean().item(),
         "l'exactitude est une proportion dans [0, 1], pas un pourcentage."),
    ])


CHAPTER_00_CHECKERS: tuple[Checker, ...] = (
    check_to_float_images, check_autograd_grad, check_accuracy,
)
