"""Vérificateurs de la partie « Régularisation » (fonctions de l'étudiant de mêmes noms et
signatures que dans :mod:`course_utils.regularization`) : 7.1 ``l1_penalty(model, *, alpha,
include_bias=False)``, α Σ |w| dérivable ; 7.2 ``dropout(x, *, p, training=True,
generator=None)``, p la probabilité d'ÉTEINDRE ; 7.4 ``should_stop(val_losses, *, patience)``,
la règle de l'arrêt précoce ; 8.2 ``sparsity(model, *, threshold=1e-3)``, fraction des poids
tels que |w| < threshold."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from course_utils.checks.answers import BoolChecker
from course_utils.checks.framework import Case, Checker, generator
from course_utils.checks.messages import format_number, generator_problem, type_name
from course_utils.models import linear_layers
from course_utils.regularization import dropout, l1_penalty, should_stop, sparsity

_Z = 5.0  # P(|N(0, 1)| > 5) ≈ 5.7e-7 : une bonne réponse n'est jamais refusée par hasard


def _network(*weights: torch.Tensor, bias: float = 0.0) -> nn.Sequential:
    """Couches nn.Linear de poids ``weights`` (sortie × entrée), séparées par des ReLU, biais
    tous égaux à ``bias`` ; une seule couche : la couche elle-même, sans nn.Sequential."""
    layers = []
    for w in weights:
        layer = nn.Linear(w.shape[1], w.shape[0], device="meta")  # rien de tiré : remplacé
        layer.weight = nn.Parameter(w.clone())
        layer.bias = nn.Parameter(torch.full(w.shape[:1], bias, dtype=w.dtype))
        layers += [layer, nn.ReLU()]
    return layers[0] if len(weights) == 1 else nn.Sequential(*layers[:-1])


def _random(seed: int, *sizes: int, scale: float = 1.0, dtype=torch.float32) -> nn.Module:
    """PMC de tailles ``sizes`` (entrée comprise), poids ~ N(0, scale²), biais 0.5."""
    g = generator(seed)
    return _network(*[scale * torch.randn(n_out, n_in, generator=g, dtype=dtype)
                      for n_in, n_out in itertools.pairwise(sizes)], bias=0.5)


def _unchanged(fn: Callable[..., Any], model: nn.Module, **kwargs: Any) -> str | None:
    """Diagnostic si ``fn(model, **kwargs)`` modifie les poids ou les biais du modèle."""
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    fn(model, **kwargs)
    if all(torch.equal(p.detach(), before[name]) for name, p in model.named_parameters()):
        return None
    return ("votre fonction ne doit pas modifier les poids du modèle.\n   Indice : évitez les "
            "opérations en place (w.abs_(), w.data.abs_(), w.mul_()…) : w.abs() fait une copie.")


# --- 7.1 : pénalisation L1, α Σ |w| ------------------------------------------------------


def _l1_cases() -> list[Case]:
    with_zeros = _random(71, 5, 4, 3)
    with torch.no_grad():
        with_zeros[0].weight[:, ::2] = 0.0
    return [Case("PMC 6-4-3-2, α = 0.01", (_random(70, 6, 4, 3, 2),), {"alpha": 0.01}),
            Case("une couche nn.Linear(5, 5) seule, α = 0.5", (_random(72, 5, 5),),
                 {"alpha": 0.5}),
            Case("biais compris (include_bias=True), α = 2", (_random(73, 4, 3, 2),),
                 {"alpha": 2.0, "include_bias": True}),
            Case("poids nuls compris, α = 0.1", (with_zeros,), {"alpha": 0.1}),
            Case("float64, PMC 6-3-2, α = 1e-3", (_random(74, 6, 3, 2, dtype=torch.float64),),
                 {"alpha": 1e-3})]


def _tensors(model: nn.Module, include_bias: bool) -> list[torch.Tensor]:
    layers = linear_layers(model)
    return [layer.weight for layer in layers] + [layer.bias for layer in layers
                                                  if include_bias and layer.bias is not None]


def _l1_mistake(total: Callable[[list[torch.Tensor]], Any], *, scale: bool = True,
                biases: bool | None = None):
    """Erreur typique de 7.1 : (α ·) total(tenseurs pénalisés) ; ``biases`` : biais toujours
    (True) ou jamais (False) comptés, quel que soit include_bias."""
    def wrong(model, *, alpha, include_bias=False):
        tensors = _tensors(model, include_bias if biases is None else biases)
        return (alpha if scale else 1) * total(tensors)

    return wrong


def _abs_sum(tensors: list[torch.Tensor]) -> torch.Tensor:
    return sum(t.abs().sum() for t in tensors)


def _l1_extra(fn: Callable[..., Any]) -> str | None:
    """Poids intacts ; pénalisation dérivable, de gradient α sign(w) (0 en w = 0)."""
    weights = (torch.tensor([[0.5, -1.5, 0.0], [2.0, 0.0, -0.25]]), torch.tensor([[-3.0, 0.75]]))
    model = _network(*weights)
    problem = _unchanged(fn, model, alpha=0.5)
    out = None if problem else fn(model, alpha=0.5)
    if problem or not isinstance(out, torch.Tensor) or not out.requires_grad:
        return problem or ("la pénalisation doit rester dérivable : on l'ajoute à la perte "
                           "avant backward().\n   Indice : n'utilisez ni .item(), ni float(…), "
                           "ni torch.tensor(…), ni .detach() ; restez sur des tenseurs.")
    grads = torch.autograd.grad(out, [m.weight for m in linear_layers(model)], allow_unused=True)
    if all(g is not None and torch.allclose(g, 0.5 * torch.sign(w), atol=1e-6)
           for w, g in zip(weights, grads, strict=True)):
        return None
    return ("gradient inattendu : celui de α Σ |w| est α sign(w), et 0 en w = 0.\n   Indice : "
            "utilisez w.abs() ; √(w²) donne le bon résultat mais un gradient nan en w = 0.")


_MEAN = "sommez les valeurs absolues (.sum()), ne les moyennez pas (.mean()) : Ω(θ) = Σ |w|."
check_l1_penalty = Checker(
    exercise="7.1", title="l1_penalty", reference=l1_penalty, cases=_l1_cases,
    signature="l1_penalty(model, alpha=…, include_bias=…)", extra=_l1_extra, hints=[
        (_l1_mistake(lambda ts: sum((t**2).sum() for t in ts)), "vous calculez la pénalisation "
         "L2 (somme des carrés) ; la L1 somme les valeurs absolues : α Σ |w| (w.abs())."),
        (_l1_mistake(_abs_sum, scale=False), "multipliez la somme par alpha."),
        (_l1_mistake(lambda ts: sum(t.abs().mean() for t in ts)), _MEAN),
        (_l1_mistake(lambda ts: torch.cat([t.flatten() for t in ts]).abs().mean()), _MEAN),
        (_l1_mistake(lambda ts: sum(t.sum() for t in ts)), "prenez la valeur absolue de chaque "
         "poids : sans elle, poids positifs et négatifs se compensent."),
        (_l1_mistake(lambda ts: sum(t.sum().abs() for t in ts)),
         "valeur absolue de chaque poids, puis la somme : Σ |w|, et non |Σ w|."),
        (_l1_mistake(_abs_sum, biases=True), "les biais sont exclus par défaut (include_bias="
         "False) : ne prenez que les poids (layer.weight) des couches nn.Linear, pas tous les "
         "model.parameters()."),
        (_l1_mistake(_abs_sum, biases=False),
         "avec include_bias=True, ajoutez aussi les biais (layer.bias) des couches nn.Linear."),
        (_l1_mistake(lambda ts: ts[0].abs().sum()),
         "sommez sur toutes les couches nn.Linear du modèle, pas seulement la première."),
        (lambda model, **kwargs: l1_penalty(model, **kwargs).reshape(1), "renvoyez un tenseur "
         "0-d (un scalaire) : commencez la somme à 0 (nombre Python), pas à torch.zeros(1)."),
        (_l1_mistake(lambda ts: torch.stack([t.abs().sum() for t in ts])),
         "additionnez aussi les contributions des différentes couches : un seul nombre."),
    ])

# --- 7.2 : dropout inversé -----------------------------------------------------------------
# Masques aléatoires : valeurs non comparées (atol = inf). _dropout_extra vérifie la loi : x
# inchangé en évaluation, fraction éteinte ≈ p et moyenne conservée (z = 5), éléments gardés
# valant x/(1 − p), p = 0 sans effet, masque fonction de generator seul.


def _dropout_cases() -> list[Case]:
    g = generator(72)

    def case(k: int, label: str, shape: tuple, p: float, dtype=torch.float32, **mode) -> Case:
        return Case(label, (torch.randn(shape, generator=g, dtype=dtype),),
                    {"p": p, "generator": generator(720 + k)} | mode)

    return [case(0, "x (5, 8), p = 0.5, apprentissage", (5, 8), 0.5, training=True),
            case(1, "x à trois dimensions (3, 4, 6), p = 0.2, training par défaut", (3, 4, 6),
                 0.2),
            case(2, "float64 (6, 5), p = 0.3, apprentissage", (6, 5), 0.3, torch.float64,
                 training=True),
            case(3, "évaluation (training=False), x (4, 7), p = 0.5", (4, 7), 0.5,
                 training=False)]


def _eval_problem(fn: Callable[..., Any]) -> str | None:
    x = 1 + torch.rand(50, 40, generator=generator(73))
    out = fn(x.clone(), p=0.3, training=False, generator=generator(730))
    same_shape = isinstance(out, torch.Tensor) and out.shape == x.shape
    if same_shape and torch.equal(out, x):
        return None
    why = ("vous multipliez par 1 − p : avec le dropout inversé, la compensation est déjà "
           "faite en apprentissage (division par 1 − p)." if same_shape and torch.allclose(
               out, 0.7 * x) else "en évaluation, on n'éteint rien : c'est toute la commodité "
           "du dropout inversé.")
    return f"en évaluation (training=False), renvoyez x inchangé.\n   Indice : {why}"


def _fraction_problem(out: torch.Tensor, p: float) -> str | None:
    dropped = (out == 0).double().mean().item()
    tol = _Z * math.sqrt(p * (1 - p) / out.numel())
    if abs(dropped - p) <= tol:
        return None
    head = (f"fraction d'éléments éteints {format_number(dropped)} pour p = {p} (attendu p à "
            f"{format_number(tol)} près, sur {out.numel()} éléments).")
    return head + ("\n   Indice : p est la probabilité d'éteindre une unité (convention de "
                   "PyTorch) : gardez chaque élément avec probabilité 1 − p, par ex. torch.rand("
                   "x.shape, generator=generator) >= p." if abs(dropped - (1 - p)) <= tol else "")


def _scale_problem(x: torch.Tensor, out: torch.Tensor, p: float) -> str | None:
    kept = out != 0
    ratio = out[kept].double() / x[kept].double()
    if torch.allclose(ratio, torch.full_like(ratio, 1 / (1 - p)), rtol=1e-5):
        return None
    head = ("les éléments gardés doivent valoir x/(1 − p) ; rapport y/x mesuré "
            f"de {format_number(ratio.min().item())} à {format_number(ratio.max().item())}, "
            f"attendu {format_number(1 / (1 - p))}.")
    hint = next((text for scale, text in [  # facteurs erronés typiques et leur indice
        (1.0, "multipliez les éléments gardés par 1/(1 − p) (dropout inversé) : sans cela, "
              "l'espérance de la sortie vaut (1 − p) x et il faudrait corriger en test."),
        (1 - p, "divisez par 1 − p, ne multipliez pas : les éléments gardés valent x/(1 − p)."),
        (1 / p, "le facteur est 1/(1 − p), l'inverse de la probabilité de garder, et non 1/p."),
        (p, "les éléments gardés valent x/(1 − p), et non p x.")]
        if torch.allclose(ratio, torch.full_like(ratio, scale), rtol=1e-5)), None)
    return head + (f"\n   Indice : {hint}" if hint else "")


def _mean_problem(x: torch.Tensor, out: torch.Tensor, p: float) -> str | None:
    x, out = x.double(), out.double()
    tol = _Z * math.sqrt(p / (1 - p) * (x**2).sum().item()) / x.numel()
    if abs(out.mean().item() - x.mean().item()) <= tol:
        return None
    return (f"la moyenne n'est pas conservée : {format_number(out.mean().item())} au lieu de "
            f"{format_number(x.mean().item())} (E[y] = x attendu, à {format_number(tol)} près).")


def _generator_problem(fn: Callable[..., Any]) -> str | None:
    return generator_problem(
        lambda g: fn(torch.ones(30, 40), p=0.5, training=True, generator=g), seeds=(75, 76),
        what="le masque", global_hint="F.dropout ou torch.rand sans generator, par ex. ; tirez "
        "le masque avec torch.rand(x.shape, generator=generator) pour des résultats "
        "reproductibles.")


def _dropout_extra(fn: Callable[..., Any]) -> str | None:
    problem = _eval_problem(fn)
    if problem:
        return problem
    p, x = 0.3, 1 + torch.rand(400, 500, generator=generator(74))  # valeurs dans [1, 2) : ≠ 0
    out = fn(x.clone(), p=p, training=True, generator=generator(740))
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        got = f"forme {tuple(out.shape)}" if isinstance(out, torch.Tensor) else type_name(out)
        return f"sur x de forme (400, 500), renvoyez un tenseur de même forme (reçu : {got})."
    out = out.detach()
    problem = _fraction_problem(out, p) or _scale_problem(x, out, p) or _mean_problem(x, out, p)
    if problem:
        return problem
    if not torch.equal(fn(x.clone(), p=0.0, training=True, generator=generator(741)), x):
        return "avec p = 0, rien n'est éteint : la sortie doit valoir x."
    return _generator_problem(fn)


check_dropout = Checker(
    exercise="7.2", title="dropout", reference=dropout, cases=_dropout_cases,
    atol=math.inf,  # masques aléatoires : la loi est vérifiée à part
    extra=_dropout_extra, signature="dropout(x, p=…, training=…, generator=…)")

# --- 7.4 : règle d'arrêt précoce -----------------------------------------------------------


def _stop_cases() -> list[Case]:
    return [Case(label, (losses,), {"patience": patience}) for label, losses, patience in [
        ("amélioration à la dernière époque, patience = 2", [0.9, 0.7, 0.6, 0.65, 0.55], 2),
        ("patience épuisée, patience = 3", [0.9, 0.6, 0.7, 0.65, 0.68], 3),
        ("une époque avant la limite, patience = 3", [0.9, 0.6, 0.7, 0.65], 3),
        ("perte qui remonte puis redescend, patience = 3", [1.0, 0.5, 0.8, 0.7, 0.75, 0.72], 3),
        ("perte toujours décroissante, patience = 2", [1.0, 0.8, 0.6, 0.5, 0.4], 2),
        ("égalité avec le minimum, patience = 3", [0.9, 0.5, 0.7, 0.5, 0.6], 3),
        ("moins d'époques que la patience, patience = 5", [0.8, 0.9], 5),
        ("patience = 1, la perte remonte", [0.5, 0.6], 1),
        ("une seule époque, patience = 1", [0.7], 1)]]


check_should_stop = BoolChecker(
    exercise="7.4", title="should_stop", reference=should_stop, cases=_stop_cases,
    signature="should_stop(val_losses, patience=…)", hints=[
        (lambda v, *, patience: len(v) > patience and all(  # hausses sur l'époque précédente
            after >= before for before, after in itertools.pairwise(v[-patience - 1:])),
         "comparez au meilleur score vu jusqu'ici (le minimum), et non à l'époque précédente : "
         "une perte qui remonte puis redescend un peu ne bat pas forcément le minimum."),
        (lambda v, *, patience: len(v) - 1 - v.index(min(v)) > patience,
         "décalage d'un : on s'arrête dès que les patience dernières époques n'ont pas battu "
         "le minimum, c.-à-d. (len(val_losses) − 1) − indice du minimum ≥ patience."),
        (lambda v, *, patience: len(v) - v.index(min(v)) >= patience,
         "décalage d'un : l'époque du minimum ne compte pas parmi les époques sans "
         "amélioration, (len(val_losses) − 1) − indice du minimum ≥ patience."),
        (lambda v, *, patience: len(v) - 1 - v.index(max(v)) >= patience,
         "la perte de validation se minimise : cherchez le minimum (min), pas le maximum."),
        (lambda v, *, patience: len(v) - 1 - (len(v) - 1 - v[::-1].index(min(v))) >= patience,
         "une valeur égale au minimum n'est pas une amélioration : prenez la première "
         "occurrence du minimum (val_losses.index(min(val_losses)))."),
    ])

# --- 8.2 : parcimonie des poids ---------------------------------------------------------------


def _sparsity_cases() -> list[Case]:
    at_threshold = _network(torch.tensor([[0.25, -0.25, 0.1, -0.9], [0.3, -0.05, 0.25, 2.0],
                                          [-0.4, 0.0, 0.6, -0.25]]),
                            torch.tensor([[0.2, -0.7, 0.25], [1.5, -0.3, 0.01]]))
    return [Case("PMC 784-16-10, poids de l'ordre de 10⁻², seuil par défaut",
                 (_random(80, 784, 16, 10, scale=1e-2),)),
            Case("poids égaux au seuil ou négatifs, threshold = 0.25", (at_threshold,),
                 {"threshold": 0.25}),
            Case("couches de tailles différentes, threshold = 0.5", (_random(81, 20, 3, 2),),
                 {"threshold": 0.5}),
            Case("aucun petit poids, threshold = 1e-3",
                 (_network(torch.ones(3, 3), torch.ones(2, 3)),), {"threshold": 1e-3}),
            Case("une couche nn.Linear(6, 4) seule, threshold = 0.1", (_random(82, 6, 4),),
                 {"threshold": 0.1})]


def _fraction_mistake(small: Callable[[torch.Tensor, float], torch.Tensor], *,
                      biases: bool = False, fixed: float | None = None, count: bool = False):
    """Erreur typique de 8.2 : « petit » selon ``small(w, seuil)`` (seuil fixé à ``fixed``
    s'il est donné), biais comptés si ``biases``, nombre au lieu d'une fraction si ``count``."""
    def wrong(model, *, threshold=1e-3):
        tensors = _tensors(model, biases)
        n = sum(int(small(t, threshold if fixed is None else fixed).sum()) for t in tensors)
        return float(n if count else n / sum(t.numel() for t in tensors))

    return wrong


check_sparsity = Checker(
    exercise="8.2", title="sparsity", reference=sparsity, cases=_sparsity_cases,
    expect_type=float, signature="sparsity(model, threshold=…)",
    extra=lambda fn: _unchanged(fn, _random(83, 5, 4, 3), threshold=0.5), hints=[
        (_fraction_mistake(lambda w, t: w < t),
         "comparez la valeur absolue |w| au seuil : les poids très négatifs ne sont pas petits."),
        (_fraction_mistake(lambda w, t: w.abs() < t, count=True),
         "renvoyez une fraction (divisez par le nombre de poids), pas un nombre de poids."),
        (_fraction_mistake(lambda w, t: w.abs() <= t),
         "l'inégalité est stricte : |w| < threshold (un poids égal au seuil ne compte pas)."),
        (_fraction_mistake(lambda w, t: w.abs() < t, fixed=1e-3),
         "utilisez l'argument threshold au lieu d'un seuil écrit en dur (1e-3)."),
        (_fraction_mistake(lambda w, t: w.abs() < t, biases=True), "les biais sont exclus : ne "
         "comptez que les poids (layer.weight) des couches nn.Linear, pas model.parameters()."),
        (lambda model, *, threshold=1e-3: sum(  # la moyenne des fractions de chaque couche
            sparsity(m, threshold=threshold) for m in linear_layers(model)) / len(
            linear_layers(model)),
         "calculez la fraction sur l'ensemble des poids (petits poids de toutes les couches "
         "/ nombre total de poids), pas la moyenne des fractions de chaque couche."),
        (lambda model, *, threshold=1e-3: sparsity(linear_layers(model)[0], threshold=threshold),
         "comptez les poids de toutes les couches nn.Linear, pas seulement la première."),
    ])

CHECKERS = (check_l1_penalty, check_dropout, check_should_stop, check_sparsity)
