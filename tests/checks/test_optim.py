"""Vérificateurs du chapitre 4 (course_utils.checks.optim) : réponses justes acceptées sous
plusieurs formes, erreurs typiques diagnostiquées avec le bon type et le bon indice."""

import math

import numpy as np
import pytest
import torch

from course_utils.checks import optim as C
from course_utils.optim import MomentumState

NBSP = "\u00a0"


def _student_momentum(theta, grad, state, *, lr, momentum):
    v = torch.zeros_like(theta) if state is None else state.v
    v = momentum * v - lr * grad
    return theta + v, MomentumState(v)


def _momentum_inplace(theta, grad, state, *, lr, momentum):
    if state is None:
        state = MomentumState(torch.zeros_like(theta))
    state.v.mul_(momentum).sub_(lr * grad)
    return theta + state.v, MomentumState(state.v)


def _momentum_rule(rule):
    """Réponse d'étudiant : (θ, v) ← rule(θ, ∇L, v, ρ, α), état rangé dans MomentumState."""
    def answer(theta, grad, state, *, lr, momentum):
        v = torch.zeros_like(theta) if state is None else state.v
        new_theta, new_v = rule(theta, grad, v, lr, momentum)
        return new_theta, MomentumState(new_v)

    return answer


def _student_nesterov(theta, grad_fn, state, *, lr, momentum):
    v = torch.zeros_like(theta) if state is None else state.v
    v = momentum * v - lr * grad_fn(theta + momentum * v)
    return theta + v, MomentumState(v)


def _nesterov_at(point):
    """Réponse d'étudiant : le gradient est pris en point(θ, v, α)."""
    def answer(theta, grad_fn, state, *, lr, momentum):
        v = torch.zeros_like(theta) if state is None else state.v
        v = momentum * v - lr * grad_fn(point(theta, v, momentum))
        return theta + v, MomentumState(v)

    return answer


def _nesterov_inplace(theta, grad_fn, state, *, lr, momentum):
    if state is None:
        return _student_nesterov(theta, grad_fn, state, lr=lr, momentum=momentum)
    grad = grad_fn(theta + momentum * state.v)
    state.v.mul_(momentum).sub_(lr * grad)
    return theta + state.v, MomentumState(state.v.clone())


CORRECT = [
    (C.check_momentum_step, _student_momentum),
    (C.check_momentum_step, lambda t, g, s, **k: list(_student_momentum(t, g, s, **k))),
    (C.check_momentum_step, lambda t, g, s, *, lr, momentum: (lambda v: (t + v, MomentumState(v)))(
        torch.sub(momentum * (torch.zeros_like(t) if s is None else s.v), g, alpha=lr))),
    (C.check_momentum_step, _momentum_rule(lambda t, g, v, lr, a: (t + (a * v - lr * g),
                                                                   a * v - lr * g))),
    (C.check_nesterov_step, _student_nesterov),
    (C.check_nesterov_step, _nesterov_at(lambda t, v, a: torch.add(t, v, alpha=a))),
    (C.check_converging_lr, lambda lam: 1 / lam.max().item()),
    (C.check_converging_lr, lambda lam: 1.9 / lam.max().item()),
    (C.check_converging_lr, lambda lam: float(2 / (lam.min() + lam.max()))),
    (C.check_converging_lr, lambda lam: np.float64(2 / lam.sum().item())),
]


@pytest.mark.parametrize(("checker", "fn"), CORRECT, ids=lambda x: getattr(x, "exercise", ""))
def test_typical_correct_answers_are_accepted(checker, fn):
    report = checker.evaluate(fn)
    assert report.passed, report.message


