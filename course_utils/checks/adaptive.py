"""Vérificateurs du pas adaptatif (chapitre 5), exercices 5.1 à 5.3.

Notations du cours (algorithmes 8.4, 8.5 et 8.7) : ε le pas global (``lr``), δ la petite
constante de stabilité (``eps``), ρ, ρ1, ρ2 les taux de décroissance (``rho``, ``betas``),
r la moyenne des carrés des gradients, s la moyenne des gradients, t le nombre de pas ;
toutes les opérations sont élément par élément.

Fonctions attendues de l'étudiant, de mêmes noms et signatures que celles de
:mod:`course_utils.adaptive` (leurs vérificateurs les prennent pour référence) :

- 5.1 ``adagrad_effective_lr(state, *, lr, eps=1e-7)`` → ε/(δ + √r), le pas effectif
  d'AdaGrad (même forme que ``state.r``) ;
- 5.2 ``rmsprop_step(theta, g, state, *, lr, rho=0.9, eps=1e-6, eps_inside_sqrt=True)`` →
  ``(new_theta, new_state)`` : r ← ρ r + (1 − ρ) g ⊙ g, puis θ ← θ − ε/√(δ + r) ⊙ g
  (θ ← θ − ε/(√r + δ) ⊙ g avec ``eps_inside_sqrt=False``, comme PyTorch) ;
- 5.3 ``adam_step(theta, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
  bias_correction=True, eps_inside_sqrt=True)`` → ``(new_theta, new_state)`` : un pas
  d'Adam, t ← t + 1 d'abord, avec correction du biais (sauf ``bias_correction=False``) et
  δ sous la racine comme au cours, θ ← θ − ε ŝ/√(r̂ + δ) (sauf ``eps_inside_sqrt=False``).

``state`` vaut None au premier pas (accumulateurs nuls, t = 0).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from course_utils.adaptive import (
    AdaGradState,
    AdamState,
    RMSPropState,
    adagrad_effective_lr,
    adam_step,
    rmsprop_step,
)
from course_utils.checks.answers import TupleChecker
from course_utils.checks.framework import Case, Checker, generator

_OUTPUTS = ("new_theta", "new_state")


def _uphill(step: Callable[..., tuple]) -> Callable[..., tuple]:
    """Erreur typique : le pas de ``step`` fait dans le mauvais sens (θ + Δθ au lieu de θ − …)."""
    def wrong(theta, g, state, **options):
        new_theta, new_state = step(theta, g, state, **options)
        return 2 * theta - new_theta, new_state
    return wrong


def _stale_state(step: Callable[..., tuple]) -> Callable[..., tuple]:
    """Erreur typique : le bon θ, mais l'état reçu renvoyé tel quel (non mis à jour)."""
    return lambda theta, g, state, **options: (step(theta, g, state, **options)[0], state)


# --- 5.1 : pas effectif d'AdaGrad, ε/(δ + √r) ---------------------------------------------


def _effective_lr_cases() -> list[Case]:
    gen = generator(52)
    return [Case("r aléatoire (8,), lr = 0.01, δ = 1e-7",
                 (AdaGradState(4 * torch.rand(8, generator=gen)),), {"lr": 0.01, "eps": 1e-7}),
            Case("r contenant des zéros (paramètres sans gradient), lr = 0.1, δ = 1e-7",
                 (AdaGradState(torch.tensor([0.0, 1e-4, 0.25, 1.0, 100.0, 0.0])),),
                 {"lr": 0.1, "eps": 1e-7}),
            Case("grand δ = 0.5 (3, 4), lr = 0.05",
                 (AdaGradState(torch.rand(3, 4, generator=gen)),), {"lr": 0.05, "eps": 0.5}),
            Case("δ par défaut (1e-7, celui du cours), r avec un zéro, lr = 0.01",
                 (AdaGradState(torch.tensor([0.0, 0.5, 2.0])),), {"lr": 0.01}),
            Case("tenseur float64 (même dtype que r)",
                 (AdaGradState(10 * torch.rand(5, generator=gen, dtype=torch.float64)),),
                 {"lr": 1.0, "eps": 1e-7})]


