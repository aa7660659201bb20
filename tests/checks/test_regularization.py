"""Vérificateurs de la régularisation (7.1, 7.2, 7.4 et 8.2) : ils acceptent la référence et
les réponses justes d'un étudiant, et diagnostiquent les erreurs typiques avec le bon indice."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks.regularization import (
    CHECKERS,
    check_dropout,
    check_l1_penalty,
    check_should_stop,
    check_sparsity,
)

NBSP = "\u00a0"

# --- Réponses justes, telles qu'un étudiant les écrirait ------------------------------------


def _linears(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def _student_l1(model, *, alpha, include_bias=False):
    total = 0
    for layer in _linears(model):
        total = total + layer.weight.abs().sum()
        if include_bias and layer.bias is not None:
            total = total + layer.bias.abs().sum()
    return alpha * total


def _named_l1(model, *, alpha, include_bias=False):
    kept = ("weight", "bias") if include_bias else ("weight",)
    return alpha * sum(p.abs().sum() for name, p in model.named_parameters()
                       if name.rsplit(".", 1)[-1] in kept)


def _student_dropout(x, *, p, training=True, generator=None):
    if not training:
        return x
    mask = (torch.rand(x.shape, generator=generator) >= p).to(x.dtype)
    return x * mask / (1 - p)


def _bernoulli_dropout(x, *, p, training=True, generator=None):
    if not training:
        return x
    return x * torch.bernoulli(torch.full_like(x, 1 - p), generator=generator) / (1 - p)


def _dropout_with(keep=lambda u, p: u >= p, scale=lambda p: 1 / (1 - p), in_eval=None):
    """Réponse d'étudiant : u ~ U[0, 1), éléments gardés si keep(u, p), multipliés par
    scale(p) ; en évaluation : x, ou in_eval(x, p) si donné."""
    def answer(x, *, p, training=True, generator=None):
        if not training:
            return x if in_eval is None else in_eval(x, p)
        u = torch.rand(x.shape, generator=generator, dtype=x.dtype)
        return x * keep(u, p) * scale(p)

    return answer


def _student_should_stop(val_losses, *, patience):
    best = val_losses.index(min(val_losses))
    return len(val_losses) - 1 - best >= patience


def _previous_epoch_only(val_losses, *, patience):
    bad = 0
    for i in range(1, len(val_losses)):
        bad = bad + 1 if val_losses[i] >= val_losses[i - 1] else 0
    return bad >= patience


def _destructive_should_stop(val_losses, *, patience):
    """Juste, mais vide la liste de l'appelant de ses ``patience`` dernières valeurs."""
    recent = [val_losses.pop() for _ in range(min(patience, len(val_losses)))]
    return bool(val_losses) and min(recent) >= min(val_losses)


def _sorting_should_stop(val_losses, *, patience):
    """Juste, mais trie la liste de l'appelant (même longueur, mêmes valeurs)."""
    answer = _student_should_stop(val_losses, patience=patience)
    val_losses.sort()
    return answer


def _student_sparsity(model, *, threshold=1e-3):
    weights = [layer.weight for layer in _linears(model)]
    small = sum((w.abs() < threshold).sum().item() for w in weights)
    return small / sum(w.numel() for w in weights)


CORRECT = [
    (check_l1_penalty, _student_l1),
    (check_l1_penalty, _named_l1),
    (check_l1_penalty, lambda model, *, alpha, include_bias=False: alpha * torch.cat(
        [p.flatten() for p in model.parameters() if include_bias or p.dim() > 1]).norm(p=1)),
    (check_dropout, _student_dropout),
    (check_dropout, _dropout_with(keep=lambda u, p: u < 1 - p)),
    (check_dropout, _bernoulli_dropout),
    (check_should_stop, _student_should_stop),
    (check_should_stop,
     lambda v, *, patience: len(v) > patience and min(v[-patience:]) >= min(v[:-patience])),
    (check_should_stop, lambda v, *, patience: len(v) - 1 - np.argmin(v) >= patience),
    (check_should_stop, lambda v, *, patience: torch.tensor(v).argmin() <= len(v) - 1 - patience),
    (check_sparsity, _student_sparsity),
    (check_sparsity, lambda model, *, threshold=1e-3: torch.cat(
        [p.detach().flatten() for p in model.parameters() if p.dim() > 1]).abs().lt(
        threshold).float().mean().item()),
]


