"""Vérificateurs du chapitre 04 (optimisation des paramètres), exercices 4.1 à 4.3.

Notations du cours : θ les paramètres, ρ le pas d'apprentissage (``lr``), α le momentum
(``momentum``), v la vitesse et ∇L le gradient de la fonction de coût.

Fonctions attendues de l'étudiant :

- 4.1 ``momentum_step(theta, grad, v, lr, momentum)`` → couple ``(new_theta, new_v)`` de
  tenseurs, avec les formules du cours : v ← α v − ρ ∇L, puis θ ← θ + v ;
- 4.2 ``nesterov_grad(theta, v, momentum, grad_fn)`` → le gradient qu'utilise Nesterov,
  évalué au point anticipé : ``grad_fn(theta + momentum * v)`` ;
- 4.3 ``choose_lr(curvatures)`` → un nombre réel ρ (``float`` Python ; un tenseur 0-d est
  refusé avec l'indice ``.item()``) pour lequel la descente de gradient converge sur
  f(θ) = ½ Σ λ_i θ_i², où ``curvatures`` est le tenseur 1-D (float64) des λ_i > 0.

Critère de l'exercice 4.3. Sur f, un pas de descente multiplie chaque composante par
1 − ρ λ_i : la descente converge si et seulement si |1 − ρ λ_i| < 1 pour tout i,
c'est-à-dire 0 < ρ < 2/λ_max ; le meilleur pas fixe est 2/(λ_min + λ_max) (la réponse de
référence), qui donne le facteur (κ − 1)/(κ + 1), κ = λ_max/λ_min. Pour chaque spectre
(κ = 1, 10, 100, 1000), la réponse ρ est acceptée si :

1. ρ est un réel fini et ρ > 0 ;
2. ρ λ_max < 2 − 10⁻⁶ (sinon la descente diverge, ou oscille sans converger si
   ρ = 2/λ_max ; la marge absorbe les arrondis d'un calcul en float32) ;
3. 200 pas de descente (calculés par le vérificateur avec ``gd_step``, en float64, depuis
   θ_0 = (1, …, 1)) font décroître ‖θ_t‖ : ‖θ_{t+1}‖ ≤ ‖θ_t‖ à chaque pas, et
   ‖θ_200‖ < ‖θ_0‖ ;
4. si le problème est bien conditionné (κ ≤ 10) : ‖θ_200‖ < 10⁻³ ‖θ_0‖, sinon la descente
   est jugée « trop lente ». Pour κ = 100 ou 1000, même le meilleur pas fixe ne l'atteint
   pas en 200 pas (facteur 0.98 ou 0.998 par pas) : c'est la limite de la descente de
   gradient qui motive le momentum ; on demande seulement une décroissance monotone.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import torch

from course_utils.checks.framework import (
    Case,
    Checker,
    Report,
    _call,
    _clone,
    _fmt,
    _gen,
    _is_real,
    _matches,
    _plural,
    _type_hint,
    _type_name,
)
from course_utils.optim import MomentumState, gd_step, momentum_step

# --- 4.1 : un pas de momentum, v ← α v − ρ ∇L puis θ ← θ + v ------------------------------


def _momentum_reference(theta: torch.Tensor, grad: torch.Tensor, v: torch.Tensor, lr: float,
                        momentum: float) -> tuple[torch.Tensor, torch.Tensor]:
    """v ← α v − ρ ∇L, puis θ ← θ + v ; renvoie (nouveau θ, nouvelle v)."""
    new_theta, state = momentum_step(theta, grad, MomentumState(v), lr=lr, momentum=momentum)
    return new_theta, state.v


def _momentum_cases() -> list[Case]:
    g = _gen(41)

    def draw(*shape: int) -> tuple[torch.Tensor, ...]:  # θ, ∇L, v
        return tuple(torch.randn(*shape, generator=g) for _ in range(3))

    theta, grad, _ = draw(5)
    return [Case("θ, ∇L, v aléatoires (6,), ρ = 0.1, α = 0.9", (*draw(6), 0.1, 0.9)),
            Case("matrices (3, 4), ρ = 0.05, α = 0.5", (*draw(3, 4), 0.05, 0.5)),
            Case("premier pas, v = 0 (5,), ρ = 0.1, α = 0.9",
                 (theta, grad, torch.zeros(5), 0.1, 0.9)),
            Case("α = 0 (descente de gradient), ρ = 0.3", (*draw(4), 0.3, 0.0)),
            Case("ρ = 1, α = 0.99", (*draw(2, 2), 1.0, 0.99))]


def _pair_problem(got: Any) -> tuple[str, str | None] | None:
    """(description du résultat reçu, indice) s'il n'est pas un couple de deux tenseurs."""
    if isinstance(got, torch.Tensor):
        return "torch.Tensor", "renvoyez aussi la nouvelle vitesse : return new_theta, new_v."
    if not isinstance(got, (tuple, list)):
        return _type_name(got), _type_hint(got, ())
    if len(got) != 2:
        return (f"{_type_name(got)} de {_plural(len(got), 'élément', 'éléments')}",
                "renvoyez exactement deux tenseurs : return new_theta, new_v.")
    bad = [t for t in got if not isinstance(t, torch.Tensor)]
    if not bad:
        return None
    hint = _type_hint(bad[0], torch.zeros(())) if bad[0] is not None else None
    return (f"{_type_name(got)} contenant un élément de type {_type_name(bad[0])}",
            hint or "chaque élément du couple doit être un torch.Tensor.")


class _PairChecker(Checker):
    """Checker d'une réponse « couple de tenseurs » (new_theta, new_v), comparés un à un.

    Les erreurs typiques (``hints``) renvoient aussi un couple : l'indice est donné si les
    deux composantes coïncident avec celles de l'erreur typique.
    """

    names = ("new_theta", "new_v")

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        problem = _pair_problem(got)
        if problem is not None:
            received, hint = problem
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : couple (new_theta, new_v) de deux torch.Tensor ; "
                               f"reçu : {received}."] + ([f"Indice : {hint}"] if hint else []))
        for name, g, e in zip(self.names, got, expected, strict=True):
            part = dataclasses.replace(case, label=f"{case.label}, sortie {name}")
            report = self._compare_tensor(part, g.detach(), e)
            if report is not None:
                extra = "".join(f"\n   {line}" for line in self._hint(case, tuple(got)))
                return dataclasses.replace(report, message=report.message + extra)
        return None

    def _hint(self, case: Case, got: Any) -> list[str]:
        if not isinstance(got, tuple):  # une composante seule : voir _compare
            return []
        for wrong, text in self.hints:
            alt, exc = _call(wrong, *_clone(case.args), **_clone(case.kwargs))
            if exc is None and isinstance(alt, tuple) and len(alt) == len(got) and all(
                    _matches(g, a, self.atol, self.rtol) for g, a in zip(got, alt, strict=True)):
                return [f"Indice : {text}"]
        return []


# erreurs typiques de l'exercice 4.1, avec t = θ, g = ∇L, a = α : (new_theta, new_v)
check_momentum_step = _PairChecker(
    exercise="4.1", title="momentum_step", reference=_momentum_reference,
    cases=_momentum_cases, signature="momentum_step(theta, grad, v, lr, momentum)", hints=[
        (lambda t, g, v, lr, a: (t - lr * (a * v + g), a * v + g),
         "c'est la convention de PyTorch (v ← αv + ∇L, puis θ ← θ − ρv) ; le cours écrit "
         "v ← αv − ρ∇L, puis θ ← θ + v."),
        (lambda t, g, v, lr, a: (t + v, a * v - lr * g),
         "mettez à jour θ avec la nouvelle vitesse : calculez d'abord v ← αv − ρ∇L, "
         "puis θ ← θ + v."),
        (lambda t, g, v, lr, a: (t + a * v + lr * g, a * v + lr * g),
         "erreur de signe : on descend la pente, v ← αv − ρ∇L (et non + ρ∇L)."),
        (lambda t, g, v, lr, a: (t - a * v + lr * g, a * v - lr * g),
         "θ ← θ + v : le signe − est déjà dans la vitesse v ← αv − ρ∇L."),
        (lambda t, g, v, lr, a: (a * v - lr * g, t + a * v - lr * g),
         "ordre des sorties : renvoyez (new_theta, new_v), dans cet ordre."),
        (lambda t, g, v, lr, a: (t + lr * v - a * g, lr * v - a * g),
         "α (momentum) pondère l'ancienne vitesse et ρ (lr) le gradient : v ← αv − ρ∇L."),
        (lambda t, g, v, lr, a: (t + v - lr * g, v - lr * g),
         "pondérez l'ancienne vitesse par α (momentum) : v ← αv − ρ∇L."),
        (lambda t, g, v, lr, a: (t - lr * g, -lr * g),
         "vous faites une descente de gradient simple : ajoutez l'ancienne vitesse, "
         "v ← αv − ρ∇L."),
    ])

# --- 4.2 : gradient de Nesterov, au point anticipé θ + αv ---------------------------------


def _nesterov_grad(theta: torch.Tensor, v: torch.Tensor, momentum: float,
                   grad_fn: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """∇L(θ + α v) : le gradient de Nesterov, évalué au point anticipé."""
    return grad_fn(theta + momentum * v)


def _quadratic_grad(a: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """∇f pour f(θ) = ½ θᵀAθ : A θ."""
    return lambda theta: a @ theta


def _rosenbrock_grad(theta: torch.Tensor) -> torch.Tensor:
    """∇f pour f(x, y) = (1 − x)² + 10 (y − x²)² (fonction de Rosenbrock adoucie)."""
    x, y = theta[0], theta[1]
    return torch.stack([-2 * (1 - x) - 40 * x * (y - x**2), 20 * (y - x**2)])


def _log_cosh_grad(theta: torch.Tensor) -> torch.Tensor:
    """∇f pour f(θ) = Σ log cosh θ_ij + 0.05 θ_ij² : tanh θ + 0.1 θ."""
    return torch.tanh(theta) + 0.1 * theta


def _nesterov_cases() -> list[Case]:
    g = _gen(42)
    m = torch.randn(4, 4, generator=g)
    quadratic = _quadratic_grad(m @ m.T / 4 + 0.5 * torch.eye(4))
    return [Case("quadratique (4,), α = 0.9",
                 (torch.randn(4, generator=g), torch.randn(4, generator=g), 0.9, quadratic)),
            Case("Rosenbrock (2,), α = 0.5",
                 (torch.tensor([-1.0, 1.5]), torch.tensor([0.3, -0.2]), 0.5, _rosenbrock_grad)),
            Case("log cosh, matrices (3, 4), α = 0.99",
                 (torch.randn(3, 4, generator=g), torch.randn(3, 4, generator=g), 0.99,
                  _log_cosh_grad)),
            Case("premier pas, v = 0 (4,), α = 0.9",
                 (torch.randn(4, generator=g), torch.zeros(4), 0.9, quadratic))]


check_nesterov_grad = Checker(
    exercise="4.2", title="nesterov_grad", reference=_nesterov_grad, cases=_nesterov_cases,
    signature="nesterov_grad(theta, v, momentum, grad_fn)", hints=[
        (lambda theta, v, a, grad_fn: grad_fn(theta),
         "évaluez le gradient au point anticipé θ + αv, et non en θ : c'est toute la "
         "différence avec le momentum classique."),
        (lambda theta, v, a, grad_fn: grad_fn(theta + v),
         "le point anticipé est θ + αv : multipliez la vitesse par α (momentum)."),
        (lambda theta, v, a, grad_fn: grad_fn(theta - a * v),
         "le point anticipé est θ + αv (signe +) : on avance d'abord dans la direction de "
         "la vitesse."),
        (lambda theta, v, a, grad_fn: theta + a * v,
         "renvoyez le gradient en ce point, grad_fn(θ + αv), et non le point lui-même."),
    ])

# --- 4.3 : un pas qui fait converger la descente de gradient ------------------------------

_STEPS = 200
_WELL_CONDITIONED = 10.0  # κ ≤ 10 : on exige ‖θ_200‖ < 10⁻³ ‖θ_0‖
_MARGIN = 1e-6  # ρ λ_max ≥ 2 − 10⁻⁶ : diagnostic « diverge »


def _best_lr(curvatures: torch.Tensor) -> float:
    """Meilleur pas fixe pour f(θ) = ½ Σ λ_i θ_i² : 2/(λ_min + λ_max)."""
    return 2 / (curvatures.min() + curvatures.max()).item()


def _spectrum(lam_min: float, kappa: float, d: int) -> torch.Tensor:
    """d courbures en progression géométrique, de λ_min à κ λ_min (float64)."""
    return lam_min * kappa ** torch.linspace(0, 1, d, dtype=torch.float64)


def _lr_cases() -> list[Case]:
    return [Case("κ = 1, λ = 3 (5 fois)", (torch.full((5,), 3.0, dtype=torch.float64),)),
            Case("κ = 10, λ de 0.5 à 5", (_spectrum(0.5, 10, 5),)),
            Case("κ = 100, λ de 0.1 à 10", (_spectrum(0.1, 100, 5),)),
            Case("κ = 1000, λ de 0.02 à 20", (_spectrum(0.02, 1000, 6),))]


def _gd_norms(rho: float, lam: torch.Tensor) -> list[float]:
    """‖θ_t‖, t = 0, …, 200 : descente de gradient sur ½ Σ λ_i θ_i² depuis θ_0 = 1."""
    theta = torch.ones_like(lam)
    norms = [theta.norm().item()]
    for _ in range(_STEPS):
        theta = gd_step(theta, lam * theta, lr=rho)  # ∇f(θ) = λ θ
        norms.append(theta.norm().item())
    return norms


def _bounds_problem(rho: float, lam: torch.Tensor) -> tuple[str, str, list[str]] | None:
    """(kind, titre, détails) si ρ n'est pas un pas convergent : non fini, ≤ 0 ou trop grand."""
    lam_max = lam.max().item()
    if not math.isfinite(rho):
        return "not_finite", f"pas non fini (ρ = {_fmt(rho)})", []
    if rho <= 0:
        return "custom", "le pas doit être strictement positif", [
            f"reçu ρ = {_fmt(rho)} : avec ρ ≤ 0, θ ← θ − ρ∇f remonte la pente (ou ne bouge "
            "pas)."]
    if rho * lam_max >= 2 - _MARGIN:
        verb = "oscille sans converger" if rho * lam_max <= 2 + _MARGIN else "diverge"
        return "custom", f"la descente {verb} avec ρ = {_fmt(rho)}", [
            f"il faut 0 < ρ < 2/λ_max = {_fmt(2 / lam_max)} (|1 − ρλ_i| < 1 pour tout i) ; "
            f"ici |1 − ρλ_max| = {_fmt(abs(1 - rho * lam_max))} ≥ 1 : la composante de plus "
            "forte courbure n'est pas atténuée à chaque pas."]
    return None


