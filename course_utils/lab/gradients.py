"""Limites des PMC classiques : mesures couche par couche de la dispersion du gradient.

Avec la sigmoïde, chaque couche traversée multiplie le gradient par un facteur σ′(z)·w où
σ′ ≤ 1/4 : les premières couches reçoivent un gradient bien plus faible que les dernières
(*vanishing gradient*). Agrandir les poids n'y change rien : les sigmoïdes saturent
(σ′(z) ≈ 0). Ces fonctions mesurent l'un et l'autre sur un réseau donné ; les couches
sont prises de l'entrée vers la sortie.
"""

import torch
import torch.nn.functional as F
from torch import nn

from course_utils import _validate
from course_utils.models import linear_layers
from course_utils.regularization import Dropout


def layer_weight_grads(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[torch.Tensor]:
    """Gradient de l'entropie croisée moyenne sur le lot par rapport aux poids de chaque
    couche ``nn.Linear`` : une matrice (m, n) par couche, de l'entrée vers la sortie.

    x : (N, D) ; y : (N,) entiers. Les gradients déjà rangés dans le modèle (``.grad``) ne
    sont pas modifiés.
    """
    weights = [layer.weight for layer in linear_layers(model)]
    if not weights:
        raise ValueError("model doit contenir une couche nn.Linear (reçu : aucune couche "
                         "nn.Linear)")
    _validate.model_input("x", _validate.tensor("x", x, floating=True, ndim=2), model)
    _validate.shape("y", _validate.tensor("y", y, dtype=torch.int64), (len(x),))
    logits = model(x)
    if len(y) and not 0 <= int(y.min()) <= int(y.max()) < logits.shape[1]:
        raise ValueError(f"y doit contenir des étiquettes entre 0 et {logits.shape[1] - 1}, "
                         f"les sorties du modèle (reçu : de {int(y.min())} à {int(y.max())})")
    return list(torch.autograd.grad(F.cross_entropy(logits, y), weights))


def layer_grad_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Norme euclidienne ‖∂L/∂W‖ du gradient des poids de chaque couche ``nn.Linear``
    (voir :func:`layer_weight_grads`), de la première couche à la dernière."""
    return [g.norm().item() for g in layer_weight_grads(model, x, y)]


@torch.no_grad()
def scale_weights(model: nn.Module, factor: float) -> nn.Module:
    """Multiplie tous les poids (pas les biais) des couches linéaires par ``factor`` > 0,
    en place ; renvoie ``model``."""
    factor = _validate.positive("factor", factor)
    for layer in linear_layers(model):
        layer.weight.mul_(factor)
    return model


@torch.no_grad()
def layer_outputs(model: nn.Sequential, x: torch.Tensor) -> list[torch.Tensor]:
    """Sorties de chaque fonction d'activation d'un PMC séquentiel, dans l'ordre.

    x : (N, D). Renvoie une liste de tenseurs (N, H_k), un par couche cachée : les sorties
    des modules qui ne sont ni ``nn.Linear``, ni une normalisation par lots, ni un dropout.
    """
    skipped = (nn.Linear, nn.modules.batchnorm._BatchNorm, nn.Dropout, Dropout)
    return [h for module, h in _forward(model, x) if not isinstance(module, skipped)]


@torch.no_grad()
def saturation(model: nn.Sequential, x: torch.Tensor, *, threshold: float = 0.01) -> list[float]:
    """Fraction des sorties de chaque sigmoïde où σ′(z) = σ(z)(1 − σ(z)) < ``threshold``.

    Une unité saturée (sortie presque 0 ou 1) ne rétropropage presque plus rien.
    x : (N, D). Renvoie une valeur par couche ``nn.Sigmoid`` du modèle séquentiel, dans
    l'ordre.
    """
    threshold = _validate.positive("threshold", threshold)
    return [(h * (1 - h) < threshold).float().mean().item()
            for module, h in _forward(model, x) if isinstance(module, nn.Sigmoid)]


def _forward(model: nn.Sequential, x: torch.Tensor) -> list[tuple[nn.Module, torch.Tensor]]:
    """(module, sa sortie) pour chaque module d'un PMC séquentiel, de l'entrée à la sortie."""
    if not isinstance(model, nn.Sequential):
        raise TypeError("model doit être un nn.Sequential (par exemple construit par "
                        f"models.mlp) (reçu : {type(model).__name__})")
    _validate.model_input("x", _validate.tensor("x", x, floating=True, ndim=2), model)
    steps, h = [], x
    for module in model:
        h = module(h)
        steps.append((module, h))
    return steps
