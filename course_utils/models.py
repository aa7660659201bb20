"""Les perceptrons multicouches (PMC) du cours, assemblés à partir des pièces de référence.

Un PMC enchaîne des couches ``Linear → [BN] → activation → [BN] → [dropout]`` et se termine
par une couche linéaire qui renvoie des *logits* (``F.cross_entropy`` applique lui-même le
log-softmax). Exemple, le réseau de la Question 1 : ``mlp([784, 120, 80, 10])``.
"""

from types import MappingProxyType

import torch
from torch import nn

from course_utils import _validate
from course_utils.activations import ACTIVATIONS
from course_utils.regularization import Dropout

BATCH_NORM_PLACEMENTS = MappingProxyType({
    None: "sans BN", "before": "BN avant l'activation", "after": "BN après l'activation",
    "both": "BN avant et après l'activation"})
"""Les placements de la normalisation par lots dans une couche cachée, et leur nom :
``None`` (aucune), ``"before"`` (Linear → BN → activation), ``"after"`` (Linear →
activation → BN), ``"both"`` (Linear → BN → activation → BN)."""

MASK_SEED_SHIFT = 1_000_003
"""Décalage entre la graine des poids et celle des masques de dropout (un nombre premier,
loin des graines voisines qu'utilisent les ensembles de réseaux)."""


def mlp(sizes, *, activation: str = "sigmoid", batch_norm: str | None = None,
        dropout: float = 0.0, seed: int | None = None) -> nn.Sequential:
    """Perceptron multicouche ``Linear → activation → … → Linear`` (sans softmax finale).

    sizes : tailles des couches, entrée comprise (au moins deux entiers ≥ 1) ;
    activation : clé de ``activations.ACTIVATIONS`` (``"sigmoid"``, ``"relu"``…) ;
    batch_norm : placement de la normalisation par lots (``nn.BatchNorm1d``) dans chaque
        couche cachée, une clé de :data:`BATCH_NORM_PLACEMENTS` ;
    dropout : probabilité d'ÉTEINDRE chaque unité cachée (une couche ``regularization.Dropout``
        après chaque activation ; 0 : aucune) ;
    seed : si donnée, les poids sont tirés avec cette graine sans toucher au générateur
        global, et les masques de dropout avec un générateur local de graine
        seed + MASK_SEED_SHIFT (un autre flux : avec la même graine, les premiers masques
        reprendraient les tirages des poids) ; deux appels avec la même graine donnent le
        même réseau, qui tire les mêmes masques.
    """
    if not isinstance(sizes, list | tuple) or len(sizes) < 2:
        raise ValueError(f"sizes doit être une liste d'au moins deux tailles (reçu : {sizes!r})")
    sizes = [_validate.integer("chaque taille de sizes", n, low=1) for n in sizes]
    _validate.choice("activation", activation, ACTIVATIONS)
    _validate.choice("batch_norm", batch_norm, BATCH_NORM_PLACEMENTS)
    dropout = _validate.rate("dropout", dropout)
    if seed is None:
        return _build(sizes, activation, batch_norm, dropout, None)
    _validate.integer("seed", seed, low=0, high=2**64 - 1 - MASK_SEED_SHIFT)  # torch : < 2⁶⁴
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _build(sizes, activation, batch_norm, dropout,
                      torch.Generator().manual_seed(seed + MASK_SEED_SHIFT))


def _build(sizes: list[int], activation: str, batch_norm: str | None, dropout: float,
           generator: torch.Generator | None) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i == len(sizes) - 2:  # pas d'activation après la couche de sortie
            break
        if batch_norm in ("before", "both"):
            layers.append(nn.BatchNorm1d(n_out))
        layers.append(ACTIVATIONS[activation].module())
        if batch_norm in ("after", "both"):
            layers.append(nn.BatchNorm1d(n_out))
        if dropout > 0:
            layers.append(Dropout(dropout, generator=generator))
    return nn.Sequential(*layers)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """Les couches ``nn.Linear`` d'un modèle, de l'entrée vers la sortie."""
    return [m for m in _validate.module("model", model).modules() if isinstance(m, nn.Linear)]