check_adagrad_effective_lr = Checker(
    exercise="5.1", title="adagrad_effective_lr", reference=adagrad_effective_lr,
    cases=_effective_lr_cases, signature="adagrad_effective_lr(state, lr=…, eps=1e-7)",
    finite_hint="δ évite la division par zéro pour un paramètre qui n'a encore reçu aucun "
                "gradient (r = 0) : ε/(δ + √r).",
    hints=[
        (lambda state, *, lr, eps=1e-7: lr / (eps + state.r) ** 0.5,
         "√(δ + r) est la forme de RMSProp (algorithme 8.5) ; AdaGrad (algorithme 8.4) "
         "ajoute δ après la racine : ε/(δ + √r). L'écart ne se voit que si r est petit "
         "devant δ, par exemple r = 0."),
        (lambda state, *, lr, eps=1e-7: lr / (eps + state.r),
         "n'oubliez pas la racine carrée : ε/(δ + √r)."),
        (lambda state, *, lr, eps=1e-7: lr * state.r**0.5,
         "le pas global est divisé par δ + √r, pas multiplié : ε/(δ + √r)."),
        (lambda state, *, lr, eps=1e-7: 1 / (eps + state.r**0.5),
         "multipliez par le pas global ε (lr) : ε/(δ + √r)."),
        (lambda state, *, lr, eps=1e-8: lr / (eps + state.r**0.5),
         "la valeur par défaut de eps est δ = 1e-7, celle du cours (algorithme 8.4)."),
    ])

# --- 5.2 : un pas de RMSProp --------------------------------------------------------------


def _rmsprop_cases() -> list[Case]:
    gen = generator(51)

    def normal(*shape: int, scale: float = 1.0, dtype: torch.dtype = torch.float32):
        return scale * torch.randn(*shape, generator=gen, dtype=dtype)

    def state(*shape: int, dtype: torch.dtype = torch.float32) -> RMSPropState:
        return RMSPropState(torch.rand(*shape, generator=gen, dtype=dtype))

    return [Case("r et g aléatoires (8,), lr = 0.01, ρ = 0.9, δ = 1e-6",
                 (normal(8), normal(8), state(8)), {"lr": 0.01, "rho": 0.9, "eps": 1e-6}),
            Case("premier pas, state = None (3, 4), lr = 0.01",
                 (normal(3, 4), normal(3, 4), None), {"lr": 0.01, "rho": 0.9, "eps": 1e-6}),
            Case("ρ = 0.99, grand δ = 0.1 (5,), lr = 0.1",
                 (normal(5), normal(5), state(5)), {"lr": 0.1, "rho": 0.99, "eps": 0.1}),
            Case("grand δ = 0.1 après la racine (eps_inside_sqrt=False), lr = 0.1",
                 (normal(5), normal(5), state(5)),
                 {"lr": 0.1, "rho": 0.9, "eps": 0.1, "eps_inside_sqrt": False}),
            Case("valeurs par défaut (ρ = 0.9, δ = 1e-6), petits gradients (6,), lr = 0.001",
                 (normal(6), normal(6, scale=1e-3), RMSPropState(torch.zeros(6))),
                 {"lr": 0.001}),
            Case("ρ = 0 : r devient g ⊙ g (4,)", (normal(4), normal(4), state(4)),
                 {"lr": 0.01, "rho": 0.0}),
            Case("tenseurs float64 (même dtype que θ)",
                 (normal(6, dtype=torch.float64), normal(6, dtype=torch.float64),
                  state(6, dtype=torch.float64)), {"lr": 0.01, "rho": 0.9})]


def _rmsprop_mistake(accumulate: Callable | None = None,
                     denominator: Callable | None = None) -> Callable[..., tuple]:
    """Erreur typique de RMSProp : r ← accumulate(r, g, ρ), puis θ ← θ − ε g/denominator(r, δ)
    (les formules justes du cours pour celui des deux qui est None)."""
    def wrong(theta, g, state, *, lr, rho=0.9, eps=1e-6, eps_inside_sqrt=True):
        r = theta * 0 if state is None else state.r
        r = accumulate(r, g, rho) if accumulate else rho * r + (1 - rho) * g * g
        right = (eps + r) ** 0.5 if eps_inside_sqrt else r**0.5 + eps
        return theta - lr / (denominator(r, eps) if denominator else right) * g, RMSPropState(r)
    return wrong


