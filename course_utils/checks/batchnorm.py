"""Vérificateurs de la normalisation par lots (exercices 6.1 à 6.4).

Notations du cours (Ioffe et Szegedy, 2015) : x (N, D) un mini-lot de N exemples et D
caractéristiques ; pour chaque caractéristique, μ_B et σ²_B la moyenne et la variance
(biaisée, 1/N) du mini-lot, x̂ = (x − μ_B)/√(σ²_B + ε), y = γ x̂ + β ; γ, β : (D,).

Les fonctions attendues ont les noms et les signatures de :mod:`course_utils.batchnorm`, qui
sert de référence :

- 6.1 ``batchnorm_forward(x, gamma, beta, *, eps=1e-5)`` → ``(out, cache)``, en mode
  apprentissage, avec cache = (x̂, γ, 1/√(σ²_B + ε)) ;
- 6.2 ``update_running_stats(running_mean, running_var, x, *, momentum)`` →
  ``(new_mean, new_var)``, convention de PyTorch : nouvelle = (1 − m) ancienne + m ·
  statistique du lot, avec la variance non biaisée du lot N/(N − 1) σ²_B ;
- 6.3 ``batchnorm_eval(x, gamma, beta, running_mean, running_var, *, eps=1e-5)`` → y (N, D),
  avec les statistiques courantes (N = 1 compris) ;
- 6.4 ``batchnorm_backward(dout, cache)`` → ``(dx, dgamma, dbeta)`` ; le cache est celui de
  6.1 (les cas le construisent avec la référence).
"""

from __future__ import annotations

import torch

from course_utils.batchnorm import (
    batchnorm_backward,
    batchnorm_eval,
    batchnorm_forward,
    update_running_stats,
)
from course_utils.checks.answers import TupleChecker
from course_utils.checks.framework import Case, Checker, generator

_SQRT = "ε se place sous la racine : x̂ = (x − μ)/√(σ² + ε)."
_STD = "divisez par l'écart-type √(σ² + ε), et non par la variance σ² + ε."
_SWAPPED = "γ et β sont inversés : γ multiplie x̂, β s'ajoute (y = γ x̂ + β)."
_AFFINE = "appliquez la mise à l'échelle et le décalage appris : y = γ x̂ + β."


def _stats(x, *, dim=0, unbiased=False, keepdim=False):
    """(moyenne, variance) de x sur ``dim``, en deux passes, sans avertissement si N = 1."""
    mean = x.mean(dim=dim, keepdim=True)
    n = x.numel() // mean.numel() - (1 if unbiased else 0)  # nombre de valeurs moyennées
    var = ((x - mean) ** 2).sum(dim=dim, keepdim=True) / n
    return (mean, var) if keepdim else (mean.squeeze(dim), var.squeeze(dim))


def _affine_draw(gen, n, d, *, dtype=torch.float32, scale=1.0, offset=0.0):
    """x (n, d) de moyenne ``offset`` et d'écart-type ``scale``, puis γ et β (d,)."""
    x = offset + scale * torch.randn(n, d, generator=gen, dtype=dtype)
    gamma = 1 + 0.5 * torch.randn(d, generator=gen, dtype=dtype)
    return x, gamma, torch.randn(d, generator=gen, dtype=dtype)


# --- 6.1 : passe avant en mode apprentissage ------------------------------------------------


def _offset_draw(gen):
    """x ≈ 1000 ± 1 (16, 4), en multiples de 1/8 : μ_B et x − μ_B sont exacts en float32,
    si bien que toute variance en deux passes est exacte, et E[x²] − E[x]² ne l'est pas."""
    x, gamma, beta = _affine_draw(gen, 16, 4)
    return 1000 + torch.round(8 * x) / 8, gamma, beta


def _forward_cases() -> list[Case]:
    gen = generator(61)
    constant = _affine_draw(gen, 6, 4)
    constant[0][:, 1] = 2.5  # σ²_B = 0 pour la 2e caractéristique : seul ε évite 0/0
    pair = torch.tensor([[0.0, 1.0, -2.0], [2.0, 4.0, 1.0]])  # N = 2 : x̂ = ±1 (à ε près)
    eps = {"eps": 1e-5}
    return [Case("x aléatoire (8, 5), ε = 1e-5", _affine_draw(gen, 8, 5, scale=2.0, offset=1.0),
                 eps),
            Case("petit lot N = 2 (2, 3), ε = 1e-5", (pair, *_affine_draw(gen, 2, 3)[1:]), eps),
            Case("une caractéristique constante (6, 4), ε = 1e-5", constant, eps),
            Case("grand ε = 0.5 (6, 4)", _affine_draw(gen, 6, 4, scale=0.5), {"eps": 0.5}),
            Case("float64 (10, 3), ε = 1e-5", _affine_draw(gen, 10, 3, dtype=torch.float64), eps),
            Case("grand décalage : x ≈ 1000 ± 1 (16, 4), float32, ε = 1e-5", _offset_draw(gen),
                 eps)]