@pytest.mark.parametrize(("checker", "fn"), CORRECT, ids=lambda x: getattr(x, "exercise", ""))
def test_typical_correct_answers_are_accepted(checker, fn):
    report = checker.evaluate(fn)
    assert report.passed, report.message


def test_references_are_accepted_with_the_exact_message(capsys):
    check_should_stop(_student_should_stop)
    assert capsys.readouterr().out == f"✅ Exercice 7.4 (should_stop){NBSP}: correct sur 9 cas.\n"
    assert [c.exercise for c in CHECKERS] == ["7.1", "7.2", "7.4", "8.2"]


# --- Erreurs typiques ------------------------------------------------------------------------


def _l1_over(tensors, term=lambda t: t.abs().sum(), scale=True):
    """Réponse 7.1 : (α ·) Σ term(t) pour t dans tensors(model, include_bias)."""
    def answer(model, *, alpha, include_bias=False):
        return (alpha if scale else 1) * sum(term(t) for t in tensors(model, include_bias))

    return answer


def _weights(model, include_bias):
    layers = _linears(model)
    return [layer.weight for layer in layers] + ([layer.bias for layer in layers]
                                                 if include_bias else [])


def _sparsity_with(small=lambda w, t: w.abs() < t, tensors=lambda m: _weights(m, False),
                   fixed=None):
    """Réponse 8.2 : fraction des éléments de tensors(model) tels que small(w, seuil), le
    seuil étant ``fixed`` s'il est donné (écrit en dur), sinon l'argument threshold."""
    def answer(model, *, threshold=1e-3):
        t = threshold if fixed is None else fixed
        ws = tensors(model)
        return sum(small(w, t).sum().item() for w in ws) / sum(w.numel() for w in ws)

    return answer


