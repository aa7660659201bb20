"""Vérificateurs du chapitre 07 (régularisation), exercices 7.1 à 7.4.

Fonctions attendues de l'étudiant :

- 7.1 ``l1_penalty(weights, alpha)`` → tenseur 0-d α Σ_k Σ |w_k|, où ``weights`` est une
  liste de tenseurs (les poids des couches) ; le résultat doit rester dérivable, puisqu'on
  l'ajoute à la perte avant ``backward()`` ;
- 7.2 ``inverted_dropout(x, p, training, generator)`` → tenseur de la forme de x : en
  apprentissage, chaque élément vaut 0 avec probabilité p (p : probabilité d'ÉTEINDRE,
  comme dans PyTorch) et x/(1 − p) sinon, masque tiré avec ``generator`` ; en évaluation
  (``training=False``), x inchangé ;
- 7.3 ``mixup_batch(x, y_onehot, lam, perm)`` → ``(x_mixed, y_mixed)`` =
  (λ x + (1 − λ) x[perm], λ y + (1 − λ) y[perm]) ;
- 7.4 ``should_stop(val_losses, patience)`` → booléen, la règle de l'arrêt précoce : True
  si aucune des ``patience`` dernières valeurs n'améliore strictement le minimum des
  précédentes (définition précise et exemples : :func:`_should_stop`).

L'exercice 7.2 tire un masque au hasard : ses valeurs ne sont pas comparées à la
référence (seuls le type, la forme, le dtype, la finitude et la non-modification de x le
sont), puis :func:`_dropout_extra` vérifie dans l'ordre : x inchangé en évaluation ; sur un
grand tenseur, une fraction d'éléments éteints égale à p au seuil z = 5 ; des éléments
gardés valant x/(1 − p) ; la moyenne conservée (z = 5) ; p = 0 sans effet ; un tirage qui
dépend de ``generator`` seul.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from typing import Any

import torch

from course_utils.augmentation import mixup_batch
from course_utils.checks.chapter06 import _TupleChecker
from course_utils.checks.framework import (
    Case,
    Checker,
    Report,
    _call,
    _clone,
    _fmt,
    _gen,
    _type_hint,
    _type_name,
)
from course_utils.regularization import dropout

_Z = 5.0  # P(|N(0, 1)| > 5) ≈ 5.7e-7 : une bonne réponse n'est jamais refusée par hasard

# --- 7.1 : pénalisation L1, α Σ |w| ------------------------------------------------------


def _l1_reference(weights: list[torch.Tensor], alpha: float) -> torch.Tensor:
    """α Ω(θ), Ω(θ) = Σ_k Σ |w_k| : somme des valeurs absolues de tous les poids."""
    return alpha * sum(w.abs().sum() for w in weights)


def _l1_cases() -> list[Case]:
    g = _gen(71)

    def draw(*shapes: tuple[int, ...], dtype=torch.float32) -> list[torch.Tensor]:
        return [torch.randn(s, generator=g, dtype=dtype) for s in shapes]

    with_zeros = draw((4, 5))
    with_zeros[0][:, ::2] = 0.0
    return [Case("trois couches (4, 6), (3, 4), (2, 3), α = 0.01",
                 (draw((4, 6), (3, 4), (2, 3)), 0.01)),
            Case("une seule couche (5, 5), α = 0.5", (draw((5, 5)), 0.5)),
            Case("poids et vecteur 1-D, α = 2", (draw((3, 4), (4,)), 2.0)),
            Case("poids nuls compris (4, 5), α = 0.1", (with_zeros, 0.1)),
            Case("float64, deux couches, α = 1e-3",
                 (draw((6, 3), (2, 6), dtype=torch.float64), 1e-3))]


def _l1_mistake(term: Callable[[torch.Tensor], torch.Tensor], scale: bool = True):
    """Erreur typique de 7.1 : (α ·) Σ_k term(w_k)."""
    return lambda weights, alpha: (alpha if scale else 1) * sum(term(w) for w in weights)


def _l1_extra(fn: Callable[..., Any]) -> str | None:
    """Liste non modifiée ; pénalisation dérivable, de gradient α sign(w) (0 en w = 0)."""
    values = [torch.tensor([[0.5, -1.5, 0.0], [2.0, 0.0, -0.25]]), torch.tensor([-3.0, 0.75])]
    listed = [w.clone() for w in values]
    fn(listed, 0.5)
    if len(listed) != 2 or any(not torch.equal(w, v) for w, v in zip(listed, values, strict=True)):
        return ("votre fonction ne doit pas modifier la liste weights ni ses tenseurs.\n"
                "   Indice : évitez les opérations en place (w.abs_(), weights.pop()…).")
    weights = [w.clone().requires_grad_(True) for w in values]
    out = fn(list(weights), 0.5)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return ("la pénalisation doit rester dérivable : on l'ajoute à la perte avant "
                "backward().\n   Indice : n'utilisez ni .item(), ni float(…), ni "
                "torch.tensor(…), ni .detach() ; restez en opérations sur les tenseurs.")
    grads = torch.autograd.grad(out, weights, allow_unused=True)
    for v, grad in zip(values, grads, strict=True):
        if grad is None or not torch.allclose(grad, 0.5 * torch.sign(v), atol=1e-6):
            return ("gradient inattendu : celui de α Σ |w| est α sign(w), et 0 en w = 0.\n"
                    "   Indice : utilisez w.abs() ; √(w²) donne le bon résultat mais un "
                    "gradient nan en w = 0.")
    return None


check_l1_penalty = Checker(
    exercise="7.1", title="l1_penalty", reference=_l1_reference, cases=_l1_cases,
    signature="l1_penalty(weights, alpha)", extra=_l1_extra, hints=[
        (_l1_mistake(lambda w: (w**2).sum()),
         "vous calculez la pénalisation L2 (somme des carrés) ; la L1 somme les valeurs "
         "absolues : α Σ |w| (w.abs())."),
        (_l1_mistake(lambda w: w.abs().sum(), scale=False), "multipliez la somme par alpha."),
        (_l1_mistake(lambda w: w.abs().mean()),
         "sommez les valeurs absolues (.sum()), ne les moyennez pas (.mean()) : Ω(θ) = Σ |w|."),
        (lambda weights, alpha: alpha * torch.cat([w.flatten() for w in weights]).abs().mean(),
         "sommez les valeurs absolues (.sum()), ne les moyennez pas (.mean()) : Ω(θ) = Σ |w|."),
        (_l1_mistake(lambda w: w.sum()),
         "prenez la valeur absolue de chaque poids : sans elle, poids positifs et négatifs "
         "se compensent."),
        (_l1_mistake(lambda w: w.sum().abs()),
         "valeur absolue de chaque poids, puis la somme : Σ |w|, et non |Σ w|."),
        (lambda weights, alpha: alpha * weights[0].abs().sum(),
         "sommez sur tous les tenseurs de la liste weights, pas seulement le premier."),
        (lambda weights, alpha: _l1_reference(weights, alpha).reshape(1),
         "renvoyez un tenseur 0-d (un scalaire) : commencez la somme à 0 (nombre Python), "
         "pas à torch.zeros(1)."),
        (lambda weights, alpha: torch.stack([alpha * w.abs().sum() for w in weights]),
         "additionnez aussi les contributions des différents tenseurs : un seul nombre."),
    ])

# --- 7.2 : dropout inversé -----------------------------------------------------------------


def _dropout_reference(x: torch.Tensor, p: float, training: bool,
                       generator: torch.Generator) -> torch.Tensor:
    """En apprentissage : 0 avec probabilité p, x/(1 − p) sinon ; en évaluation : x."""
    return dropout(x, p=p, training=training, generator=generator)


def _dropout_cases() -> list[Case]:
    g = _gen(72)
    return [Case("x (5, 8), p = 0.5, apprentissage",
                 (torch.randn(5, 8, generator=g), 0.5, True, _gen(720))),
            Case("x à trois dimensions (3, 4, 6), p = 0.2, apprentissage",
                 (torch.randn(3, 4, 6, generator=g), 0.2, True, _gen(721))),
            Case("float64 (6, 5), p = 0.3, apprentissage",
                 (torch.randn(6, 5, generator=g, dtype=torch.float64), 0.3, True, _gen(722))),
            Case("évaluation (training=False), x (4, 7), p = 0.5",
                 (torch.randn(4, 7, generator=g), 0.5, False, _gen(723)))]


def _eval_problem(fn: Callable[..., Any]) -> str | None:
    x = 1 + torch.rand(50, 40, generator=_gen(73))
    out = fn(x.clone(), 0.3, False, _gen(730))
    if isinstance(out, torch.Tensor) and out.shape == x.shape and torch.equal(out, x):
        return None
    why = ("vous multipliez par 1 − p : avec le dropout inversé, la compensation est déjà "
           "faite en apprentissage (division par 1 − p)."
           if isinstance(out, torch.Tensor) and out.shape == x.shape
           and torch.allclose(out, 0.7 * x) else
           "en évaluation, on n'éteint rien : c'est toute la commodité du dropout inversé.")
    return f"en évaluation (training=False), renvoyez x inchangé.\n   Indice : {why}"


def _fraction_problem(out: torch.Tensor, p: float) -> str | None:
    dropped = (out == 0).double().mean().item()
    tol = _Z * math.sqrt(p * (1 - p) / out.numel())
    if abs(dropped - p) <= tol:
        return None
    head = (f"fraction d'éléments éteints {_fmt(dropped)} pour p = {p} (attendu p à "
            f"{_fmt(tol)} près, sur {out.numel()} éléments).")
    if abs(dropped - (1 - p)) <= tol:
        return (f"{head}\n   Indice : p est la probabilité d'éteindre une unité (convention "
                "de PyTorch) : gardez chaque élément avec probabilité 1 − p, par ex. "
                "torch.rand(x.shape, generator=generator) >= p.")
    return head


def _scale_mistakes(p: float) -> list[tuple[float, str]]:
    """Facteurs erronés typiques des éléments gardés (rapport y/x) et l'indice associé."""
    return [(1.0, "multipliez les éléments gardés par 1/(1 − p) (dropout inversé) : sans "
                  "cela, l'espérance de la sortie vaut (1 − p) x et il faudrait corriger en "
                  "test."),
            (1 - p, "divisez par 1 − p, ne multipliez pas : les éléments gardés valent "
                    "x/(1 − p)."),
            (1 / p, "le facteur est 1/(1 − p), l'inverse de la probabilité de garder, et non "
                    "1/p."),
            (p, "les éléments gardés valent x/(1 − p), et non p x.")]


