"""Vérificateurs de la partie « initialisation des poids » (chapitre 3) : exercices 3.1 à 3.3.

Notations du cours : n entrées (*fan-in*) et m sorties (*fan-out*) par couche ; une couche
``nn.Linear(n, m)`` a des poids W de forme (m, n) = (out_features, in_features).

- 3.1 ``fan_in_bound(n)`` → le réel 1/√n, borne de U(−1/√n, 1/√n) (référence privée) ;
- 3.2 ``predicted_variances(var_x, var_w, n, depth)`` → les ``depth`` variances
  Var(z_k) = (n · var_w)^k · var_x (référence : ``lab.init.predicted_variances``) ;
- 3.3 ``xavier_uniform_(weight, *, gain=1.0, generator=None)`` remplit ``weight`` (m, n)
  en place selon U(−a, a), a = gain · √(6/(n + m)), avec ``generator``, et le renvoie
  (référence : ``init.xavier_uniform_``). Les valeurs étant aléatoires, elles ne sont pas
  comparées une à une : on vérifie la loi (bornes ±a atteintes, écart-type a/√3 au seuil
  z = 5), le remplissage en place, le gain et l'usage de ``generator``.
"""

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from course_utils.checks.answers import SequenceChecker
from course_utils.checks.framework import Case, Checker, call, generator
from course_utils.checks.messages import format_number, generator_problem
from course_utils.init import xavier_uniform_
from course_utils.lab.init import predicted_variances

# --- 3.1 : borne de la première solution, U(−1/√n, 1/√n) ---------------------------------


def _fan_in_bound(n: int) -> float:
    """Borne de la première solution du cours, U(−1/√n, 1/√n) : 1/√n."""
    return 1 / math.sqrt(n)


check_fan_in_bound = Checker(
    exercise="3.1", title="fan_in_bound", reference=_fan_in_bound,
    cases=lambda: [Case("n = 784 (entrée MNIST)", (784,)), Case("n = 100", (100,)),
                   Case("n = 3", (3,)), Case("n = 1", (1,))],
    signature="fan_in_bound(n)", hints=[
        (lambda n: 1 / n, "la borne est 1/√n (racine carrée de n), pas 1/n."),
        (math.sqrt, "inversez : la borne est 1/√n, pas √n."),
        (lambda n: 1 / math.sqrt(3 * n),
         "1/√(3n) est l'écart-type de U(−1/√n, 1/√n) : renvoyez la borne 1/√n."),
        (lambda n: math.sqrt(6 / n),
         "√(6/n) est la borne de He (ReLU) ; la première solution du cours est 1/√n."),
    ])

# --- 3.2 : variances prédites dans un réseau linéaire profond -----------------------------


def _variances_cases() -> list[Case]:
    return [Case("var_x = 2, var_w = 0.01, n = 300, depth = 4 (n · var_w = 3)",
                 (2.0, 0.01, 300, 4)),
            Case("var_x = 0.5, var_w = 1/(3n), n = 100, depth = 6 (n · var_w = 1/3)",
                 (0.5, 1 / 300, 100, 6)),
            Case("var_x = 1.5, var_w = 2/n, n = 50, depth = 3 (n · var_w = 2)",
                 (1.5, 2 / 50, 50, 3)),
            Case("var_x = 0.8, var_w = 1/n, n = 128, depth = 10 (n · var_w = 1)",
                 (0.8, 1 / 128, 128, 10)),
            Case("une seule couche (depth = 1)", (1.0, 0.02, 10, 1))]


def _powers(first: int, last: Callable[[int], int], factor: Callable[[int, float], float],
            times_x: bool = True) -> Callable[..., torch.Tensor]:
    """Erreur typique : [factor(n, var_w)^k · var_x pour k = first, …, last(depth)]."""
    def wrong(var_x: float, var_w: float, n: int, depth: int) -> torch.Tensor:
        scale = var_x if times_x else 1.0
        return torch.tensor([factor(n, var_w) ** k * scale
                             for k in range(first, last(depth) + 1)], dtype=torch.float64)
    return wrong


def _nvw(n: int, var_w: float) -> float:
    return n * var_w


