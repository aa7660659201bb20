"""Vérificateurs de la descente de gradient et du momentum (chapitre 4), exercices 4.1 à 4.3.

Notations du cours : θ les paramètres, ρ le pas d'apprentissage (``lr``), α le momentum
(``momentum``), v la vitesse et ∇L le gradient de la fonction de coût.

Fonctions attendues de l'étudiant, de mêmes noms et signatures que celles de
:mod:`course_utils.optim` :

- 4.1 ``momentum_step(theta, grad, state, *, lr, momentum)`` → ``(new_theta, new_state)`` :
  v ← α v − ρ ∇L, puis θ ← θ + v ; ``state`` est un ``MomentumState(v)``, ou None au
  premier pas (v = 0), et ``new_state`` le ``MomentumState`` de la nouvelle vitesse ;
- 4.2 ``nesterov_step(theta, grad_fn, state, *, lr, momentum)`` → ``(new_theta,
  new_state)`` : le même pas, avec le gradient évalué au point anticipé,
  ``grad_fn(theta + momentum * v)`` ;
- 4.3 ``choose_lr(curvatures)`` → un nombre réel ρ (``float`` Python ; un tenseur 0-d est
  refusé avec l'indice ``.item()``) pour lequel la descente de gradient converge sur
  f(θ) = ½ Σ λ_i θ_i², où ``curvatures`` est le tenseur 1-D (float64) des λ_i > 0.

Critère de l'exercice 4.3. Sur f, un pas de descente multiplie chaque composante par
1 − ρ λ_i : la descente converge si et seulement si |1 − ρ λ_i| < 1 pour tout i,
c'est-à-dire 0 < ρ < 2/λ_max ; le meilleur pas fixe est 2/(λ_min + λ_max) (la réponse de
référence, propre au vérificateur), qui donne le facteur (κ − 1)/(κ + 1),
κ = λ_max/λ_min. Pour chaque spectre (κ = 1, 10, 100, 1000), la réponse ρ est acceptée si :

1. ρ est un réel fini et ρ > 0 ;
2. ρ λ_max < 2 − 10⁻⁶ (sinon la descente diverge, ou oscille sans converger si
   ρ = 2/λ_max ; la marge absorbe les arrondis d'un calcul en float32) ;
3. 200 pas de descente (calculés par le vérificateur avec ``gd_step``, en float64, depuis
   θ_0 = (1, …, 1)) font décroître ‖θ_t‖ : ‖θ_{t+1}‖ ≤ ‖θ_t‖ à chaque pas, et
   ‖θ_200‖ < ‖θ_0‖ ;
4. si le problème est bien conditionné (κ ≤ 10) : ‖θ_200‖ < 10⁻³ ‖θ_0‖, sinon la descente
   est jugée « trop lente ». Pour κ = 100 ou 1000, même le meilleur pas fixe ne l'atteint
   pas en 200 pas (facteur 0.98 ou 0.998 par pas) : c'est la limite de la descente de
   gradient qui motive le momentum ; on demande seulement une décroissance monotone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from course_utils.checks.answers import TupleChecker
from course_utils.checks.framework import Case, Checker, Report, generator
from course_utils.checks.messages import format_number, is_real
from course_utils.optim import MomentumState, gd_step, momentum_step, nesterov_step

_OUTPUTS = ("new_theta", "new_state")


# --- 4.1 : un pas de momentum, v ← α v − ρ ∇L puis θ ← θ + v ------------------------------


def _momentum_cases() -> list[Case]:
    g = generator(41)

    def draw(*shape: int) -> tuple:  # θ, ∇L, MomentumState(v)
        theta, grad, v = (torch.randn(*shape, generator=g) for _ in range(3))
        return theta, grad, MomentumState(v)

    theta, grad = torch.randn(5, generator=g), torch.randn(5, generator=g)
    return [Case("θ, ∇L, v aléatoires (6,), ρ = 0.1, α = 0.9", draw(6),
                 {"lr": 0.1, "momentum": 0.9}),
            Case("premier pas, state = None (v = 0) (5,), ρ = 0.1, α = 0.9",
                 (theta, grad, None), {"lr": 0.1, "momentum": 0.9}),
            Case("matrices (3, 4), ρ = 0.05, α = 0.5", draw(3, 4), {"lr": 0.05, "momentum": 0.5}),
            Case("α = 0 (descente de gradient), ρ = 0.3", draw(4), {"lr": 0.3, "momentum": 0.0}),
            Case("ρ = 1, α = 0.99", draw(2, 2), {"lr": 1.0, "momentum": 0.99})]


def _momentum_mistake(rule: Callable[..., tuple]) -> Callable[..., tuple]:
    """Erreur typique : (θ, v) ← rule(θ, ∇L, v, ρ, α), avec v = 0 au premier pas."""
    def wrong(theta, grad, state, *, lr, momentum):
        v = theta * 0 if state is None else state.v
        new_theta, new_v = rule(theta, grad, v, lr, momentum)
        return new_theta, MomentumState(new_v)
    return wrong


# erreurs typiques de l'exercice 4.1, avec t = θ, g = ∇L, a = α : (new_theta, new_v)
check_momentum_step = TupleChecker(
    outputs=_OUTPUTS, exercise="4.1", title="momentum_step", reference=momentum_step,
    cases=_momentum_cases, signature="momentum_step(theta, grad, state, lr=…, momentum=…)", hints=[
        (_momentum_mistake(lambda t, g, v, lr, a: (t - lr * (a * v + g), a * v + g)),
         "c'est la convention de PyTorch (v ← αv + ∇L, puis θ ← θ − ρv) ; le cours écrit "
         "v ← αv − ρ∇L, puis θ ← θ + v."),
        (_momentum_mistake(lambda t, g, v, lr, a: (t + v, a * v - lr * g)),
         "mettez à jour θ avec la nouvelle vitesse : calculez d'abord v ← αv − ρ∇L, "
         "puis θ ← θ + v."),
        (_momentum_mistake(lambda t, g, v, lr, a: (t + a * v + lr * g, a * v + lr * g)),
         "erreur de signe : on descend la pente, v ← αv − ρ∇L (et non + ρ∇L)."),
        (_momentum_mistake(lambda t, g, v, lr, a: (t - a * v + lr * g, a * v - lr * g)),
         "θ ← θ + v : le signe − est déjà dans la vitesse v ← αv − ρ∇L."),
        (_momentum_mistake(lambda t, g, v, lr, a: (t + lr * v - a * g, lr * v - a * g)),
         "α (momentum) pondère l'ancienne vitesse et ρ (lr) le gradient : v ← αv − ρ∇L."),
        (_momentum_mistake(lambda t, g, v, lr, a: (t + v - lr * g, v - lr * g)),
         "pondérez l'ancienne vitesse par α (momentum) : v ← αv − ρ∇L."),
        (_momentum_mistake(lambda t, g, v, lr, a: (t - lr * g, -lr * g)),
         "vous faites une descente de gradient simple : ajoutez l'ancienne vitesse, "
         "v ← αv − ρ∇L."),
        (lambda theta, grad, state, *, lr, momentum: (
            momentum_step(theta, grad, state, lr=lr, momentum=momentum)[0], state),
         "renvoyez le nouvel état, MomentumState(v) avec la nouvelle vitesse, et non celui "
         "reçu : il sert au pas suivant."),
    ])

# --- 4.2 : un pas de Nesterov, gradient au point anticipé θ + αv --------------------------


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
    g = generator(42)
    m = torch.randn(4, 4, generator=g)
    quadratic = _quadratic_grad(m @ m.T / 4 + 0.5 * torch.eye(4))

    def state(*shape: int) -> MomentumState:
        return MomentumState(torch.randn(*shape, generator=g))

    return [Case("quadratique (4,), ρ = 0.1, α = 0.9",
                 (torch.randn(4, generator=g), quadratic, state(4)),
                 {"lr": 0.1, "momentum": 0.9}),
            Case("premier pas, state = None (v = 0) (4,), ρ = 0.1, α = 0.9",
                 (torch.randn(4, generator=g), quadratic, None), {"lr": 0.1, "momentum": 0.9}),
            Case("Rosenbrock (2,), ρ = 0.01, α = 0.5",
                 (torch.tensor([-1.0, 1.5]), _rosenbrock_grad,
                  MomentumState(torch.tensor([0.3, -0.2]))), {"lr": 0.01, "momentum": 0.5}),
            Case("log cosh, matrices (3, 4), ρ = 0.05, α = 0.99",
                 (torch.randn(3, 4, generator=g), _log_cosh_grad, state(3, 4)),
                 {"lr": 0.05, "momentum": 0.99})]


def _nesterov_mistake(point: Callable[..., Any]) -> Callable[..., tuple]:
    """Erreur typique : le gradient est évalué en point(θ, v, α) au lieu de θ + αv."""
    def wrong(theta, grad_fn, state, *, lr, momentum):
        v = theta * 0 if state is None else state.v
        v = momentum * v - lr * grad_fn(point(theta, v, momentum))
        return theta + v, MomentumState(v)
    return wrong


def _classic_momentum(theta, grad_fn, state, *, lr, momentum):
    return momentum_step(theta, grad_fn(theta), state, lr=lr, momentum=momentum)


check_nesterov_step = TupleChecker(
    outputs=_OUTPUTS, exercise="4.2", title="nesterov_step", reference=nesterov_step,
    cases=_nesterov_cases, signature="nesterov_step(theta, grad_fn, state, lr=…, momentum=…)",
    hints=[
        (_classic_momentum,
         "évaluez le gradient au point anticipé θ + αv, et non en θ : c'est toute la "
         "différence avec le momentum classique."),
        (_nesterov_mistake(lambda theta, v, a: theta + v),
         "le point anticipé est θ + αv : multipliez la vitesse par α (momentum)."),
        (_nesterov_mistake(lambda theta, v, a: theta - a * v),
         "le point anticipé est θ + αv (signe +) : on avance d'abord dans la direction de "
         "la vitesse."),
        (lambda theta, grad_fn, state, *, lr, momentum: nesterov_step(
            theta, lambda point: -grad_fn(point), state, lr=lr, momentum=momentum),
         "erreur de signe : on descend la pente, v ← αv − ρ∇L(θ + αv)."),
        (lambda theta, grad_fn, state, *, lr, momentum: (
            nesterov_step(theta, grad_fn, state, lr=lr, momentum=momentum)[0], state),
         "renvoyez le nouvel état, MomentumState(v) avec la nouvelle vitesse, et non celui "
         "reçu : il sert au pas suivant."),
    ])

# --- 4.3 : un pas qui fait converger la descente de gradient ------------------------------

_STEPS = 200
_WELL_CONDITIONED = 10.0  # κ ≤ 10 : on exige ‖θ_200‖ < 10⁻³ ‖θ_0‖
_MARGIN = 1e-6  # ρ λ_max ≥ 2 − 10⁻⁶ : diagnostic « diverge »


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
        return "not_finite", f"pas non fini (ρ = {format_number(rho)})", []
    if rho <= 0:
        return "custom", "le pas doit être strictement positif", [
            f"reçu ρ = {format_number(rho)} : avec ρ ≤ 0, θ ← θ − ρ∇f remonte la pente (ou ne "
            "bouge pas)."]
    if rho * lam_max >= 2 - _MARGIN:
        verb = "oscille sans converger" if rho * lam_max <= 2 + _MARGIN else "diverge"
        return "custom", f"la descente {verb} avec ρ = {format_number(rho)}", [
            f"il faut 0 < ρ < 2/λ_max = {format_number(2 / lam_max)} (|1 − ρλ_i| < 1 pour "
            f"tout i) ; ici |1 − ρλ_max| = {format_number(abs(1 - rho * lam_max))} ≥ 1 : la "
            "composante de plus forte courbure n'est pas atténuée à chaque pas."]
    return None


def _speed_problem(rho: float, lam: torch.Tensor) -> tuple[str, str, list[str]] | None:
    """(kind, titre, détails) si 200 pas de descente ne font pas (assez) décroître ‖θ‖."""
    norms = _gd_norms(rho, lam)
    ratio, kappa = norms[-1] / norms[0], (lam.max() / lam.min()).item()
    slowest = (1 - rho * lam).abs().max().item()
    where = f"après {_STEPS} pas depuis θ_0 = (1, …, 1), ‖θ‖/‖θ_0‖ = {format_number(ratio)}"
    if any(b > a for a, b in zip(norms, norms[1:], strict=False)):
        return "custom", "‖θ_t‖ ne décroît pas à chaque pas", [f"{where}."]
    if kappa <= _WELL_CONDITIONED * (1 + 1e-9) and ratio >= 1e-3:
        return "custom", "descente trop lente", [
            f"{where}, attendu < 1e-3 pour ce problème bien conditionné (κ ≤ 10).",
            f"Le facteur le plus lent, max |1 − ρλ_i| = 1 − {format_number(1 - slowest)}, est "
            "trop proche de 1 : augmentez ρ."]
    if ratio >= 1:
        return "custom", "descente trop lente", [f"{where} : ‖θ‖ n'a pas diminué."]
    return None


class _StepSizeChecker(Checker):
    """Checker de l'exercice 4.3 : ρ est accepté s'il fait converger la descente de gradient
    (critère dans la docstring du module), pas seulement s'il vaut la référence."""

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        if not is_real(got):
            return super()._compare(case, got, expected)  # type : float attendu (.item()…)
        rho, lam = float(got), case.args[0]
        problem = _bounds_problem(rho, lam) or _speed_problem(rho, lam)
        if problem is None:
            return None
        kind, headline, details = problem
        hint = self._hint(case, rho) or [
            f"Indice : le meilleur pas fixe est 2/(λ_min + λ_max) = {format_number(expected)}."]
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


CHECKERS: tuple[Checker, ...] = (check_momentum_step, check_nesterov_step, check_converging_lr)