check_rmsprop_step = TupleChecker(
    outputs=_OUTPUTS, exercise="5.2", title="rmsprop_step", reference=rmsprop_step,
    cases=_rmsprop_cases,
    signature="rmsprop_step(theta, g, state, lr=…, rho=0.9, eps=1e-6, eps_inside_sqrt=True)",
    hints=[
        (_rmsprop_mistake(accumulate=lambda r, g, rho: rho * r + (1 - rho) * g),
         "accumulez le carré du gradient, g ⊙ g (g * g ou g ** 2), et non g."),
        (_rmsprop_mistake(accumulate=lambda r, g, rho: r + g * g),
         "r + g ⊙ g est le cumul d'AdaGrad, qui n'oublie rien : RMSProp fait une moyenne "
         "mobile exponentielle, r ← ρ r + (1 − ρ) g ⊙ g."),
        (_rmsprop_mistake(accumulate=lambda r, g, rho: (1 - rho) * r + rho * g * g),
         "coefficients inversés : ρ multiplie l'ancien r (la mémoire) et (1 − ρ) le nouveau "
         "g ⊙ g."),
        (_rmsprop_mistake(accumulate=lambda r, g, rho: rho * r + g * g),
         "il manque le facteur (1 − ρ) devant g ⊙ g."),
        (_rmsprop_mistake(denominator=lambda r, eps: r**0.5 + eps),
         "avec eps_inside_sqrt=True, le cours place δ sous la racine, ε/√(δ + r) ; ε/(√r + δ) "
         "est la formule de torch.optim.RMSprop (eps_inside_sqrt=False)."),
        (_rmsprop_mistake(denominator=lambda r, eps: (eps + r) ** 0.5),
         "eps_inside_sqrt=False demande la formule de PyTorch, δ après la racine : "
         "ε/(√r + δ)."),
        (_rmsprop_mistake(denominator=lambda r, eps: eps + r),
         "n'oubliez pas la racine carrée : ε/√(δ + r)."),
        (_uphill(rmsprop_step),
         "signe : on descend, θ ← θ − ε/√(δ + r) ⊙ g."),
        (_stale_state(rmsprop_step),
         "renvoyez le nouvel état, RMSPropState(r) avec le r mis à jour, et non celui reçu."),
    ])

# --- 5.3 : un pas d'Adam ------------------------------------------------------------------


def _adam_cases() -> list[Case]:
    gen = generator(53)

    def normal(*shape: int, scale: float = 1.0) -> torch.Tensor:
        return scale * torch.randn(*shape, generator=gen)

    def state(*shape: int, scale: float, t: int) -> AdamState:
        return AdamState(normal(*shape, scale=0.1), scale * torch.rand(*shape, generator=gen), t)

    g1 = normal(6)
    g1[2] = 0.0  # un paramètre sans gradient : s = r = 0, seul δ évite 0/0
    return [Case("t = 4 pas déjà faits, moments non nuls (3, 4), lr = 0.01",
                 (normal(3, 4), normal(3, 4), state(3, 4, scale=1e-2, t=4)), {"lr": 0.01}),
            Case("premier pas (state = None), un gradient nul, lr = 0.1",
                 (normal(6), g1, None), {"lr": 0.1}),
            Case("grand δ = 0.1, t = 2, lr = 0.1",
                 (normal(5), normal(5), state(5, scale=1e-4, t=2)), {"lr": 0.1, "eps": 0.1}),
            Case("grand δ = 0.1 après la racine (eps_inside_sqrt=False), lr = 0.1",
                 (normal(5), normal(5), state(5, scale=1e-4, t=2)),
                 {"lr": 0.1, "eps": 0.1, "eps_inside_sqrt": False}),
            Case("sans correction du biais (bias_correction=False), t = 2, lr = 0.05",
                 (normal(4), normal(4), state(4, scale=1e-2, t=2)),
                 {"lr": 0.05, "bias_correction": False}),
            Case("t = 49, ρ1 = 0.8, ρ2 = 0.99, lr = 0.05",
                 (normal(4), normal(4), state(4, scale=1e-2, t=49)),
                 {"lr": 0.05, "betas": (0.8, 0.99)}),
            Case("valeurs par défaut (lr = 1e-3, betas = (0.9, 0.999), δ = 1e-8), t = 1",
                 (normal(4), normal(4, scale=1e-3), state(4, scale=1e-6, t=1)), {})]


