"""Fonctions d'activation de référence et leurs dérivées, écrites à la main.

Chaque activation f s'accompagne de sa dérivée f′ (``*_grad``), calculée sans autograd.
Conventions communes :

* x : tenseur flottant de forme quelconque ; le résultat a la même forme et le même dtype ;
* résultats finis à ±1000 (pas de inf·0 = nan) ; NaN en entrée → NaN en sortie, dérivées
  comprises (autograd, lui, donne une dérivée finie en NaN pour relu, leaky_relu, prelu, elu
  et selu) ;
* aux points anguleux (x = 0), f′(0) est la pente de gauche (branche x ≤ 0), comme autograd.

:data:`ACTIVATIONS` rassemble chaque activation avec sa dérivée et son module PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import torch
from torch import nn

from course_utils import _validate

__all__ = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad", "prelu", "prelu_grad", "PReLU", "elu", "elu_grad",
    "selu", "selu_grad", "SELU_LAMBDA", "SELU_ALPHA", "gelu", "gelu_grad", "gelu_tanh",
    "gelu_tanh_grad", "silu", "silu_grad", "Activation", "ACTIVATIONS",
]

SELU_LAMBDA = 1.0507009873554804934193349852946
"""λ de SELU (Klambauer et al., 2017), la valeur de ``torch.nn.SELU``."""
SELU_ALPHA = 1.6732632423543772848170429916717
"""α de SELU (Klambauer et al., 2017), la valeur de ``torch.nn.SELU``."""


def _keep_nan(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """y, sauf là où x est NaN : une comparaison (x > 0 est faux pour NaN) le perdrait."""
    return torch.where(torch.isnan(x), x, y)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Sigmoïde stable : σ(x) = 1 / (1 + e^{−x}).

    On n'évalue que e^{−|x|} ∈ (0, 1] : σ(x) = 1 / (1 + e^{−|x|}) si x ≥ 0 et
    σ(x) = e^{−|x|} / (1 + e^{−|x|}) sinon. Aucun débordement, même à ±1000.
    x : tenseur flottant quelconque ; renvoie même forme et même dtype, valeurs dans [0, 1].
    """
    x = _validate.tensor("x", x, floating=True)
    e = torch.exp(torch.where(x >= 0, -x, x))  # e^{−|x|}
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """Dérivée de la sigmoïde : σ′(x) = σ(x)(1 − σ(x)).

    σ′ est maximale en 0, où elle vaut 1/4 : un gradient qui traverse une
    sigmoïde est donc au moins divisé par 4 (saturation pour |x| grand).
    x : pré-activations, tenseur flottant quelconque ; renvoie même forme, valeurs dans
    [0, 1/4].
    """
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """Tangente hyperbolique : tanh(x) = (eˣ − e^{−x}) / (eˣ + e^{−x}) = 2σ(2x) − 1.

    x : tenseur flottant quelconque ; renvoie même forme, valeurs dans [−1, 1].
    """
    return torch.tanh(_validate.tensor("x", x, floating=True))


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """Dérivée : tanh′(x) = 1 − tanh²(x), maximale en 0 où elle vaut 1.

    x : tenseur flottant quelconque ; renvoie même forme, valeurs dans [0, 1].
    """
    t = tanh(x)
    return 1 - t**2


def relu(x: torch.Tensor) -> torch.Tensor:
    """ReLU : ReLU(x) = max(0, x).

    x : tenseur flottant quelconque ; renvoie même forme, valeurs ≥ 0.
    """
    x = _validate.tensor("x", x, floating=True)
    return _keep_nan(x, torch.where(x > 0, x, torch.zeros_like(x)))


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """Dérivée : ReLU′(x) = 1 si x > 0, 0 si x ≤ 0.

    ReLU n'est pas dérivable en 0 ; on y prend 0, la convention d'autograd.
    x : tenseur flottant quelconque ; renvoie même forme et même dtype (0 ou 1).
    """
    x = _validate.tensor("x", x, floating=True)
    return _keep_nan(x, (x > 0).to(x.dtype))


