"""Vérificateurs du chapitre 05 (adaptation du pas d'apprentissage), exercices 5.1 à 5.3.

Notations du cours (algorithmes 8.4, 8.5 et 8.7) : ε le pas global (``lr``), δ la petite
constante de stabilité (``delta``), ρ, ρ1, ρ2 les taux de décroissance, r la moyenne des
carrés des gradients, s la moyenne des gradients, t le numéro du pas ; toutes les
opérations sont élément par élément.

Fonctions attendues de l'étudiant :

- 5.1 ``adagrad_effective_lr(r, lr, delta)`` → ε/(δ + √r), le pas effectif d'AdaGrad
  (même forme que r) ;
- 5.2 ``rmsprop_accumulate(r, g, rho)`` → ρ r + (1 − ρ) g ⊙ g (même forme que r) ;
- 5.3 ``adam_step(theta, g, s, r, t, lr, rho1, rho2, delta)`` → ``(new_theta, new_s,
  new_r)``, un pas d'Adam avec correction du biais et δ sous la racine comme au cours,
  θ ← θ − ε ŝ/√(r̂ + δ) ; t est le numéro du pas déjà incrémenté (t = 1 au premier pas).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from typing import Any

import torch

from course_utils.adaptive import AdaGradState, AdamState, adagrad_effective_lr, adam_step
from course_utils.checks.framework import (
    Case,
    Checker,
    Report,
    _call,
    _clone,
    _gen,
    _matches,
    _type_hint,
    _type_name,
)

# --- 5.1 : accumulateur de RMSProp, r ← ρ r + (1 − ρ) g ⊙ g --------------------------------


def _rmsprop_accumulate(r: torch.Tensor, g: torch.Tensor, rho: float) -> torch.Tensor:
    """Moyenne mobile exponentielle des carrés des gradients : ρ r + (1 − ρ) g ⊙ g."""
    return rho * r + (1 - rho) * g * g


def _accumulate_cases() -> list[Case]:
    gen = _gen(51)

    def r_and_g(*shape: int, dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, ...]:
        return (torch.rand(*shape, generator=gen, dtype=dtype),
                torch.randn(*shape, generator=gen, dtype=dtype))

    return [Case("r et g aléatoires (8,), ρ = 0.9", (*r_and_g(8), 0.9)),
            Case("premier pas : r = 0 (3, 4), ρ = 0.9",
                 (torch.zeros(3, 4), torch.randn(3, 4, generator=gen), 0.9)),
            Case("ρ = 0.99 (5,)", (*r_and_g(5), 0.99)),
            Case("ρ = 0 : r devient g ⊙ g (4,)", (*r_and_g(4), 0.0)),
            Case("tenseurs float64 (même dtype que r)", (*r_and_g(6, dtype=torch.float64), 0.9))]


check_rmsprop_accumulator = Checker(
    exercise="5.2", title="rmsprop_accumulate", reference=_rmsprop_accumulate,
    cases=_accumulate_cases, signature="rmsprop_accumulate(r, g, rho)", hints=[
        (lambda r, g, rho: rho * r + (1 - rho) * g,
         "accumulez le carré du gradient, g ⊙ g (g * g ou g ** 2), et non g."),
        (lambda r, g, rho: r + g * g,
         "r + g ⊙ g est le cumul d'AdaGrad, qui n'oublie rien : RMSProp fait une moyenne "
         "mobile exponentielle, r ← ρ r + (1 − ρ) g ⊙ g."),
        (lambda r, g, rho: (1 - rho) * r + rho * g * g,
         "coefficients inversés : ρ multiplie l'ancien r (la mémoire) et (1 − ρ) le nouveau "
         "g ⊙ g."),
        (lambda r, g, rho: rho * r + g * g,
         "il manque le facteur (1 − ρ) devant g ⊙ g."),
    ])

# --- 5.2 : pas effectif d'AdaGrad, ε/(δ + √r) ---------------------------------------------


def _effective_lr(r: torch.Tensor, lr: float, delta: float) -> torch.Tensor:
    """Pas effectif d'AdaGrad par paramètre : ε/(δ + √r) (δ après la racine)."""
    return adagrad_effective_lr(AdaGradState(r=r), lr=lr, eps=delta)


def _effective_lr_cases() -> list[Case]:
    gen = _gen(52)
    return [Case("r aléatoire (8,), lr = 0.01, δ = 1e-7",
                 (4 * torch.rand(8, generator=gen), 0.01, 1e-7)),
            Case("r contenant des zéros (paramètres sans gradient), lr = 0.1, δ = 1e-7",
                 (torch.tensor([0.0, 1e-4, 0.25, 1.0, 100.0, 0.0]), 0.1, 1e-7)),
            Case("grand δ = 0.5 (3, 4), lr = 0.05",
                 (torch.rand(3, 4, generator=gen), 0.05, 0.5)),
            Case("tenseur float64 (même dtype que r)",
                 (10 * torch.rand(5, generator=gen, dtype=torch.float64), 1.0, 1e-7))]