def _adam_mistake(update: Callable, *, count: bool = True) -> Callable[..., tuple]:
    """Erreur typique : s, r (et t si ``count``) mis à jour comme au cours, puis
    θ ← θ − update(s, r, t, lr, ρ1, ρ2, δ)."""
    def wrong(theta, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, **_options):
        (rho1, rho2), t = betas, 0 if state is None else state.t
        s, r = (theta * 0, theta * 0) if state is None else (state.s, state.r)
        t = t + 1 if count else t
        s, r = rho1 * s + (1 - rho1) * g, rho2 * r + (1 - rho2) * g * g
        return theta - update(s, r, t, lr, rho1, rho2, eps), AdamState(s, r, t)
    return wrong


def _adam_forcing(**forced) -> Callable[..., tuple]:
    """Erreur typique : ``adam_step`` avec une option imposée, quelle que soit celle reçue."""
    return lambda theta, g, state, **options: adam_step(theta, g, state, **(options | forced))


def _swapped_betas(theta, g, state, *, betas=(0.9, 0.999), **options):
    return adam_step(theta, g, state, betas=betas[::-1], **options)


check_adam_step = TupleChecker(
    outputs=_OUTPUTS, exercise="5.3", title="adam_step", reference=adam_step,
    cases=_adam_cases,
    signature="adam_step(theta, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, "
              "bias_correction=True, eps_inside_sqrt=True)",
    finite_hint="δ évite 0/0 pour un paramètre sans gradient (g = 0, donc ŝ = r̂ = 0) : "
                "θ ← θ − ε ŝ/√(r̂ + δ).",
    hints=[
        (_adam_forcing(bias_correction=False),
         "appliquez la correction du biais, ŝ = s/(1 − ρ1^t) et r̂ = r/(1 − ρ2^t) : s et r "
         "partent de 0 et sont trop petits lors des premiers pas."),
        (_adam_forcing(bias_correction=True),
         "bias_correction=False demande ŝ = s et r̂ = r (sans correction du biais)."),
        (_adam_forcing(eps_inside_sqrt=False),
         "le cours place δ sous la racine, ŝ/√(r̂ + δ) ; vous calculez ŝ/(√r̂ + δ), la "
         "formule de torch.optim.Adam (eps_inside_sqrt=False ; l'écart se voit quand δ n'est "
         "pas petit devant r̂)."),
        (_adam_forcing(eps_inside_sqrt=True),
         "eps_inside_sqrt=False demande la formule de PyTorch, δ après la racine : "
         "ŝ/(√r̂ + δ)."),
        (_adam_mistake(lambda s, r, t, lr, r1, r2, d:
                       lr * s / (1 - r1**t) / (r / (1 - r2**t) + d)),
         "n'oubliez pas la racine carrée : θ ← θ − ε ŝ/√(r̂ + δ)."),
        (_swapped_betas,
         "ρ1 et ρ2 sont inversés : betas = (ρ1, ρ2), ρ1 sert au premier moment s (gradients), "
         "ρ2 au second moment r (carrés des gradients)."),
        (_adam_mistake(lambda s, r, t, lr, r1, r2, d:
                       lr * s / (1 - r1**t) / (r / (1 - r2**t) + d) ** 0.5, count=False),
         "incrémentez t au début du pas, t ← t + 1, avant la correction du biais : au premier "
         "pas, t = 1 (state.t compte les pas déjà faits)."),
        (_uphill(adam_step),
         "signe : on descend, θ ← θ − ε ŝ/√(r̂ + δ)."),
        (_stale_state(adam_step),
         "renvoyez le nouvel état, AdamState(s, r, t) mis à jour : s ← ρ1 s + (1 − ρ1) g, "
         "r ← ρ2 r + (1 − ρ2) g ⊙ g, t ← t + 1, et non celui reçu."),
    ])


CHECKERS: tuple[Checker, ...] = (check_adagrad_effective_lr, check_rmsprop_step, check_adam_step)
