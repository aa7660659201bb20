"""Vérificateur des figures communes (:mod:`course_utils.plots`) : exercice 8.3.

Fonction attendue de l'étudiant, de même nom et signature que celle du paquet
(:func:`course_utils.plots.weight_image`) :

- 8.3 ``weight_image(w)`` → image (28, 28) des 784 poids d'un neurone, divisés par leur
  plus grande valeur absolue (valeurs dans [−1, 1], le 0 au milieu) ; des poids tous nuls
  donnent l'image nulle.
"""

from __future__ import annotations

import torch

from course_utils.checks.framework import Case, Checker, generator
from course_utils.plots import weight_image


def _image_cases() -> list[Case]:
    return [Case("poids aléatoires", (torch.randn(784, generator=generator(9)),)),
            Case("rampe de −3 à 1 (le maximum en valeur absolue est négatif)",
                 (torch.linspace(-3, 1, 784),)),
            Case("float64, poids de l'ordre de 10⁻³",
                 (1e-3 * torch.randn(784, generator=generator(10), dtype=torch.float64),)),
            Case("poids tous nuls", (torch.zeros(784),))]


def _mistakes(image, text: str) -> list[tuple]:
    """Erreur typique de 8.3, telle quelle (division par 0 si les poids sont nuls) et avec
    le cas des poids nuls traité : un indice par façon de la commettre."""
    def guarded(w):
        return image(w) if bool(w.any()) else w.reshape(28, 28)

    return [(image, text), (guarded, text)]


check_weight_image = Checker(
    exercise="8.3", title="weight_image", reference=weight_image, cases=_image_cases,
    signature="weight_image(w)",
    finite_hint="si tous les poids sont nuls (max |w| = 0), renvoyez l'image nulle au lieu de "
                "diviser par 0.", hints=[
        *_mistakes(lambda w: (w / w.max()).reshape(28, 28),
                   "divisez par le maximum de |w| (valeur absolue), pas par le maximum de w."),
        (lambda w: w.reshape(28, 28),
         "n'oubliez pas de diviser par la plus grande valeur absolue."),
        *_mistakes(lambda w: ((w - w.min()) / (w.max() - w.min())).reshape(28, 28),
                   "gardez le 0 au centre : divisez par max |w| au lieu de ramener dans [0, 1]."),
        *_mistakes(lambda w: (w / w.abs().max()).reshape(28, 28).T,
                   "remettez les poids en image ligne après ligne : reshape(28, 28), sans "
                   "transposer."),
    ])

CHECKERS = (check_weight_image,)
