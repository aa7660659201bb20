"""Vérificateur 0.1 (to_float_images) : accepte les bonnes réponses, diagnostique les
erreurs typiques."""

import pytest
import torch

from course_utils.checks.data import CHECKERS, check_to_float_images
from course_utils.data import to_float_images

CORRECT = [
    to_float_images,
    lambda x: x.reshape(len(x), -1).float() / 255,
    lambda x: x.flatten(1) / 255.0,
    lambda x: torch.div(x.view(x.shape[0], 784), 255, rounding_mode=None).float(),
]

WRONG = [
    (lambda x: x.reshape(len(x), -1).float(), "values", ["255"]),
    (lambda x: x.float() / 255, "shape", ["(4, 784)", "aplatissez"]),
    (lambda x: x.reshape(len(x), -1).double() / 255, "dtype", ["float32"]),
    (lambda x: (x.reshape(len(x), -1) / 255).numpy(), "type", ["numpy.ndarray"]),
    (lambda x: x.reshape(len(x), -1) // 255, "dtype", ["flottant", ".float()"]),
    # Normaliser par le maximum du lot : juste tant que le lot contient un pixel à 255.
    (lambda x: x.reshape(len(x), -1).float() / x.max(), "values",
     ["images sombres", "maximum du lot"]),
]


def test_the_module_lists_its_checker():
    assert CHECKERS == (check_to_float_images,)
    assert check_to_float_images.reference is to_float_images


@pytest.mark.parametrize("fn", CORRECT)
def test_correct_answers_are_accepted(fn):
    report = check_to_float_images.evaluate(fn)
    assert report.passed, report.message


@pytest.mark.parametrize(("fn", "kind", "words"), WRONG)
def test_typical_mistakes_are_diagnosed(fn, kind, words):
    report = check_to_float_images.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith("❌ Exercice 0.1 (to_float_images)")
    assert all(word in report.message for word in words), report.message
