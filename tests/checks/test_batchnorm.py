"""Vérificateurs de la normalisation par lots (6.1 à 6.4) : ils acceptent la référence et les
réponses justes d'un étudiant, et diagnostiquent les erreurs typiques avec le bon indice."""

import copy

import pytest
import torch
import torch.nn.functional as F

from course_utils.batchnorm import batchnorm_forward
from course_utils.checks.batchnorm import (
    CHECKERS,
    check_batchnorm_backward,
    check_batchnorm_eval,
    check_batchnorm_forward,
    check_update_running_stats,
)

NBSP = "\u00a0"

# --- Réponses justes, telles qu'un étudiant les écrirait ------------------------------------


def _student_forward(x, gamma, beta, *, eps=1e-5):
    mu = x.mean(dim=0)
    var = ((x - mu) ** 2).mean(dim=0)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)


def _forward_with(stats, inv_std=lambda var, eps: 1 / torch.sqrt(var + eps)):
    """Réponse d'étudiant : (μ, σ²) = stats(x), puis x̂ = (x − μ)·inv_std(σ², ε)."""
    def answer(x, gamma, beta, *, eps=1e-5):
        mu, var = stats(x)
        inv = inv_std(var, eps)
        x_hat = (x - mu) * inv
        return gamma * x_hat + beta, (x_hat, gamma, inv)

    return answer


def _biased(x):
    return x.mean(dim=0), x.var(dim=0, unbiased=False)


def _fragile(x):
    return x.mean(dim=0), x.pow(2).mean(dim=0) - x.mean(dim=0).pow(2)


def _student_running(running_mean, running_var, x, *, momentum):
    new_mean = (1 - momentum) * running_mean + momentum * x.mean(dim=0)
    return new_mean, (1 - momentum) * running_var + momentum * x.var(dim=0)


def _torch_running(running_mean, running_var, x, *, momentum):
    running_mean, running_var = running_mean.clone(), running_var.clone()
    F.batch_norm(x, running_mean, running_var, training=True, momentum=momentum)  # en place
    return running_mean, running_var


def _student_eval(x, gamma, beta, running_mean, running_var, *, eps=1e-5):
    return gamma * (x - running_mean) / torch.sqrt(running_var + eps) + beta


