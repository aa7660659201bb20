"""Le cadre commun des vérificateurs : Report, Case, Checker et ses diagnostics par couches."""

import dataclasses

import pytest
import torch

from course_utils.checks import sandbox
from course_utils.checks.framework import Case, Checker, Report
from course_utils.checks.messages import scrub
from course_utils.checks.metrics import check_accuracy

NBSP = "\u00a0"


def _raise(exc):
    def fn(*args, **kwargs):
        raise exc

    return fn


def _double_checker(**kwargs):
    return Checker(exercise="9.9", title="double", reference=lambda x: 2 * x,
                   cases=lambda: [Case("x = [1, 2]", (torch.tensor([1.0, 2.0]),)),
                                  Case("x = [−3]", (torch.tensor([-3.0]),))],
                   signature="double(x)", **kwargs)


def test_report_is_frozen_and_validates_kind():
    report = Report("9.9", "essai", "ok", "✅")
    assert report.passed
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.kind = "values"
    with pytest.raises(ValueError, match="kind"):
        Report("9.9", "essai", "faux", "")


def test_success_and_not_implemented_messages_are_exact(capsys):
    checker = _double_checker()
    checker(lambda x: 2 * x)
    assert capsys.readouterr().out == f"✅ Exercice 9.9 (double){NBSP}: correct sur 2 cas.\n"
    report = checker.evaluate(_raise(NotImplementedError("Exercice 9.9 : à compléter")))
    assert report.kind == "not_implemented" and report.message.startswith("⏳ Exercice 9.9")


@pytest.mark.parametrize(("answer", "kind", "words"), [
    (None, "type", ["on attend une fonction", "définissez la fonction"]),
    (torch.zeros(2), "type", ["check(f) et non check(f(x))"]),
    (lambda x: (2 * x).tolist(), "type", ["torch.Tensor"]),
    (lambda x: 2 * x[:1], "shape", ["forme attendue (2,), reçue (1,)"]),
    (lambda x: (2 * x).double(), "dtype", ["float64", "float32"]),
    (lambda x: x / 0 * 0, "not_finite", ["non finie"]),
    (lambda x: 3 * x, "values",
     ["« x = [1, 2] »", "écart absolu maximal", "à l'indice [1]", "attendu 4, obtenu 6"]),
    (lambda x: None, "type", ["oublié « return »"]),
    (lambda: 0, "exception", ["TypeError", "double(x)"]),
])
def test_diagnoses_come_in_layers(answer, kind, words):
    report = _double_checker().evaluate(answer)
    assert report.kind == kind, report.message
    for word in words:
        assert word.replace(" :", NBSP + ":").replace("« ", "«" + NBSP).replace(
            " »", NBSP + "»") in report.message, (word, report.message)


def test_typical_mistake_gets_its_hint():
    checker = _double_checker(hints=[(lambda x: x + x + 1, "ajoutez x à lui-même, sans 1.")])
    report = checker.evaluate(lambda x: 2 * x + 1)
    assert report.kind == "values" and f"Indice{NBSP}: ajoutez x" in report.message


def test_mutation_is_reported_unless_the_function_works_in_place():
    def doubled_in_place(x):
        return x.mul_(2)

    report = _double_checker().evaluate(doubled_in_place)
    assert report.kind == "custom" and "modifier son argument" in report.message
    assert _double_checker(inplace=True).evaluate(doubled_in_place).passed


def test_extra_hook_custom_and_not_implemented():
    assert _double_checker(extra=lambda fn: "ne doit pas …").evaluate(lambda x: 2 * x).kind == (
        "custom")
    assert _double_checker(extra=lambda fn: None).evaluate(lambda x: 2 * x).passed
    report = _double_checker(extra=_raise(NotImplementedError())).evaluate(lambda x: 2 * x)
    assert report.kind == "not_implemented"


def test_exception_message_names_case_and_type_without_address():
    report = _double_checker().evaluate(_raise(ValueError(repr(object()))))
    assert report.kind == "exception" and "ValueError" in report.message
    assert "0x…" in report.message and "0x7" not in report.message
    assert scrub("a" * 400).endswith("…") and len(scrub("a" * 400)) == 301


def test_keyboard_interrupt_is_not_swallowed():
    with pytest.raises(KeyboardInterrupt):
        _double_checker().evaluate(_raise(KeyboardInterrupt()))


def test_global_rng_is_untouched():
    state = torch.get_rng_state()
    _double_checker().evaluate(lambda x: torch.rand_like(x))
    assert torch.equal(torch.get_rng_state(), state)


def test_checker_validates_its_arguments():
    with pytest.raises(ValueError, match="atol"):
        _double_checker(atol=-1.0)
    with pytest.raises(TypeError):
        Checker(exercise="9.9", title="x", reference=None, cases=list)
    assert "9.9" in repr(_double_checker())


# --- Réponses hostiles : boucle sans fin, affichages, réglages globaux, Ctrl-C ---------------


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 0.2)


def test_an_infinite_loop_gets_a_french_timeout(short_limit):
    def forever(x):
        while True:
            pass

    report = _double_checker().evaluate(forever)
    assert report.kind == "timeout" and not report.passed
    assert report.message.startswith("⏱ Exercice 9.9 (double)")
    assert f"n'a pas terminé en 0.2 s{NBSP}: une boucle infinie" in report.message
    assert f"\n   cas «{NBSP}x = [1, 2]{NBSP}»\n" in report.message
    assert "boucle infinie" in report.message


def test_printed_lines_are_summarised_after_the_verdict(capsys):
    def chatty(x):
        for k in range(10_000):
            print("valeur", k)
        return 2 * x

    report = _double_checker().evaluate(chatty)
    assert report.passed and capsys.readouterr().out == ""
    first, second = report.message.split("\n")
    assert first.startswith("✅") and "20000 lignes" in second and "« valeur 0 »" in second.replace(
        NBSP, " ")


def test_global_torch_settings_are_restored():
    def meddling(x):
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        return 2 * x

    _double_checker().evaluate(meddling)
    assert torch.get_default_dtype() == torch.float32 and torch.is_grad_enabled()


def test_ctrl_c_prints_one_french_line(capsys):
    _double_checker()(_raise(KeyboardInterrupt()))
    assert capsys.readouterr().out == f"⏹ Exercice 9.9 (double){NBSP}: vérification interrompue.\n"


def test_a_hint_needs_the_mistake_on_every_case():
    """Une coïncidence sur un seul cas ne donne pas d'indice (issue 12 : 0.3 parlait d'argmax
    à une réponse qui n'en utilisait pas)."""
    def sometimes(x):  # coïncide avec x + 1 sur le premier cas seulement
        return x + 1 if len(x) == 2 else -x

    checker = _double_checker(hints=[(sometimes, "ajoutez x à lui-même, sans 1.")])
    report = checker.evaluate(lambda x: x + 1)
    assert report.kind == "values" and "Indice" not in report.message
    report = checker.evaluate(sometimes)  # la même erreur partout : l'indice
    assert "ajoutez x à lui-même" in report.message


def test_accuracy_hint_is_not_given_by_coincidence():
    report = check_accuracy.evaluate(lambda logits, y: 0.0)  # n'utilise pas argmax
    assert not report.passed and "argmax" not in report.message
