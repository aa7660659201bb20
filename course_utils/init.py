"""Initialisation des poids : initialiseurs de référence du cours.

Notations du cours : un neurone a n entrées (*fan-in*) et sa couche m sorties
(*fan-out*). Une couche ``nn.Linear(n, m)`` range ses poids dans une matrice W de forme
(m, n) = (out_features, in_features) : une ligne par neurone de sortie.

Pourquoi ces échelles ? Avec des poids et des entrées indépendants et centrés,
Var(z) = n · Var(w) · Var(x) pour la pré-activation z = Σ_i w_i x_i : pour que la
variance ne s'effondre ni n'explose de couche en couche, il faut n · Var(w) ≈ 1 (et,
pour les gradients qui remontent, m · Var(w) ≈ 1). Rappel : U(−a, a) a pour variance a²/3.

Comme ``torch.nn.init``, chaque fonction ``…_`` modifie le tenseur en place (sans
enregistrer l'opération pour autograd) et le renvoie. Les tirages aléatoires utilisent
``generator`` s'il est donné, sinon le générateur global de PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType

import torch
from torch import nn

from course_utils import _validate

__all__ = [
    "fan_in_and_fan_out", "constant_", "normal_", "uniform_", "fan_in_uniform_",
    "xavier_uniform_", "xavier_normal_", "kaiming_normal_", "kaiming_uniform_",
    "INITIALIZERS", "initialize_", "expected_std",
]

# schéma → (loi, écart pour scale = 1 en fonction de (n, m)) ; l'écart est la borne a de
# U(−a, a) pour une loi uniforme, l'écart-type σ de N(0, σ²) pour une loi normale.
_SCHEMES: Mapping[str, tuple[str, Callable[[int, int], float]]] = MappingProxyType({
    "constant": ("constant", lambda n, m: 1.0),
    "normal": ("normal", lambda n, m: 1.0),
    "fan_in_uniform": ("uniform", lambda n, m: 1 / math.sqrt(n)),
    "xavier_uniform": ("uniform", lambda n, m: math.sqrt(6 / (n + m))),
    "xavier_normal": ("normal", lambda n, m: math.sqrt(2 / (n + m))),
    "kaiming_normal": ("normal", lambda n, m: math.sqrt(2 / n)),
    "kaiming_uniform": ("uniform", lambda n, m: math.sqrt(6 / n)),
})


SCHEME_NAMES: Mapping[str, str] = MappingProxyType({
    "constant": "constante", "normal": "normale N(0, σ²)", "fan_in_uniform": "U(−1/√n, 1/√n)",
    "xavier_uniform": "Xavier uniforme", "xavier_normal": "Xavier normale",
    "kaiming_normal": "He normale", "kaiming_uniform": "He uniforme",
})
"""Le nom français de chaque schéma (pour les tableaux et les légendes)."""


def fan_in_and_fan_out(weight: torch.Tensor) -> tuple[int, int]:
    """Nombres d'entrées n (*fan-in*) et de sorties m (*fan-out*) d'une couche.

    ``weight`` : matrice de poids de forme (m, n), disposition de ``nn.Linear``
    (out_features, in_features), non vide. Renvoie ``(n, m)``.
    """
    _validate.tensor("weight", weight, floating=True)
    if weight.dim() != 2:
        raise ValueError("weight doit être une matrice (m, n) = (out_features, in_features) "
                         f"(reçu : forme {tuple(weight.shape)})")
    m, n = weight.shape
    if n == 0 or m == 0:
        raise ValueError(f"weight ne doit pas être vide (reçu : forme {(m, n)})")
    return n, m


def constant_(weight: torch.Tensor, value: float) -> torch.Tensor:
    """Remplit ``weight`` (forme quelconque) de la constante ``value``, en place.

    Tous les neurones d'une couche calculent alors la même chose et reçoivent le même
    gradient : la symétrie n'est jamais brisée. Contre-exemple du cours.
    """
    _validate.tensor("weight", weight, floating=True)
    value = _validate.real("value", value)
    with torch.no_grad():
        return weight.fill_(value)


def normal_(weight: torch.Tensor, *, std: float,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """Tire ``weight`` (forme quelconque) selon N(0, std²), en place.

    ``std`` ≥ 0 : écart-type. Équivalent de ``torch.nn.init.normal_(weight, 0, std)``.
    """
    _validate.tensor("weight", weight, floating=True)
    std = _validate.nonnegative("std", std)
    _validate.generator("generator", generator)
    with torch.no_grad():
        return weight.normal_(0.0, std, generator=generator)


def uniform_(weight: torch.Tensor, *, bound: float,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Tire ``weight`` (forme quelconque) selon U(−bound, bound), en place.

    ``bound`` ≥ 0 : borne a ; la variance obtenue est a²/3. Équivalent de
    ``torch.nn.init.uniform_(weight, -bound, bound)``.
    """
    _validate.tensor("weight", weight, floating=True)
    bound = _validate.nonnegative("bound", bound)
    _validate.generator("generator", generator)
    with torch.no_grad():
        return weight.uniform_(-bound, bound, generator=generator)


