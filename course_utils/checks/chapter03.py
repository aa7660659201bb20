"""Vérificateurs du chapitre 03 (initialisation des poids), exercices 3.1 à 3.3.

Notations du cours : n entrées (*fan-in*) et m sorties (*fan-out*) par couche ; une
couche ``nn.Linear(n_in, n_out)`` a des poids W de forme (n_out, n_in).

Fonctions attendues de l'étudiant :

- 3.1 ``fan_in_bound(n)`` → nombre réel 1/√n (borne de U(−1/√n, 1/√n)) ;
- 3.2 ``predicted_variances(var_x, var_w, n, depth)`` → liste (ou tuple, ou tenseur 1-D)
  des ``depth`` variances Var(z_k) = (n · var_w)^k · var_x, k = 1, …, depth ;
- 3.3 ``xavier_uniform(n_in, n_out, generator)`` → tenseur float32 (n_out, n_in) tiré
  selon U(−a, a), a = √(6/(n_in + n_out)), avec le ``torch.Generator`` donné.

L'exercice 3.3 tire des poids au hasard : les valeurs ne sont pas comparées une à une à
la référence (seuls le type, la forme, le dtype et la finitude le sont), la loi est
vérifiée à part (bornes ±a atteintes, écart-type a/√3 au seuil z = 5, usage de
``generator``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from course_utils.checks.framework import (
    Case,
    Checker,
    Report,
    _fmt,
    _gen,
    _is_real,
    _type_hint,
    _type_name,
)
from course_utils.init import xavier_uniform_

# --- 3.1 : borne de la première solution, U(−1/√n, 1/√n) ---------------------------------


def _fan_in_bound(n: int) -> float:
    """Borne de la première solution du cours, U(−1/√n, 1/√n) : 1/√n."""
    return 1 / math.sqrt(n)


def _fan_in_cases() -> list[Case]:
    return [Case("n = 784 (entrée MNIST)", (784,)), Case("n = 100", (100,)),
            Case("n = 3", (3,)), Case("n = 1", (1,))]


check_fan_in_bound = Checker(
    exercise="3.1", title="fan_in_bound", reference=_fan_in_bound, cases=_fan_in_cases,
    signature="fan_in_bound(n)", hints=[
        (lambda n: 1 / n, "la borne est 1/√n (racine carrée de n), pas 1/n."),
        (math.sqrt, "inversez : la borne est 1/√n, pas √n."),
        (lambda n: 1 / math.sqrt(3 * n),
         "1/√(3n) est l'écart-type de U(−1/√n, 1/√n) : renvoyez la borne 1/√n."),
        (lambda n: math.sqrt(6 / n),
         "√(6/n) est la borne de He (ReLU) ; la première solution du cours est 1/√n."),
    ])

# --- 3.2 : Xavier uniforme, U(−a, a) avec a = √(6/(n_in + n_out)) -------------------------

_Z = 5.0  # P(|N(0, 1)| > 5) ≈ 5.7e-7 : une bonne réponse n'est jamais refusée par hasard
_FORMULA = "U(−a, a), a = √(6/(n_in + n_out))"


def _xavier_reference(n_in: int, n_out: int, generator: torch.Generator) -> torch.Tensor:
    """Poids (n_out, n_in) tirés selon U(−a, a), a = √(6/(n_in + n_out)) (Glorot, 2010)."""
    return xavier_uniform_(torch.empty(n_out, n_in), generator=generator)


def _xavier_cases() -> list[Case]:
    return [Case(f"n_in = {i}, n_out = {o}", (i, o, _gen(30 + k)))
            for k, (i, o) in enumerate([(784, 120), (120, 80), (80, 10), (1, 1)])]


def _bound_mistakes(n: int, m: int) -> list[tuple[float, str]]:
    """Bornes erronées typiques (n = n_in, m = n_out) et l'indice correspondant."""
    return [
        (math.sqrt(6 / n), "√(6/n_in) est la borne de He (ReLU) : Xavier tient compte des "
                           "entrées et des sorties, a = √(6/(n_in + n_out))."),
        (math.sqrt(6 / m), "il manque n_in au dénominateur : a = √(6/(n_in + n_out))."),
        (math.sqrt(3 / (n + m)), "a = √(6/(n_in + n_out)), avec 6 et non 3 : la variance "
                                 "a²/3 de U(−a, a) doit valoir 2/(n_in + n_out)."),
        (math.sqrt(2 / (n + m)), "√(2/(n_in + n_out)) est l'écart-type visé, pas la borne : "
                                 "pour U(−a, a), σ = a/√3, donc a = √(6/(n_in + n_out))."),
        (1 / math.sqrt(n), "U(−1/√n_in, 1/√n_in) est la première solution du cours ; "
                           "Xavier prend a = √(6/(n_in + n_out))."),
        (6 / (n + m), "n'oubliez pas la racine carrée : a = √(6/(n_in + n_out))."),
        (1.0, "vous tirez dans U(−1, 1) : multipliez par a = √(6/(n_in + n_out))."),
    ]


