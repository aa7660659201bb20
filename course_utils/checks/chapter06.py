"""Vérificateurs du chapitre 06 (normalisation par lots), exercices 6.1 à 6.4.

Notations du cours (Ioffe et Szegedy, 2015) : x (N, D) un mini-lot de N exemples et D
caractéristiques ; pour chaque caractéristique, μ_B et σ²_B la moyenne et la variance
(biaisée, 1/N) du mini-lot, x̂ = (x − μ_B)/√(σ²_B + ε), y = γ x̂ + β ; γ, β : (D,).

Fonctions attendues de l'étudiant :

- 6.1 ``batchnorm_train(x, gamma, beta, eps)`` → y (N, D), en mode apprentissage ;
- 6.2 ``running_update(running_mean, running_var, x, momentum)`` → ``(new_mean, new_var)``,
  convention de PyTorch : nouvelle = (1 − m) ancienne + m · statistique du lot, avec la
  variance non biaisée du lot N/(N − 1) σ²_B ;
- 6.3 ``batchnorm_eval(x, gamma, beta, running_mean, running_var, eps)`` → y (N, D), avec
  les statistiques courantes : γ (x − running_mean)/√(running_var + ε) + β (N = 1 compris) ;
- 6.4 ``batchnorm_backward(dout, x, gamma, eps)`` → ``(dx, dgamma, dbeta)``, gradients en
  mode apprentissage ; dx : (N, D), dgamma et dbeta : (D,).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import torch

from course_utils.batchnorm import (
    batchnorm_backward,
    batchnorm_eval,
    batchnorm_forward,
    update_running_stats,
)
from course_utils.checks.framework import (
    Case,
    Checker,
    Report,
    _call,
    _clone,
    _gen,
    _matches,
    _plural,
    _type_hint,
    _type_name,
)

_SQRT = "ε se place sous la racine : x̂ = (x − μ)/√(σ² + ε)."
_STD = "divisez par l'écart-type √(σ² + ε), et non par la variance σ² + ε."


def _normalize(x, mean, var, eps):
    return (x - mean) / torch.sqrt(var + eps)


def _batch_stats(x, *, dim=0, unbiased=False):
    """(moyenne, variance) sur ``dim`` (keepdim), sans avertissement si N = 1 (0/0 = nan)."""
    mean = x.mean(dim=dim, keepdim=True)
    n = x.numel() // mean.numel() - (1 if unbiased else 0)  # nombre de valeurs moyennées
    return mean, ((x - mean) ** 2).sum(dim=dim, keepdim=True) / n


# --- Réponses formées de plusieurs tenseurs (6.2 et 6.4) ------------------------------------


def _tuple_problem(got: Any, outputs: tuple[str, ...]) -> list[str] | None:
    """Diagnostic (lignes) si ``got`` n'est pas un tuple de len(outputs) tenseurs ; sinon None."""
    n, ret = len(outputs), f"return {', '.join(outputs)}"
    want = f"attendu : tuple de {n} tenseurs ({', '.join(outputs)})"
    if isinstance(got, tuple | list):
        if len(got) != n:
            return [f"{want} ; reçu : {_type_name(got)} de "
                    f"{_plural(len(got), 'élément', 'éléments')}.",
                    f"Indice : renvoyez les {n} sorties, dans cet ordre : {ret}."]
        bad = next((i for i, v in enumerate(got) if not isinstance(v, torch.Tensor)), None)
        if bad is None:
            return None
        got, want = got[bad], f"{want} ; reçu : {outputs[bad]}"
        hint = _type_hint(got, torch.empty(0))
        return [f"{want} de type {_type_name(got)}."] + ([f"Indice : {hint}"] if hint else [])
    hint = (f"renvoyez les {n} sorties, pas une seule : {ret}."
            if isinstance(got, torch.Tensor) else _type_hint(got, torch.empty(0)))
    return [f"{want} ; reçu : {_type_name(got)}."] + ([f"Indice : {hint}"] if hint else [])