def leaky_relu(x: torch.Tensor, *, negative_slope: float = 0.01) -> torch.Tensor:
    """Leaky ReLU : f(x) = x si x > 0, a·x si x ≤ 0, avec a = negative_slope ≥ 0.

    x : tenseur flottant quelconque ; renvoie même forme.
    """
    x = _validate.tensor("x", x, floating=True)
    a = _validate.nonnegative("negative_slope", negative_slope)
    return torch.where(x > 0, x, a * x)


def leaky_relu_grad(x: torch.Tensor, *, negative_slope: float = 0.01) -> torch.Tensor:
    """Dérivée : f′(x) = 1 si x > 0, a si x ≤ 0 (en 0 : a, comme autograd).

    x : tenseur flottant quelconque ; renvoie même forme et même dtype.
    """
    x = _validate.tensor("x", x, floating=True)
    a = _validate.nonnegative("negative_slope", negative_slope)
    return _keep_nan(x, torch.where(x > 0, torch.ones_like(x), torch.full_like(x, a)))


def _prelu_slope(x: torch.Tensor, a: object) -> torch.Tensor:
    """α prêt à diffuser sur x : scalaire (forme ()), ou (C,) → (C, 1, …, 1)."""
    _validate.tensor("a", a, dtype=x.dtype)  # même dtype que x
    if a.numel() == 1 and a.dim() <= 1:
        return a.reshape(())
    if a.dim() != 1 or x.dim() < 2 or a.shape[0] != x.shape[1]:
        raise ValueError("a doit être un scalaire ou de forme (C,) avec C = x.shape[1] "
                         f"(reçu : a de forme {tuple(a.shape)}, x de forme {tuple(x.shape)})")
    return a.reshape(-1, *[1] * (x.dim() - 2))


