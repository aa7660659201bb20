"""Tests de la régularisation (course_utils.regularization) : pénalisations L1/L2 et leurs
gradients, weight decay de torch.optim (SGD, Adam) contre la pénalisation dans la perte,
AdamW différent ; dropout inversé contre F.dropout/nn.Dropout (en loi), MC dropout contre
l'espérance exacte ; arrêt précoce (règle et crochet de ``train``) ; erreurs en français.

Les tests statistiques ont des tolérances tirées de l'inégalité de Hoeffding, rigoureuse
pour des variables bornées : une bonne implémentation échoue par hasard avec une
probabilité < 1e-6 (graines fixes en plus : les tests sont déterministes)."""

import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.models import mlp
from course_utils.regularization import (
    Dropout,
    EarlyStopping,
    dropout,
    l1_penalty,
    l2_penalty,
    mc_dropout_predict,
    penalty,
    should_stop,
    sparsity,
    weight_norm,
)
from course_utils.training import History, train

D = torch.float64
DELTA = 1e-7  # probabilité d'échec par hasard de chaque borne (quelques bornes par test)


def _hoeffding(n: int, value_range: float = 1.0, delta: float = DELTA) -> float:
    """t tel que P(|moyenne de n variables de [a, a + range] − espérance| ≥ t) ≤ delta."""
    return value_range * math.sqrt(math.log(2 / delta) / (2 * n))


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _known_model() -> nn.Sequential:
    """Linear(3, 2) → ReLU → Linear(2, 1), poids et biais connus."""
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -2.0, 0.0], [0.5, 0.0005, -3.0]]))
        model[0].bias.copy_(torch.tensor([4.0, -1.0]))
        model[2].weight.copy_(torch.tensor([[-0.25, 2.0]]))
        model[2].bias.copy_(torch.tensor([10.0]))
    return model


# --- Pénalisations L1 et L2 ------------------------------------------------------------------


def test_penalties_match_hand_computation():
    model = _known_model()
    sq = 1 + 4 + 0 + 0.25 + 0.0005**2 + 9 + 0.0625 + 4
    ab = 1 + 2 + 0 + 0.5 + 0.0005 + 3 + 0.25 + 2
    assert l2_penalty(model, alpha=0.1).item() == pytest.approx(0.1 * sq)
    assert l1_penalty(model, alpha=0.1).item() == pytest.approx(0.1 * ab)
    assert l2_penalty(model, alpha=1.0, include_bias=True).item() == pytest.approx(sq + 117)
    assert l1_penalty(model, alpha=1.0, include_bias=True).item() == pytest.approx(ab + 15)
    assert l2_penalty(model, alpha=0.1).shape == ()
    assert penalty("l2", alpha=0.1)(model).item() == pytest.approx(0.1 * sq)
    assert penalty("l1", alpha=0.1)(model).item() == pytest.approx(0.1 * ab)
    assert repr(penalty("l1", alpha=0.1)) == "penalty('l1', alpha=0.1)"  # sans adresse


@pytest.mark.parametrize("include_bias", [False, True])
def test_penalty_gradients(include_bias):
    model, alpha = _known_model(), 0.3
    (l2_penalty(model, alpha=alpha, include_bias=include_bias)
     + l1_penalty(model, alpha=alpha, include_bias=include_bias)).backward()
    for layer in (model[0], model[2]):
        w, b = layer.weight.detach(), layer.bias.detach()
        assert torch.allclose(layer.weight.grad, 2 * alpha * w + alpha * torch.sign(w))
        expected_b = 2 * alpha * b + alpha * torch.sign(b) if include_bias else 0 * b
        assert torch.allclose(layer.bias.grad if layer.bias.grad is not None else 0 * b,
                              expected_b)
    assert model[0].weight.grad[0, 2] == 2 * alpha * 0.0  # sign(0) = 0 : pas de poussée en 0


def test_sparsity_and_weight_norm():
    model = _known_model()  # 8 poids dont 0 et 0.0005 sous 1e-3 ; biais ignorés
    assert sparsity(model) == 2 / 8
    assert sparsity(model, threshold=0.3) == 3 / 8
    assert weight_norm(model) == pytest.approx(math.sqrt(18.3125 + 0.0005**2))
    assert isinstance(sparsity(model), float) and isinstance(weight_norm(model), float)


