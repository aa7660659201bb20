"""Vérificateurs du chapitre 08, testés dans les deux sens."""

import pytest
import torch

from course_utils.checks.chapter08 import (
    _best_config,
    _sparsity,
    _weight_image,
    check_best_config,
    check_weight_image,
    check_weight_sparsity,
)


@pytest.mark.parametrize(("checker", "reference"), [
    (check_best_config, _best_config), (check_weight_sparsity, _sparsity),
    (check_weight_image, _weight_image),
])
def test_reference_is_accepted_with_one_line(checker, reference, capsys):
    assert checker.evaluate(reference).kind == "ok"
    checker(reference)
    assert capsys.readouterr().out.count("\n") == 1


@pytest.mark.parametrize(("checker", "wrong", "kind", "words"), [
    (check_best_config, lambda r: max(r, key=lambda n: max(r[n]["test_acc"])), "values",
     "dernière exactitude"),
    (check_best_config, lambda r: min(r, key=lambda n: r[n]["train_loss"][-1]), "values",
     "perte d'apprentissage"),
    (check_best_config, lambda r: min(r, key=lambda n: r[n]["test_acc"][-1]), "values",
     "max et non min"),
    (check_best_config, lambda r: len(r), "type", "str"),
    (check_weight_sparsity, lambda w, t: (w < t).float().mean().item(), "values",
     "valeur absolue"),
    (check_weight_sparsity, lambda w, t: (w.abs() < t).sum().item(), "values", "fraction"),
    (check_weight_sparsity, lambda w, t: (w.abs() < t).float().mean(), "type", "float"),
    (check_weight_image, lambda w: (w / w.max()).reshape(28, 28), "values", "valeur absolue"),
    (check_weight_image, lambda w: w.reshape(28, 28), "values", "plus grande valeur"),
    (check_weight_image, lambda w: w / w.abs().max(), "shape", "forme"),
])
def test_typical_mistakes_are_diagnosed(checker, wrong, kind, words):
    report = checker.evaluate(wrong)
    assert report.kind == kind and words in report.message, report.message


@pytest.mark.parametrize("checker", [check_best_config, check_weight_sparsity,
                                     check_weight_image])
@pytest.mark.parametrize("answer", [None, "abc", lambda *a: 1 / 0, lambda: None,
                                    lambda *a: float("nan")])
def test_never_crashes(checker, answer):
    assert checker.evaluate(answer).kind != "ok"


def test_not_implemented_is_reported():
    def student(results):
        raise NotImplementedError("Exercice 8.1 : à compléter")

    assert check_best_config.evaluate(student).kind == "not_implemented"
    assert torch.is_tensor(_weight_image(torch.ones(784)))
