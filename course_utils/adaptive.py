"""Adaptation du pas d'apprentissage : AdaGrad, RMSProp et Adam, ligne à ligne comme au cours.

Notations du cours (algorithmes 8.4, 8.5 et 8.7 du *Deep Learning book*) : θ les paramètres,
g le gradient du mini-lot, ε le pas global (argument ``lr``), δ la petite constante de
stabilité (argument ``eps``), ρ (``rho``), ρ1 et ρ2 (``betas``) les taux de décroissance,
r le cumul (AdaGrad) ou la moyenne mobile exponentielle (RMSProp, Adam) des carrés des
gradients, s la moyenne mobile exponentielle des gradients, t le numéro du pas. Les
opérations (⊙, racine, division) s'appliquent élément par élément : chaque paramètre a
son propre pas.

Chaque algorithme s'écrit en deux morceaux :

- une fonction sans état caché ``…_step(theta, g, state, *, lr, …) -> (theta, state)``,
  dont l'état (``AdaGradState``, ``RMSPropState``, ``AdamState``) entre et sort
  explicitement (``state=None`` au premier pas : accumulateurs nuls). Elle ne modifie
  rien en place et n'utilise que +, −, *, / et ``** 0.5`` : elle s'applique telle quelle
  à des tenseurs PyTorch flottants, à des tableaux NumPy flottants ou à des nombres réels,
  θ, g et les champs de l'état étant du même genre, de même forme et de même type (pas de
  diffusion) ; nan et inf dans θ ou g ne sont pas cherchés et se propagent au résultat ;
- un optimiseur ``torch.optim.Optimizer`` (``AdaGrad``, ``RMSProp``, ``Adam``) qui ne fait
  que tenir les comptes : pour chaque paramètre, il appelle la fonction et range l'état.

Place de δ : le cours écrit ε/(δ + √r) pour AdaGrad, mais ε/√(δ + r) pour RMSProp et
ε ŝ/√(r̂ + δ) pour Adam, alors que PyTorch ajoute toujours δ après la racine. L'option
``eps_inside_sqrt`` choisit entre les deux (voir la « Remarque » de chaque optimiseur).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import torch

from course_utils import _validate

__all__ = [
    "AdaGradState", "adagrad_step", "adagrad_effective_lr", "RMSPropState", "rmsprop_step",
    "AdamState", "adam_step", "AdaGrad", "RMSProp", "Adam",
]

Array = Any  # torch.Tensor, numpy.ndarray ou nombre : les pas n'utilisent que les opérateurs


def _arrays(theta: Array, g: Array, state: Any, cls: type) -> Any:
    """θ, g (même genre, forme et type) et l'état (None ou ``cls``) d'un pas ; renvoie l'état."""
    _validate.array("theta", theta)
    _validate.array("g", g, like=theta)
    return _validate.state("state", state, cls, theta)


def _betas(betas: tuple[float, float]) -> tuple[float, float]:
    """(ρ1, ρ2) : un couple de taux dans [0, 1), chacun vérifié par ``_validate.rate``."""
    if not (isinstance(betas, tuple | list) and len(betas) == 2):
        raise ValueError(f"betas doit être un couple (ρ1, ρ2) (reçu : {betas!r})")
    return _validate.rate("betas[0] (ρ1)", betas[0]), _validate.rate("betas[1] (ρ2)", betas[1])


# --- AdaGrad (algorithme 8.4) --------------------------------------------------------------


@dataclass
class AdaGradState:
    """État d'AdaGrad pour un paramètre."""

    r: Array  # cumul des carrés des gradients, même forme que θ