WRONG = [
    (check_l1_penalty, _l1_over(_weights, term=lambda t: (t**2).sum()), "values",
     ["pénalisation L2", "valeurs absolues", "α Σ |w|"]),
    (check_l1_penalty, _l1_over(_weights, scale=False), "values",
     ["multipliez la somme par alpha"]),
    (check_l1_penalty, _l1_over(_weights, term=lambda t: t.abs().mean()), "values",
     [".mean()", "Ω(θ) = Σ |w|"]),
    (check_l1_penalty, lambda model, *, alpha, include_bias=False: alpha * torch.cat(
        [t.flatten() for t in _weights(model, include_bias)]).abs().mean(), "values", [".mean()"]),
    (check_l1_penalty, _l1_over(_weights, term=lambda t: t.sum()), "values", ["compensent"]),
    (check_l1_penalty, _l1_over(_weights, term=lambda t: t.sum().abs()), "values", ["|Σ w|"]),
    (check_l1_penalty, lambda model, *, alpha, include_bias=False: alpha * sum(
        p.abs().sum() for p in model.parameters()), "values",
     ["PMC 6-4-3-2", "biais sont exclus par défaut", "model.parameters()"]),
    (check_l1_penalty, _l1_over(lambda model, include_bias: _weights(model, False)), "values",
     ["include_bias=True", "ajoutez aussi les biais"]),
    (check_l1_penalty, lambda model, *, alpha, include_bias=False: alpha * _linears(
        model)[0].weight.abs().sum(), "values", ["pas seulement la première"]),
    (check_l1_penalty, lambda model, **kw: _student_l1(model, **kw).item(), "type", [".item()"]),
    (check_l1_penalty, lambda model, **kw: torch.zeros(1) + _student_l1(model, **kw), "shape",
     ["forme attendue () (scalaire), reçue (1,)", "torch.zeros(1)"]),
    (check_l1_penalty, lambda model, *, alpha, include_bias=False: torch.stack(
        [alpha * t.abs().sum() for t in _weights(model, include_bias)]), "shape",
     ["un seul nombre"]),
    (check_l1_penalty, lambda model, **kw: torch.tensor(
        _student_l1(model, **kw).item(), dtype=_linears(model)[0].weight.dtype), "custom",
     ["dérivable", "backward()", "torch.tensor"]),
    (check_l1_penalty, _l1_over(_weights, term=lambda t: torch.sqrt(t**2).sum()), "custom",
     ["α sign(w)", "gradient nan en w = 0"]),
    (check_l1_penalty, _l1_over(_weights, term=lambda t: t.data.abs_().sum()), "custom",
     ["modifier les poids du modèle", "w.abs_()"]),
    (check_l1_penalty, lambda model, *, alpha, include_bias=False: alpha * sum(
        layer.weight.abs().sum() for layer in model if isinstance(layer, nn.Linear)),
     "exception", ["nn.Linear(5, 5) seule", "TypeError", "not iterable"]),
    (check_dropout, _dropout_with(scale=lambda p: 1.0), "custom",
     ["x/(1 − p)", "dropout inversé", "(1 − p) x"]),
    (check_dropout, _dropout_with(scale=lambda p: 1 - p), "custom",
     ["divisez par 1 − p, ne multipliez pas"]),
    (check_dropout, _dropout_with(scale=lambda p: 1 / p), "custom",
     ["rapport y/x mesuré de 3.33", "et non 1/p"]),
    (check_dropout, _dropout_with(keep=lambda u, p: u < p, scale=lambda p: 1 / p), "custom",
     ["fraction d'éléments éteints", "pour p = 0.3", "probabilité d'éteindre",
      "convention de PyTorch", "1 − p"]),
    (check_dropout, lambda x, *, p, training=True, generator=None: _student_dropout(
        x, p=p, generator=generator), "custom",
     ["en évaluation (training=False), renvoyez x inchangé"]),
    (check_dropout, _dropout_with(in_eval=lambda x, p: (1 - p) * x), "custom",
     ["vous multipliez par 1 − p", "déjà faite en apprentissage"]),
    (check_dropout, lambda x, *, p, training=True, generator=None: F.dropout(x, p, training),
     "custom", ["générateur global", "generator=generator"]),
    (check_dropout, lambda x, *, p, training=True, generator=None: _student_dropout(
        x, p=p, training=training, generator=torch.Generator().manual_seed(0)), "custom",
     ["dépendre de generator"]),
    (check_dropout, _dropout_with(keep=lambda u, p: u >= 0.5), "custom",
     ["fraction d'éléments éteints", "attendu p à"]),
    (check_dropout, lambda x, **kw: _student_dropout(x.double(), **kw), "dtype",
     ["dtype attendu torch.float32, reçu torch.float64", "restez en float32"]),
    (check_dropout, lambda x, **kw: x.mul_(_student_dropout(torch.ones_like(x), **kw)),
     "custom", ["modifier son argument"]),
    (check_dropout, lambda x, **kw: (_student_dropout(x, **kw), x != 0), "type",
     ["un seul tenseur"]),
    (check_dropout, lambda x, p, training, generator: x, "exception",
     ["dropout(x, p=…, training=…, generator=…)"]),
    (check_should_stop, _previous_epoch_only, "values",
     ["patience épuisée", "meilleur score vu jusqu'ici", "époque précédente"]),
    (check_should_stop, lambda v, *, patience: len(v) - 1 - v.index(min(v)) > patience,
     "values", ["attendu True, obtenu False", "décalage d'un", "≥ patience"]),
    (check_should_stop, lambda v, *, patience: len(v) - v.index(min(v)) >= patience, "values",
     ["une époque avant la limite", "l'époque du minimum ne compte pas"]),
    (check_should_stop, lambda v, *, patience: len(v) - 1 - v.index(max(v)) >= patience,
     "values", ["pas le maximum"]),
    (check_should_stop, lambda v, *, patience: v[::-1].index(min(v)) >= patience, "values",
     ["égalité avec le minimum", "première occurrence"]),
    (check_should_stop, lambda v, *, patience: int(_student_should_stop(v, patience=patience)),
     "type", ["bool", "True ou False"]),
    (check_should_stop, lambda v, *, patience: np.array([_student_should_stop(
        v, patience=patience)] * 2), "type", ["numpy.ndarray"]),
    (check_should_stop, _destructive_should_stop, "custom",
     ["ne doit pas modifier son argument val_losses", ".pop()", "copie"]),
    (check_should_stop, _sorting_should_stop, "custom",
     ["ne doit pas modifier son argument val_losses", ".sort()", "copie"]),
    (check_should_stop, lambda v, p: False, "exception",
     ["should_stop(val_losses, patience=…)"]),
    (check_sparsity, _sparsity_with(small=lambda w, t: w < t), "values", ["valeur absolue"]),
    (check_sparsity, lambda model, *, threshold=1e-3: float(sum(
        (w.abs() < threshold).sum().item() for w in _weights(model, False))), "values",
     ["fraction"]),
    (check_sparsity, lambda model, *, threshold=1e-3: torch.cat(
        [w.flatten() for w in _weights(model, False)]).abs().lt(threshold).float().mean(),
     "type", ["float", ".item()"]),
    (check_sparsity, _sparsity_with(small=lambda w, t: w.abs() <= t), "values",
     ["poids égaux au seuil", "inégalité est stricte"]),
    (check_sparsity, _sparsity_with(fixed=1e-3), "values",
     ["threshold = 0.25", "seuil écrit en dur"]),
    (check_sparsity, _sparsity_with(tensors=lambda m: _weights(m, True)), "values",
     ["biais sont exclus"]),
    (check_sparsity, lambda model, *, threshold=1e-3: float(np.mean(
        [(w.abs() < threshold).float().mean().item() for w in _weights(model, False)])),
     "values", ["pas la moyenne des fractions de chaque couche"]),
    (check_sparsity, _sparsity_with(tensors=lambda m: _weights(m, False)[:1]), "values",
     ["pas seulement la première"]),
    (check_sparsity, _sparsity_with(small=lambda w, t: w.detach().abs_() < t), "custom",
     ["modifier les poids du modèle"]),
]


