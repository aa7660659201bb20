"""Vérificateurs 3.1 (fan_in_bound), 3.2 (predicted_variances) et 3.3 (xavier_uniform_) :
acceptent les bonnes réponses, diagnostiquent les erreurs typiques (pour 3.3 : la loi des
poids tirés, le remplissage en place, le gain et le générateur)."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.checks.init import (
    CHECKERS,
    check_fan_in_bound,
    check_predicted_variances,
    check_xavier_uniform,
)
from course_utils.init import xavier_uniform_
from course_utils.lab.init import predicted_variances


def _layer_variances(var_x, var_w, n, depth):
    return [(n * var_w) ** k * var_x for k in range(1, depth + 1)]


def _xavier(bound=lambda n, m: math.sqrt(6 / (n + m)), *, use_generator=True, centred=True,
            no_grad=True, use_gain=True):
    """Une réponse à l'exercice 3.3, juste avec les valeurs par défaut ; chaque option
    reproduit une erreur typique."""
    def xavier_uniform_(weight, *, gain=1.0, generator=None):
        m, n = weight.shape
        a = (gain if use_gain else 1.0) * bound(n, m)
        g = generator if use_generator else None
        u = torch.rand(weight.shape, generator=g)
        values = (2 * u - 1) * a if centred else u * a
        if not no_grad:
            return weight.copy_(values)
        with torch.no_grad():
            return weight.copy_(values)

    return xavier_uniform_


def _xavier_method(weight, *, gain=1.0, generator=None):
    a = gain * math.sqrt(6 / sum(weight.shape))
    with torch.no_grad():
        return weight.uniform_(-a, a, generator=generator)


def _new_tensor(weight, *, gain=1.0, generator=None):
    a = gain * math.sqrt(6 / sum(weight.shape))
    return torch.empty(weight.shape).uniform_(-a, a, generator=generator)


def _filled_but_returns_another(weight, *, gain=1.0, generator=None):
    _xavier_method(weight, gain=gain, generator=generator)
    return _new_tensor(weight, gain=gain, generator=generator)


def _seeded_inside(weight, *, gain=1.0, generator=None):
    return _xavier()(weight, gain=gain, generator=torch.Generator().manual_seed(0))


def _normal(weight, *, gain=1.0, generator=None):
    a = gain * math.sqrt(6 / sum(weight.shape))
    with torch.no_grad():
        return weight.copy_(torch.randn(weight.shape, generator=generator) * a / 3)


def _transposed(weight, *, gain=1.0, generator=None):
    return _new_tensor(weight, gain=gain, generator=generator).T.contiguous()


CORRECT = [
    (check_fan_in_bound, lambda n: 1 / math.sqrt(n)),
    (check_fan_in_bound, lambda n: n**-0.5),
    (check_fan_in_bound, lambda n: 1 / np.sqrt(n)),
    (check_fan_in_bound, lambda n: (1 / torch.tensor(float(n)).sqrt()).item()),
    (check_predicted_variances, predicted_variances),
    (check_predicted_variances, _layer_variances),
    (check_predicted_variances, lambda *a: tuple(_layer_variances(*a))),
    (check_predicted_variances, lambda *a: torch.tensor(_layer_variances(*a))),
    (check_predicted_variances,
     lambda vx, vw, n, d: vx * (n * vw) ** torch.arange(1, d + 1, dtype=torch.float64)),
    (check_predicted_variances,
     lambda vx, vw, n, d: [vx * torch.tensor(n * vw) ** k for k in range(1, d + 1)]),
    (check_xavier_uniform, xavier_uniform_),
    (check_xavier_uniform, _xavier()),
    (check_xavier_uniform, _xavier_method),
    (check_xavier_uniform, nn.init.xavier_uniform_),
    (check_xavier_uniform, lambda w, *, gain=1.0, generator=None: _xavier_method(
        w, gain=gain, generator=generator).clone()),
]

WRONG = [
    (check_fan_in_bound, lambda n: 1 / n, "values", ["1/√n", "pas 1/n"]),
    (check_fan_in_bound, math.sqrt, "values", ["inversez"]),
    (check_fan_in_bound, lambda n: 1 / math.sqrt(3 * n), "values", ["écart-type", "borne"]),
    (check_fan_in_bound, lambda n: math.sqrt(6 / n), "values", ["He"]),
    (check_fan_in_bound, lambda n: 1 / torch.tensor(float(n)).sqrt(), "type", [".item()"]),
    (check_fan_in_bound, lambda n: [1 / math.sqrt(n)], "type", ["float", "list"]),
    (check_predicted_variances, lambda vx, vw, n, d: [(n * vw) ** k * vx for k in range(d)],
     "values", ["k = 1", "attendu 162, obtenu 54"]),
    (check_predicted_variances, lambda vx, vw, n, d: _layer_variances(vx, vw, 1, d), "values",
     ["facteur n"]),
    (check_predicted_variances, lambda vx, vw, n, d: _layer_variances(1.0, vw, n, d), "values",
     ["var_x"]),
    (check_predicted_variances, lambda vx, vw, n, d: [vx] + _layer_variances(vx, vw, n, d),
     "shape", ["longueur", "attendu 4 valeurs", "variance de l'entrée"]),
    (check_predicted_variances, lambda *a: _layer_variances(*a)[-1], "type",
     ["pas un seul nombre"]),
    (check_predicted_variances, lambda *a: np.array(_layer_variances(*a)), "type",
     ["numpy.ndarray", ".tolist()"]),
    (check_predicted_variances, lambda vx, vw, n, d: [k * n * vw * vx for k in range(1, d + 1)],
     "values", ["puissance k"]),
    (check_xavier_uniform, _transposed, "shape", ["(120, 784)", "(m, n)", "nn.Linear"]),
    (check_xavier_uniform, lambda w, *, gain=1.0, generator=None: _xavier_method(w.double()),
     "dtype", ["float32"]),
    (check_xavier_uniform, lambda w, *, gain=1.0, generator=None: None, "type", ["return"]),
    (check_xavier_uniform, _new_tensor, "custom", ["en place", "weight.uniform_"]),
    (check_xavier_uniform, _filled_but_returns_another, "custom", ["renvoyez weight lui-même"]),
    (check_xavier_uniform, _xavier(lambda n, m: math.sqrt(6 / n)), "custom",
     ["max |w|", "écart-type", "√(6/n)", "He"]),
    (check_xavier_uniform, _xavier(lambda n, m: math.sqrt(3 / (n + m))), "custom",
     ["6 et non 3"]),
    (check_xavier_uniform, _xavier(lambda n, m: 1 / math.sqrt(n)), "custom",
     ["première solution"]),
    (check_xavier_uniform, _xavier(lambda n, m: math.sqrt(2 / (n + m))), "custom",
     ["écart-type visé"]),
    (check_xavier_uniform, _xavier(lambda n, m: 1.0), "custom", ["U(−1, 1)"]),
    (check_xavier_uniform, _xavier(use_gain=False), "custom", ["gain = 0.5", "multipliez"]),
    (check_xavier_uniform, _normal, "custom", ["loi normale", "uniform_"]),
    (check_xavier_uniform, _xavier(centred=False), "custom", ["centrés"]),
    (check_xavier_uniform, _xavier(use_generator=False), "custom",
     ["générateur global", "generator=generator"]),
    (check_xavier_uniform, _seeded_inside, "custom", ["dépendre de generator"]),
    (check_xavier_uniform, _xavier(no_grad=False), "custom",
     ["nn.Linear(50, 20)", "RuntimeError", "torch.no_grad()"]),
]


def test_the_module_lists_its_checkers_with_the_package_references():
    assert CHECKERS == (check_fan_in_bound, check_predicted_variances, check_xavier_uniform)
    assert check_predicted_variances.reference is predicted_variances
    assert check_xavier_uniform.reference is xavier_uniform_ and check_xavier_uniform.inplace


@pytest.mark.parametrize(("checker", "fn"), CORRECT, ids=lambda x: getattr(x, "exercise", ""))
def test_correct_answers_are_accepted(checker, fn):
    report = checker.evaluate(fn)
    assert report.passed, report.message


@pytest.mark.parametrize(("checker", "fn", "kind", "words"), WRONG,
                         ids=[f"{c.exercise}-{k}-{i}" for i, (c, _, k, _) in enumerate(WRONG)])
def test_typical_mistakes_are_diagnosed(checker, fn, kind, words):
    report = checker.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith(f"❌ Exercice {checker.exercise} ({checker.title})")
    assert all(word in report.message for word in words), report.message


def test_each_checker_has_at_least_three_mistakes():
    for checker in CHECKERS:
        assert sum(c is checker for c, *_ in WRONG) >= 3, checker