def _scale_problem(x: torch.Tensor, out: torch.Tensor, p: float) -> str | None:
    kept = out != 0
    ratio = out[kept].double() / x[kept].double()
    if torch.allclose(ratio, torch.full_like(ratio, 1 / (1 - p)), rtol=1e-5):
        return None
    head = ("les éléments gardés doivent valoir x/(1 − p) ; rapport y/x mesuré "
            f"de {_fmt(ratio.min().item())} à {_fmt(ratio.max().item())}, attendu "
            f"{_fmt(1 / (1 - p))}.")
    hint = next((text for scale, text in _scale_mistakes(p)
                 if torch.allclose(ratio, torch.full_like(ratio, scale), rtol=1e-5)), None)
    return head + (f"\n   Indice : {hint}" if hint else "")


def _mean_problem(x: torch.Tensor, out: torch.Tensor, p: float) -> str | None:
    x, out = x.double(), out.double()
    tol = _Z * math.sqrt(p / (1 - p) * (x**2).sum().item()) / x.numel()
    if abs(out.mean().item() - x.mean().item()) <= tol:
        return None
    return (f"la moyenne n'est pas conservée : {_fmt(out.mean().item())} au lieu de "
            f"{_fmt(x.mean().item())} (E[y] = x attendu, à {_fmt(tol)} près).")