def _fragile_stats(x):
    mean = x.mean(dim=0)
    return mean, (x**2).mean(dim=0) - mean**2  # E[x²] − E[x]² : annulation catastrophique


def _forward_mistake(stats=_stats, inv_std=lambda var, eps: 1 / torch.sqrt(var + eps),
                     output=lambda x_hat, gamma, beta: gamma * x_hat + beta,
                     cache=lambda x, x_hat, gamma, inv: (x_hat, gamma, inv)):
    """Erreur typique de 6.1 : (μ, σ²) = stats(x), 1/√(σ² + ε) ↦ inv_std(σ², ε), sortie et
    cache construits par ``output`` et ``cache``."""
    def wrong(x, gamma, beta, *, eps=1e-5):
        mean, var = stats(x)
        inv = inv_std(var, eps)
        x_hat = (x - mean) * inv
        return output(x_hat, gamma, beta), cache(x, x_hat, gamma, inv)
    return wrong


check_batchnorm_forward = TupleChecker(
    outputs=("out", "cache"), exercise="6.1", title="batchnorm_forward",
    reference=batchnorm_forward, cases=_forward_cases,
    signature="batchnorm_forward(x, gamma, beta, *, eps=1e-5)", atol=1e-5, rtol=1e-4,
    finite_hint="ε évite la division par zéro quand une caractéristique est constante sur le "
                "mini-lot (σ²_B = 0) : √(σ²_B + ε).",
    hints=[
        (_forward_mistake(stats=lambda x: _stats(x, dim=1, keepdim=True)),
         "normalisez chaque caractéristique (colonne) sur le mini-lot : moyenne et variance "
         "selon dim=0 (les exemples), et non selon dim=1 (les caractéristiques)."),
        (_forward_mistake(stats=lambda x: _stats(x, dim=(0, 1))),
         "une moyenne et une variance par caractéristique : x.mean(dim=0), et non x.mean()."),
        (_forward_mistake(stats=lambda x: _stats(x, unbiased=True)),
         "la variance du mini-lot est biaisée, σ²_B = (1/m) Σ (x_i − μ_B)² : utilisez "
         "x.var(dim=0, unbiased=False) ; x.var(dim=0) divise par m − 1 (écart visible pour "
         "un petit lot)."),
        (_forward_mistake(stats=_fragile_stats),
         "σ²_B = E[x²] − E[x]² perd ses chiffres significatifs quand |μ_B| ≫ σ_B (deux "
         "nombres voisins de 10⁶ soustraits en float32) : calculez la variance en deux "
         "passes, μ_B d'abord, puis σ²_B = (1/m) Σ (x_i − μ_B)²."),
        (_forward_mistake(inv_std=lambda var, eps: 1 / (torch.sqrt(var) + eps)), _SQRT),
        (_forward_mistake(inv_std=lambda var, eps: 1 / torch.sqrt(var)),
         "ajoutez ε sous la racine, √(σ²_B + ε) : sans ε, une caractéristique constante "
         "(σ²_B = 0) donne 0/0."),
        (_forward_mistake(inv_std=lambda var, eps: 1 / (var + eps)), _STD),
        (_forward_mistake(output=lambda x_hat, gamma, beta: x_hat), _AFFINE),
        (_forward_mistake(output=lambda x_hat, gamma, beta: beta * x_hat + gamma), _SWAPPED),
        (lambda x, gamma, beta, *, eps=1e-5: batchnorm_forward(x, beta, gamma, eps=eps),
         _SWAPPED),
        (_forward_mistake(cache=lambda x, x_hat, gamma, inv: (x_hat, gamma, 1 / inv)),
         "le cache garde l'inverse de l'écart-type, 1/√(σ²_B + ε), et non √(σ²_B + ε) : "
         "cache = (x_hat, gamma, inv_std)."),
        (_forward_mistake(cache=lambda x, x_hat, gamma, inv: (x, gamma, inv)),
         "le cache garde x̂ (x normalisé), et non x : cache = (x_hat, gamma, inv_std)."),
        (_forward_mistake(cache=lambda x, x_hat, gamma, inv: (x_hat, inv, gamma)),
         "rangez le cache dans l'ordre attendu par la passe arrière : "
         "cache = (x_hat, gamma, inv_std)."),
    ])