check_predicted_variances = SequenceChecker(
    exercise="3.2", title="predicted_variances", reference=predicted_variances,
    cases=_variances_cases, atol=0.0, rtol=1e-5,
    signature="predicted_variances(var_x, var_w, n, depth)", hints=[
        (_powers(0, lambda d: d - 1, _nvw),
         "la couche k = 1 multiplie déjà la variance par n · var_w : "
         "Var(z_k) = (n · var_w)^k · var_x pour k = 1, …, depth."),
        (_powers(2, lambda d: d + 1, _nvw),
         "décalage d'une couche : Var(z_1) = n · var_w · var_x, puis k = 2, …, depth."),
        (_powers(0, lambda d: d, _nvw),
         "ne renvoyez pas la variance de l'entrée : une valeur par couche, k = 1, …, depth."),
        (_powers(1, lambda d: d, lambda n, v: v),
         "z = Σ_i w_i a_i somme n termes indépendants : Var(z) = n · var_w · Var(a), "
         "n'oubliez pas le facteur n."),
        (_powers(1, lambda d: d, _nvw, times_x=False),
         "multipliez par la variance des entrées : Var(z_k) = (n · var_w)^k · var_x."),
        (lambda var_x, var_w, n, depth: torch.tensor(
            [k * n * var_w * var_x for k in range(1, depth + 1)], dtype=torch.float64),
         "les facteurs n · var_w se multiplient de couche en couche : puissance k, "
         "pas produit par k."),
    ])

# --- 3.3 : Xavier uniforme, U(−a, a) avec a = gain · √(6/(n + m)), en place ----------------

_Z = 5.0  # P(|N(0, 1)| > 5) ≈ 5.7e-7 : une bonne réponse n'est jamais refusée par hasard
_FORMULA = "U(−a, a), a = gain · √(6/(n + m))"


def _xavier_cases() -> list[Case]:
    shapes = [(120, 784), (80, 120), (10, 80), (1, 1)]
    cases = [Case(f"weight de forme {shape} : n = {shape[1]}, m = {shape[0]}",
                  (torch.zeros(shape),), {"generator": generator(30 + k)})
             for k, shape in enumerate(shapes)]
    return cases + [Case("gain = 2, weight de forme (20, 50)", (torch.zeros(20, 50),),
                         {"gain": 2.0, "generator": generator(34)})]


def _bound_mistakes(n: int, m: int, gain: float) -> list[tuple[float, str]]:
    """Bornes erronées typiques pour une couche (m, n) et l'indice correspondant."""
    return [
        (gain * math.sqrt(6 / n), "√(6/n) est la borne de He (ReLU) : Xavier tient compte "
                                  "des entrées et des sorties, a = √(6/(n + m))."),
        (gain * math.sqrt(6 / m), "il manque n au dénominateur : a = √(6/(n + m))."),
        (gain * math.sqrt(3 / (n + m)), "a = √(6/(n + m)), avec 6 et non 3 : la variance "
                                        "a²/3 de U(−a, a) doit valoir 2/(n + m)."),
        (gain * math.sqrt(2 / (n + m)), "√(2/(n + m)) est l'écart-type visé, pas la borne : "
                                        "pour U(−a, a), σ = a/√3, donc a = √(6/(n + m))."),
        (gain / math.sqrt(n), "U(−1/√n, 1/√n) est la première solution du cours ; "
                              "Xavier prend a = √(6/(n + m))."),
        (gain * 6 / (n + m), "n'oubliez pas la racine carrée : a = √(6/(n + m))."),
        (math.sqrt(6 / (n + m)), "multipliez la borne par gain : a = gain · √(6/(n + m))."),
        (gain, "vous tirez dans U(−1, 1) : multipliez par a = √(6/(n + m))."),
    ]


def _law_hint(w: torch.Tensor, n: int, m: int, gain: float) -> str | None:
    m2, m4 = (w**2).mean().item(), (w**4).mean().item()
    if m2 > 0 and abs(m4 / m2**2 - 3) < 0.3:  # aplatissement : 3 (normale), 1.8 (uniforme)
        return ("vous tirez selon une loi normale (torch.randn ?) : la loi est uniforme, "
                "par ex. weight.uniform_(-a, a, generator=generator).")
    if w.min().item() >= 0:
        return ("les poids doivent être centrés : torch.rand tire dans [0, 1), "
                "a · (2 · torch.rand(…) − 1) tire dans U(−a, a).")
    top = w.abs().max().item()
    return next((text for bound, text in _bound_mistakes(n, m, gain)
                 if abs(top - bound) <= 1e-2 * bound), None)


