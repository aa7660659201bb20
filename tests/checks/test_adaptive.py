"""Vérificateurs du chapitre 5 (course_utils.checks.adaptive) : réponses justes acceptées sous
plusieurs formes, erreurs typiques diagnostiquées avec le bon type et le bon indice."""

import pytest
import torch

from course_utils import adaptive
from course_utils.adaptive import AdamState, RMSPropState
from course_utils.checks import adaptive as C

NBSP = "\u00a0"


def _student_rmsprop(theta, g, state, *, lr, rho=0.9, eps=1e-6, eps_inside_sqrt=True):
    r = torch.zeros_like(theta) if state is None else state.r
    r = rho * r + (1 - rho) * g * g
    denominator = torch.sqrt(eps + r) if eps_inside_sqrt else torch.sqrt(r) + eps
    return theta - lr / denominator * g, RMSPropState(r)


def _rmsprop_with(accumulate=None, denominator=None):
    """Réponse d'étudiant : r ← accumulate(r, g, ρ), θ ← θ − ε g / denominator(r, δ, option)."""
    def answer(theta, g, state, *, lr, rho=0.9, eps=1e-6, eps_inside_sqrt=True):
        r = torch.zeros_like(theta) if state is None else state.r
        r = accumulate(r, g, rho) if accumulate else rho * r + (1 - rho) * g * g
        if denominator is None:
            return theta - lr * g / ((eps + r).sqrt() if eps_inside_sqrt else r.sqrt() + eps), \
                RMSPropState(r)
        return theta - lr * g / denominator(r, eps, eps_inside_sqrt), RMSPropState(r)

    return answer


def _rmsprop_inplace(theta, g, state, *, lr, rho=0.9, eps=1e-6, eps_inside_sqrt=True):
    if state is None:
        return _student_rmsprop(theta, g, state, lr=lr, rho=rho, eps=eps,
                                eps_inside_sqrt=eps_inside_sqrt)
    state.r.mul_(rho).addcmul_(g, g, value=1 - rho)
    denominator = (eps + state.r).sqrt() if eps_inside_sqrt else state.r.sqrt() + eps
    return theta - lr * g / denominator, RMSPropState(state.r.clone())


def _student_adam(theta, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                  bias_correction=True, eps_inside_sqrt=True):
    rho1, rho2 = betas
    if state is None:
        s, r, t = torch.zeros_like(theta), torch.zeros_like(theta), 0
    else:
        s, r, t = state.s, state.r, state.t
    t = t + 1
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat, r_hat = (s / (1 - rho1**t), r / (1 - rho2**t)) if bias_correction else (s, r)
    denominator = torch.sqrt(r_hat + eps) if eps_inside_sqrt else torch.sqrt(r_hat) + eps
    return theta - lr * s_hat / denominator, AdamState(s, r, t)


def _adam_with(update, *, count=True):
    """Réponse d'étudiant : s, r justes (t compté si ``count``), θ ← θ − update(…)."""
    def answer(theta, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, **options):
        s, r, t = ((torch.zeros_like(theta), torch.zeros_like(theta), 0) if state is None
                   else (state.s, state.r, state.t))
        t = t + 1 if count else t
        s = betas[0] * s + (1 - betas[0]) * g
        r = betas[1] * r + (1 - betas[1]) * g * g
        return theta - update(s, r, t, lr, *betas, eps), AdamState(s, r, t)

    return answer


def _adam_inplace(theta, g, state, **options):
    if state is None:
        return _student_adam(theta, g, state, **options)
    new_theta, new_state = _student_adam(theta, g, state, **options)
    state.s.copy_(new_state.s)  # « mise à jour » de l'état reçu, en place
    return new_theta, AdamState(state.s.clone(), new_state.r, new_state.t)


def _adam_option(**forced):
    return lambda theta, g, state, **options: _student_adam(theta, g, state, **(options | forced))


CORRECT = [
    (C.check_adagrad_effective_lr, lambda state, *, lr, eps=1e-7: lr / (eps + state.r.sqrt())),
    (C.check_adagrad_effective_lr, lambda state, lr, eps=1e-7: lr * (eps + state.r**0.5) ** -1),
    (C.check_rmsprop_step, _student_rmsprop),
    (C.check_rmsprop_step, _rmsprop_with(accumulate=lambda r, g, rho: r.lerp(g * g, 1 - rho))),
    (C.check_rmsprop_step,
     _rmsprop_with(accumulate=lambda r, g, rho: torch.addcmul(rho * r, g, g, value=1 - rho))),
    (C.check_adam_step, _student_adam),
    (C.check_adam_step, lambda *a, **k: list(_student_adam(*a, **k))),
    (C.check_adam_step, adaptive.adam_step),
]