def adagrad_step(theta: Array, g: Array, state: AdaGradState | None, *, lr: float,
                 eps: float = 1e-7) -> tuple[Array, AdaGradState]:
    """Un pas d'AdaGrad (algorithme 8.4 du cours), ε = ``lr`` et δ = ``eps`` :

        r ← r + g ⊙ g
        θ ← θ − ε/(δ + √r) ⊙ g

    theta, g : même forme. state : état du pas précédent, None au premier pas (r = 0).
    Renvoie (nouveau θ, nouvel état), sans rien modifier en place.
    """
    _validate.positive("lr", lr)
    _validate.nonnegative("eps", eps)
    delta = eps
    r = (theta * 0 if _arrays(theta, g, state, AdaGradState) is None else state.r) + g * g
    return theta - lr / (delta + r**0.5) * g, AdaGradState(r=r)


def adagrad_effective_lr(state: AdaGradState, *, lr: float, eps: float = 1e-7) -> Array:
    """Pas effectif d'AdaGrad, par paramètre : ε/(δ + √r) (même forme que θ).

    r ne fait que croître, donc ce pas ne fait que décroître : fort au début, il tend
    vers 0 pour un paramètre qui reçoit des gradients réguliers. state : l'état d'AdaGrad
    après au moins un pas (son cumul r).
    """
    if not isinstance(state, AdaGradState):
        raise TypeError(f"state doit être un AdaGradState (reçu : {type(state).__name__})")
    _validate.positive("lr", lr)
    _validate.nonnegative("eps", eps)
    below = _validate.array("state.r", state.r) < 0  # tenseur, tableau ou booléen
    if below.any() if hasattr(below, "any") else below:
        raise ValueError("state.r doit être ≥ 0, un cumul de carrés (reçu : des valeurs < 0)")
    return lr / (eps + state.r**0.5)


# --- RMSProp (algorithme 8.5) --------------------------------------------------------------


@dataclass
class RMSPropState:
    """État de RMSProp pour un paramètre."""

    r: Array  # moyenne mobile exponentielle des carrés des gradients, même forme que θ


def rmsprop_step(theta: Array, g: Array, state: RMSPropState | None, *, lr: float,
                 rho: float = 0.9, eps: float = 1e-6,
                 eps_inside_sqrt: bool = True) -> tuple[Array, RMSPropState]:
    """Un pas de RMSProp (algorithme 8.5 du cours), ε = ``lr``, ρ = ``rho``, δ = ``eps`` :

        r ← ρ r + (1 − ρ) g ⊙ g
        θ ← θ − ε/√(δ + r) ⊙ g        (cours, ``eps_inside_sqrt=True``)
        θ ← θ − ε/(√r + δ) ⊙ g        (PyTorch, ``eps_inside_sqrt=False``)

    theta, g : même forme. state : état du pas précédent, None au premier pas (r = 0).
    Renvoie (nouveau θ, nouvel état), sans rien modifier en place.
    """
    _validate.positive("lr", lr)
    _validate.rate("rho", rho)
    _validate.nonnegative("eps", eps)
    _validate.boolean("eps_inside_sqrt", eps_inside_sqrt)
    delta = eps
    state = _arrays(theta, g, state, RMSPropState)
    r = rho * (theta * 0 if state is None else state.r) + (1 - rho) * g * g
    denominator = (delta + r) ** 0.5 if eps_inside_sqrt else r**0.5 + delta
    return theta - lr / denominator * g, RMSPropState(r=r)


# --- Adam (algorithme 8.7) -----------------------------------------------------------------


@dataclass
class AdamState:
    """État d'Adam pour un paramètre."""

    s: Array  # moyenne mobile exponentielle des gradients (1er moment), même forme que θ
    r: Array  # moyenne mobile exponentielle des carrés des gradients (2e moment)
    t: int  # nombre de pas déjà effectués


