"""Vérificateurs 1.2 à 1.5 (one_hot, softmax, cross_entropy, cross_entropy_grad) : acceptent
les bonnes réponses, diagnostiquent les erreurs typiques ; messages exacts et robustesse du
cadre sur l'exemple de softmax."""

import pytest
import torch
import torch.nn.functional as F

from course_utils.checks.losses import (
    CHECKERS,
    check_cross_entropy,
    check_cross_entropy_grad,
    check_one_hot,
    check_softmax,
)
from course_utils.losses import cross_entropy, cross_entropy_grad, one_hot, softmax

NBSP = "\u00a0"


def _one_hot(y, num_classes, *, dtype=torch.float32):
    out = torch.zeros(len(y), num_classes, dtype=dtype)
    out[torch.arange(len(y)), y] = 1
    return out


def _softmax(o, dim=-1):
    e = torch.exp(o - o.amax(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)


def _naive_softmax(o, dim=-1):
    e = torch.exp(o)
    return e / e.sum(dim=dim, keepdim=True)


def _global_max_softmax(o, dim=-1):
    e = torch.exp(o - o.max())
    return e / e.sum(dim=dim, keepdim=True)


def _naive_ce(o, y):
    return -torch.log(_naive_softmax(o))[torch.arange(len(y)), y].mean()


def _per_sample_ce(o, y):
    return -torch.log_softmax(o, dim=1)[torch.arange(len(y)), y]


CORRECT = [
    (check_one_hot, one_hot),
    (check_one_hot, _one_hot),
    (check_one_hot, lambda y, c, dtype=torch.float32: F.one_hot(y, c).to(dtype)),
    (check_softmax, softmax),
    (check_softmax, _softmax),
    (check_softmax, lambda o, dim=-1: torch.softmax(o, dim=dim)),
    (check_softmax, lambda o, dim=-1: torch.softmax(o.requires_grad_(True), dim=dim)),
    (check_cross_entropy, cross_entropy),
    (check_cross_entropy, F.cross_entropy),
    (check_cross_entropy_grad, cross_entropy_grad),
    (check_cross_entropy_grad, lambda o, y: (softmax(o) - one_hot(y, o.shape[1])) / len(o)),
]

WRONG = [
    (check_one_hot, lambda y, c, dtype=torch.float32: F.one_hot(y, c), "dtype", [".float()"]),
    (check_one_hot, lambda y, c, dtype=torch.float32: one_hot(y, c, dtype=dtype).T, "shape",
     ["(N, C)"]),
    (check_one_hot, lambda y, c, dtype=torch.float32: one_hot(y, int(y.max()) + 1), "shape",
     ["num_classes"]),
    (check_one_hot, lambda y, c, dtype=torch.float32: one_hot((y + 1) % c, c), "values",
     ["attendu"]),
    (check_one_hot, lambda y, c, dtype=torch.float32: one_hot(y, c), "dtype",
     ["dtype=torch.float64", "float64"]),
    (check_one_hot, lambda y, c: one_hot(y, c), "exception",
     ["one_hot(y, num_classes, dtype=torch.float32)"]),
    (check_softmax, _naive_softmax, "not_finite",
     ["±1000", "débordement", "soustraire le maximum"]),
    (check_softmax, _global_max_softmax, "not_finite", ["chaque ligne"]),
    (check_softmax, lambda o, dim=-1: torch.softmax(o, dim=0), "values", ["dim", "[", "attendu"]),
    (check_softmax, lambda o, dim=-1: o, "values", ["logits"]),
    (check_softmax, lambda o, dim=-1: torch.exp(o - o.amax(dim, keepdim=True)), "values",
     ["somme"]),
    (check_softmax, lambda o, dim=-1: torch.softmax(o, dim=1), "values",
     ["dim=0", "utilisez l'argument dim"]),
    (check_softmax, lambda o: torch.softmax(o, dim=1), "exception", ["softmax(o, dim=-1)"]),
    (check_cross_entropy, lambda o, y: _per_sample_ce(o, y).sum(), "values", ["moyenne"]),
    (check_cross_entropy, _naive_ce, "not_finite", ["log-sum-exp"]),
    (check_cross_entropy, lambda o, y: -_per_sample_ce(o, y).mean(), "values", ["signe"]),
    (check_cross_entropy, _per_sample_ce, "shape", ["scalaire"]),
    (check_cross_entropy, lambda o, y: cross_entropy(o, y).item(), "type", ["torch.Tensor"]),
    (check_cross_entropy, lambda o, y: -torch.log(o.gather(1, y[:, None])).mean(), "not_finite",
     ["pas sur les logits"]),
    (check_cross_entropy, lambda o, y: -o.gather(1, y[:, None]).mean(), "values",
     ["log-sum-exp"]),
    (check_cross_entropy_grad, lambda o, y: softmax(o) - one_hot(y, o.shape[1]), "values",
     ["divisez par N"]),
    (check_cross_entropy_grad, lambda o, y: -cross_entropy_grad(o, y), "values", ["signe"]),
    (check_cross_entropy_grad,
     lambda o, y: (_naive_softmax(o) - one_hot(y, o.shape[1])) / len(o), "not_finite",
     ["débordement"]),
    (check_cross_entropy_grad, lambda o, y: softmax(o) / len(o), "values", ["y*"]),
]


def test_the_module_lists_its_checkers_with_the_package_references():
    assert CHECKERS == (check_one_hot, check_softmax, check_cross_entropy,
                        check_cross_entropy_grad)
    assert [c.reference for c in CHECKERS] == [one_hot, softmax, cross_entropy,
                                               cross_entropy_grad]


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


def test_success_and_not_implemented_messages_are_exact(capsys):
    check_softmax(softmax)
    assert capsys.readouterr().out == f"✅ Exercice 1.3 (softmax){NBSP}: correct sur 6 cas.\n"

    def softmax_todo(o, dim=-1):
        raise NotImplementedError

    report = check_softmax.evaluate(softmax_todo)
    assert report.kind == "not_implemented" and not report.passed
    assert report.message == (f"⏳ Exercice 1.3 (softmax){NBSP}: pas encore fait — complétez la "
                              "cellule de l'exercice puis réexécutez-la.")


def test_values_message_gives_case_index_and_values():
    msg = check_softmax.evaluate(lambda o, dim=-1: torch.softmax(o, dim=0)).message
    assert "« logits aléatoires (4, 10) »" in msg
    assert "écart absolu maximal" in msg and "à l'indice [" in msg and "obtenu" in msg


def test_student_mutation_is_reported_and_does_not_affect_the_reference():
    seen = []

    def softmax_inplace(o, dim=-1):
        o -= o.amax(dim=dim, keepdim=True)
        seen.append(o)
        return torch.softmax(o, dim=dim)

    report = check_softmax.evaluate(softmax_inplace)
    assert report.kind == "custom" and seen


def test_exception_message_names_case_and_type_without_address():
    def fails(o, dim=-1):
        raise ValueError(repr(object()))

    report = check_softmax.evaluate(fails)
    assert report.kind == "exception"
    assert "ValueError" in report.message and "logits aléatoires (4, 10)" in report.message
    assert "0x…" in report.message and "0x7" not in report.message


def test_wrong_signature_mentions_expected_call():
    report = check_cross_entropy.evaluate(lambda o: o)
    assert report.kind == "exception" and "cross_entropy(o, y)" in report.message


def test_keyboard_interrupt_is_not_swallowed():
    def interrupted(o, dim=-1):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_softmax.evaluate(interrupted)


def test_global_rng_is_untouched():
    state = torch.get_rng_state()
    check_softmax.evaluate(lambda o, dim=-1: torch.rand_like(o))
    assert torch.equal(torch.get_rng_state(), state)