def _law_hint(w: torch.Tensor, n: int, m: int) -> str | None:
    m2, m4 = (w**2).mean().item(), (w**4).mean().item()
    if m2 > 0 and abs(m4 / m2**2 - 3) < 0.3:  # aplatissement : 3 (normale), 1.8 (uniforme)
        return ("vous tirez selon une loi normale (torch.randn ?) : la loi est uniforme, "
                "par ex. torch.empty(n_out, n_in).uniform_(-a, a, generator=generator).")
    if w.min().item() >= 0:
        return ("les poids doivent être centrés : torch.rand tire dans [0, 1), "
                "a · (2 · torch.rand(…) − 1) tire dans U(−a, a).")
    top = w.abs().max().item()
    return next((text for bound, text in _bound_mistakes(n, m)
                 if abs(top - bound) <= 1e-2 * bound), None)


def _law_problem(w: Any, n: int, m: int, *, test_std: bool) -> str | None:
    """Diagnostic si ``w`` (m, n) ne suit pas U(−a, a) ; None sinon."""
    if not isinstance(w, torch.Tensor) or tuple(w.shape) != (m, n):
        return f"pour n_in = {n}, n_out = {m}, renvoyez un tenseur de forme ({m}, {n})."
    w, a = w.detach().double().flatten(), math.sqrt(6 / (n + m))
    eps = 32 / w.numel()  # P(max w < a(1 − ε)) = (1 − ε/2)^N ≤ e^(−16) pour U(−a, a)
    top, bottom, var = w.max().item(), w.min().item(), (w**2).mean().item()
    ok = a * (1 - eps) <= top <= a * (1 + 1e-5) and -a * (1 + 1e-5) <= bottom <= -a * (1 - eps)
    if test_std:  # Var(w²) = E[w⁴] − E[w²]² = a⁴/5 − a⁴/9 = 4a⁴/45 pour U(−a, a)
        ok = ok and abs(var - a**2 / 3) <= _Z * math.sqrt(4 * a**4 / 45 / w.numel())
    if ok:
        return None
    hint = _law_hint(w, n, m)
    return (f"les poids ne suivent pas {_FORMULA}.\n"
            f"   Pour n_in = {n}, n_out = {m} : a = {_fmt(a)} ; mesuré : max |w| = "
            f"{_fmt(max(top, -bottom))} (attendu ≤ a et proche de a), écart-type "
            f"{_fmt(math.sqrt(var))} (attendu a/√3 = {_fmt(a / math.sqrt(3))})."
            + (f"\n   Indice : {hint}" if hint else ""))


def _generator_problem(fn: Callable[..., Any]) -> str | None:
    state = torch.random.get_rng_state()
    first, second = fn(50, 20, _gen(35)), fn(50, 20, _gen(35))
    used_global = not torch.equal(torch.random.get_rng_state(), state)
    if torch.equal(first, second) and not torch.equal(first, fn(50, 20, _gen(36))):
        return None
    if used_global:
        return ("vous utilisez le générateur global de PyTorch : passez generator=generator "
                "au tirage (torch.rand(…, generator=generator) ou .uniform_(…, "
                "generator=generator)) pour des poids reproductibles.")
    return ("le tirage doit dépendre de generator : même graine, mêmes poids ; graines "
            "différentes, poids différents. Utilisez generator=generator dans le tirage.")


def _xavier_extra(fn: Callable[..., Any]) -> str | None:
    for n, m, test_std in ((1024, 512, True), (300, 100, False)):
        problem = _law_problem(fn(n, m, _gen(34)), n, m, test_std=test_std)
        if problem:
            return problem
    return _generator_problem(fn)