WRONG = [  # (vérificateur, réponse, kind attendu, mots attendus dans le message)
    (C.check_momentum_step, _momentum_rule(lambda t, g, v, lr, a: (t - lr * (a * v + g),
                                                                   a * v + g)),
     "values", ["sortie new_theta", "convention de PyTorch", "θ ← θ + v"]),
    (C.check_momentum_step, _momentum_rule(lambda t, g, v, lr, a: (t + v, a * v - lr * g)),
     "values", ["nouvelle vitesse"]),
    (C.check_momentum_step, _momentum_rule(lambda t, g, v, lr, a: (t + a * v + lr * g,
                                                                   a * v + lr * g)),
     "values", ["signe"]),
    (C.check_momentum_step, lambda *a, **k: _student_momentum(*a, **k)[0], "type",
     ["tuple de 2 sorties (new_theta, new_state)", "return new_theta, new_state"]),
    (C.check_momentum_step, lambda *a, **k: _student_momentum(*a, **k)[::-1], "type",
     ["new_theta : attendu un torch.Tensor"]),
    (C.check_momentum_step, _momentum_rule(lambda t, g, v, lr, a: (t - lr * g, -lr * g)),
     "values", ["descente de gradient simple"]),
    (C.check_momentum_step, _momentum_rule(lambda t, g, v, lr, a: (t + lr * v - a * g,
                                                                   lr * v - a * g)),
     "values", ["α (momentum) pondère"]),
    (C.check_momentum_step, lambda t, g, s, **k: (_student_momentum(t, g, s, **k)[0], s),
     "values", ["sortie new_state.v", "renvoyez le nouvel état"]),
    (C.check_momentum_step, lambda *a, **k: (*_student_momentum(*a, **k), None), "type",
     ["tuple de 3 éléments"]),
    (C.check_momentum_step, lambda *a, **k: (_student_momentum(*a, **k)[0], 0.0), "type",
     ["new_state : attendu un MomentumState", "MomentumState(v=v)"]),
    (C.check_momentum_step, lambda *a, **k: (_student_momentum(*a, **k)[0],
                                             _student_momentum(*a, **k)[1].v), "type",
     ["attendu un MomentumState, reçu torch.Tensor"]),
    (C.check_momentum_step, lambda t, g, s, *, lr, momentum: _student_momentum(
        t, g, MomentumState(s.v), lr=lr, momentum=momentum), "exception",
     ["premier pas, state = None", "AttributeError"]),
    (C.check_momentum_step, _momentum_inplace, "custom",
     ["modifier son argument state", "state.v a changé"]),
    (C.check_momentum_step, lambda t, g, s, rho, alpha: _student_momentum(
        t, g, s, lr=rho, momentum=alpha), "exception",
     ["momentum_step(theta, grad, state, lr=…, momentum=…)"]),
    (C.check_nesterov_step, _nesterov_at(lambda t, v, a: t), "values",
     ["au point anticipé θ + αv"]),
    (C.check_nesterov_step, _nesterov_at(lambda t, v, a: t + v), "values",
     ["multipliez la vitesse par α"]),
    (C.check_nesterov_step, _nesterov_at(lambda t, v, a: t - a * v), "values", ["signe +"]),
    (C.check_nesterov_step, lambda t, f, s, **k: _student_nesterov(
        t, lambda p: -f(p), s, **k), "values", ["erreur de signe"]),
    (C.check_nesterov_step, lambda t, f, s, **k: (_student_nesterov(t, f, s, **k)[0], s),
     "values", ["sortie new_state.v", "renvoyez le nouvel état"]),
    (C.check_nesterov_step, lambda t, f, s, **k: (_student_nesterov(t, f, s, **k)[0].numpy(),
                                                  _student_nesterov(t, f, s, **k)[1]),
     "type", ["numpy.ndarray"]),
    (C.check_nesterov_step, _nesterov_inplace, "custom",
     ["modifier son argument state", "nouvel état"]),
    (C.check_converging_lr, lambda lam: 2 / lam.max().item(), "custom",
     ["oscille sans converger", "2/λ_max = 0.667", "limite exclue"]),
    (C.check_converging_lr, lambda lam: (2 / lam.max().float()).item(), "custom",
     ["oscille sans converger"]),
    (C.check_converging_lr, lambda lam: 1 / lam.min().item(), "custom",
     ["diverge", "κ = 10", "2/λ_max = 0.4", "|1 − ρλ_max| = 9", "pas λ_min"]),
    (C.check_converging_lr, lambda lam: 1e-6, "custom",
     ["trop lente", "attendu < 1e-3", "augmentez ρ", "2/(λ_min + λ_max) = 0.333"]),
    (C.check_converging_lr, lambda lam: 0.2 / lam.max().item(), "custom",
     ["trop lente", "κ = 10", "κ ≤ 10"]),
    (C.check_converging_lr, lambda lam: 0.0, "custom", ["strictement positif"]),
    (C.check_converging_lr, lambda lam: -2 / (lam.min() + lam.max()).item(), "custom",
     ["strictement positif", "le signe − est déjà"]),
    (C.check_converging_lr, lambda lam: (lam.min() + lam.max()).item(), "custom",
     ["diverge", "inversez"]),
    (C.check_converging_lr, lambda lam: 2 / (lam.min() + lam.max()), "type", [".item()"]),
    (C.check_converging_lr, lambda lam: math.nan, "not_finite", ["ρ = nan"]),
    (C.check_converging_lr, lambda lam: 1 / lam.mul_(2).max().item(), "custom",
     ["modifier son argument"]),
]


@pytest.mark.parametrize(("checker", "fn", "kind", "words"), WRONG,
                         ids=[f"{c.exercise}-{k}-{i}" for i, (c, _, k, _) in enumerate(WRONG)])
def test_typical_mistakes_are_diagnosed(checker, fn, kind, words):
    report = checker.evaluate(fn)
    assert report.kind == kind, report.message
    assert not report.passed
    assert report.message.startswith(f"❌ Exercice {checker.exercise} ({checker.title})")
    for word in words:
        assert word.replace(NBSP, " ") in report.message.replace(NBSP, " "), (word, report.message)


def test_each_checker_has_at_least_three_mistakes():
    for checker in C.CHECKERS:
        assert sum(c is checker for c, *_ in WRONG) >= 3, checker


def test_checkers_use_the_package_functions_as_references():
    from course_utils import optim

    assert C.check_momentum_step.reference is optim.momentum_step
    assert C.check_nesterov_step.reference is optim.nesterov_step
    assert [c.exercise for c in C.CHECKERS] == ["4.1", "4.2", "4.3"]


def test_first_step_with_state_none_is_a_case():
    for checker in (C.check_momentum_step, C.check_nesterov_step):
        assert any(case.args[2] is None for case in checker.cases())
        assert any(case.args[2] is not None for case in checker.cases())


def test_converging_steps_are_accepted_and_the_success_line_is_exact(capsys):
    C.check_converging_lr(lambda lam: 2 / (lam.min() + lam.max()).item())
    assert capsys.readouterr().out == f"✅ Exercice 4.3 (choose_lr){NBSP}: correct sur 4 cas.\n"
    for c in (0.5, 1.0, 1.5, 1.9):  # ρ = c/λ_max, bien à l'intérieur de (0, 2/λ_max)
        assert C.check_converging_lr.evaluate(lambda lam, c=c: c / lam.max().item()).passed
    # trop près de 2/λ_max : pour κ = 1, θ est multiplié par 1 − ρλ = −0.99 à chaque pas
    report = C.check_converging_lr.evaluate(lambda lam: 1.99 / lam.max().item())
    assert report.kind == "custom" and "trop lente" in report.message
    assert "κ = 1," in report.message