def prelu(x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """PReLU : f(x) = x si x > 0, α·x si x ≤ 0, la pente α étant apprise.

    x : tenseur flottant quelconque ; a : tenseur à un élément (α partagé) ou de forme (C,)
    (un α par canal, la dimension 1 de x, qui doit alors être de forme (N, C, …)), de même
    dtype que x. Renvoie même forme que x.
    """
    x = _validate.tensor("x", x, floating=True)
    slope = _prelu_slope(x, a)
    return torch.where(x > 0, x, slope * x)


def prelu_grad(x: torch.Tensor, a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Dérivées de PReLU : (∂f/∂x, ∂L/∂α) pour L = Σ_i f(x_i).

    ∂f/∂x = 1 si x > 0, α si x ≤ 0 (en 0 : α, comme autograd), élément par élément ;
    ∂f/∂α = min(x, 0), sommé sur tous les éléments qui partagent le même α.
    x, a : comme :func:`prelu` ; renvoie dx de la forme de x et dα de la forme de a.
    """
    x = _validate.tensor("x", x, floating=True)
    slope = _prelu_slope(x, a)
    dx = _keep_nan(x, torch.where(x > 0, torch.ones_like(x), slope))
    d_slope = torch.clamp(x, max=0)  # min(x, 0), NaN propagé
    if slope.dim() == 0:
        return dx, d_slope.sum().reshape(a.shape)
    return dx, d_slope.sum(dim=[d for d in range(x.dim()) if d != 1])


class PReLU(nn.Module):
    """Couche PReLU : f(x) = x si x > 0, α·x sinon, α appris (He et al., 2015).

    num_parameters : 1 (un α partagé) ou C (un α par canal, dimension 1 de x) ;
    init : valeur initiale de α, 0,25 comme ``torch.nn.PReLU``. Le paramètre s'appelle
    ``weight`` comme dans torch (state_dict interchangeables) ; forward via :func:`prelu`.
    """

    def __init__(self, *, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        self.num_parameters = _validate.integer("num_parameters", num_parameters, low=1)
        init = _validate.nonnegative("init", init)
        self.weight = nn.Parameter(torch.full((num_parameters,), init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


def elu(x: torch.Tensor, *, alpha: float = 1.0) -> torch.Tensor:
    """ELU : f(x) = x si x > 0, α(eˣ − 1) si x ≤ 0, avec α = alpha > 0.

    L'exponentielle ne voit que min(x, 0) : e^{1000} = inf n'apparaît même pas dans la
    branche écartée par torch.where (autograd y produirait inf·0 = nan).
    x : tenseur flottant quelconque ; renvoie même forme, valeurs dans ]−α, +∞[.
    """
    x = _validate.tensor("x", x, floating=True)
    alpha = _validate.positive("alpha", alpha)
    return torch.where(x > 0, x, alpha * torch.expm1(torch.clamp(x, max=0)))


def elu_grad(x: torch.Tensor, *, alpha: float = 1.0) -> torch.Tensor:
    """Dérivée : f′(x) = 1 si x > 0, α·eˣ si x ≤ 0 (en 0 : α, comme autograd).

    x : tenseur flottant quelconque ; renvoie même forme, valeurs dans ]0, max(1, α)].
    """
    x = _validate.tensor("x", x, floating=True)
    alpha = _validate.positive("alpha", alpha)
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(torch.clamp(x, max=0)))


def selu(x: torch.Tensor) -> torch.Tensor:
    """SELU : f(x) = λx si x > 0, λα(eˣ − 1) si x ≤ 0, soit λ·ELU_α(x).

    λ = :data:`SELU_LAMBDA` ≈ 1,0507 et α = :data:`SELU_ALPHA` ≈ 1,6733 (Klambauer et al.).
    x : tenseur flottant quelconque ; renvoie même forme, valeurs dans ]−λα, +∞[.
    """
    return SELU_LAMBDA * elu(x, alpha=SELU_ALPHA)


def selu_grad(x: torch.Tensor) -> torch.Tensor:
    """Dérivée : f′(x) = λ si x > 0, λα·eˣ si x ≤ 0 (en 0 : λα ≈ 1,7581, comme autograd).

    x : tenseur flottant quelconque ; renvoie même forme.
    """
    return SELU_LAMBDA * elu_grad(x, alpha=SELU_ALPHA)


def _normal_cdf(x: torch.Tensor) -> torch.Tensor:
    """Φ(x) = ½(1 + erf(x/√2)) = ½ erfc(−x/√2), forme précise aussi pour x ≪ 0."""
    return 0.5 * torch.erfc(-x / math.sqrt(2))


def _normal_pdf(x: torch.Tensor) -> torch.Tensor:
    """φ(x) = e^{−x²/2} / √(2π)."""
    return torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)


def gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU (forme exacte) : f(x) = x·Φ(x), Φ fonction de répartition de N(0, 1).

    x : tenseur flottant quelconque ; renvoie même forme.
    """
    x = _validate.tensor("x", x, floating=True)
    return x * _normal_cdf(x)


def gelu_grad(x: torch.Tensor) -> torch.Tensor:
    """Dérivée : f′(x) = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π) ; maximale en x = √2.

    x : tenseur flottant quelconque ; renvoie même forme.
    """
    x = _validate.tensor("x", x, floating=True)
    return _normal_cdf(x) + x * _normal_pdf(x)


_GELU_C = math.sqrt(2 / math.pi)


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """Approximation de GELU par tanh : f(x) = ½x(1 + tanh(u)), u = √(2/π)(x + 0,044715x³).

    x : tenseur flottant quelconque ; renvoie même forme.
    """
    x = _validate.tensor("x", x, floating=True)
    return 0.5 * x * (1 + torch.tanh(_GELU_C * (x + 0.044715 * x**3)))


def gelu_tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """Dérivée : f′(x) = ½(1 + tanh u) + ½x(1 − tanh² u)·u′, u′ = √(2/π)(1 + 3·0,044715x²).

    x : tenseur flottant quelconque ; renvoie même forme.
    """
    x = _validate.tensor("x", x, floating=True)
    t = torch.tanh(_GELU_C * (x + 0.044715 * x**3))
    du = _GELU_C * (1 + 3 * 0.044715 * x**2)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * du


def silu(x: torch.Tensor) -> torch.Tensor:
    """SiLU (Swish avec β = 1) : f(x) = x·σ(x).

    x : tenseur flottant quelconque ; renvoie même forme.
    """
    return x * sigmoid(x)


def silu_grad(x: torch.Tensor) -> torch.Tensor:
    """Dérivée : f′(x) = σ(x)(1 + x(1 − σ(x))) = σ(x)(1 + x·σ(−x)).

    1 − σ(x) est calculé comme σ(−x) : aucun débordement, même à ±1000.
    x : tenseur flottant quelconque ; renvoie même forme.
    """
    s = sigmoid(x)
    return s * (1 + x * sigmoid(-x))


@dataclass(frozen=True)
class Activation:
    """Une activation du registre :data:`ACTIVATIONS`.

    name : nom affiché ; fn, grad : f et f′ (tenseur → tenseur de même forme) ;
    module : fabrique sans argument du ``nn.Module`` PyTorch utilisé pour l'apprentissage.
    Les propriétés comparées au chapitre 02 (image, centrage, saturation, coût, max f′) sont
    dans ``lab.activations.PROPERTIES``.
    """

    name: str
    fn: Callable[[torch.Tensor], torch.Tensor]
    grad: Callable[[torch.Tensor], torch.Tensor]
    module: Callable[[], nn.Module]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name doit être un texte non vide (reçu : {self.name!r})")
        for field in ("fn", "grad", "module"):
            _validate.function(field, getattr(self, field))


def _prelu_init(x: torch.Tensor) -> torch.Tensor:
    """PReLU à sa pente initiale α = 0,25."""
    x = _validate.tensor("x", x, floating=True)
    return prelu(x, torch.tensor(0.25, dtype=x.dtype))


def _prelu_init_grad(x: torch.Tensor) -> torch.Tensor:
    """∂f/∂x de PReLU à sa pente initiale α = 0,25."""
    x = _validate.tensor("x", x, floating=True)
    return prelu_grad(x, torch.tensor(0.25, dtype=x.dtype))[0]


ACTIVATIONS: Mapping[str, Activation] = MappingProxyType({
    "sigmoid": Activation("Sigmoïde", sigmoid, sigmoid_grad, nn.Sigmoid),
    "tanh": Activation("Tangente hyperbolique", tanh, tanh_grad, nn.Tanh),
    "relu": Activation("ReLU", relu, relu_grad, nn.ReLU),
    "leaky_relu": Activation("Leaky ReLU", leaky_relu, leaky_relu_grad,
                             lambda: nn.LeakyReLU(0.01)),
    "prelu": Activation("PReLU (α initial 0,25)", _prelu_init, _prelu_init_grad, nn.PReLU),
    "elu": Activation("ELU", elu, elu_grad, nn.ELU),
    "selu": Activation("SELU", selu, selu_grad, nn.SELU),
    "gelu": Activation("GELU", gelu, gelu_grad, nn.GELU),
    "gelu_tanh": Activation("GELU (approximation tanh)", gelu_tanh, gelu_tanh_grad,
                            lambda: nn.GELU(approximate="tanh")),
    "silu": Activation("SiLU (Swish, β = 1)", silu, silu_grad, nn.SiLU),
})
"""Registre des activations, clés anglaises : ``ACTIVATIONS["relu"].grad`` ; les PMC
(``models.mlp``) et les réglages (``runs.RunConfig.activation``) les nomment par ces clés.

Pour PReLU, fn et grad sont pris à la pente initiale α = 0,25 et le module est
``torch.nn.PReLU`` (natif, mêmes sorties que :class:`PReLU`), comme pour les autres entrées.
"""