def _student_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    m = dout.shape[0]
    dbeta, dgamma = dout.sum(dim=0), (dout * x_hat).sum(dim=0)
    dx = gamma * inv_std / m * (m * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def _staged_backward(dout, cache):
    """La dérivation pas à pas (dx̂, dσ², dμ, puis dx), comme au tableau."""
    x_hat, gamma, inv_std = cache
    m = dout.shape[0]
    centered = x_hat / inv_std  # x − μ_B
    dx_hat = dout * gamma
    dvar = -0.5 * inv_std**3 * (dx_hat * centered).sum(dim=0)
    dmu = -(dx_hat * inv_std).sum(dim=0)
    dx = dx_hat * inv_std + dvar * 2 * centered / m + dmu / m
    return dx, (dout * x_hat).sum(dim=0), dout.sum(dim=0)


CORRECT = [
    (check_batchnorm_forward, _student_forward),
    (check_batchnorm_forward, _forward_with(_biased)),
    (check_batchnorm_forward, _forward_with(lambda x: torch.var_mean(x, 0, unbiased=False)[::-1])),
    (check_batchnorm_forward, _forward_with(_biased, lambda var, eps: torch.rsqrt(var + eps))),
    (check_batchnorm_forward, lambda *a, **k: list(_student_forward(*a, **k))),
    (check_update_running_stats, _student_running),
    (check_update_running_stats, lambda m, v, x, *, momentum: [
        m.lerp(x.mean(0), momentum), v.lerp(x.var(0), momentum)]),
    (check_update_running_stats, _torch_running),
    (check_batchnorm_eval, _student_eval),
    (check_batchnorm_eval, lambda x, g, b, m, v, *, eps=1e-5: F.batch_norm(
        x, m, v, g, b, training=False, eps=eps)),
    (check_batchnorm_backward, _student_backward),
    (check_batchnorm_backward, _staged_backward),
]


@pytest.mark.parametrize(("checker", "fn"), CORRECT, ids=lambda x: getattr(x, "exercise", ""))
def test_typical_correct_answers_are_accepted(checker, fn):
    report = checker.evaluate(fn)
    assert report.passed, report.message


def test_reference_is_accepted_with_the_exact_message(capsys):
    check_batchnorm_forward(batchnorm_forward)
    assert capsys.readouterr().out == (f"✅ Exercice 6.1 (batchnorm_forward){NBSP}: "
                                       "correct sur 6 cas.\n")
    assert [c.exercise for c in CHECKERS] == ["6.1", "6.2", "6.3", "6.4"]


# --- Erreurs typiques ------------------------------------------------------------------------


def _with_cache(forward, cache):
    """Réponse dont la sortie est celle de ``forward`` et le cache ``cache(x, x̂, γ, 1/σ)``."""
    def answer(x, gamma, beta, *, eps=1e-5):
        out, (x_hat, g, inv) = forward(x, gamma, beta, eps=eps)
        return out, cache(x, x_hat, g, inv)

    return answer


def _backward_changed(dx=None, dgamma=None, dbeta=None):
    """La bonne passe arrière, dont une sortie est remplacée par ``f(dout, cache, juste)``."""
    def answer(dout, cache):
        right = _student_backward(dout, cache)
        changes = (dx, dgamma, dbeta)
        return tuple(right[i] if f is None else f(dout, cache, right[i]) for i, f in
                     enumerate(changes))

    return answer


WRONG = [
    (check_batchnorm_forward, _forward_with(lambda x: (
        x.mean(1, keepdim=True), x.var(1, unbiased=False, keepdim=True))),
     "values", ["x aléatoire (8, 5)", "sortie out", "dim=0", "caractéristique (colonne)"]),
    (check_batchnorm_forward, _forward_with(lambda x: (x.mean(), x.var(unbiased=False))),
     "values", ["x.mean(dim=0), et non x.mean()"]),
    (check_batchnorm_forward, _forward_with(lambda x: (x.mean(0), x.var(0))), "values",
     ["variance du mini-lot est biaisée", "unbiased=False", "m − 1"]),
    (check_batchnorm_forward, _forward_with(_fragile), "values",
     ["grand décalage", "x ≈ 1000", "E[x²] − E[x]²", "deux passes", "(1/m) Σ (x_i − μ_B)²"]),
    (check_batchnorm_forward, _forward_with(_biased, lambda var, eps: 1 / (var.sqrt() + eps)),
     "values", ["caractéristique constante", "sortie cache[2]", "sous la racine"]),
    (check_batchnorm_forward, _forward_with(_biased, lambda var, eps: 1 / var.sqrt()),
     "not_finite", ["caractéristique constante", "ajoutez ε sous la racine", "√(σ²_B + ε)"]),
    (check_batchnorm_forward, _forward_with(_biased, lambda var, eps: 1 / (var + eps)),
     "values", ["écart-type", "et non par la variance"]),
    (check_batchnorm_forward, lambda x, g, b, *, eps=1e-5: (
        _student_forward(x, g, b, eps=eps)[1][0], _student_forward(x, g, b, eps=eps)[1]),
     "values", ["sortie out", "γ x̂ + β"]),
    (check_batchnorm_forward, lambda x, g, b, *, eps=1e-5: _student_forward(x, b, g, eps=eps),
     "values", ["inversés"]),
    (check_batchnorm_forward, lambda x, g, b, *, eps=1e-5: (
        b * _student_forward(x, g, b, eps=eps)[1][0] + g, _student_forward(x, g, b, eps=eps)[1]),
     "values", ["inversés"]),
    (check_batchnorm_forward, _with_cache(_student_forward, lambda x, xh, g, inv: (xh, g, 1 / inv)),
     "values", ["sortie cache[2]", "inverse de l'écart-type"]),
    (check_batchnorm_forward, _with_cache(_student_forward, lambda x, xh, g, inv: (x, g, inv)),
     "values", ["sortie cache[0]", "le cache garde x̂"]),
    (check_batchnorm_forward, _with_cache(_student_forward, lambda x, xh, g, inv: (xh, inv, g)),
     "values", ["sortie cache[1]", "dans l'ordre attendu"]),
    (check_batchnorm_forward, lambda *a, **k: _student_forward(*a, **k)[0], "type",
     ["tuple de 2 sorties", "return out, cache"]),
    (check_batchnorm_forward, lambda *a, **k: (_student_forward(*a, **k)[0], None), "type",
     ["cache", "tuple de 3 éléments"]),
    (check_batchnorm_forward, lambda x, g, b: _student_forward(x, g, b), "exception",
     ["TypeError", "Indice", "batchnorm_forward(x, gamma, beta, *, eps=1e-5)"]),
    (check_batchnorm_forward, lambda x, g, b, *, eps=1e-5: _student_forward(
        x.sub_(x.mean(0)), g, b, eps=eps), "custom", ["modifier son argument"]),
    (check_update_running_stats, lambda m, v, x, *, momentum: _student_running(
        m, v, x, momentum=1 - momentum), "values",
     ["sortie new_mean", "convention de PyTorch", "NOUVEAU lot", "optimiseur"]),
    (check_update_running_stats, lambda m, v, x, *, momentum: (
        (1 - momentum) * m + momentum * x.mean(0),
        (1 - momentum) * v + momentum * x.var(0, unbiased=False)), "values",
     ["sortie new_var", "non biaisée", "N/(N − 1)"]),
    (check_update_running_stats, lambda m, v, x, *, momentum: (
        _student_running(m, v, x, momentum=momentum)[0], v), "values",
     ["sortie new_var", "mettez aussi à jour la variance"]),
    (check_update_running_stats, lambda m, v, x, *, momentum: (
        m + momentum * x.mean(0), v + momentum * x.var(0)), "values", ["(1 − m)"]),
    (check_update_running_stats, lambda *a, **k: _student_running(*a, **k)[0], "type",
     ["tuple de 2 sorties", "return new_mean, new_var"]),
    (check_update_running_stats, lambda *a, **k: _student_running(*a, **k)[::-1], "values",
     ["désordre"]),
    (check_update_running_stats, lambda m, v, x, *, momentum: (
        *_student_running(m, v, x, momentum=momentum), momentum), "type",
     ["tuple de 3 éléments"]),
    (check_update_running_stats, lambda m, v, x, *, momentum: (
        m.mul_(1 - momentum).add_(momentum * x.mean(0)),
        v.mul_(1 - momentum).add_(momentum * x.var(0))), "custom", ["modifier son argument"]),
    (check_batchnorm_eval, lambda x, g, b, m, v, *, eps=1e-5: _student_forward(
        x, g, b, eps=eps)[0], "values", ["statistiques courantes", "N = 1", "running_mean"]),
    (check_batchnorm_eval, lambda x, g, b, m, v, *, eps=1e-5: _student_eval(x, g, b, m, v, eps=0.0),
     "values", ["petites variances courantes", "ajoutez ε sous la racine"]),
    (check_batchnorm_eval, lambda x, g, b, m, v, *, eps=1e-5: g * (x - m) / (v + eps) + b,
     "values", ["écart-type", "et non par la variance"]),
    (check_batchnorm_eval, lambda x, g, b, m, v, *, eps=1e-5: g * (x - m) / (v.sqrt() + eps) + b,
     "values", ["sous la racine"]),
    (check_batchnorm_eval, lambda x, g, b, m, v, *, eps=1e-5: (x - m) / (v + eps).sqrt(),
     "values", ["γ x̂ + β"]),
    (check_batchnorm_backward, _backward_changed(
        dx=lambda dout, cache, right: cache[1] * cache[2] * dout), "values",
     ["sortie dx", "μ et σ dépendent de x", "N dout − Σ dout − x̂ Σ dout ⊙ x̂"]),
    (check_batchnorm_backward, _backward_changed(
        dx=lambda dout, cache, right: cache[1] * cache[2] * (dout - dout.mean(0))), "values",
     ["sortie dx", "σ dépend aussi de x"]),
    (check_batchnorm_backward, lambda *a: _student_backward(*a)[::2] + (
        _student_backward(*a)[1],), "values", ["sortie dgamma", "désordre"]),
    (check_batchnorm_backward, _backward_changed(dbeta=lambda dout, cache, right: dout.sum(1)),
     "shape", ["sortie dbeta", "forme attendue (5,), reçue (8,)", "dim=0"]),
    (check_batchnorm_backward, lambda *a: _student_backward(*a)[0], "type",
     ["tuple de 3 sorties", "return dx, dgamma, dbeta"]),
    (check_batchnorm_backward, _backward_changed(
        dgamma=lambda dout, cache, right: (dout * cache[1] * cache[0]).sum(0)), "values",
     ["sortie dgamma", "et non dx̂ = γ dout"]),
    (check_batchnorm_backward, _backward_changed(dx=lambda dout, cache, right: right / cache[1]),
     "values", ["multipliez dx par γ"]),
    (check_batchnorm_backward, _backward_changed(
        dx=lambda dout, cache, right: right / cache[2] ** 2), "values",
     ["inv_std = 1/√(σ²_B + ε)", "ne divisez pas"]),
    (check_batchnorm_backward, lambda dout, cache: _student_backward(dout.mul_(1), cache),
     "ok", []),  # une opération en place qui ne change rien n'est pas une modification
]


@pytest.mark.parametrize(("checker", "fn", "kind", "words"), WRONG,
                         ids=[f"{c.exercise}-{k}-{i}" for i, (c, _, k, _) in enumerate(WRONG)])
def test_typical_mistakes_are_diagnosed(checker, fn, kind, words):
    report = checker.evaluate(fn)
    assert report.kind == kind, report.message
    if kind != "ok":
        assert report.message.startswith(f"❌ Exercice {checker.exercise} ({checker.title})")
    for word in words:
        assert word in report.message, (word, report.message)


def test_each_checker_has_at_least_three_diagnosed_mistakes():
    for checker in CHECKERS:
        assert sum(c is checker and k != "ok" for c, _, k, _ in WRONG) >= 3, checker


def test_the_fragile_variance_passes_every_case_but_the_large_offset():
    checker = copy.copy(check_batchnorm_forward)
    checker.cases = lambda: [c for c in check_batchnorm_forward.cases()
                             if "décalage" not in c.label]
    assert checker.evaluate(_forward_with(_fragile)).passed  # le défaut que le cas corrige
    report = check_batchnorm_forward.evaluate(_forward_with(_fragile))
    assert "grand décalage" in report.message and "Indice" in report.message


@pytest.mark.parametrize(("var", "kind"), [
    (lambda x: x.var(dim=0, unbiased=False), "values"),  # x̂ = 0 : la sortie vaut β
    (lambda x: ((x - x.mean(0)) ** 2).sum(0) / (len(x) - 1), "not_finite"),  # 0/0
])
def test_batch_statistics_on_a_single_example_are_diagnosed(var, kind):
    checker = copy.copy(check_batchnorm_eval)  # le seul cas N = 1
    checker.cases = lambda: [c for c in check_batchnorm_eval.cases() if len(c.args[0]) == 1]
    answer = _forward_with(lambda x: (x.mean(dim=0), var(x)))
    report = checker.evaluate(lambda x, g, b, m, v, *, eps=1e-5: answer(x, g, b, eps=eps)[0])
    assert report.kind == kind, report.message
    for word in ("un seul exemple (1, 4)", "statistiques courantes", "x̂ = 0 ou nan"):
        assert word in report.message, (word, report.message)