def _speed_problem(rho: float, lam: torch.Tensor) -> tuple[str, str, list[str]] | None:
    """(kind, titre, détails) si 200 pas de descente ne font pas (assez) décroître ‖θ‖."""
    norms = _gd_norms(rho, lam)
    ratio, kappa = norms[-1] / norms[0], (lam.max() / lam.min()).item()
    slowest = (1 - rho * lam).abs().max().item()
    where = f"après {_STEPS} pas depuis θ_0 = (1, …, 1), ‖θ‖/‖θ_0‖ = {_fmt(ratio)}"
    if any(b > a for a, b in zip(norms, norms[1:], strict=False)):
        return "custom", "‖θ_t‖ ne décroît pas à chaque pas", [f"{where}."]
    if kappa <= _WELL_CONDITIONED * (1 + 1e-9) and ratio >= 1e-3:
        return "custom", "descente trop lente", [
            f"{where}, attendu < 1e-3 pour ce problème bien conditionné (κ ≤ 10).",
            f"Le facteur le plus lent, max |1 − ρλ_i| = 1 − {_fmt(1 - slowest)}, est trop proche "
            "de 1 : augmentez ρ."]
    if ratio >= 1:
        return "custom", "descente trop lente", [f"{where} : ‖θ‖ n'a pas diminué."]
    return None