def _generator_problem(fn: Callable[..., Any]) -> str | None:
    x = torch.ones(30, 40)
    state = torch.random.get_rng_state()
    first, second = fn(x.clone(), 0.5, True, _gen(75)), fn(x.clone(), 0.5, True, _gen(75))
    used_global = not torch.equal(torch.random.get_rng_state(), state)
    if torch.equal(first, second) and not torch.equal(first, fn(x.clone(), 0.5, True, _gen(76))):
        return None
    if used_global:
        return ("vous utilisez le générateur global de PyTorch (F.dropout et torch.rand sans "
                "generator, par ex.) : tirez le masque avec torch.rand(x.shape, "
                "generator=generator) pour des résultats reproductibles.")
    return ("le masque doit dépendre de generator : même graine, même masque ; graines "
            "différentes, masques différents. Utilisez generator=generator dans le tirage.")


def _dropout_extra(fn: Callable[..., Any]) -> str | None:
    problem = _eval_problem(fn)
    if problem:
        return problem
    p, x = 0.3, 1 + torch.rand(400, 500, generator=_gen(74))  # valeurs dans [1, 2) : ≠ 0
    out = fn(x.clone(), p, True, _gen(740))
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        got = f"forme {tuple(out.shape)}" if isinstance(out, torch.Tensor) else _type_name(out)
        return f"sur x de forme (400, 500), renvoyez un tenseur de même forme (reçu : {got})."
    out = out.detach()
    problem = (_fraction_problem(out, p) or _scale_problem(x, out, p)
               or _mean_problem(x, out, p))
    if problem:
        return problem
    if not torch.equal(fn(x.clone(), 0.0, True, _gen(741)), x):
        return "avec p = 0, rien n'est éteint : la sortie doit valoir x."
    return _generator_problem(fn)