# --- 6.2 : mise à jour des statistiques courantes -------------------------------------------


def _running_cases() -> list[Case]:
    gen = generator(62)

    def draw(n, d, dtype=torch.float32):  # running_mean, running_var, x
        return (torch.randn(d, generator=gen, dtype=dtype),
                0.5 + torch.rand(d, generator=gen, dtype=dtype),
                1 + 2 * torch.randn(n, d, generator=gen, dtype=dtype))

    return [Case("x (16, 4), momentum = 0.1", draw(16, 4), {"momentum": 0.1}),
            Case("petit lot N = 2 (2, 3), momentum = 0.1", draw(2, 3), {"momentum": 0.1}),
            Case("premier lot : statistiques initiales (0 et 1), x (8, 5), momentum = 0.1",
                 (torch.zeros(5), torch.ones(5), draw(8, 5)[2]), {"momentum": 0.1}),
            Case("momentum = 1 : les statistiques du lot, x (6, 3)", draw(6, 3),
                 {"momentum": 1.0}),
            Case("float64, x (10, 3), momentum = 0.3", draw(10, 3, dtype=torch.float64),
                 {"momentum": 0.3})]


def _running_mistake(old_weight, new_weight, unbiased=True, update_var=True):
    """Erreur typique de 6.2 : ancienne ↦ old_weight(m) · ancienne + new_weight(m) · lot."""
    def wrong(running_mean, running_var, x, *, momentum):
        mean, var = _stats(x, unbiased=unbiased)
        a, b = old_weight(momentum), new_weight(momentum)
        new_var = a * running_var + b * var if update_var else running_var
        return a * running_mean + b * mean, new_var
    return wrong