check_xavier_uniform = Checker(
    exercise="3.3", title="xavier_uniform", reference=_xavier_reference, cases=_xavier_cases,
    atol=math.inf,  # valeurs aléatoires : la loi est vérifiée par _xavier_extra
    extra=_xavier_extra, signature="xavier_uniform(n_in, n_out, generator)", hints=[
        (lambda n_in, n_out, g: torch.zeros(n_in, n_out),
         "disposition de nn.Linear : W a la forme (n_out, n_in) = (out_features, "
         "in_features), une ligne par neurone de sortie."),
    ])

# --- 3.3 : variances prédites dans un réseau linéaire profond -----------------------------


class _RealSequenceChecker(Checker):
    """Checker d'une réponse « suite de réels » : liste ou tuple de nombres, ou tenseur 1-D.

    La réponse est convertie en tenseur float64 et comparée à la référence (une liste).
    Les erreurs typiques (``hints``) renvoient des tenseurs float64.
    """

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        values = _as_float64(got)
        if values is None:
            hint = _sequence_type_hint(got)
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : liste de {len(expected)} nombres réels ; reçu : "
                               f"{_describe(got)}."] + ([f"Indice : {hint}"] if hint else []))
        if values.numel() != len(expected):
            return self._fail("shape", f"mauvaise longueur sur le cas « {case.label} ».",
                              [f"attendu {len(expected)} valeurs (une par couche, k = 1, …, "
                               f"depth), reçu {values.numel()}."] + self._hint(case, values))
        return self._compare_tensor(case, values, torch.tensor(expected, dtype=torch.float64))


def _is_real_item(v: Any) -> bool:
    if isinstance(v, torch.Tensor):
        return v.dim() == 0 and not v.is_complex() and v.dtype != torch.bool
    return _is_real(v)


def _as_float64(got: Any) -> torch.Tensor | None:
    if isinstance(got, torch.Tensor):
        ok = got.dim() == 1 and not got.is_complex() and got.dtype != torch.bool
        return got.detach().to(torch.float64) if ok else None
    if isinstance(got, (list, tuple)) and all(_is_real_item(v) for v in got):
        return torch.tensor([float(v) for v in got], dtype=torch.float64)
    return None


def _describe(got: Any) -> str:
    if isinstance(got, torch.Tensor):
        return f"torch.Tensor de forme {tuple(got.shape)} ({got.dtype})"
    if isinstance(got, (list, tuple)):
        bad = next(v for v in got if not _is_real_item(v))
        return f"{_type_name(got)} contenant un élément de type {_type_name(bad)}"
    return _type_name(got)


def _sequence_type_hint(got: Any) -> str | None:
    if _is_real(got):
        return "renvoyez la liste des depth variances (une par couche), pas un seul nombre."
    if _type_name(got) == "numpy.ndarray":
        return "convertissez le tableau NumPy en liste avec .tolist()."
    if isinstance(got, torch.Tensor):
        return "renvoyez une liste de nombres, ou un tenseur à une dimension (depth,)."
    if isinstance(got, (list, tuple)):
        return "chaque élément doit être un nombre réel (float)."
    return _type_hint(got, [])


def _predicted_variances(var_x: float, var_w: float, n: int, depth: int) -> list[float]:
    """Var(z_k) = (n · var_w)^k · var_x pour k = 1, …, depth.

    Réseau linéaire profond (activation identité, biais nuls), poids et entrées
    indépendants et centrés : chaque couche multiplie la variance par n · var_w.
    """
    return [(n * var_w) ** k * var_x for k in range(1, depth + 1)]


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


def _powers(first: int, last: Callable[[int], int], factor: Callable[..., float],
            times_x: bool = True) -> Callable[..., torch.Tensor]:
    """Erreur typique : [factor(n, var_w)^k · var_x pour k = first, …, last(depth)]."""
    def wrong(var_x: float, var_w: float, n: int, depth: int) -> torch.Tensor:
        scale = var_x if times_x else 1.0
        return torch.tensor([factor(n, var_w) ** k * scale
                             for k in range(first, last(depth) + 1)], dtype=torch.float64)
    return wrong


def _nvw(n: int, var_w: float) -> float:
    return n * var_w


check_predicted_variances = _RealSequenceChecker(
    exercise="3.2", title="predicted_variances", reference=_predicted_variances,
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


CHAPTER_03_CHECKERS: tuple[Checker, ...] = (
    check_fan_in_bound, check_xavier_uniform, check_predicted_variances,
)