def test_l2_penalty_shrinks_weights_during_training(blobs):
    def final_norm(alpha):
        model, pen = mlp([784, 16, 3], activation="relu", seed=0), penalty("l2", alpha=alpha)
        train(model, blobs.train, torch.optim.SGD(model.parameters(), lr=0.05), epochs=2,
              batch_size=30, progress=None, loss_fn=lambda o, y: F.cross_entropy(o, y) + pen(model))
        return weight_norm(model)

    assert final_norm(0.05) < 0.9 * final_norm(0.0)


# --- Weight decay de torch.optim et pénalisation dans la perte ------------------------------


def _problem():
    """MLP 5-8-3 (tanh) en float64, 32 exemples fixes ; renvoie (modèle, perte)."""
    g = _gen(0)
    x, y = torch.randn(32, 5, generator=g, dtype=D), torch.randint(0, 3, (32,), generator=g)
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).to(D)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=D))
    return model, lambda m: F.cross_entropy(m(x), y)


def _run(make_opt, lam_in_loss=0.0, steps=50):
    """``steps`` pas de l'optimiseur sur perte + (λ/2) ‖θ‖² (tous les paramètres)."""
    model, loss_fn = _problem()
    opt = make_opt(model.parameters())
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model) + l2_penalty(model, alpha=lam_in_loss / 2, include_bias=True)
        loss.backward()
        opt.step()
    return torch.cat([p.detach().flatten() for p in model.parameters()])


LAM = 0.1


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_weight_decay_equals_l2_penalty_with_half_lambda(momentum):
    decayed = _run(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=momentum, weight_decay=LAM))
    penalized = _run(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=momentum), LAM)
    plain = _run(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=momentum))
    assert (decayed - penalized).abs().max() < 1e-10
    assert (decayed - plain).abs().max() > 1e-2  # la pénalisation a bien un effet


def test_adam_weight_decay_is_l2_in_the_loss_but_not_adamw():
    decayed = _run(lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=LAM))
    penalized = _run(lambda ps: torch.optim.Adam(ps, lr=0.01), LAM)
    decoupled = _run(lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=LAM))
    assert (decayed - penalized).abs().max() < 1e-10
    # AdamW : θ ← θ − ρλθ hors des moments ; le gradient de la pénalité n'est pas divisé
    # par √r̂ + δ : itérés différents (ici de plus de 1e-3)
    assert (decoupled - penalized).abs().max() > 1e-3


# --- Dropout inversé ------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_matches_torch_in_distribution(p):
    x = 1 + torch.rand(1000, 1000, generator=_gen(1))  # valeurs ≠ 0 : un zéro = une extinction
    ours = dropout(x, p=p, generator=_gen(2))
    theirs = F.dropout(x, p=p, training=True)
    t = _hoeffding(x.numel())  # ≈ 0.0028 pour 10⁶ indicatrices « éteint »
    for out in (ours, theirs):
        assert abs((out == 0).double().mean().item() - p) < t
        kept = out != 0
        assert torch.allclose(out[kept], x[kept] / (1 - p), rtol=1e-6, atol=0)
    module = nn.Dropout(p).train()(x)
    assert abs((module == 0).double().mean().item() - p) < t


def test_dropout_preserves_the_mean():
    s, p = 20000, 0.4
    x = torch.randn(50, generator=_gen(3), dtype=D)
    out = dropout(x.expand(s, 50), p=p, generator=_gen(4))  # (S, 50) : S masques indépendants
    t = _hoeffding(s, delta=DELTA / 50) * x.abs() / (1 - p)  # y ∈ [0, x/(1 − p)]
    assert ((out.mean(0) - x).abs() < t).all()


def test_dropout_eval_p0_determinism_and_global_rng():
    x = torch.randn(20, 30, generator=_gen(5))
    assert dropout(x, p=0.5, training=False) is x
    assert torch.equal(nn.Dropout(0.5).eval()(x), dropout(x, p=0.5, training=False))
    assert torch.equal(dropout(x, p=0.0), x)
    state = torch.get_rng_state()
    a, b = dropout(x, p=0.5, generator=_gen(6)), dropout(x, p=0.5, generator=_gen(6))
    assert torch.equal(a, b) and not torch.equal(a, dropout(x, p=0.5, generator=_gen(7)))
    assert torch.equal(torch.get_rng_state(), state)