check_adagrad_effective_lr = Checker(
    exercise="5.1", title="adagrad_effective_lr", reference=_effective_lr,
    cases=_effective_lr_cases, signature="adagrad_effective_lr(r, lr, delta)",
    finite_hint="δ évite la division par zéro pour un paramètre qui n'a encore reçu aucun "
                "gradient (r = 0) : ε/(δ + √r).",
    hints=[
        (lambda r, lr, delta: lr / (delta + r) ** 0.5,
         "√(δ + r) est la forme de RMSProp (algorithme 8.5) ; AdaGrad (algorithme 8.4) "
         "ajoute δ après la racine : ε/(δ + √r). L'écart ne se voit que si r est petit "
         "devant δ, par exemple r = 0."),
        (lambda r, lr, delta: lr / (delta + r),
         "n'oubliez pas la racine carrée : ε/(δ + √r)."),
        (lambda r, lr, delta: lr * r**0.5,
         "le pas global est divisé par δ + √r, pas multiplié : ε/(δ + √r)."),
        (lambda r, lr, delta: 1 / (delta + r**0.5),
         "multipliez par le pas global ε (lr) : ε/(δ + √r)."),
    ])

# --- 5.3 : un pas d'Adam, avec correction du biais ----------------------------------------

_OUTPUTS = ("new_theta", "new_s", "new_r")
_ORDER = (1, 2, 0)  # s et r sont calculés avant θ : on les vérifie d'abord


def _adam_step(theta: torch.Tensor, g: torch.Tensor, s: torch.Tensor, r: torch.Tensor,
               t: int, lr: float, rho1: float, rho2: float,
               delta: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pas d'Adam du cours (t déjà incrémenté) : renvoie (θ, s, r) mis à jour."""
    new_theta, state = adam_step(theta, g, AdamState(s=s, r=r, t=t - 1), lr=lr,
                                 betas=(rho1, rho2), eps=delta)
    return new_theta, state.s, state.r


def _adam_cases() -> list[Case]:
    gen = _gen(53)

    def normal(*shape: int, scale: float = 1.0) -> torch.Tensor:
        return scale * torch.randn(*shape, generator=gen)

    g1 = normal(6)
    g1[2] = 0.0  # un paramètre sans gradient : s = r = 0, seul δ évite 0/0
    moments = [(normal(*shape, scale=0.1), scale * torch.rand(*shape, generator=gen))
               for shape, scale in (((3, 4), 1e-2), ((5,), 1e-4), ((4,), 1e-2))]
    return [Case("premier pas (t = 1, s = r = 0), lr = 0.1",
                 (normal(6), g1, torch.zeros(6), torch.zeros(6), 1, 0.1, 0.9, 0.999, 1e-8)),
            Case("t = 5, moments non nuls (3, 4), lr = 0.01",
                 (normal(3, 4), normal(3, 4), *moments[0], 5, 0.01, 0.9, 0.999, 1e-8)),
            Case("grand δ = 0.1, t = 3, lr = 0.1",
                 (normal(5), normal(5), *moments[1], 3, 0.1, 0.9, 0.999, 0.1)),
            Case("t = 50, ρ1 = 0.8, ρ2 = 0.99, lr = 0.05",
                 (normal(4), normal(4), *moments[2], 50, 0.05, 0.8, 0.99, 1e-8))]


def _update_mistake(update: Callable[..., torch.Tensor]) -> Callable[..., tuple]:
    """Erreur typique : s et r corrects, puis θ ← θ − update(s, r, t, lr, ρ1, ρ2, δ)."""
    def wrong(theta, g, s, r, t, lr, rho1, rho2, delta):
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        return theta - update(s, r, t, lr, rho1, rho2, delta), s, r
    return wrong


def _triple_problem(got: Any) -> list[str] | None:
    """Diagnostic (lignes) si ``got`` n'est pas un triplet de tenseurs ; None sinon."""
    want = "attendu : tuple de 3 tenseurs (new_theta, new_s, new_r)"
    if isinstance(got, tuple | list):
        if len(got) != 3:
            hint = ("renvoyez les trois valeurs, return new_theta, new_s, new_r : s et r "
                    "servent au pas suivant (t, déjà incrémenté, n'est pas à renvoyer).")
            return [f"{want} ; reçu : {_type_name(got)} de {len(got)} éléments.",
                    f"Indice : {hint}"]
        bad = next((i for i, v in enumerate(got) if not isinstance(v, torch.Tensor)), None)
        if bad is None:
            return None
        return [f"{want} ; reçu : {_OUTPUTS[bad]} de type {_type_name(got[bad])}."]
    hint = (_type_hint(got, torch.empty(0)) if not isinstance(got, torch.Tensor) else
            "renvoyez un tuple de trois tenseurs : return new_theta, new_s, new_r.")
    return [f"{want} ; reçu : {_type_name(got)}."] + ([f"Indice : {hint}"] if hint else [])


def _order_hint(got: Any, expected: tuple, atol: float, rtol: float) -> list[str]:
    """Indice si ``got`` contient les bonnes sorties, mais dans le désordre."""
    for perm in itertools.permutations(range(3)):
        if perm != (0, 1, 2) and all(_matches(got[i], expected[j], atol, rtol)
                                     for i, j in zip(perm, range(3), strict=True)):
            return ["Indice : bonnes valeurs dans le désordre ; renvoyez new_theta, new_s, "
                    "new_r dans cet ordre."]
    return []


class _TripleChecker(Checker):
    """Checker d'une réponse (new_theta, new_s, new_r) : trois tenseurs comparés un à un.

    Les erreurs typiques (``hints``) renvoient le triplet complet : l'indice s'affiche si
    les trois sorties coïncident avec celles de l'erreur typique.
    """

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        problem = _triple_problem(got)
        if problem:
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              problem)
        for i in _ORDER:
            part = Case(f"{case.label}, sortie {_OUTPUTS[i]}", case.args, case.kwargs)
            report = self._compare_tensor(part, got[i].detach(), expected[i])
            if report is not None:
                hint = self._hint(case, tuple(got))
                if hint and "Indice" not in report.message:
                    report = dataclasses.replace(report,
                                                 message=f"{report.message}\n   {hint[0]}")
                return report
        return None

    def _hint(self, case: Case, got: Any) -> list[str]:
        if not isinstance(got, tuple):  # une seule sortie : l'indice porte sur le triplet
            return []
        for wrong, text in self.hints:
            alt, exc = _call(wrong, *_clone(case.args), **_clone(case.kwargs))
            if exc is None and all(_matches(a, b, self.atol, self.rtol)
                                   for a, b in zip(got, alt, strict=True)):
                return [f"Indice : {text}"]
        expected = self.reference(*_clone(case.args), **_clone(case.kwargs))
        return _order_hint(got, expected, self.atol, self.rtol)


