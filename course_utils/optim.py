"""Optimisation des paramètres : descente de gradient, momentum et momentum de Nesterov.

Notations du cours : θ les paramètres, ρ le pas d'apprentissage (``lr``), α le
momentum (``momentum``), v la vitesse (moyenne mobile exponentielle des déplacements) et
∇θ L(θ) le gradient de la fonction de coût, noté g.

- descente de gradient : θ ← θ − ρ ∇θ L(θ) ;
- momentum : v ← α v − ρ ∇θ L(θ), puis θ ← θ + v ;
- Nesterov : v ← α v − ρ ∇θ L(θ + α v), puis θ ← θ + v (gradient au point anticipé).

Chaque méthode est une fonction sans état (``gd_step``, ``momentum_step``,
``nesterov_step``) qui reçoit l'état explicitement (:class:`MomentumState`) et renvoie le
nouvel état. Ces fonctions n'emploient que les opérateurs Python (+, −, *) : elles
acceptent indifféremment des tenseurs PyTorch flottants, des tableaux NumPy flottants et des
nombres réels, à condition que θ, g et v soient du même genre, de même forme et de même type
(pas de diffusion : g de forme (3, 1) pour θ de forme (3,) est refusé) ; nan et inf dans θ
ou g ne sont pas cherchés (trop coûteux à chaque pas) et se propagent au résultat, comme
avec ``torch.optim``. Les classes :class:`GD`, :class:`Momentum` et :class:`Nesterov` sont des
``torch.optim.Optimizer`` qui se contentent de tenir les comptes (une vitesse par
paramètre) et délèguent le calcul à ces fonctions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import torch

from course_utils import _validate

__all__ = ["MomentumState", "gd_step", "momentum_step", "nesterov_step",
           "GD", "Momentum", "Nesterov"]


@dataclass
class MomentumState:
    """État du momentum (classique ou de Nesterov) pour un paramètre θ."""

    v: Any  # vitesse, même forme que theta


def gd_step(theta: Any, grad: Any, *, lr: float) -> Any:
    """Un pas de descente de gradient : θ ← θ − ρ g.

    theta : paramètres θ (tenseur ou tableau NumPy) ; grad : g = ∇θ L(θ), même forme.
    lr : pas d'apprentissage ρ > 0. Renvoie le nouveau θ (même forme ; theta n'est pas
    modifié).

    Remarque : c'est ``torch.optim.SGD(params, lr=ρ)`` sans momentum.
    """
    _validate.positive("lr", lr)
    _validate.array("theta", theta)
    _validate.array("grad", grad, like=theta)
    return theta - lr * grad


def momentum_step(theta: Any, grad: Any, state: MomentumState | None, *, lr: float,
                  momentum: float) -> tuple[Any, MomentumState]:
    """Un pas de descente avec momentum, comme dans le cours :

        v ← α v − ρ g      (g = ∇θ L(θ), ρ = lr, α = momentum)
        θ ← θ + v

    theta, grad : même forme ; state : vitesse v (même forme que theta), ou None au
    premier pas (v = 0). Renvoie ``(nouveau θ, MomentumState(nouvelle v))`` sans rien
    modifier en place.

    Remarque : ``torch.optim.SGD(params, lr=γ, momentum=μ)`` écrit b ← μ b + g, puis
    θ ← θ − γ b. Avec v = −γ b, α = μ et ρ = γ (pas constant, ``dampening=0``), les deux
    écritures donnent exactement les mêmes itérés θ.
    """
    _validate.positive("lr", lr)
    _validate.rate("momentum", momentum)
    _validate.array("theta", theta)
    _validate.array("grad", grad, like=theta)
    v = theta * 0 if _validate.state("state", state, MomentumState, theta) is None else state.v
    v = momentum * v - lr * grad
    return theta + v, MomentumState(v)


def nesterov_step(theta: Any, grad_fn: Callable[[Any], Any], state: MomentumState | None,
                  *, lr: float, momentum: float) -> tuple[Any, MomentumState]:
    """Un pas de momentum de Nesterov, comme dans le cours :

        v ← α v − ρ ∇θ L(θ + α v)    (gradient évalué au point anticipé θ + α v)
        θ ← θ + v

    grad_fn : fonction qui renvoie le gradient ∇θ L en un point (même forme que theta) ;
    elle est appelée une fois, en θ + α v. Le reste est :func:`momentum_step` avec ce
    gradient. state : vitesse v, ou None au premier pas (v = 0).

    Remarque : ``torch.optim.SGD(params, lr=γ, momentum=μ, nesterov=True)`` écrit
    b ← μ b + g(p), puis p ← p − γ (g(p) + μ b) : son paramètre p est le point anticipé
    du cours, p = θ + α v. En effet, avec φ = θ + α v et v = −γ b (α = μ, ρ = γ) :
        φ_nouveau = θ + v_nouveau + α v_nouveau = (φ − α v) + v_nouveau + α v_nouveau
                  = φ − ρ g(φ) + α v_nouveau          (car v_nouveau − α v = −ρ g(φ))
                  = φ − γ (g(φ) + μ b_nouveau),       la mise à jour de PyTorch.
    Les deux démarrent au même point (v = 0, b = 0, donc p = θ).
    """
    _validate.positive("lr", lr)
    _validate.rate("momentum", momentum)
    _validate.array("theta", theta)
    _validate.function("grad_fn", grad_fn)
    v = theta * 0 if _validate.state("state", state, MomentumState, theta) is None else state.v
    grad = _validate.array("grad_fn(θ + αv)", grad_fn(theta + momentum * v), like=theta)
    return momentum_step(theta, grad, MomentumState(v), lr=lr, momentum=momentum)


# --- Optimiseurs PyTorch : ils tiennent les comptes, les fonctions ci-dessus calculent ----


def _evaluate(closure: Callable[[], Any] | None) -> Any:
    """Appelle la closure (qui recalcule la perte et les gradients) si elle est donnée."""
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


def _check_groups(param_groups: list[dict]) -> None:
    """Les hyper-paramètres de chaque groupe (un groupe peut avoir les siens, ou être modifié
    après coup : ``optimizer.param_groups[0]["lr"] = …``)."""
    for group in param_groups:
        _validate.positive("lr", group["lr"])
        if "momentum" in group:
            _validate.rate("momentum", group["momentum"])


def _with_gradient(param_groups: list[dict]) -> Iterator[tuple[torch.Tensor, dict]]:
    """Les couples (paramètre, son groupe) des paramètres qui ont un gradient."""
    return ((p, group) for group in param_groups for p in group["params"] if p.grad is not None)


class GD(torch.optim.Optimizer):
    """Descente de gradient : θ ← θ − ρ g pour chaque paramètre (voir :func:`gd_step`).

    Paramètres : ``params`` (paramètres ou groupes de paramètres), ``lr`` = ρ > 0.

    Remarque : mêmes itérés que ``torch.optim.SGD(params, lr=ρ)``.
    """

    def __init__(self, params: Iterable[Any], *, lr: float) -> None:
        _validate.positive("lr", lr)
        super().__init__(_validate.parameters("params", params), {"lr": lr})
        _check_groups(self.param_groups)

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Un pas de descente ; renvoie la perte calculée par ``closure`` si elle est donnée."""
        loss = _evaluate(closure)
        for p, group in _with_gradient(self.param_groups):
            p.copy_(gd_step(p, p.grad, lr=group["lr"]))
        return loss


