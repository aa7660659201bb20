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
    return [g.norm().item() for g in layer_weight_grads(model, x, y)]


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


@torch.no_grad()
def layer_outputs(model: nn.Sequential, x: torch.Tensor) -> list[torch.Tensor]:
    """Sorties de chaque fonction d'activation d'un PMC séquentiel, dans l'ordre.

    x : (N, D). Renvoie une liste de tenseurs (N, H_k), un par couche cachée : ce sont les
    sorties des modules d'activation (ni ``nn.Linear`` ni normalisation par lots).
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError("model doit être un nn.Sequential (par exemple construit par mlp)")
    outputs, h = [], x
    for module in model:
        h = module(h)
        if not isinstance(module, nn.Linear | nn.modules.batchnorm._BatchNorm):
            outputs.append(h)
    return outputs


def layer_weight_grads(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[torch.Tensor]:
    """Gradient de l'entropie croisée par rapport aux poids de chaque couche ``nn.Linear``."""
    weights = [layer.weight for layer in linear_layers(model)]
    if not weights:
        raise ValueError("le modèle ne contient aucune couche nn.Linear")
    return list(torch.autograd.grad(F.cross_entropy(model(x), y), weights))


def dead_fraction(model: nn.Sequential, x: torch.Tensor) -> list[float]:
    """Part des unités cachées qui ne s'activent (sortie > 0) pour aucun exemple de x.

    Un neurone ReLU « mort » renvoie 0 sur tout le jeu de données : son gradient est nul
    et il ne peut plus apprendre. Renvoie une fraction par couche cachée.
    """
    return [(h <= 0).all(dim=0).float().mean().item() for h in layer_outputs(model, x)]
