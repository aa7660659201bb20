"""Vérificateurs de la partie « entropie croisée » (chapitre 1) : exercices 1.2 à 1.5.

Les fonctions attendues ont les noms et les signatures de :mod:`course_utils.losses`, qui
sert de référence : ``one_hot(y, num_classes, *, dtype=torch.float32)``,
``softmax(o, dim=-1)``, ``cross_entropy(o, y)`` et ``cross_entropy_grad(o, y)``.
"""

import torch
import torch.nn.functional as F

from course_utils.checks.framework import Case, Checker, generator
from course_utils.losses import cross_entropy, cross_entropy_grad, one_hot, softmax


def _one_hot_cases() -> list[Case]:
    y = torch.randint(0, 10, (6,), generator=generator(4))
    return [Case("6 étiquettes, 10 classes", (y, 10)),
            Case("classes absentes du lot (y = [2, 0, 1], C = 5)", (torch.tensor([2, 0, 1]), 5)),
            Case("une étiquette, la dernière classe (y = [9], C = 10)", (torch.tensor([9]), 10)),
            Case("une seule classe (C = 1)", (torch.tensor([0, 0]), 1)),
            Case("dtype=torch.float64", (torch.tensor([1, 0, 2]), 3), {"dtype": torch.float64})]


check_one_hot = Checker(
    exercise="1.2", title="one_hot", reference=one_hot, cases=_one_hot_cases,
    signature="one_hot(y, num_classes, dtype=torch.float32)", hints=[
        (lambda y, c, dtype=torch.float32: one_hot(y, c, dtype=dtype).T,
         "une ligne par exemple : forme (N, C), pas (C, N)."),
        (lambda y, c, dtype=torch.float32: one_hot(y, int(y.max()) + 1, dtype=dtype),
         "utilisez num_classes et non y.max() + 1 : des classes peuvent manquer dans le lot."),
    ])


def _softmax_cases() -> list[Case]:
    g = generator(5)
    offsets = torch.tensor([[500.0], [-500.0]])
    return [Case("logits aléatoires (4, 10)", (3 * torch.randn(4, 10, generator=g),)),
            Case("logits extrêmes ±1000", (torch.tensor([[1000.0, -1000.0, 0.0],
                                                          [-1000.0, -1000.0, 1000.0]]),)),
            Case("grande constante par ligne (+500, −500)",
                 (torch.randn(2, 5, generator=g) + offsets,)),
            Case("ligne constante (probabilités uniformes)", (torch.full((1, 4), 7.0),)),
            Case("une seule classe (C = 1)", (torch.randn(3, 1, generator=g),)),
            Case("dim=0 : normaliser chaque colonne", (torch.randn(3, 4, generator=g),),
                 {"dim": 0})]


check_softmax = Checker(
    exercise="1.3", title="softmax", reference=softmax, cases=_softmax_cases,
    signature="softmax(o, dim=-1)",
    finite_hint="débordement : pensez à soustraire le maximum de chaque ligne avant exp, "
                "o − o.amax(dim=dim, keepdim=True).",
    hints=[(lambda o, dim=-1: torch.softmax(o, dim=-1),
            "utilisez l'argument dim : softmax(o, dim=0) normalise chaque colonne."),
           (lambda o, dim=-1: torch.softmax(o, dim=0),
            "vous normalisez toujours selon dim=0 (chaque colonne) : utilisez l'argument dim, "
            "la dernière dimension (les classes) par défaut."),
           (lambda o, dim=-1: torch.softmax(o, dim=0 if dim != 0 else 1),
            "normalisez selon la dimension des classes (dim, la dernière par défaut) : "
            "chaque ligne doit sommer à 1."),
           (lambda o, dim=-1: o, "vous renvoyez les logits : appliquez exp puis normalisez."),
           (lambda o, dim=-1: torch.exp(o - o.amax(dim, keepdim=True)),
            "n'oubliez pas de diviser par la somme Σ_k e^{o_k} de chaque ligne.")])


def _ce_cases() -> list[Case]:
    g = generator(6)
    y = torch.tensor([2, 0, 4])
    return [Case("logits aléatoires (5, 10)", (2 * torch.randn(5, 10, generator=g),
                                               torch.randint(0, 10, (5,), generator=g))),
            Case("un seul exemple (N = 1)", (torch.randn(1, 4, generator=g), torch.tensor([3]))),
            Case("logits extrêmes ±1000", (torch.tensor([[1000.0, -1000.0, 0.0],
                                                          [0.0, 1000.0, -1000.0]]),
                                            torch.tensor([1, 0]))),
            Case("prédictions parfaites (perte ≈ 0)", (50 * one_hot(y, 5), y))]


def _per_sample_ce(o: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return -F.log_softmax(o, dim=1).gather(1, y[:, None])[:, 0]


check_cross_entropy = Checker(
    exercise="1.4", title="cross_entropy", reference=cross_entropy, cases=_ce_cases,
    signature="cross_entropy(o, y)",
    finite_hint="log(softmax(o)) vaut −inf quand une probabilité s'annule : calculez log ŷ "
                "par log-sum-exp, log ŷ_j = o_j − m − log Σ_k e^{o_k − m} avec m = max_k o_k.",
    hints=[(lambda o, y: _per_sample_ce(o, y).sum(),
            "vous calculez la somme : l'énoncé demande la moyenne sur le lot (.mean())."),
           (lambda o, y: -_per_sample_ce(o, y).mean(),
            "attention au signe : l_CE(ŷ, y*) = −Σ_i y*_i log ŷ_i est positive."),
           (_per_sample_ce, "moyennez les pertes des N exemples : le résultat est un scalaire."),
           (lambda o, y: -torch.log(o.gather(1, y[:, None])).mean(),
            "le logarithme porte sur les probabilités ŷ = softmax(o), pas sur les logits o "
            "(un logit négatif n'a pas de logarithme) : ℓ = −log softmax(o)_{y*}."),
           (lambda o, y: -o.gather(1, y[:, None]).mean(),
            "log ŷ_j = o_j − log Σ_k e^{o_k} : il manque le terme log-sum-exp.")])


check_cross_entropy_grad = Checker(
    exercise="1.5", title="cross_entropy_grad", reference=cross_entropy_grad, cases=_ce_cases,
    signature="cross_entropy_grad(o, y)",
    finite_hint="débordement : utilisez une softmax stable (soustrayez le maximum de chaque "
                "ligne).",
    hints=[(lambda o, y: len(o) * cross_entropy_grad(o, y),
            "gradient de la perte moyenne : divisez par N, ∂L/∂o = (ŷ − y*) / N."),
           (lambda o, y: -cross_entropy_grad(o, y),
            "attention au signe : ∂L/∂o = (ŷ − y*) / N, pas (y* − ŷ) / N."),
           (lambda o, y: torch.softmax(o, dim=1) / len(o),
            "n'oubliez pas de soustraire y* (codage one-hot des étiquettes).")])

CHECKERS = (check_one_hot, check_softmax, check_cross_entropy, check_cross_entropy_grad)