class Momentum(torch.optim.Optimizer):
    """Momentum du cours : v ← α v − ρ g, θ ← θ + v (voir :func:`momentum_step`).

    Paramètres : ``params``, ``lr`` = ρ > 0, ``momentum`` = α ∈ [0, 1). L'état de chaque
    paramètre p est ``self.state[p]["v"]``, un :class:`MomentumState` (absent avant le
    premier pas : v = 0).

    Remarque : mêmes itérés que ``torch.optim.SGD(params, lr=ρ, momentum=α)``, dont le
    tampon b vaut −v/ρ.
    """

    def __init__(self, params: Iterable[Any], *, lr: float, momentum: float) -> None:
        _validate.positive("lr", lr)
        _validate.rate("momentum", momentum)
        super().__init__(_validate.parameters("params", params), {"lr": lr, "momentum": momentum})
        _check_groups(self.param_groups)

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Un pas de momentum sur chaque paramètre qui a un gradient ; renvoie la perte
        calculée par ``closure`` si elle est donnée."""
        loss = _evaluate(closure)
        for p, group in _with_gradient(self.param_groups):
            state = self.state[p]
            theta, state["v"] = momentum_step(p, p.grad, state.get("v"), lr=group["lr"],
                                              momentum=group["momentum"])
            p.copy_(theta)
        return loss


def _given(grad: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """grad_fn qui renvoie ``grad``, le gradient déjà calculé au point anticipé θ + α v."""
    return lambda point: grad


class Nesterov(Momentum):
    """Momentum de Nesterov du cours : v ← α v − ρ ∇θ L(θ + α v), θ ← θ + v.

    Paramètres : ``params``, ``lr`` = ρ > 0, ``momentum`` = α ∈ [0, 1). L'état de chaque
    paramètre p est ``self.state[p]["v"]``, un :class:`MomentumState`.

    Le gradient doit être évalué au point anticipé θ + α v, et non en θ : ``step`` exige
    donc une ``closure`` (qui remet les gradients à zéro, calcule la perte et appelle
    ``backward``). Un pas se déroule en trois temps :

    1. chaque paramètre est déplacé au point anticipé, p ← θ + α v (θ est sauvegardé) ;
    2. la closure calcule les gradients en ce point ;
    3. chaque paramètre est remis à θ, puis mis à jour par :func:`nesterov_step`.

    Remarque : ``torch.optim.SGD(params, lr=ρ, momentum=α, nesterov=True)`` fait évoluer
    le point anticipé p = θ + α v lui-même (dérivation dans :func:`nesterov_step`) ; ses
    paramètres valent, à chaque pas, θ + α v de cet optimiseur. La classe hérite de
    :class:`Momentum` ses paramètres et leur vérification ; seul ``step`` change.
    """

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Un pas de Nesterov ; ``closure`` est obligatoire. Renvoie la perte au point
        anticipé θ + α v."""
        if closure is None:
            raise TypeError("Nesterov.step exige une closure, qui calcule le gradient au "
                            "point anticipé θ + αv : optimizer.step(closure), avec par ex. "
                            "def closure(): optimizer.zero_grad(); loss = …; "
                            "loss.backward(); return loss")
        _check_groups(self.param_groups)  # avant de déplacer les paramètres
        saved = self._move_to_lookahead()
        try:
            loss = _evaluate(closure)  # 2. gradients au point anticipé
        except BaseException:
            for p, _, theta in saved:  # retour en θ, sans mise à jour
                p.copy_(theta)
            raise
        for p, group, theta in saved:  # 3. retour en θ, puis mise à jour
            state, grad = self.state[p], p.grad
            if grad is not None:
                theta, state["v"] = nesterov_step(theta, _given(grad), state.get("v"),
                                                  lr=group["lr"], momentum=group["momentum"])
            p.copy_(theta)
        return loss

    def _move_to_lookahead(self) -> list[tuple[torch.Tensor, dict, torch.Tensor]]:
        """1. p ← θ + α v pour chaque paramètre ; renvoie les triplets (p, groupe, θ)."""
        saved = []
        for group in self.param_groups:
            for p in group["params"]:
                theta, state = p.clone(), self.state[p]
                if "v" in state:
                    p.copy_(theta + group["momentum"] * state["v"].v)
                saved.append((p, group, theta))
        return saved

