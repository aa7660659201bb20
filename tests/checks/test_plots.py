"""Vérificateur des poids vus comme une image (8.3) : il accepte la référence et les réponses
justes d'un étudiant, et diagnostique les erreurs typiques avec le bon indice."""

import pytest
import torch

from course_utils.checks.plots import CHECKERS, check_weight_image

NBSP = "\u00a0"


def _student_weight_image(w):
    largest = w.abs().max()
    if largest == 0:
        return w.reshape(28, 28)
    return (w / largest).reshape(28, 28)


@pytest.mark.parametrize("fn", [
    _student_weight_image,
    lambda w: (w / w.abs().max().clamp_min(1e-30)).view(28, 28),
    lambda w: torch.nan_to_num(w / w.abs().max()).reshape(28, 28),
])
def test_typical_correct_answers_are_accepted(fn, capsys):
    assert check_weight_image.evaluate(fn).passed
    check_weight_image(fn)
    assert capsys.readouterr().out == f"✅ Exercice 8.3 (weight_image){NBSP}: correct sur 4 cas.\n"
    assert CHECKERS == (check_weight_image,)


@pytest.mark.parametrize(("fn", "kind", "words"), [
    (lambda w: (w / w.max()).reshape(28, 28), "values", ["valeur absolue"]),
    (lambda w: w.reshape(28, 28), "values", ["plus grande valeur"]),
    (lambda w: ((w - w.min()) / (w.max() - w.min())).reshape(28, 28), "values",
     ["0 au centre"]),
    (lambda w: (w / w.abs().max()).reshape(28, 28).T, "values", ["sans transposer"]),
    (lambda w: w / w.abs().max(), "shape", ["forme attendue (28, 28)"]),
    (lambda w: (w / w.abs().max()).reshape(28, 28), "not_finite",
     ["poids tous nuls", "renvoyez l'image nulle"]),
    (lambda w: (w.float() / w.abs().max()).reshape(28, 28), "dtype", ["float64"]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_typical_mistakes_are_diagnosed(fn, kind, words):
    report = check_weight_image.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith("❌ Exercice 8.3 (weight_image)")
    for word in words:  # espaces insécables de la typographie française lues comme des espaces
        assert word in report.message.replace(NBSP, " "), (word, report.message)