check_adam_step = _TripleChecker(
    exercise="5.3", title="adam_step", reference=_adam_step, cases=_adam_cases,
    signature="adam_step(theta, g, s, r, t, lr, rho1, rho2, delta)",
    finite_hint="δ évite 0/0 pour un paramètre sans gradient (g = 0, donc ŝ = r̂ = 0) : "
                "θ ← θ − ε ŝ/√(r̂ + δ).",
    hints=[
        (_update_mistake(lambda s, r, t, lr, r1, r2, d: lr * s / (r + d) ** 0.5),
         "appliquez la correction du biais, ŝ = s/(1 − ρ1^t) et r̂ = r/(1 − ρ2^t) : s et r "
         "partent de 0 et sont trop petits lors des premiers pas."),
        (_update_mistake(lambda s, r, t, lr, r1, r2, d:
                         lr * s / (1 - r1**t) / ((r / (1 - r2**t)) ** 0.5 + d)),
         "le cours place δ sous la racine, ŝ/√(r̂ + δ) ; vous calculez ŝ/(√r̂ + δ), la "
         "formule de torch.optim.Adam (l'écart se voit quand δ n'est pas petit devant r̂)."),
        (_update_mistake(lambda s, r, t, lr, r1, r2, d:
                         lr * s / (1 - r1**t) / (r / (1 - r2**t) + d)),
         "n'oubliez pas la racine carrée : θ ← θ − ε ŝ/√(r̂ + δ)."),
        (lambda theta, g, s, r, t, lr, r1, r2, d: _adam_step(theta, g, s, r, t, lr, r2, r1, d),
         "ρ1 et ρ2 sont inversés : ρ1 sert au premier moment s (gradients), ρ2 au second "
         "moment r (carrés des gradients)."),
        (_update_mistake(lambda s, r, t, lr, r1, r2, d:
                         lr * s / (1 - r1 ** (t + 1)) / (r / (1 - r2 ** (t + 1)) + d) ** 0.5),
         "t est déjà incrémenté (t = 1 au premier pas) : utilisez ρ1^t et ρ2^t tels quels."),
        (_update_mistake(lambda s, r, t, lr, r1, r2, d:
                         -lr * s / (1 - r1**t) / (r / (1 - r2**t) + d) ** 0.5),
         "signe : on descend, θ ← θ − ε ŝ/√(r̂ + δ)."),
        (lambda theta, g, s, r, *rest: (_adam_step(theta, g, s, r, *rest)[0], s, r),
         "renvoyez les moments mis à jour, s ← ρ1 s + (1 − ρ1) g et r ← ρ2 r + (1 − ρ2) g ⊙ g, "
         "et non ceux reçus en entrée."),
    ])


CHAPTER_05_CHECKERS: tuple[Checker, ...] = (
    check_rmsprop_accumulator, check_adagrad_effective_lr, check_adam_step,
)