@pytest.mark.parametrize(("checker", "fn"), CORRECT, ids=lambda x: getattr(x, "exercise", ""))
def test_typical_correct_answers_are_accepted(checker, fn):
    report = checker.evaluate(fn)
    assert report.passed, report.message


WRONG = [  # (vérificateur, réponse, kind attendu, mots attendus dans le message)
    (C.check_adagrad_effective_lr, lambda state, *, lr, eps=1e-7: lr / (eps + state.r) ** 0.5,
     "values", ["r contenant des zéros", "RMSProp", "ε/(δ + √r)", "attendu 1e+06, obtenu 316"]),
    (C.check_adagrad_effective_lr, lambda state, *, lr, eps=1e-7: lr / (eps + state.r),
     "values", ["racine carrée"]),
    (C.check_adagrad_effective_lr, lambda state, *, lr, eps=1e-7: lr * state.r.sqrt(),
     "values", ["pas multiplié"]),
    (C.check_adagrad_effective_lr, lambda state, *, lr, eps=1e-7: lr / state.r.sqrt(),
     "not_finite", ["r = 0", "δ évite la division par zéro"]),
    (C.check_adagrad_effective_lr, lambda state, *, lr, eps=1e-7: 1 / (eps + state.r.sqrt()),
     "values", ["multipliez par le pas global"]),
    (C.check_adagrad_effective_lr, lambda state, *, lr, eps=1e-8: lr / (eps + state.r.sqrt()),
     "values", ["δ par défaut", "1e-7, celle du cours"]),
    (C.check_adagrad_effective_lr, lambda r, lr, delta: lr / (delta + r.sqrt()), "exception",
     ["adagrad_effective_lr(state, lr=…, eps=1e-7)"]),
    (C.check_rmsprop_step, _rmsprop_with(accumulate=lambda r, g, rho: rho * r + (1 - rho) * g),
     "not_finite", ["g ⊙ g", "et non g"]),
    (C.check_rmsprop_step, _rmsprop_with(accumulate=lambda r, g, rho: r + g * g), "values",
     ["AdaGrad", "moyenne mobile exponentielle"]),
    (C.check_rmsprop_step,
     _rmsprop_with(accumulate=lambda r, g, rho: (1 - rho) * r + rho * g * g), "values",
     ["inversés"]),
    (C.check_rmsprop_step, _rmsprop_with(accumulate=lambda r, g, rho: rho * r + g * g),
     "values", ["(1 − ρ)"]),
    (C.check_rmsprop_step, _rmsprop_with(denominator=lambda r, eps, inside: r.sqrt() + eps),
     "values", ["sous la racine", "torch.optim.RMSprop"]),
    (C.check_rmsprop_step, _rmsprop_with(denominator=lambda r, eps, inside: (eps + r).sqrt()),
     "values", ["eps_inside_sqrt=False", "δ après la racine"]),
    (C.check_rmsprop_step, _rmsprop_with(denominator=lambda r, eps, inside: eps + r), "values",
     ["racine carrée"]),
    (C.check_rmsprop_step, lambda t, g, s, **k: (_student_rmsprop(t, g, s, **k)[0], s),
     "values", ["sortie new_state.r", "renvoyez le nouvel état"]),
    (C.check_rmsprop_step, _rmsprop_with(denominator=lambda r, eps, inside: -(
        (eps + r).sqrt() if inside else r.sqrt() + eps)), "values", ["signe"]),
    (C.check_rmsprop_step, lambda t, g, s, **k: (_student_rmsprop(t, g, s, **k)[0],
                                                 _student_rmsprop(t, g, s, **k)[1].r), "type",
     ["attendu un RMSPropState", "RMSPropState(r=r)"]),
    (C.check_rmsprop_step,
     lambda t, g, s, *, lr, rho=0.9, eps=1e-8, eps_inside_sqrt=True: _student_rmsprop(
         t, g, s, lr=lr, rho=rho, eps=eps, eps_inside_sqrt=eps_inside_sqrt),
     "values", ["valeurs par défaut (ρ = 0.9, δ = 1e-6)"]),
    (C.check_rmsprop_step, _rmsprop_inplace, "custom",
     ["modifier son argument state", "state.r a changé"]),
    (C.check_adam_step, _adam_option(bias_correction=False), "values",
     ["sortie new_theta", "correction du biais"]),
    (C.check_adam_step, _adam_option(bias_correction=True), "values",
     ["bias_correction=False", "ŝ = s et r̂ = r"]),
    (C.check_adam_step, _adam_option(eps_inside_sqrt=False), "values",
     ["grand δ = 0.1", "sortie new_theta", "sous la racine", "torch.optim.Adam"]),
    (C.check_adam_step, _adam_option(eps_inside_sqrt=True), "values",
     ["eps_inside_sqrt=False", "δ après la racine"]),
    (C.check_adam_step, _adam_with(lambda s, r, t, lr, r1, r2, d:
                                   lr * s / (1 - r1**t) / (r / (1 - r2**t) + d)),
     "values", ["racine carrée"]),
    (C.check_adam_step, lambda t, g, s, *, betas=(0.9, 0.999), **k: _student_adam(
        t, g, s, betas=betas[::-1], **k), "values", ["sortie new_theta", "inversés"]),
    (C.check_adam_step, lambda *a, **k: _student_adam(*a, **k)[0], "type",
     ["tuple de 2 sorties (new_theta, new_state)", "return new_theta, new_state"]),
    (C.check_adam_step, lambda *a, **k: (*_student_adam(*a, **k)[:1], *_student_adam(
        *a, **k)[1].__dict__.values()), "type", ["tuple de 4 éléments"]),
    (C.check_adam_step, _adam_with(lambda s, r, t, lr, r1, r2, d:
                                   lr * s / (1 - r1**t) / (r / (1 - r2**t) + d).sqrt(),
                                   count=False),
     "values", ["incrémentez t", "t ← t + 1"]),
    (C.check_adam_step, lambda th, g, s, **k: (2 * th - _student_adam(th, g, s, **k)[0],
                                               _student_adam(th, g, s, **k)[1]),
     "values", ["signe"]),
    (C.check_adam_step, lambda th, g, s, **k: (_student_adam(th, g, s, **k)[0], s),
     "values", ["sortie new_state.s", "renvoyez le nouvel état"]),
    (C.check_adam_step, _adam_with(lambda s, r, t, lr, r1, r2, d:
                                   lr * s / (1 - r1**t) / (r / (1 - r2**t)).sqrt()),
     "not_finite", ["premier pas", "0/0"]),
    (C.check_adam_step, _adam_inplace, "custom",
     ["modifier son argument state", "state.s a changé"]),
]