@pytest.mark.parametrize(("checker", "fn", "kind", "words"), WRONG,
                         ids=[f"{c.exercise}-{k}-{i}" for i, (c, _, k, _) in enumerate(WRONG)])
def test_typical_mistakes_are_diagnosed(checker, fn, kind, words):
    report = checker.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith(f"❌ Exercice {checker.exercise} ({checker.title})")
    for word in words:  # espaces insécables de la typographie française lues comme des espaces
        assert word in report.message.replace(NBSP, " "), (word, report.message)


def test_each_checker_has_at_least_three_mistakes():
    for checker in CHECKERS:
        assert sum(c is checker for c, *_ in WRONG) >= 3, checker


def test_should_stop_hints_need_a_consistent_pattern():
    # un booléen faux coïncide souvent par hasard avec une erreur typique : pas d'indice
    # tant que la réponse ne reproduit pas cette erreur sur tous les cas
    report = check_should_stop.evaluate(lambda v, *, patience: False)
    assert report.kind == "values" and "Indice" not in report.message, report.message


def test_dropout_statistics_accept_every_correct_recipe():
    """Trois tirages corrects du masque, sur cinq générateurs : jamais refusés (z = 5)."""
    for seed in range(5):
        for answer in (_student_dropout, _bernoulli_dropout,
                       _dropout_with(keep=lambda u, p: u < 1 - p)):
            def shifted(x, *, p, training=True, generator=None, answer=answer, seed=seed):
                torch.rand(seed, generator=generator)  # décale le flux : d'autres masques
                return answer(x, p=p, training=training, generator=generator)

            assert check_dropout.evaluate(shifted).passed


def test_the_checkers_leave_the_global_generator_alone():
    state = torch.get_rng_state()
    for checker in CHECKERS:
        checker.evaluate(checker.reference)
        checker.cases()
    assert torch.equal(torch.get_rng_state(), state)