class _TupleChecker(Checker):
    """Checker d'une réponse « tuple de tenseurs » nommés par ``outputs``, comparés un à un.

    Les erreurs typiques (``hints``) renvoient le tuple complet : l'indice s'affiche si
    toutes les sorties coïncident avec celles de l'erreur typique ; sinon, on signale de
    bonnes valeurs dans le désordre.
    """

    outputs: tuple[str, ...] = ()

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        problem = _tuple_problem(got, self.outputs)
        if problem:
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              problem)
        for name, g, e in zip(self.outputs, got, expected, strict=True):
            part = dataclasses.replace(case, label=f"{case.label}, sortie {name}")
            report = self._compare_tensor(part, g.detach(), e)
            if report is not None:
                hint = self._hint(case, tuple(got))
                if hint and "Indice" not in report.message:
                    report = dataclasses.replace(report,
                                                 message=f"{report.message}\n   {hint[0]}")
                return report
        return None

    def _hint(self, case: Case, got: Any) -> list[str]:
        if not isinstance(got, tuple):  # une sortie seule : l'indice porte sur le tuple
            return []
        for wrong, text in self.hints:
            alt, exc = _call(wrong, *_clone(case.args), **_clone(case.kwargs))
            if exc is None and isinstance(alt, tuple) and len(alt) == len(got) and all(
                    _matches(g, a, self.atol, self.rtol) for g, a in zip(got, alt, strict=True)):
                return [f"Indice : {text}"]
        expected = self.reference(*_clone(case.args), **_clone(case.kwargs))
        identity = tuple(range(len(got)))
        for perm in itertools.permutations(identity):
            if perm != identity and all(_matches(got[i], expected[j], self.atol, self.rtol)
                                        for i, j in enumerate(perm)):
                return [f"Indice : bonnes valeurs dans le désordre ; renvoyez "
                        f"{', '.join(self.outputs)} dans cet ordre."]
        return []


# --- 6.1 : passe avant en mode apprentissage ------------------------------------------------


def _train_reference(x, gamma, beta, eps):
    """y = γ (x − μ_B)/√(σ²_B + ε) + β, statistiques du mini-lot (variance biaisée)."""
    return batchnorm_forward(x, gamma, beta, eps=eps)[0]


def _affine_draw(gen, n, d, *, dtype=torch.float32, scale=1.0, offset=0.0):
    """x (n, d) de moyenne ``offset`` et d'écart-type ``scale``, puis γ et β (d,)."""
    x = offset + scale * torch.randn(n, d, generator=gen, dtype=dtype)
    gamma = 1 + 0.5 * torch.randn(d, generator=gen, dtype=dtype)
    return x, gamma, torch.randn(d, generator=gen, dtype=dtype)


def _train_cases() -> list[Case]:
    gen = _gen(61)
    constant = _affine_draw(gen, 6, 4)
    constant[0][:, 1] = 2.5  # σ²_B = 0 pour la 2e caractéristique : seul ε évite 0/0
    pair = torch.tensor([[0.0, 1.0, -2.0], [2.0, 4.0, 1.0]])  # N = 2 : x̂ = ±1 (à ε près)
    return [Case("x aléatoire (8, 5), ε = 1e-5",
                 (*_affine_draw(gen, 8, 5, scale=2.0, offset=1.0), 1e-5)),
            Case("petit lot N = 2 (2, 3), ε = 1e-5", (pair, *_affine_draw(gen, 2, 3)[1:], 1e-5)),
            Case("une caractéristique constante (6, 4), ε = 1e-5", (*constant, 1e-5)),
            Case("grand ε = 0.5 (6, 4)", (*_affine_draw(gen, 6, 4, scale=0.5), 0.5)),
            Case("float64 (10, 3), ε = 1e-5",
                 (*_affine_draw(gen, 10, 3, dtype=torch.float64), 1e-5))]


def _train_mistake(dim=0, unbiased=False, denominator=None):
    """Erreur typique de 6.1 : statistiques sur ``dim``, dénominateur (σ², ε) ↦ …"""
    def wrong(x, gamma, beta, eps):
        mean, var = _batch_stats(x, dim=dim, unbiased=unbiased)
        den = torch.sqrt(var + eps) if denominator is None else denominator(var, eps)
        return gamma * (x - mean) / den + beta
    return wrong