class _StepSizeChecker(Checker):
    """Checker de l'exercice 4.3 : ρ est accepté s'il fait converger la descente de gradient
    (critère dans la docstring du module), pas seulement s'il vaut la référence."""

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        if not _is_real(got):
            return super()._compare(case, got, expected)  # type : float attendu (.item()…)
        rho, lam = float(got), case.args[0]
        problem = _bounds_problem(rho, lam) or _speed_problem(rho, lam)
        if problem is None:
            return None
        kind, headline, details = problem
        hint = self._hint(case, rho) or [
            f"Indice : le meilleur pas fixe est 2/(λ_min + λ_max) = {_fmt(expected)}."]
        return self._fail(kind, f"{headline} sur le cas « {case.label} ».", details + hint)


_NOT_LAM_MIN = "c'est la plus grande courbure λ_max qui limite le pas (ρ < 2/λ_max), pas λ_min."
_INVERT = "inversez : ρ = 2/(λ_min + λ_max)."

check_converging_lr = _StepSizeChecker(
    exercise="4.3", title="choose_lr", reference=_best_lr, cases=_lr_cases, atol=0.0,
    rtol=1e-6, signature="choose_lr(curvatures)", hints=[
        (lambda lam: 2 / lam.max().item(),
         "ρ = 2/λ_max est la limite exclue : |1 − ρλ_max| = 1, la composante de plus forte "
         "courbure oscille sans décroître ; prenez un pas plus petit, par ex. "
         "2/(λ_min + λ_max)."),
        (lambda lam: 1 / lam.min().item(), _NOT_LAM_MIN),
        (lambda lam: 2 / lam.min().item(), _NOT_LAM_MIN),
        (lambda lam: (lam.min() + lam.max()).item(), _INVERT),
        (lambda lam: (lam.min() + lam.max()).item() / 2, _INVERT),
        (lambda lam: 2 / lam.mean().item(),
         "la courbure moyenne ne suffit pas : c'est λ_max qui limite le pas (ρ < 2/λ_max)."),
        (lambda lam: -_best_lr(lam),
         "ρ est positif : le signe − est déjà dans la mise à jour θ ← θ − ρ∇f."),
    ])


CHAPTER_04_CHECKERS: tuple[Checker, ...] = (
    check_momentum_step, check_nesterov_grad, check_converging_lr,
)