check_update_running_stats = TupleChecker(
    outputs=("new_mean", "new_var"), exercise="6.2", title="update_running_stats",
    reference=update_running_stats, cases=_running_cases,
    signature="update_running_stats(running_mean, running_var, x, *, momentum)",
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


# --- 6.3 : passe avant en mode évaluation ---------------------------------------------------


def _eval_cases() -> list[Case]:
    gen = generator(63)

    def draw(n, d, dtype=torch.float32, var_scale=1.0):  # x, γ, β, running_mean, running_var
        x, gamma, beta = _affine_draw(gen, n, d, dtype=dtype, scale=3.0, offset=1.0)
        return (x, gamma, beta, torch.randn(d, generator=gen, dtype=dtype),
                var_scale * (0.5 + torch.rand(d, generator=gen, dtype=dtype)))

    return [Case("x (6, 4), statistiques courantes ≠ celles du lot, ε = 1e-5", draw(6, 4),
                 {"eps": 1e-5}),
            Case("un seul exemple (1, 4), ε = 1e-5", draw(1, 4), {"eps": 1e-5}),
            Case("petites variances courantes (≈ 1e-4), ε = 1e-3, x (5, 3)",
                 draw(5, 3, var_scale=1e-4), {"eps": 1e-3}),
            Case("float64 (4, 5), ε = 1e-5", draw(4, 5, dtype=torch.float64), {"eps": 1e-5})]


def _eval_mistake(scale=lambda var, eps: torch.sqrt(var + eps), batch_stats=None):
    """Erreur typique de 6.3 : γ (x − μ)/scale(σ², ε) + β, avec (μ, σ²) les statistiques
    courantes, ou ``batch_stats(x)`` (celles du lot) si donné."""
    def wrong(x, gamma, beta, running_mean, running_var, *, eps=1e-5):
        mean, var = (running_mean, running_var) if batch_stats is None else batch_stats(x)
        return gamma * (x - mean) / scale(var, eps) + beta
    return wrong


_BATCH_STATS = ("en mode évaluation, normalisez avec les statistiques courantes running_mean "
                "et running_var (estimées pendant l'apprentissage), et non avec celles du lot : "
                "la sortie d'un exemple ne doit pas dépendre des autres, et un seul exemple "
                "(N = 1) donnerait x̂ = 0 ou nan.")

check_batchnorm_eval = Checker(
    exercise="6.3", title="batchnorm_eval", reference=batchnorm_eval, cases=_eval_cases,
    signature="batchnorm_eval(x, gamma, beta, running_mean, running_var, *, eps=1e-5)",
    atol=1e-5, rtol=1e-4, finite_hint=_BATCH_STATS, hints=[
        (_eval_mistake(batch_stats=_stats), _BATCH_STATS),
        (_eval_mistake(batch_stats=lambda x: _stats(x, unbiased=True)), _BATCH_STATS),
        (_eval_mistake(scale=lambda var, eps: torch.sqrt(var)),
         "ajoutez ε sous la racine : √(running_var + ε) (l'écart se voit quand la variance "
         "courante est petite)."),
        (_eval_mistake(scale=lambda var, eps: var + eps), _STD),
        (_eval_mistake(scale=lambda var, eps: torch.sqrt(var) + eps), _SQRT),
        (lambda x, gamma, beta, mean, var, *, eps=1e-5: (x - mean) / torch.sqrt(var + eps),
         _AFFINE),
    ])


# --- 6.4 : passe arrière en mode apprentissage ----------------------------------------------


def _backward_cases() -> list[Case]:
    gen = generator(64)

    def draw(n, d, eps, dtype=torch.float32, scale=1.0):  # dout, cache de batchnorm_forward
        x, gamma, beta = _affine_draw(gen, n, d, dtype=dtype, scale=scale, offset=1.0)
        dout = torch.randn(n, d, generator=gen, dtype=dtype)
        return dout, batchnorm_forward(x, gamma, beta, eps=eps)[1]

    return [Case("dout aléatoire, cache d'un x (8, 5), ε = 1e-5", draw(8, 5, 1e-5, scale=2.0)),
            Case("petit lot N = 2 (2, 3), ε = 1e-5", draw(2, 3, 1e-5)),
            Case("grand ε = 0.5 (6, 4)", draw(6, 4, 0.5, scale=0.5)),
            Case("float64 (10, 3), ε = 1e-5", draw(10, 3, 1e-5, dtype=torch.float64))]


def _backward_mistake(dx_terms=("mu", "var"), scale=lambda gamma, inv: gamma * inv,
                      dgamma_factor=lambda gamma: 1, dims=(0, 0)):
    """Erreur typique de 6.4 : dx sans les termes venant de μ_B et/ou σ²_B, ou multiplié
    par ``scale(γ, 1/√(σ²_B + ε))`` au lieu de γ/√(σ²_B + ε) ; dγ = Σ dgamma_factor(γ) dout
    x̂ ; sommes de dγ et dβ sur les axes ``dims``."""
    def wrong(dout, cache):
        x_hat, gamma, inv_std = cache
        n = dout.shape[0]
        dx = n * dout
        dx = dx - dout.sum(0) if "mu" in dx_terms else dx
        dx = dx - x_hat * (dout * x_hat).sum(0) if "var" in dx_terms else dx
        dgamma = (dgamma_factor(gamma) * dout * x_hat).sum(dims[0])
        return scale(gamma, inv_std) / n * dx, dgamma, dout.sum(dims[1])
    return wrong


_SUM = "dγ et dβ somment sur le mini-lot (dim=0) : une valeur par caractéristique, forme (D,)."

check_batchnorm_backward = TupleChecker(
    outputs=("dx", "dgamma", "dbeta"), exercise="6.4", title="batchnorm_backward",
    reference=batchnorm_backward, cases=_backward_cases,
    signature="batchnorm_backward(dout, cache)", atol=1e-5, rtol=1e-4, hints=[
        (_backward_mistake(dx_terms=()),
         "μ et σ dépendent de x : dx reçoit aussi ce qui passe par μ_B et σ²_B, "
         "dx = γ/(N √(σ²_B + ε)) (N dout − Σ dout − x̂ Σ dout ⊙ x̂)."),
        (_backward_mistake(dx_terms=("mu",)),
         "σ dépend aussi de x : il manque le terme − x̂ Σ dout ⊙ x̂ dans dx."),
        (_backward_mistake(dx_terms=("var",)),
         "μ dépend aussi de x : il manque le terme − Σ dout dans dx."),
        (_backward_mistake(dgamma_factor=lambda gamma: gamma),
         "dγ = Σ_i dout_i ⊙ x̂_i : avec dout = ∂L/∂y, et non dx̂ = γ dout."),
        (_backward_mistake(dims=(0, 1)), _SUM),
        (_backward_mistake(dims=(1, 1)), _SUM),
        (_backward_mistake(scale=lambda gamma, inv: inv),
         "multipliez dx par γ : y = γ x̂ + β, donc dx̂ = γ dout."),
        (_backward_mistake(scale=lambda gamma, inv: gamma / inv),
         "le cache contient inv_std = 1/√(σ²_B + ε) : multipliez par inv_std (diviser par "
         "l'écart-type), ne divisez pas."),
    ])


CHECKERS: tuple[Checker, ...] = (
    check_batchnorm_forward, check_update_running_stats, check_batchnorm_eval,
    check_batchnorm_backward,
)
