"""Vérificateur de Mixup (7.3) : il accepte la référence et les réponses justes d'un
étudiant, et diagnostique les erreurs typiques avec le bon indice."""

import pytest
import torch

from course_utils.checks.augmentation import CHECKERS, check_mixup_batch

NBSP = "\u00a0"


def _student_mixup(x, y_onehot, lam, perm):
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm]


def _mixup_inplace(x, y_onehot, lam, perm):
    partner_x, partner_y = x[perm], y_onehot[perm]
    return x.mul_(lam).add_((1 - lam) * partner_x), y_onehot.mul_(lam).add_((1 - lam) * partner_y)


@pytest.mark.parametrize("fn", [
    _student_mixup,
    lambda x, y, lam, perm: (torch.lerp(x[perm], x, lam), torch.lerp(y[perm], y, lam)),
    lambda x, y, lam, perm: [lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm]],
])
def test_typical_correct_answers_are_accepted(fn, capsys):
    assert check_mixup_batch.evaluate(fn).passed
    check_mixup_batch(fn)
    assert capsys.readouterr().out == f"✅ Exercice 7.3 (mixup_batch){NBSP}: correct sur 5 cas.\n"
    assert CHECKERS == (check_mixup_batch,)


@pytest.mark.parametrize(("fn", "kind", "words"), [
    (lambda x, y, lam, perm: (_student_mixup(x, y, lam, perm)[0], y), "values",
     ["sortie y_mixed", "mélangez aussi les étiquettes"]),
    (lambda x, y, lam, perm: (x, _student_mixup(x, y, lam, perm)[1]), "values",
     ["sortie x_mixed", "mélangez aussi les images"]),
    (lambda x, y, lam, perm: _student_mixup(x, y, 1 - lam, perm), "values",
     ["λ = 0.7", "λ pondère l'exemple lui-même"]),
    (lambda x, y, lam, perm: (lam * x + (1 - lam) * x, lam * y + (1 - lam) * y), "values",
     ["sans perm"]),
    (lambda x, y, lam, perm: _student_mixup(x, y, lam, perm.argsort()), "values", ["perm[i]"]),
    (lambda *a: _student_mixup(*a)[::-1], "shape", ["désordre"]),
    (lambda *a: _student_mixup(*a)[0], "type", ["tuple de 2 sorties", "return x_mixed, y_mixed"]),
    (_mixup_inplace, "custom", ["modifier son argument"]),
    (lambda x, y, lam: (x, y), "exception", ["mixup_batch(x, y_onehot, lam, perm)"]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_typical_mistakes_are_diagnosed(fn, kind, words):
    report = check_mixup_batch.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith("❌ Exercice 7.3 (mixup_batch)")
    for word in words:  # espaces insécables de la typographie française lues comme des espaces
        assert word in report.message.replace(NBSP, " "), (word, report.message)
