"""Vérification numérique du gradient : :func:`numerical_grad` et :func:`relative_error`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from course_utils.checks.messages import is_real, type_name


def _scalar(v: Any) -> float:
    if isinstance(v, torch.Tensor):
        if v.numel() != 1:
            raise ValueError(f"f doit renvoyer un scalaire (reçu : forme {tuple(v.shape)})")
        return float(v.item())
    if not is_real(v):
        raise TypeError(f"f doit renvoyer un scalaire (reçu : {type_name(v)})")
    return float(v)


def numerical_grad(f: Callable[[torch.Tensor], Any], x: torch.Tensor, *,
                   eps: float = 1e-6) -> torch.Tensor:
    """Gradient numérique par différences centrées, en float64.

    ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε) : erreur de troncature en O(ε²).
    Coûte 2 évaluations de f par coordonnée : à réserver à de petits tenseurs.

    Paramètres
    ----------
    f : fonction Tensor → scalaire (tenseur à 1 élément ou nombre), appelée en float64.
    x : tenseur flottant de forme quelconque (non modifié).
    eps : pas ε > 0 (1e-6 convient en float64).

    Renvoie
    -------
    ∇f(x) estimé : même forme que x, float64.
    """
    if not callable(f):
        raise TypeError(f"f doit être une fonction (reçu : {type_name(f)})")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x doit être un tenseur flottant (reçu : {type_name(x)})")
    if not (is_real(eps) and eps > 0):
        raise ValueError(f"eps doit être un réel > 0 (reçu : {eps!r})")
    x64 = x.detach().to(torch.float64).clone()
    flat, grad = x64.view(-1), torch.zeros(x64.numel(), dtype=torch.float64)
    with torch.no_grad():
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + eps
            plus = _scalar(f(x64))
            flat[i] = old - eps
            minus = _scalar(f(x64))
            flat[i] = old
            grad[i] = (plus - minus) / (2 * eps)
    return grad.view_as(x64)


def relative_error(a: Any, b: Any) -> float:
    """Erreur relative maximale (formule de CS231n) : max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|).

    Seuils usuels en float64 (gradient analytique contre :func:`numerical_grad`) :
    < 1e-7 : correct ; entre 1e-7 et 1e-4 : suspect (ou point non dérivable, comme
    ReLU en 0) ; > 1e-2 : presque sûrement faux.

    Paramètres
    ----------
    a, b : tenseurs (ou nombres) de même forme.

    Renvoie
    -------
    float ≥ 0 (0 si les tenseurs sont vides).
    """
    a = torch.as_tensor(a.detach() if isinstance(a, torch.Tensor) else a, dtype=torch.float64)
    b = torch.as_tensor(b.detach() if isinstance(b, torch.Tensor) else b, dtype=torch.float64)
    if a.shape != b.shape:
        raise ValueError(f"a et b doivent avoir la même forme (reçu : {tuple(a.shape)} et "
                         f"{tuple(b.shape)})")
    if a.numel() == 0:
        return 0.0
    return float(((a - b).abs() / (a.abs() + b.abs()).clamp_min(1e-8)).max())