def test_dropout_module_modes_repr_and_gradient():
    layer = Dropout(0.25, generator=_gen(8))
    assert repr(layer) == "Dropout(p=0.25)" and Dropout().p == 0.5
    x = torch.ones(400, 50, requires_grad=True)
    out = layer(x)
    assert torch.equal(out.unique(), torch.tensor([0.0, 1 / 0.75]))
    out.sum().backward()
    assert torch.equal(x.grad, out.detach())  # gradient : le même masque, le même facteur
    assert layer.eval()(x) is x


def _enumerated(model: nn.Sequential, x: torch.Tensor, p: float):
    """Espérance exacte sur les 2^D masques d'un modèle Dropout(p) → reste : (logits, softmax)."""
    d = x.shape[1]
    logits, probs = 0, 0
    for bits in itertools.product([0.0, 1.0], repeat=d):
        z = torch.tensor(bits, dtype=x.dtype)
        weight = (1 - p) ** z.sum() * p ** (d - z.sum())
        out = model[1:](x * z / (1 - p))
        logits, probs = logits + weight * out, probs + weight * torch.softmax(out, dim=1)
    return logits, probs


def _dropout_model(*rest: nn.Module) -> nn.Sequential:
    model = nn.Sequential(nn.Dropout(0.5), *rest).to(D)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(3 * torch.randn(param.shape, generator=_gen(9), dtype=D))
    return model


def test_mc_dropout_estimates_the_exact_expectation_for_a_linear_model():
    model, x = _dropout_model(nn.Linear(3, 4)), torch.randn(2, 3, generator=_gen(10), dtype=D)
    exact_logits, exact_probs = _enumerated(model, x, 0.5)
    with torch.no_grad():
        eval_logits = model.eval()(x)
    assert torch.allclose(exact_logits, eval_logits, atol=1e-12)  # E_z[W y + b] = W x + b
    samples = 20000
    mc = mc_dropout_predict(model, x, samples=samples, generator=_gen(11))
    t = _hoeffding(samples, delta=DELTA / 8)  # softmax ∈ [0, 1], 8 sorties
    assert (mc - exact_probs).abs().max() < t
    assert torch.allclose(mc.sum(1), torch.ones(2, dtype=D))
    # mais la moyenne des softmax n'est pas la softmax du mode évaluation (Jensen)
    assert (exact_probs - torch.softmax(eval_logits, dim=1)).abs().max() > 2 * t


def test_mc_dropout_gap_after_a_nonlinearity():
    model = _dropout_model(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4))
    x = torch.randn(2, 3, generator=_gen(12), dtype=D)
    exact_logits, _ = _enumerated(model, x, 0.5)
    with torch.no_grad():
        assert (exact_logits - model.eval()(x)).abs().max() > 0.1  # E[f(h)] ≠ f(E[h])


def test_mc_dropout_restores_modes_keeps_bn_stats_and_is_reproducible():
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), Dropout(0.3), nn.Linear(6, 3))
    model.train()
    model[3].eval()  # un mode mixte, à rétablir tel quel
    bn_mean = model[1].running_mean.clone()
    x = torch.randn(5, 4, generator=_gen(13))
    state = torch.get_rng_state()
    a = mc_dropout_predict(model, x, samples=30, generator=_gen(14))
    assert torch.equal(a, mc_dropout_predict(model, x, samples=30, generator=_gen(14)))
    assert torch.equal(torch.get_rng_state(), state)
    assert [m.training for m in model] == [True, True, True, False] and model.training
    assert torch.equal(model[1].running_mean, bn_mean)  # BN en évaluation pendant le MC
    assert a.shape == (5, 3) and torch.allclose(a.sum(1), torch.ones(5))


# --- Arrêt précoce --------------------------------------------------------------------------


def test_early_stopping_stops_after_exactly_patience_bad_steps_and_restores_best():
    model, stopper = nn.Linear(2, 1), EarlyStopping(3)
    decisions = [stopper.step(value, model) for value in [0.9, 0.7, 0.8, 0.7, 0.75, 0.6]]
    assert decisions == [False, False, False, False, True, False]
    assert (stopper.best, stopper.best_epoch, stopper.bad_epochs) == (0.6, 5, 0)
    nn.init.zeros_(model.weight)  # poids entiers : les différences ci-dessous sont exactes
    stopper = EarlyStopping(2)
    for value in [0.9, 0.7, 0.8]:
        with torch.no_grad():
            model.weight.add_(1.0)  # en place, comme un pas d'optimiseur
        stopper.step(torch.tensor(value), model)
    best = model.weight.detach().clone() - 1
    with torch.no_grad():
        model.weight.add_(5.0)
    stopper.restore_best(model)
    assert torch.equal(model.weight, best) and stopper.bad_epochs == 1
    assert "best_epoch=1" in repr(stopper)
    stopper = EarlyStopping(2, min_delta=0.05)
    assert [stopper.step(v, model) for v in [1.0, 0.97, 0.96]] == [False, False, True]
    assert stopper.best == 1.0 and stopper.best_epoch == 0


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([0.5, 0.6, 0.7, 0.8]), min_size=1, max_size=12),
       st.integers(1, 4))
