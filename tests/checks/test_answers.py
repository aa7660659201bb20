"""Les vérificateurs de réponses composées : plusieurs sorties (dont des états), une suite de
nombres, un booléen."""

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from course_utils.checks.answers import (
    BoolChecker,
    SequenceChecker,
    TupleChecker,
    as_bool,
    as_float64,
)
from course_utils.checks.framework import Case

NBSP = "\u00a0"


@dataclass
class State:
    v: torch.Tensor
    t: int


def _step(theta, g, state, *, lr):
    """θ ← θ + v, v ← 0,9 v − lr g ; renvoie (θ, State)."""
    v = (theta * 0 if state is None else state.v) * 0.9 - lr * g
    return theta + v, State(v, (0 if state is None else state.t) + 1)


def _cases():
    g = torch.Generator().manual_seed(0)
    theta, grad = torch.randn(4, generator=g), torch.randn(4, generator=g)
    return [Case("premier pas", (theta, grad, None), {"lr": 0.1}),
            Case("deuxième pas", (theta, grad, State(torch.ones(4), 3)), {"lr": 0.5})]


STEP = TupleChecker(exercise="9.1", title="step", reference=_step, cases=_cases,
                    outputs=("new_theta", "new_state"), hints=[
                        (lambda theta, g, state, *, lr: _step(theta, -g, state, lr=lr),
                         "on descend la pente : − lr g.")])


def test_tuple_checker_accepts_the_reference_and_compares_state_fields():
    assert STEP.evaluate(_step).passed
    report = STEP.evaluate(lambda *a, lr: (_step(*a, lr=lr)[0], State(torch.zeros(4), 1)))
    assert report.kind == "values" and "sortie new_state.v" in report.message
    report = STEP.evaluate(lambda th, g, s, *, lr: (_step(th, g, s, lr=lr)[0],
                                                    State(_step(th, g, s, lr=lr)[1].v, 0)))
    assert report.kind == "values" and "new_state.t" in report.message


@pytest.mark.parametrize(("answer", "words"), [
    (lambda *a, lr: _step(*a, lr=lr)[0], ["tuple de 2 sorties", "return new_theta, new_state"]),
    (lambda *a, lr: (_step(*a, lr=lr)[0], _step(*a, lr=lr)[1].v), ["attendu un State",
                                                                    "State(v=v, t=t)"]),
    (lambda *a, lr: (1.5, _step(*a, lr=lr)[1]), ["new_theta", "torch.Tensor"]),
    (lambda *a, lr: (*_step(*a, lr=lr), 0), ["tuple de 2 sorties", "3 éléments"]),
])
def test_tuple_checker_reports_the_structure_it_expected(answer, words):
    report = STEP.evaluate(answer)
    assert report.kind == "type", report.message
    for word in words:
        assert word in report.message.replace(NBSP, " "), (word, report.message)


def test_tuple_checker_hints_on_the_whole_answer_and_on_order():
    report = STEP.evaluate(lambda theta, g, state, *, lr: _step(theta, -g, state, lr=lr))
    assert f"Indice{NBSP}: on descend" in report.message
    pair = TupleChecker(exercise="9.2", title="paire", outputs=("a", "b"),
                        reference=lambda x: (x + 1, x - 1),
                        cases=lambda: [Case("x", (torch.arange(3.0),))])
    report = pair.evaluate(lambda x: (x - 1, x + 1))
    assert "dans le désordre" in report.message
    with pytest.raises(ValueError, match="au moins deux"):
        TupleChecker(exercise="9.3", title="x", outputs=("a",), reference=abs, cases=list)


def test_tuple_checker_compares_tuples_of_tensors():
    cache = TupleChecker(exercise="9.4", title="cache", outputs=("out", "cache"),
                         reference=lambda x: (2 * x, (x, x.sum())),
                         cases=lambda: [Case("x", (torch.arange(4.0),))])
    assert cache.evaluate(lambda x: (2 * x, [x.clone(), x.sum()])).passed
    report = cache.evaluate(lambda x: (2 * x, (x, x.mean())))
    assert report.kind == "values" and "cache[1]" in report.message


SEQUENCE = SequenceChecker(exercise="9.5", title="carrés",
                           reference=lambda n: [float(k * k) for k in range(1, n + 1)],
                           cases=lambda: [Case("n = 3", (3,)), Case("n = 1", (1,))])


@pytest.mark.parametrize("answer", [
    lambda n: [k * k for k in range(1, n + 1)],
    lambda n: tuple(float(k) ** 2 for k in range(1, n + 1)),
    lambda n: torch.arange(1, n + 1) ** 2,
    lambda n: [torch.tensor(float(k * k)) for k in range(1, n + 1)],
])
def test_sequence_checker_accepts_lists_tuples_and_1d_tensors(answer):
    assert SEQUENCE.evaluate(answer).passed


@pytest.mark.parametrize(("answer", "kind", "word"), [
    (lambda n: 1.0, "type", "pas un seul nombre"),
    (lambda n: np.arange(1, n + 1) ** 2, "type", ".tolist()"),
    (lambda n: [1.0, "4"], "type", "élément de type str"),
    (lambda n: [float(k * k) for k in range(n + 1)], "shape", "attendu 3 valeurs"),
    (lambda n: [float(k) for k in range(1, n + 1)], "values", "hors tolérance"),
])
def test_sequence_checker_diagnoses(answer, kind, word):
    report = SEQUENCE.evaluate(answer)
    assert report.kind == kind and word in report.message, report.message
    assert as_float64(torch.ones(2, 2)) is None


BOOL = BoolChecker(exercise="9.6", title="pair", reference=lambda n: n % 2 == 0,
                   cases=lambda: [Case(f"n = {n}", (n,)) for n in (2, 3, 4, 7)],
                   hints=[(lambda n: n % 2 == 1, "vous renvoyez « impair ».")])


def test_bool_checker():
    assert BOOL.evaluate(lambda n: np.bool_(n % 2 == 0)).passed
    assert BOOL.evaluate(lambda n: torch.tensor(n % 2 == 0)).passed
    report = BOOL.evaluate(lambda n: n % 2 == 1)
    assert report.kind == "values" and "impair" in report.message
    report = BOOL.evaluate(lambda n: False)  # coïncide avec l'erreur typique sur un cas sur deux
    assert report.kind == "values" and "Indice" not in report.message
    assert BOOL.evaluate(lambda n: 1).kind == "type"
    assert as_bool(torch.tensor([True, False])) is None and as_bool(np.bool_(True)) is True
