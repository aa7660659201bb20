"""Vérificateur de la partie « métriques » (chapitre 0) : exercice 0.3, ``accuracy``."""

import torch

from course_utils.checks.framework import Case, Checker, generator
from course_utils.losses import one_hot
from course_utils.metrics import accuracy


def _accuracy_cases() -> list[Case]:
    g = generator(2)
    y = torch.randint(0, 3, (7,), generator=g)
    perfect = torch.tensor([3, 1, 4, 1, 5])
    return [Case("10 exemples, 10 classes", (torch.randn(10, 10, generator=g),
                                             torch.randint(0, 10, (10,), generator=g))),
            Case("7 exemples, 3 classes", (torch.randn(7, 3, generator=g), y)),
            Case("toutes les prédictions justes", (5 * one_hot(perfect, 6), perfect)),
            Case("un seul exemple, mal classé", (torch.tensor([[2.0, -1.0]]), torch.tensor([1])))]


check_accuracy = Checker(
    exercise="0.3", title="accuracy", reference=accuracy, cases=_accuracy_cases,
    signature="accuracy(logits, y)", hints=[
        (lambda o, y: (o.argmax(0) == y).float().mean().item(),
         "argmax doit porter sur la dimension des classes : logits.argmax(dim=1)."),
        (lambda o, y: (o.argmax(1) == y).sum().item(),
         "vous renvoyez le nombre de bonnes prédictions : divisez par N pour une proportion."),
        (lambda o, y: 100 * (o.argmax(1) == y).float().mean().item(),
         "l'exactitude est une proportion dans [0, 1], pas un pourcentage."),
    ])

CHECKERS = (check_accuracy,)
