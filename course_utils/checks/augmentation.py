"""Vérificateur de la partie « Autres méthodes de régularisation » : exercice 7.3.

Fonction attendue de l'étudiant, de même nom et signature que celle du paquet
(:func:`course_utils.augmentation.mixup_batch`) :

- 7.3 ``mixup_batch(x, y_onehot, lam, perm)`` → ``(x_mixed, y_mixed)`` =
  (λ x + (1 − λ) x[perm], λ y + (1 − λ) y[perm]).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_utils.augmentation import mixup_batch
from course_utils.checks.answers import TupleChecker
from course_utils.checks.framework import Case, generator


def _mixup_cases() -> list[Case]:
    g = generator(76)

    def draw(n: int, d: int, c: int, lam: float, dtype=torch.float32) -> tuple:
        y = torch.randint(0, c, (n,), generator=g)
        return (torch.randn(n, d, generator=g, dtype=dtype), F.one_hot(y, c).to(dtype), lam,
                torch.randperm(n, generator=g))

    return [Case("x (6, 784), 10 classes, λ = 0.7", draw(6, 784, 10, 0.7)),
            Case("λ = 0.5, x (5, 20)", draw(5, 20, 4, 0.5)),
            Case("λ = 1 : pas de mélange", draw(4, 12, 3, 1.0)),
            Case("λ = 0 : le partenaire seul", draw(4, 12, 3, 0.0)),
            Case("float64, λ = 0.93, x (8, 16)", draw(8, 16, 5, 0.93, dtype=torch.float64))]


def _mix(a: torch.Tensor, lam: float, perm: torch.Tensor) -> torch.Tensor:
    return lam * a + (1 - lam) * a[perm]


check_mixup_batch = TupleChecker(
    exercise="7.3", title="mixup_batch", reference=mixup_batch, cases=_mixup_cases,
    outputs=("x_mixed", "y_mixed"), signature="mixup_batch(x, y_onehot, lam, perm)", hints=[
        (lambda x, y, lam, perm: (_mix(x, lam, perm), y),
         "mélangez aussi les étiquettes, avec le même λ et le même partenaire : "
         "ỹ = λ y + (1 − λ) y[perm]."),
        (lambda x, y, lam, perm: (x, _mix(y, lam, perm)),
         "mélangez aussi les images : x̃ = λ x + (1 − λ) x[perm]."),
        (lambda x, y, lam, perm: (_mix(x, 1 - lam, perm), _mix(y, 1 - lam, perm)),
         "λ pondère l'exemple lui-même et 1 − λ son partenaire : x̃ = λ x + (1 − λ) x[perm]."),
        (lambda x, y, lam, perm: (x, y),
         "mélangez chaque exemple avec son partenaire x[perm] : sans perm, "
         "λ x + (1 − λ) x = x."),
        (lambda x, y, lam, perm: (_mix(x, lam, perm.argsort()), _mix(y, lam, perm.argsort())),
         "le partenaire de l'exemple i est perm[i] : utilisez x[perm] (indexation)."),
    ])

CHECKERS = (check_mixup_batch,)