def adam_step(theta: Array, g: Array, state: AdamState | None, *, lr: float = 1e-3,
              betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
              bias_correction: bool = True,
              eps_inside_sqrt: bool = True) -> tuple[Array, AdamState]:
    """Un pas d'Adam (algorithme 8.7 du cours), ε = ``lr``, (ρ1, ρ2) = ``betas``, δ = ``eps`` :

        t ← t + 1
        s ← ρ1 s + (1 − ρ1) g                 r ← ρ2 r + (1 − ρ2) g ⊙ g
        ŝ ← s/(1 − ρ1^t)                      r̂ ← r/(1 − ρ2^t)
        θ ← θ − ε ŝ/√(r̂ + δ)                  (cours, ``eps_inside_sqrt=True``)
        θ ← θ − ε ŝ/(√r̂ + δ)                  (PyTorch, ``eps_inside_sqrt=False``)

    ``bias_correction=False`` prend ŝ = s et r̂ = r (sans correction du biais).
    theta, g : même forme. state : état du pas précédent, None au premier pas
    (s = r = 0, t = 0). Renvoie (nouveau θ, nouvel état), sans rien modifier en place.
    """
    _validate.positive("lr", lr)
    rho1, rho2 = _betas(betas)
    _validate.nonnegative("eps", eps)
    _validate.boolean("bias_correction", bias_correction)
    _validate.boolean("eps_inside_sqrt", eps_inside_sqrt)
    delta = eps
    state = _arrays(theta, g, state, AdamState)
    s, r, t = (theta * 0, theta * 0, 0) if state is None else (state.s, state.r, state.t)
    t = t + 1
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat, r_hat = (s / (1 - rho1**t), r / (1 - rho2**t)) if bias_correction else (s, r)
    denominator = (r_hat + delta) ** 0.5 if eps_inside_sqrt else r_hat**0.5 + delta
    return theta - lr * s_hat / denominator, AdamState(s=s, r=r, t=t)


# --- Optimiseurs PyTorch : ils tiennent les comptes, les fonctions ci-dessus calculent ------

Params = Iterable[torch.Tensor] | Iterable[dict[str, Any]]


class _BookkeepingOptimizer(torch.optim.Optimizer):
    """Pour chaque paramètre ayant un gradient : θ, état ← pas(θ, g, état), état rangé
    dans ``self.state[p]["state"]`` (une dataclass). Les hyper-paramètres de chaque groupe
    sont vérifiés à la construction, par le pas sans état d'un paramètre fictif."""

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        super().__init__(params, defaults)
        for group in self.param_groups:
            self._update(torch.zeros(()), torch.zeros(()), None, group)

    def _update(self, theta: torch.Tensor, g: torch.Tensor, state: Any,
                group: dict[str, Any]) -> tuple[torch.Tensor, Any]:
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Un pas d'optimisation ; ``closure`` recalcule la perte (facultatif)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                book = self.state[p]
                theta, book["state"] = self._update(p, p.grad, book.get("state"), group)
                p.copy_(theta)
        return loss


class AdaGrad(_BookkeepingOptimizer):
    """AdaGrad [Duchi et al., 2011], algorithme 8.4 du cours ; voir :func:`adagrad_step`.

        entrée : ε (``lr``), δ (``eps``, 1e-7 par défaut comme au cours), θ initial
        r ← 0
        à chaque pas : r ← r + g ⊙ g ;  θ ← θ − ε/(δ + √r) ⊙ g

    Remarque : ``torch.optim.Adagrad(params, lr=lr, eps=eps)`` applique exactement cette
    formule (δ après la racine) avec ses réglages par défaut lr_decay=0 et
    initial_accumulator_value=0 ; seul δ par défaut diffère (1e-10 dans PyTorch).
    """

    def __init__(self, params: Params, *, lr: float, eps: float = 1e-7) -> None:
        super().__init__(_validate.parameters("params", params), {"lr": lr, "eps": eps})

    def _update(self, theta, g, state, group):
        return adagrad_step(theta, g, state, lr=group["lr"], eps=group["eps"])