def test_early_stopping_agrees_with_the_exercise_rule(values, patience):
    """À chaque époque, EarlyStopping.step décide comme should_stop (exercice 7.4)."""
    stopper, model = EarlyStopping(patience), nn.Linear(1, 1)
    for k, value in enumerate(values):
        seen = values[:k + 1]
        assert stopper.step(value, model) == should_stop(seen, patience=patience)
        assert seen == values[:k + 1]  # la liste reçue n'est pas modifiée


class _Imposed:
    """Crochet (avant l'arrêt précoce) : impose la perte de validation, copie les poids."""

    def __init__(self, losses):
        self.losses, self.states = list(losses), []

    def on_epoch(self, model, history):
        history.eval_loss[-1] = self.losses[len(history.eval_loss) - 1]
        self.states.append({k: v.clone() for k, v in model.state_dict().items()})


def test_early_stopping_is_a_hook_of_train_that_stops_and_restores_the_best_weights(blobs):
    model, stopper = mlp([784, 8, 3], activation="relu", seed=0), EarlyStopping(2)
    imposed = _Imposed([0.9, 0.5, 0.7, 0.6, 0.4, 0.3])
    history = train(model, blobs.train, torch.optim.SGD(model.parameters(), lr=0.01), epochs=10,
                    batch_size=100, eval_data=blobs.validation, hooks=[imposed, stopper])
    assert len(history.epoch) == 4 and history.eval_loss == [0.9, 0.5, 0.7, 0.6]
    assert stopper.best_epoch == 1 and stopper.bad_epochs == 2
    assert all(torch.equal(v, imposed.states[1][k]) for k, v in model.state_dict().items())


# --- Erreurs en français --------------------------------------------------------------------


@pytest.mark.parametrize(("call", "exc", "words"), [
    (lambda: l2_penalty(_known_model(), alpha=-1.0), ValueError, "alpha"),
    (lambda: l1_penalty(_known_model(), alpha="0.1"), TypeError, "alpha"),
    (lambda: l2_penalty(nn.ReLU(), alpha=0.1), ValueError, "aucune couche nn.Linear"),
    (lambda: l2_penalty("modèle", alpha=0.1), TypeError, "nn.Module"),
    (lambda: penalty("l3", alpha=0.1), ValueError, "'l1', 'l2'"),
    (lambda: sparsity(_known_model(), threshold=0.0), ValueError, "threshold"),
    (lambda: dropout(torch.ones(3), p=1.0), ValueError, "probabilité d'éteindre"),
    (lambda: dropout(torch.ones(3), p=-0.1), ValueError, "unité) doit"),
    (lambda: dropout(torch.ones(3, dtype=torch.long), p=0.5), TypeError, "flottant"),
    (lambda: dropout(torch.ones(3), p=0.5, generator=0), TypeError, "torch.Generator"),
    (lambda: Dropout(1.5), ValueError, "[0, 1)"),
    (lambda: mc_dropout_predict(nn.Linear(3, 2), torch.ones(1, 3), samples=5), ValueError,
     "aucune couche de dropout"),
    (lambda: mc_dropout_predict(nn.Dropout(), torch.ones(1, 3), samples=0), ValueError,
     "samples"),
    (lambda: EarlyStopping(0), ValueError, "patience"),
    (lambda: EarlyStopping(2, min_delta=-0.1), ValueError, "min_delta"),
    (lambda: EarlyStopping(2).restore_best(nn.Linear(1, 1)), RuntimeError, "step()"),
    (lambda: EarlyStopping(2).step(0.5, "modèle"), TypeError, "nn.Module"),
    (lambda: should_stop([], patience=2), ValueError, "liste non vide"),
    (lambda: EarlyStopping(2).on_epoch(nn.Linear(1, 1), History()), ValueError, "eval_data"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_argument_errors_are_in_french(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    assert words in message
    assert "\x20:" not in message and "\x20;" not in message  # typographie française