check_inverted_dropout = Checker(
    exercise="7.2", title="inverted_dropout", reference=_dropout_reference,
    cases=_dropout_cases, atol=math.inf,  # masques aléatoires : la loi est vérifiée à part
    extra=_dropout_extra, signature="inverted_dropout(x, p, training, generator)")

# --- 7.3 : Mixup ---------------------------------------------------------------------------


class _MixupChecker(_TupleChecker):
    outputs = ("x_mixed", "y_mixed")


def _mixup_cases() -> list[Case]:
    g = _gen(76)

    def draw(n: int, d: int, c: int, dtype=torch.float32) -> tuple[torch.Tensor, ...]:
        y = torch.randint(0, c, (n,), generator=g)
        onehot = torch.nn.functional.one_hot(y, c).to(dtype)
        return torch.randn(n, d, generator=g, dtype=dtype), onehot

    return [Case("x (6, 784), 10 classes, λ = 0.7", (*draw(6, 784, 10), 0.7,
                                                     torch.randperm(6, generator=g))),
            Case("λ = 0.5, x (5, 20)", (*draw(5, 20, 4), 0.5, torch.randperm(5, generator=g))),
            Case("λ = 1 : pas de mélange", (*draw(4, 12, 3), 1.0, torch.randperm(4, generator=g))),
            Case("λ = 0 : le partenaire seul", (*draw(4, 12, 3), 0.0,
                                                torch.randperm(4, generator=g))),
            Case("float64, λ = 0.93, x (8, 16)", (*draw(8, 16, 5, dtype=torch.float64), 0.93,
                                                  torch.randperm(8, generator=g)))]


def _mix(a: torch.Tensor, lam: float, perm: torch.Tensor) -> torch.Tensor:
    return lam * a + (1 - lam) * a[perm]