check_batchnorm_train = Checker(
    exercise="6.1", title="batchnorm_train", reference=_train_reference, cases=_train_cases,
    signature="batchnorm_train(x, gamma, beta, eps)", atol=1e-5, rtol=1e-4,
    finite_hint="ε évite la division par zéro quand une caractéristique est constante sur le "
                "mini-lot (σ²_B = 0) : √(σ²_B + ε).",
    hints=[
        (_train_mistake(dim=1),
         "normalisez chaque caractéristique (colonne) sur le mini-lot : moyenne et variance "
         "selon dim=0 (les exemples), et non selon dim=1 (les caractéristiques)."),
        (_train_mistake(dim=(0, 1)),
         "une moyenne et une variance par caractéristique : x.mean(dim=0), et non x.mean()."),
        (_train_mistake(unbiased=True),
         "la variance du mini-lot est biaisée, σ²_B = (1/m) Σ (x_i − μ_B)² : utilisez "
         "x.var(dim=0, unbiased=False) ; x.var(dim=0) divise par m − 1 (écart visible pour "
         "un petit lot)."),
        (_train_mistake(denominator=lambda var, eps: torch.sqrt(var) + eps), _SQRT),
        (_train_mistake(denominator=lambda var, eps: torch.sqrt(var)),
         "ajoutez ε sous la racine, √(σ²_B + ε) : sans ε, une caractéristique constante "
         "(σ²_B = 0) donne 0/0."),
        (_train_mistake(denominator=lambda var, eps: var + eps), _STD),
        (lambda x, gamma, beta, eps: _normalize(x, *_batch_stats(x), eps),
         "appliquez la mise à l'échelle et le décalage : y = γ x̂ + β."),
        (lambda x, gamma, beta, eps: beta * _normalize(x, *_batch_stats(x), eps) + gamma,
         "γ et β sont inversés : γ multiplie x̂, β s'ajoute (y = γ x̂ + β)."),
    ])


# --- 6.2 : mise à jour des statistiques courantes -------------------------------------------


class _RunningChecker(_TupleChecker):
    outputs = ("new_mean", "new_var")


def _running_reference(running_mean, running_var, x, momentum):
    """(1 − m) ancienne + m · statistique du lot, avec la variance non biaisée du lot."""
    return update_running_stats(running_mean, running_var, x, momentum=momentum)


def _running_cases() -> list[Case]:
    gen = _gen(62)

    def draw(n, d, dtype=torch.float32):  # running_mean, running_var, x
        return (torch.randn(d, generator=gen, dtype=dtype),
                0.5 + torch.rand(d, generator=gen, dtype=dtype),
                1 + 2 * torch.randn(n, d, generator=gen, dtype=dtype))

    return [Case("x (16, 4), momentum = 0.1", (*draw(16, 4), 0.1)),
            Case("petit lot N = 2 (2, 3), momentum = 0.1", (*draw(2, 3), 0.1)),
            Case("premier lot : statistiques initiales (0 et 1), x (8, 5), momentum = 0.1",
                 (torch.zeros(5), torch.ones(5), draw(8, 5)[2], 0.1)),
            Case("momentum = 1 : les statistiques du lot, x (6, 3)", (*draw(6, 3), 1.0)),
            Case("float64, x (10, 3), momentum = 0.3",
                 (*draw(10, 3, dtype=torch.float64), 0.3))]


def _running_mistake(old_weight, new_weight, unbiased=True, update_var=True):
    """Erreur typique de 6.2 : ancienne ↦ old_weight(m) · ancienne + new_weight(m) · lot."""
    def wrong(running_mean, running_var, x, momentum):
        mean, var = _batch_stats(x, unbiased=unbiased)
        a, b = old_weight(momentum), new_weight(momentum)
        new_var = a * running_var + b * var[0] if update_var else running_var
        return a * running_mean + b * mean[0], new_var
    return wrong