class RMSProp(_BookkeepingOptimizer):
    """RMSProp [Hinton, 2012], algorithme 8.5 du cours ; voir :func:`rmsprop_step`.

        entrée : ε (``lr``), ρ (``rho``, 0.9 par défaut), δ (``eps``, 1e-6), θ initial
        r ← 0
        à chaque pas : r ← ρ r + (1 − ρ) g ⊙ g ;  θ ← θ − ε/√(δ + r) ⊙ g

    Remarque : ``torch.optim.RMSprop(params, lr=lr, alpha=ρ, eps=eps)`` met δ hors de la
    racine, ε/(√r + δ) : c'est notre ``eps_inside_sqrt=False`` (attention, ρ s'y appelle
    ``alpha`` et vaut 0.99 par défaut). Si δ ≪ r, √(δ + r) ≈ √r + δ/(2√r) et l'écart est
    négligeable. Il ne l'est plus quand r ≈ 0, pour un paramètre qui ne reçoit presque
    jamais de gradient (poids d'un pixel de bord d'image MNIST, presque toujours nul) : le
    dénominateur vaut alors √δ = 1e-3 au cours contre δ = 1e-6 dans PyTorch, dont le pas
    est 1000 fois plus grand. Si r ≪ δ (gradients petits devant √δ), le cours fait un pas ≈ ε g/√δ,
    proportionnel à g, tandis que PyTorch fait un pas ε g/(√r + δ), de l'ordre de ε dès
    que √r ≫ δ.
    """

    def __init__(self, params: Params, *, lr: float, rho: float = 0.9, eps: float = 1e-6,
                 eps_inside_sqrt: bool = True) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "eps_inside_sqrt": eps_inside_sqrt}
        super().__init__(_validate.parameters("params", params), defaults)

    def _update(self, theta, g, state, group):
        return rmsprop_step(theta, g, state, lr=group["lr"], rho=group["rho"],
                            eps=group["eps"], eps_inside_sqrt=group["eps_inside_sqrt"])


class Adam(_BookkeepingOptimizer):
    """Adam [Kingma et Ba, 2014], algorithme 8.7 du cours ; voir :func:`adam_step`.

        entrée : ε (``lr``, 1e-3), ρ1 et ρ2 (``betas``, (0.9, 0.999)), δ (``eps``, 1e-8)
        s ← 0, r ← 0, t ← 0
        à chaque pas : t ← t + 1 ;  s ← ρ1 s + (1 − ρ1) g ;  r ← ρ2 r + (1 − ρ2) g ⊙ g ;
                       ŝ ← s/(1 − ρ1^t) ;  r̂ ← r/(1 − ρ2^t) ;  θ ← θ − ε ŝ/√(r̂ + δ)

    ``bias_correction=False`` supprime la correction du biais (ŝ = s, r̂ = r) : au premier
    pas, |Δθ| ≈ ε (1 − ρ1)/√(1 − ρ2) ≈ 3,16 ε au lieu de ε pour (ρ1, ρ2) = (0.9, 0.999).

    Remarque : ``torch.optim.Adam(params, lr=lr, betas=betas, eps=eps)`` calcule
    ε ŝ/(√r̂ + δ), δ hors de la racine : c'est notre ``eps_inside_sqrt=False``. Si δ ≪ r̂,
    l'écart est négligeable. Il ne l'est plus quand r̂ ≈ 0, pour un paramètre qui ne
    reçoit presque jamais de gradient : le dénominateur vaut alors √δ = 1e-4 au cours
    contre δ = 1e-8 dans PyTorch, dont le pas est 10 000 fois plus grand. Au premier pas
    (r̂ = g²), le cours fait un pas ε g/√(g² + δ) ≈ ε g/√δ = 10⁴ ε g, bien plus petit que ε
    si |g| ≪ 1e-4, tandis que PyTorch fait un pas ≈ ε dès que |g| ≫ 1e-8.
    """

    def __init__(self, params: Params, *, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 bias_correction: bool = True, eps_inside_sqrt: bool = True) -> None:
        _betas(betas)
        super().__init__(_validate.parameters("params", params), {
            "lr": lr, "betas": tuple(betas), "eps": eps, "bias_correction": bias_correction,
            "eps_inside_sqrt": eps_inside_sqrt})

    def _update(self, theta, g, state, group):
        return adam_step(theta, g, state, lr=group["lr"], betas=group["betas"],
                         eps=group["eps"], bias_correction=group["bias_correction"],
                         eps_inside_sqrt=group["eps_inside_sqrt"])