def _draw(scheme: str, weight: torch.Tensor, scale: float, generator: torch.Generator | None,
          name: str = "scale") -> torch.Tensor:
    """Applique ``scheme`` à ``weight`` (m, n), l'écart (borne ou σ) multiplié par ``scale``."""
    law, spread = _SCHEMES[scheme]
    if law == "constant":
        return constant_(weight, scale)
    n, m = fan_in_and_fan_out(weight)
    value = _validate.nonnegative(name, scale) * spread(n, m)
    if law == "normal":
        return normal_(weight, std=value, generator=generator)
    return uniform_(weight, bound=value, generator=generator)


def fan_in_uniform_(weight: torch.Tensor, *,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """Première solution du cours : w ~ U(−1/√n, 1/√n), en place.

    ``weight`` : (m, n). Var(w) = 1/(3n), donc n · Var(w) = 1/3 quel que soit n.
    C'est aussi l'initialisation par défaut des poids de ``nn.Linear`` (voir
    :func:`kaiming_uniform_`).
    """
    return _draw("fan_in_uniform", weight, 1.0, generator)


def xavier_uniform_(weight: torch.Tensor, *, gain: float = 1.0,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """Initialisation de Xavier (Glorot et Bengio, 2010) : w ~ U(−a, a), en place.

    a = gain · √(6/(n + m)), soit Var(w) = gain² · 2/(n + m) : compromis entre
    n · Var(w) = 1 (propagation avant) et m · Var(w) = 1 (rétropropagation).
    ``weight`` : (m, n). Équivalent de ``torch.nn.init.xavier_uniform_``.
    """
    return _draw("xavier_uniform", weight, gain, generator, name="gain")


def xavier_normal_(weight: torch.Tensor, *, gain: float = 1.0,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Variante normale de Xavier : w ~ N(0, σ²), σ = gain · √(2/(n + m)), en place.

    Au-delà des transparents du cours : même variance que :func:`xavier_uniform_`, loi
    normale. ``weight`` : (m, n). Équivalent de ``torch.nn.init.xavier_normal_``.
    """
    return _draw("xavier_normal", weight, gain, generator, name="gain")


def kaiming_normal_(weight: torch.Tensor, *,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """Initialisation de He (He et al., 2015) pour ReLU : w ~ N(0, 2/n), en place.

    Au-delà des transparents du cours. ReLU annule la moitié des pré-activations : on
    double la variance, n · Var(w) = 2. ``weight`` : (m, n). Identique à
    ``torch.nn.init.kaiming_normal_`` avec ses valeurs par défaut (a=0, mode="fan_in",
    nonlinearity="leaky_relu", soit un gain √2).
    """
    return _draw("kaiming_normal", weight, 1.0, generator)


def kaiming_uniform_(weight: torch.Tensor, *,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """Variante uniforme de He : w ~ U(−a, a), a = √(6/n), soit Var(w) = 2/n, en place.

    Au-delà des transparents du cours. ``weight`` : (m, n). Identique à
    ``torch.nn.init.kaiming_uniform_`` avec ses valeurs par défaut (a=0, mode="fan_in",
    nonlinearity="leaky_relu"). Remarque : ``nn.Linear`` initialise ses poids par
    ``kaiming_uniform_(weight, a=√5)``, de gain √(2/(1 + 5)) = 1/√3, d'où la borne
    √3 · (1/√3)/√n = 1/√n : c'est exactement la première solution du cours,
    :func:`fan_in_uniform_` (ses biais, eux, suivent aussi U(−1/√n, 1/√n)).
    """
    return _draw("kaiming_uniform", weight, 1.0, generator)


def _initializer(scheme: str) -> Callable[..., torch.Tensor]:
    def init(weight: torch.Tensor, *, scale: float = 1.0,
             generator: torch.Generator | None = None) -> torch.Tensor:
        return _draw(scheme, weight, scale, generator)

    init.__name__ = init.__qualname__ = f"{scheme}_"
    return init


INITIALIZERS: Mapping[str, Callable[..., torch.Tensor]] = MappingProxyType({
    scheme: _initializer(scheme) for scheme in _SCHEMES
})
"""Schéma → ``f(weight, *, scale=1.0, generator=None)`` : applique le schéma à ``weight``.

Clés : "constant", "normal", "fan_in_uniform", "xavier_uniform", "xavier_normal",
"kaiming_normal", "kaiming_uniform". ``scale`` multiplie la borne ou l'écart-type du
schéma ; pour "normal", c'est l'écart-type lui-même ; pour "constant", la valeur.
"""


def initialize_(model: nn.Module, scheme: str, *, scale: float = 1.0,
                generator: torch.Generator | None = None) -> nn.Module:
    """Initialise toutes les couches ``nn.Linear`` de ``model`` selon ``scheme``, en place.

    Chaque matrice de poids W (m, n) est tirée selon ``scheme`` (une clé de
    :data:`INITIALIZERS`), sa borne ou son écart-type multiplié par ``scale`` ; pour
    "normal", ``scale`` est l'écart-type lui-même, pour "constant", la valeur de tous les
    poids. Les biais sont mis à 0. Les couches sont tirées dans l'ordre de
    ``model.modules()`` avec ``generator`` : même graine, même réseau.
    C'est ce qu'utilisent les notebooks pour la grille initialisation × activation et le
    curseur d'échelle. Renvoie ``model``.
    """
    _validate.module("model", model)
    _validate.choice("scheme", scheme, _SCHEMES)
    scale = (_validate.real if scheme == "constant" else _validate.nonnegative)("scale", scale)
    _validate.generator("generator", generator)
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise ValueError("model ne contient aucune couche nn.Linear à initialiser")
    for layer in layers:
        _draw(scheme, layer.weight, scale, generator)
        if layer.bias is not None:
            constant_(layer.bias, 0.0)
    return model


def expected_std(scheme: str, n: int, m: int, *, scale: float = 1.0) -> float:
    """Écart-type théorique des poids tirés par ``scheme`` pour une couche (m, n).

    Loi normale : σ = scale · écart du schéma ; loi uniforme U(−a, a) : a/√3 ;
    "constant" : 0. Par exemple ``expected_std("xavier_uniform", n, m)`` = √(2/(n + m)).
    """
    _validate.choice("scheme", scheme, _SCHEMES)
    scale = (_validate.real if scheme == "constant" else _validate.nonnegative)("scale", scale)
    n, m = _validate.integer("n", n, low=1), _validate.integer("m", m, low=1)
    law, spread = _SCHEMES[scheme]
    if law == "constant":
        return 0.0
    value = scale * spread(n, m)
    return value if law == "normal" else value / math.sqrt(3)
