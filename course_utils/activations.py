"""Fonctions d'activation de référence et leurs dérivées.

Pour l'instant : la sigmoïde σ et sa dérivée σ′ (un chapitre ultérieur complète
ce module).
"""

from __future__ import annotations

import torch

__all__ = ["sigmoid", "sigmoid_grad"]


def _check_float_tensor(x: object) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x doit être un torch.Tensor (reçu : {type(x).__name__})")
    if not x.is_floating_point():
        raise TypeError(f"x doit être un tenseur flottant (reçu : {x.dtype})")
    return x


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Sigmoïde stable : σ(x) = 1 / (1 + e^{−x}).

    On n'évalue que e^{−|x|} ∈ (0, 1] : σ(x) = 1 / (1 + e^{−|x|}) si x ≥ 0 et
    σ(x) = e^{−|x|} / (1 + e^{−|x|}) sinon. Aucun débordement, même à ±1000.

    Paramètres
    ----------
    x : tenseur flottant de forme quelconque

    Renvoie
    -------
    σ(x) : même forme et même type que x, valeurs dans [0, 1].
    """
    x = _check_float_tensor(x)
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """Dérivée de la sigmoïde : σ′(x) = σ(x)(1 − σ(x)).

    σ′ est maximale en 0, où elle vaut 1/4 : un gradient qui traverse une
    sigmoïde est donc au moins divisé par 4 (saturation pour |x| grand).

    Paramètres
    ----------
    x : tenseur flottant de forme quelconque (pré-activations)

    Renvoie
    -------
    σ′(x) : même forme et même type que x, valeurs dans [0, 1/4].
    """
    s = sigmoid(x)
    return s * (1 - s)
