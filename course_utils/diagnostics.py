"""Mesures sur un réseau : norme du gradient par couche, saturation des sigmoïdes.

Ces mesures illustrent la *dispersion du gradient* (vanishing gradient) : avec la
sigmoïde, chaque couche traversée multiplie le gradient par un facteur σ′(z)·w où
σ′ ≤ 1/4, si bien que les premières couches reçoivent un gradient bien plus faible.
"""

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.models import linear_layers


def layer_grad_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Norme euclidienne du gradient des poids de chaque couche ``nn.Linear``.

    x : (N, D) ; y : (N,) entiers. La perte est l'entropie croisée moyenne sur le lot.
    Renvoie une liste, de la première couche (entrée) à la dernière (sortie). Les
    gradients déjà présents dans le modèle ne sont pas modifiés.
    """
    layers = linear_layers(model)
    if not layers:
        raise ValueError("le modèle ne contient aucune couche nn.Linear")
    weights = [layer.weight for layer in layers]
    loss = F.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, weights)
    return [g.norm().item() for g in grads]


@torch.no_grad()
def scale_weights(model: nn.Module, factor: float) -> nn.Module:
    """Multiplie tous les poids (pas les biais) des couches linéaires par ``factor``, sur place."""
    if not factor > 0:
        raise ValueError(f"factor doit être > 0 (reçu : {factor})")
    for layer in linear_layers(model):
        layer.weight.mul_(factor)
    return model


@torch.no_grad()
def saturation(model: nn.Sequential, x: torch.Tensor, *, threshold: float = 0.01) -> list[float]:
    """Fraction des sorties de chaque sigmoïde où σ′(z) = σ(z)(1 − σ(z)) < ``threshold``.

    Une unité saturée (sortie presque 0 ou 1) ne rétropropage presque plus rien.
    Renvoie une valeur par couche ``nn.Sigmoid`` du modèle séquentiel, dans l'ordre.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError("model doit être un nn.Sequential (par exemple construit par mlp)")
    fractions, h = [], x
    for module in model:
        h = module(h)
        if isinstance(module, nn.Sigmoid):
            fractions.append((h * (1 - h) < threshold).float().mean().item())
    return fractions