check_running_update = _RunningChecker(
    exercise="6.2", title="running_update", reference=_running_reference,
    cases=_running_cases, signature="running_update(running_mean, running_var, x, momentum)",
    hints=[
        (_running_mistake(lambda m: m, lambda m: 1 - m),
         "convention de PyTorch : momentum est le poids du NOUVEAU lot, nouvelle = (1 − m) "
         "ancienne + m · statistique du lot ; c'est l'inverse du momentum d'un optimiseur."),
        (_running_mistake(lambda m: 1 - m, lambda m: m, unbiased=False),
         "stockez la variance non biaisée du lot, N/(N − 1) σ²_B (x.var(dim=0) divise par "
         "N − 1) ; seule la normalisation utilise la variance biaisée σ²_B."),
        (_running_mistake(lambda m: 1 - m, lambda m: m, update_var=False),
         "mettez aussi à jour la variance courante : (1 − m) running_var + m · variance du lot."),
        (_running_mistake(lambda m: 1, lambda m: m),
         "pondérez l'ancienne valeur par (1 − m) : nouvelle = (1 − m) ancienne + m · lot."),
    ])

# --- 6.3 : passe avant en mode évaluation ---------------------------------------------------


def _eval_reference(x, gamma, beta, running_mean, running_var, eps):
    """y = γ (x − running_mean)/√(running_var + ε) + β : application affine fixe."""
    return batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=eps)


def _eval_cases() -> list[Case]:
    gen = _gen(63)

    def draw(n, d, dtype=torch.float32, var_scale=1.0):  # x, γ, β, running_mean, running_var
        x, gamma, beta = _affine_draw(gen, n, d, dtype=dtype, scale=3.0, offset=1.0)
        return (x, gamma, beta, torch.randn(d, generator=gen, dtype=dtype),
                var_scale * (0.5 + torch.rand(d, generator=gen, dtype=dtype)))

    return [Case("x (6, 4), statistiques courantes ≠ celles du lot, ε = 1e-5",
                 (*draw(6, 4), 1e-5)),
            Case("un seul exemple (1, 4), ε = 1e-5", (*draw(1, 4), 1e-5)),
            Case("petites variances courantes (≈ 1e-4), ε = 1e-3, x (5, 3)",
                 (*draw(5, 3, var_scale=1e-4), 1e-3)),
            Case("float64 (4, 5), ε = 1e-5", (*draw(4, 5, dtype=torch.float64), 1e-5))]


def _eval_mistake(denominator):
    """Erreur typique de 6.3 : γ (x − running_mean)/denominator(running_var, ε) + β."""
    return lambda x, gamma, beta, mean, var, eps: gamma * (x - mean) / denominator(var, eps) + beta


_BATCH_STATS = ("en mode évaluation, normalisez avec les statistiques courantes running_mean "
                "et running_var (estimées pendant l'apprentissage), et non avec celles du lot : "
                "la sortie d'un exemple ne doit pas dépendre des autres, et un seul exemple "
                "(N = 1) donnerait x̂ = 0 ou nan.")

check_batchnorm_eval = Checker(
    exercise="6.3", title="batchnorm_eval", reference=_eval_reference, cases=_eval_cases,
    signature="batchnorm_eval(x, gamma, beta, running_mean, running_var, eps)", atol=1e-5,
    rtol=1e-4,
    finite_hint=_BATCH_STATS, hints=[
        (lambda x, gamma, beta, m, v, eps: gamma * _normalize(x, *_batch_stats(x), eps) + beta,
         _BATCH_STATS),
        (lambda x, gamma, beta, m, v, eps:
         gamma * _normalize(x, *_batch_stats(x, unbiased=True), eps) + beta, _BATCH_STATS),
        (_eval_mistake(lambda var, eps: torch.sqrt(var)),
         "ajoutez ε sous la racine : √(running_var + ε) (l'écart se voit quand la variance "
         "courante est petite)."),
        (_eval_mistake(lambda var, eps: var + eps), _STD),
        (_eval_mistake(lambda var, eps: torch.sqrt(var) + eps), _SQRT),
        (lambda x, gamma, beta, m, v, eps: _normalize(x, m, v, eps),
         "appliquez la mise à l'échelle et le décalage appris : y = γ x̂ + β."),
    ])