@pytest.mark.parametrize(("checker", "fn", "kind", "words"), WRONG,
                         ids=[f"{c.exercise}-{k}-{i}" for i, (c, _, k, _) in enumerate(WRONG)])
def test_typical_mistakes_are_diagnosed(checker, fn, kind, words):
    report = checker.evaluate(fn)
    assert report.kind == kind, report.message
    for word in words:
        assert word.replace(NBSP, " ") in report.message.replace(NBSP, " "), (word, report.message)


def test_each_checker_has_at_least_three_mistakes():
    for checker in C.CHECKERS:
        assert sum(c is checker for c, *_ in WRONG) >= 3, checker


def test_checkers_use_the_package_functions_as_references():
    assert C.check_adagrad_effective_lr.reference is adaptive.adagrad_effective_lr
    assert C.check_rmsprop_step.reference is adaptive.rmsprop_step
    assert C.check_adam_step.reference is adaptive.adam_step
    assert [c.exercise for c in C.CHECKERS] == ["5.1", "5.2", "5.3"]


@pytest.mark.parametrize("checker", [C.check_rmsprop_step, C.check_adam_step],
                         ids=lambda c: c.exercise)
def test_cases_cover_both_values_of_each_option_and_the_first_step(checker):
    cases = checker.cases()
    assert any(case.args[2] is None for case in cases)
    options = ["eps_inside_sqrt"] + (["bias_correction"] if checker is C.check_adam_step else [])
    for option in options:
        assert {case.kwargs.get(option, True) for case in cases} == {True, False}
    assert any(case.kwargs == {} or set(case.kwargs) == {"lr"} for case in cases)  # défauts
