"""Fonctions d'activation : leurs propriétés comparées, et les unités « mortes » de ReLU.

:data:`PROPERTIES` décrit chaque activation du registre ``activations.ACTIVATIONS`` (image,
centrage, saturation, coût, max f′), pour le tableau et la galerie du chapitre 02 ; les
tests vérifient chaque propriété par le calcul.

Une unité ReLU est **morte** quand sa sortie reste nulle pour tous les exemples : son
gradient est alors nul et elle ne peut plus apprendre (un grand pas peut en tuer beaucoup).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import torch
from torch import nn

from course_utils import _validate
from course_utils.lab.gradients import layer_outputs


@dataclass(frozen=True)
class Properties:
    """Les propriétés d'une activation f comparées au chapitre 02.

    value_range : image de f ; zero_centred : sorties centrées, |E f(Z)| < 0,1 pour
    Z ∼ N(0, 1) ; saturates : côté(s) où f′ → 0 (« des deux côtés », « à gauche », « non ») ;
    cost : opération dominante du calcul ; max_grad : max de f′ sur ℝ (à 10⁻⁴ près), le
    facteur maximal par lequel une couche peut multiplier le gradient qui la traverse.
    """

    value_range: str
    zero_centred: bool
    saturates: str
    cost: str
    max_grad: float

    def __post_init__(self) -> None:
        for name in ("value_range", "saturates", "cost"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} doit être un texte (reçu : {getattr(self, name)!r})")
        _validate.boolean("zero_centred", self.zero_centred)
        _validate.positive("max_grad", self.max_grad)


_LEFT, _BOTH, _NO, _EXP = "à gauche", "des deux côtés", "non", "exponentielle"
_EXP_LEFT = "exponentielle (si x ≤ 0)"
PROPERTIES: Mapping[str, Properties] = MappingProxyType({
    "sigmoid": Properties("]0, 1[", False, _BOTH, _EXP, 0.25),
    "tanh": Properties("]−1, 1[", True, _BOTH, _EXP, 1.0),
    "relu": Properties("[0, +∞[", False, _LEFT, "comparaison", 1.0),
    "leaky_relu": Properties("]−∞, +∞[", False, _NO, "comparaison", 1.0),
    "prelu": Properties("]−∞, +∞[", False, _NO, "comparaison", 1.0),
    "elu": Properties("]−1, +∞[", False, _LEFT, _EXP_LEFT, 1.0),
    "selu": Properties("]−λα, +∞[ avec λα ≈ 1,758", True, _LEFT, _EXP_LEFT, 1.7581),
    "gelu": Properties("[m, +∞[ avec m ≈ −0,170", False, _LEFT, "erf", 1.1289),
    "gelu_tanh": Properties("[m, +∞[ avec m ≈ −0,170", False, _LEFT, "tanh", 1.1290),
    "silu": Properties("[m, +∞[ avec m ≈ −0,278", False, _LEFT, _EXP, 1.0998),
})
"""Les propriétés de chaque activation, mêmes clés que ``activations.ACTIVATIONS`` (PReLU
à sa pente initiale α = 0,25)."""


def dead_units(h: torch.Tensor) -> torch.Tensor:
    """Unités mortes d'une couche : celles dont la sortie n'est jamais > 0 sur le lot.

    h : (N, H) flottant, N ≥ 1, sorties de la couche (après ReLU) pour N exemples. Renvoie
    un masque booléen (H,) : True pour l'unité j si h[n, j] ≤ 0 pour tous les n (une sortie
    nan n'est pas ≤ 0 : l'unité ne compte pas comme morte).
    """
    if len(_validate.tensor("h", h, floating=True, ndim=2)) == 0:
        raise ValueError("h doit contenir au moins un exemple (reçu : forme "
                         f"{tuple(h.shape)}) : sans exemple, aucune unité n'est jugée")
    return (h <= 0).all(dim=0)


def dead_fraction(model: nn.Sequential, x: torch.Tensor) -> list[float]:
    """Part des unités mortes (:func:`dead_units`) de chaque couche cachée d'un PMC
    séquentiel, sur les exemples x (N, D) : une fraction dans [0, 1] par couche."""
    return [dead_units(h).float().mean().item() for h in layer_outputs(model, x)]
