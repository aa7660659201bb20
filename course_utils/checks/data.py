"""Vérificateur de la partie « données » (chapitre 0) : exercice 0.1, ``to_float_images``."""

import torch

from course_utils.checks.framework import Case, Checker, generator
from course_utils.data import to_float_images


def _image_cases() -> list[Case]:
    x = torch.randint(0, 256, (4, 28, 28), generator=generator(0), dtype=torch.uint8)
    extremes = torch.zeros(2, 28, 28, dtype=torch.uint8)
    extremes[1] = 255
    # Une image sombre : son pixel le plus clair vaut 180 et non 255 (1 021 images de test de
    # MNIST n'atteignent pas 255) ; diviser par le maximum du lot l'étirerait.
    dark = torch.randint(0, 181, (2, 28, 28), generator=generator(1), dtype=torch.uint8)
    dark[:, 0, 0] = 180
    return [Case("lot de 4 images (4, 28, 28)", (x,)),
            Case("une seule image (1, 28, 28)", (x[:1].clone(),)),
            Case("pixels extrêmes 0 et 255", (extremes,)),
            Case("images sombres (maximum 180)", (dark,))]


check_to_float_images = Checker(
    exercise="0.1", title="to_float_images", reference=to_float_images,
    cases=_image_cases, signature="to_float_images(x)", hints=[
        (lambda x: x.reshape(len(x), -1).float(),
         "divisez par 255 pour ramener les pixels dans [0, 1]."),
        (lambda x: x.float() / 255,
         "aplatissez chaque image en un vecteur de 28 × 28 = 784 valeurs : "
         "x.reshape(len(x), -1)."),
        (lambda x: x.reshape(len(x), -1).float() / x.max(),
         "divisez par 255, la plus grande valeur possible d'un pixel, et non par le maximum du "
         "lot : une image sombre serait étirée, et la même image changerait de valeurs selon "
         "le lot où elle se trouve."),
    ])

CHECKERS = (check_to_float_images,)