check_mixup_batch = _MixupChecker(
    exercise="7.3", title="mixup_batch", reference=mixup_batch, cases=_mixup_cases,
    signature="mixup_batch(x, y_onehot, lam, perm)", hints=[
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

# --- 7.4 : règle d'arrêt précoce -----------------------------------------------------------


def _should_stop(val_losses: list[float], patience: int) -> bool:
    """Vrai si aucune des ``patience`` dernières valeurs n'améliore strictement le minimum
    de celles qui les précèdent.

    Autrement dit, avec b l'indice de la première occurrence du minimum :
    (len(val_losses) − 1) − b ≥ patience. C'est la décision que prend
    ``EarlyStopping(patience).step`` à la dernière époque (une égalité n'est pas une
    amélioration). Exemples, avec patience = 2 :

    - [0.9, 0.7, 0.8, 0.75] → True (0.7, à l'époque 1, n'a pas été battue depuis 2 époques) ;
    - [0.9, 0.7, 0.8] → False (une seule époque sans amélioration) ;
    - [0.9, 0.7, 0.8, 0.6] → False (0.6 améliore le minimum) ;
    - [0.9, 0.7, 0.8, 0.7] → True (égaler 0.7 ne suffit pas) ;
    - [0.9] → False (moins de patience + 1 époques : jamais d'arrêt).
    """
    best = min(range(len(val_losses)), key=lambda i: val_losses[i])  # premier minimum
    return len(val_losses) - 1 - best >= patience


def _stop_cases() -> list[Case]:
    return [Case("amélioration à la dernière époque, patience = 2",
                 ([0.9, 0.7, 0.6, 0.65, 0.55], 2)),
            Case("patience épuisée, patience = 3", ([0.9, 0.6, 0.7, 0.65, 0.68], 3)),
            Case("une époque avant la limite, patience = 3", ([0.9, 0.6, 0.7, 0.65], 3)),
            Case("perte qui remonte puis redescend, patience = 3",
                 ([1.0, 0.5, 0.8, 0.7, 0.75, 0.72], 3)),
            Case("perte toujours décroissante, patience = 2", ([1.0, 0.8, 0.6, 0.5, 0.4], 2)),
            Case("égalité avec le minimum, patience = 3", ([0.9, 0.5, 0.7, 0.5, 0.6], 3)),
            Case("moins d'époques que la patience, patience = 5", ([0.8, 0.9], 5)),
            Case("patience = 1, la perte remonte", ([0.5, 0.6], 1)),
            Case("une seule époque, patience = 1", ([0.7], 1))]


def _as_bool(got: Any) -> bool | None:
    """bool, numpy.bool_ ou tenseur booléen à un élément → bool ; sinon None."""
    if isinstance(got, bool) or _type_name(got) in ("numpy.bool", "numpy.bool_"):
        return bool(got)
    if isinstance(got, torch.Tensor) and got.dtype == torch.bool and got.numel() == 1:
        return bool(got.item())
    return None


class _BoolChecker(Checker):
    """Checker d'une réponse booléenne (bool, numpy.bool_ ou tenseur booléen à un élément).

    Un booléen seul coïncide une fois sur deux avec n'importe quelle erreur typique :
    l'indice n'est donné que si la réponse coïncide avec l'erreur sur TOUS les cas.
    """

    def _compare(self, case: Case, got: Any, expected: bool) -> Report | None:
        value = _as_bool(got)
        if value is None:
            hint = _type_hint(got, True) or ("renvoyez True ou False, par ex. le résultat "
                                             "d'une comparaison.")
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : bool (True ou False) ; reçu : {_type_name(got)}.",
                               f"Indice : {hint}"])
        if value == expected:
            return None
        return self._fail("values", f"réponse incorrecte sur le cas « {case.label} ».",
                          [f"attendu {expected}, obtenu {value}."])

    def _check_case(self, fn: Callable[..., Any], case: Case) -> Report | None:
        report = super()._check_case(fn, case)
        if report is None or report.kind != "values":
            return report
        cases = self.cases()
        answers = [_as_bool(_call(fn, *_clone(c.args))[0]) for c in cases]
        for wrong, text in self.hints:
            if all(a == _call(wrong, *_clone(c.args))[0]
                   for a, c in zip(answers, cases, strict=True)):
                return dataclasses.replace(report, message=f"{report.message}\n   Indice : {text}")
        return report


def _previous_only(val_losses: list[float], patience: int) -> bool:
    """Erreur typique : compter les hausses consécutives par rapport à l'époque précédente."""
    run = 0
    for before, after in itertools.pairwise(val_losses):
        run = run + 1 if after >= before else 0
    return run >= patience


check_early_stopping_rule = _BoolChecker(
    exercise="7.4", title="should_stop", reference=_should_stop, cases=_stop_cases,
    signature="should_stop(val_losses, patience)", hints=[
        (_previous_only,
         "comparez au meilleur score vu jusqu'ici (le minimum), et non à l'époque précédente : "
         "une perte qui remonte puis redescend un peu ne bat pas forcément le minimum."),
        (lambda v, patience: len(v) - 1 - v.index(min(v)) > patience,
         "décalage d'un : on s'arrête dès que les patience dernières époques n'ont pas battu "
         "le minimum, c.-à-d. (len(val_losses) − 1) − indice du minimum ≥ patience."),
        (lambda v, patience: len(v) - v.index(min(v)) >= patience,
         "décalage d'un : l'époque du minimum ne compte pas parmi les époques sans "
         "amélioration, (len(val_losses) − 1) − indice du minimum ≥ patience."),
        (lambda v, patience: len(v) - 1 - v.index(max(v)) >= patience,
         "la perte de validation se minimise : cherchez le minimum (min), pas le maximum."),
        (lambda v, patience: len(v) - 1 - (len(v) - 1 - v[::-1].index(min(v))) >= patience,
         "une valeur égale au minimum n'est pas une amélioration : prenez la première "
         "occurrence du minimum (val_losses.index(min(val_losses)))."),
    ])


CHAPTER_07_CHECKERS: tuple[Checker, ...] = (
    check_l1_penalty, check_inverted_dropout, check_mixup_batch, check_early_stopping_rule,
)