def _law_problem(w: torch.Tensor, gain: float, *, test_std: bool) -> str | None:
    """Diagnostic si ``w`` (m, n) ne suit pas U(−a, a) ; None sinon."""
    (m, n), a = w.shape, gain * math.sqrt(6 / sum(w.shape))
    w = w.detach().double().flatten()
    eps = 32 / w.numel()  # P(max w < a(1 − ε)) = (1 − ε/2)^N ≤ e^(−16) pour U(−a, a)
    top, bottom, var = w.max().item(), w.min().item(), (w**2).mean().item()
    ok = a * (1 - eps) <= top <= a * (1 + 1e-5) and -a * (1 + 1e-5) <= bottom <= -a * (1 - eps)
    if test_std:  # Var(w²) = E[w⁴] − E[w²]² = a⁴/5 − a⁴/9 = 4a⁴/45 pour U(−a, a)
        ok = ok and abs(var - a**2 / 3) <= _Z * math.sqrt(4 * a**4 / 45 / w.numel())
    if ok:
        return None
    hint = _law_hint(w, n, m, gain)
    return (f"les poids ne suivent pas {_FORMULA}.\n"
            f"   Pour weight de forme ({m}, {n}) et gain = {gain:g} : a = {format_number(a)} ;"
            f" mesuré : max |w| = {format_number(max(top, -bottom))} (attendu ≤ a et proche "
            f"de a), écart-type {format_number(math.sqrt(var))} (attendu a/√3 = "
            f"{format_number(a / math.sqrt(3))})." + (f"\n   Indice : {hint}" if hint else ""))


def _inplace_problem(fn: Callable[..., Any]) -> str | None:
    weight = torch.zeros(20, 50)
    out = fn(weight, generator=generator(37))
    if not (weight != 0).any():
        return ("weight n'a pas été modifié : remplissez-le en place, par ex. "
                "weight.uniform_(-a, a, generator=generator), et renvoyez-le.")
    if not isinstance(out, torch.Tensor) or out.shape != weight.shape or not torch.equal(
            out, weight):
        return "renvoyez weight lui-même, une fois rempli (return weight)."
    return None


def _generator_problem(fn: Callable[..., Any]) -> str | None:
    return generator_problem(
        lambda g: fn(torch.zeros(20, 50), generator=g), seeds=(35, 36), what="le tirage",
        global_hint="passez generator=generator au tirage (weight.uniform_(…, "
        "generator=generator)) pour des poids reproductibles.")


def _parameter_problem(fn: Callable[..., Any]) -> str | None:
    layer = nn.Linear(50, 20)
    _, exc = call(fn, layer.weight, generator=generator(38))
    if exc is None:
        return None
    return (f"sur les poids d'une couche nn.Linear(50, 20) : {type(exc).__name__}. "
            "Indice : un paramètre exige un gradient ; tirez-le sans l'enregistrer pour "
            "autograd, dans un bloc « with torch.no_grad(): ».")


def _xavier_extra(fn: Callable[..., Any]) -> str | None:
    problem = _inplace_problem(fn)
    for n, m, gain, test_std in ((1024, 512, 1.0, True), (250, 150, 0.5, False)):
        if problem:
            return problem
        weight = torch.zeros(m, n)
        fn(weight, gain=gain, generator=generator(34))
        problem = _law_problem(weight, gain, test_std=test_std)
    return problem or _generator_problem(fn) or _parameter_problem(fn)


check_xavier_uniform = Checker(
    exercise="3.3", title="xavier_uniform_", reference=xavier_uniform_, cases=_xavier_cases,
    atol=math.inf,  # valeurs aléatoires : la loi est vérifiée par _xavier_extra
    extra=_xavier_extra, inplace=True,
    signature="xavier_uniform_(weight, *, gain=1.0, generator=None)", hints=[
        (lambda weight, *, gain=1.0, generator=None: torch.zeros_like(weight).T,
         "disposition de nn.Linear : weight a la forme (m, n) = (out_features, in_features), "
         "une ligne par neurone de sortie ; remplissez-le sans le transposer."),
    ])

CHECKERS = (check_fan_in_bound, check_predicted_variances, check_xavier_uniform)