# --- 6.4 : passe arrière en mode apprentissage ----------------------------------------------


class _BackwardChecker(_TupleChecker):
    outputs = ("dx", "dgamma", "dbeta")


def _backward_reference(dout, x, gamma, eps):
    """(dx, dγ, dβ) : formule compacte de ``course_utils.batchnorm.batchnorm_backward``."""
    _, cache = batchnorm_forward(x, gamma, torch.zeros_like(gamma), eps=eps)
    return batchnorm_backward(dout, cache)


def _backward_cases() -> list[Case]:
    gen = _gen(64)

    def draw(n, d, dtype=torch.float32, scale=1.0):  # dout, x, γ
        x, gamma, _ = _affine_draw(gen, n, d, dtype=dtype, scale=scale, offset=1.0)
        return torch.randn(n, d, generator=gen, dtype=dtype), x, gamma

    return [Case("dout, x aléatoires (8, 5), ε = 1e-5", (*draw(8, 5, scale=2.0), 1e-5)),
            Case("petit lot N = 2 (2, 3), ε = 1e-5", (*draw(2, 3), 1e-5)),
            Case("grand ε = 0.5 (6, 4)", (*draw(6, 4, scale=0.5), 0.5)),
            Case("float64 (10, 3), ε = 1e-5", (*draw(10, 3, dtype=torch.float64), 1e-5))]


def _backward_mistake(dx_terms=("mu", "var"), dgamma_from_x=False, dims=(0, 0)):
    """Erreur typique de 6.4 : dx sans les termes venant de μ_B et/ou σ²_B, dγ avec x au
    lieu de x̂, ou sommes de dγ et dβ sur les axes ``dims``."""
    def wrong(dout, x, gamma, eps):
        mean, var = _batch_stats(x)
        inv_std, n = 1 / torch.sqrt(var + eps), x.shape[0]
        x_hat = (x - mean) * inv_std
        dx = n * dout
        dx = dx - dout.sum(0) if "mu" in dx_terms else dx
        dx = dx - x_hat * (dout * x_hat).sum(0) if "var" in dx_terms else dx
        dgamma = (dout * (x if dgamma_from_x else x_hat)).sum(dims[0])
        return gamma * inv_std[0] / n * dx, dgamma, dout.sum(dims[1])
    return wrong


_SUM = "dγ et dβ somment sur le mini-lot (dim=0) : une valeur par caractéristique, forme (D,)."

check_batchnorm_backward = _BackwardChecker(
    exercise="6.4", title="batchnorm_backward", reference=_backward_reference,
    cases=_backward_cases, signature="batchnorm_backward(dout, x, gamma, eps)", atol=1e-5,
    rtol=1e-4, hints=[
        (_backward_mistake(dx_terms=()),
         "μ et σ dépendent de x : dx reçoit aussi ce qui passe par μ_B et σ²_B, "
         "dx = γ/(N √(σ²_B + ε)) (N dout − Σ dout − x̂ Σ dout ⊙ x̂)."),
        (_backward_mistake(dx_terms=("mu",)),
         "σ dépend aussi de x : il manque le terme − x̂ Σ dout ⊙ x̂ dans dx."),
        (_backward_mistake(dx_terms=("var",)),
         "μ dépend aussi de x : il manque le terme − Σ dout dans dx."),
        (_backward_mistake(dgamma_from_x=True),
         "dγ = Σ_i dout_i ⊙ x̂_i : avec x̂ (x normalisé), et non x."),
        (_backward_mistake(dims=(0, 1)), _SUM),
        (_backward_mistake(dims=(1, 1)), _SUM),
        (lambda dout, x, gamma, eps: (_backward_reference(dout, x, gamma, eps)[0] / gamma,
                                      *_backward_reference(dout, x, gamma, eps)[1:]),
         "multipliez dx par γ : y = γ x̂ + β, donc dx̂ = γ dout."),
    ])


CHAPTER_06_CHECKERS: tuple[Checker, ...] = (
    check_batchnorm_train, check_running_update, check_batchnorm_eval, check_batchnorm_backward,
)
