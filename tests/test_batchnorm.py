"""Tests de la normalisation par lots (course_utils.batchnorm) : mêmes sorties, gradients et
statistiques courantes que torch.nn.BatchNorm1d en float64, state_dict interchangeables,
gradcheck de la passe arrière écrite à la main, cas limites et erreurs en français."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.batchnorm import (
    BatchNorm1d,
    BatchNormFunction,
    batchnorm_backward,
    batchnorm_eval,
    batchnorm_forward,
    recompute_statistics_,
    update_running_stats,
)

D = torch.float64
ATOL = 1e-10
RECU = "(reçu : "


def _pair(num_features=5, *, momentum=0.1, affine=True, seed=0):
    """(la nôtre, celle de torch), en float64, avec les mêmes γ et β aléatoires."""
    ours = BatchNorm1d(num_features, momentum=momentum, affine=affine).to(D)
    ref = nn.BatchNorm1d(num_features, momentum=momentum, affine=affine).to(D)
    if affine:
        g = torch.Generator().manual_seed(seed)
        gamma, beta = torch.randn(2, num_features, generator=g, dtype=D)
        with torch.no_grad():
            for layer in (ours, ref):
                layer.weight.copy_(gamma)
                layer.bias.copy_(beta)
    return ours, ref


def _batch(n, d=5, *, seed=0, scale=3.0, offset=2.0):
    g = torch.Generator().manual_seed(seed)
    return offset + scale * torch.randn(n, d, generator=g, dtype=D)


def _close(a, b, atol=ATOL):
    assert torch.allclose(a, b, rtol=1e-10, atol=atol), (a - b).abs().max().item()


# --- Comparaison avec torch.nn.BatchNorm1d -------------------------------------------------


@pytest.mark.parametrize("affine", [True, False])
def test_outputs_match_torch_in_train_and_eval_mode(affine):
    ours, ref = _pair(affine=affine)
    x = _batch(16)
    _close(ours(x), ref(x))
    ours.eval()
    ref.eval()
    x = _batch(7, seed=1)
    _close(ours(x), ref(x))


def test_gradients_match_torch():
    ours, ref = _pair()
    x = _batch(12)
    dout = torch.randn(12, 5, generator=torch.Generator().manual_seed(3), dtype=D)
    grads = []
    for layer in (ours, ref):
        xi = x.clone().requires_grad_(True)
        (layer(xi) * dout).sum().backward()
        grads.append((xi.grad, layer.weight.grad, layer.bias.grad))
    for a, b in zip(*grads, strict=True):
        _close(a, b)


def test_autograd_uses_the_hand_written_backward():
    x = _batch(6).requires_grad_(True)
    gamma = torch.randn(5, dtype=D, requires_grad=True)
    beta = torch.randn(5, dtype=D, requires_grad=True)
    y = BatchNormFunction.apply(x, gamma, beta, 1e-5)
    assert y.grad_fn.name() == "BatchNormFunctionBackward"
    dout = torch.randn_like(y)
    y.backward(dout)
    out, cache = batchnorm_forward(x.detach(), gamma.detach(), beta.detach())
    _close(y.detach(), out)
    for got, want in zip((x.grad, gamma.grad, beta.grad), batchnorm_backward(dout, cache),
                         strict=True):
        _close(got, want)


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_running_statistics_match_torch_after_many_steps(momentum):
    ours, ref = _pair(momentum=momentum)
    sizes = torch.randint(2, 40, (50,), generator=torch.Generator().manual_seed(4))
    for step, n in enumerate(sizes.tolist()):
        x = _batch(n, seed=100 + step, scale=1 + step / 10, offset=step / 5)
        _close(ours(x), ref(x))
    assert int(ours.num_batches_tracked) == int(ref.num_batches_tracked) == 50
    _close(ours.running_mean, ref.running_mean)
    _close(ours.running_var, ref.running_var)
    ours.eval()
    ref.eval()
    _close(ours(_batch(3, seed=9)), ref(_batch(3, seed=9)))


def test_state_dict_is_interchangeable_with_torch():
    ours, ref = _pair()
    for step in range(3):
        ref(_batch(8, seed=step))
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict(ref.state_dict())
    ours.eval()
    ref.eval()
    _close(ours(_batch(4, seed=5)), ref(_batch(4, seed=5)))
    other = nn.BatchNorm1d(5).to(D).eval()
    ours.train()
    ours(_batch(8, seed=6))
    other.load_state_dict(ours.state_dict())
    ours.eval()
    _close(other(_batch(4, seed=7)), ours(_batch(4, seed=7)))
    assert int(other.num_batches_tracked) == 4


def test_gradcheck_of_the_function():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 3, generator=g, dtype=D, requires_grad=True)
    gamma = torch.randn(3, generator=g, dtype=D, requires_grad=True)
    beta = torch.randn(3, generator=g, dtype=D, requires_grad=True)
    assert torch.autograd.gradcheck(lambda *a: BatchNormFunction.apply(*a, 1e-5),
                                    (x, gamma, beta))


def test_stateless_functions_match_the_formulas():
    x, gamma, beta = _batch(10), torch.randn(5, dtype=D), torch.randn(5, dtype=D)
    mean, var = torch.rand(5, dtype=D), torch.rand(5, dtype=D) + 0.5
    new_mean, new_var = update_running_stats(mean, var, x, momentum=0.3)
    _close(new_mean, 0.7 * mean + 0.3 * x.mean(0))
    _close(new_var, 0.7 * var + 0.3 * x.var(0, correction=1))
    y = batchnorm_eval(x, gamma, beta, mean, var, eps=1e-3)
    _close(y, nn.functional.batch_norm(x, mean, var, gamma, beta, training=False, eps=1e-3))


# --- Cas limites ---------------------------------------------------------------------------


def test_batch_of_one_in_training_is_refused_in_french_but_works_in_eval():
    ours, ref = _pair()
    with pytest.raises(ValueError) as err:
        ours(_batch(1))
    assert str(err.value) == ("x doit avoir plus d'une valeur par caractéristique en mode "
                              "apprentissage (reçu : une entrée de forme (1, 5))")
    assert int(ours.num_batches_tracked) == 0
    ours.eval()
    ref.eval()
    _close(ours(_batch(1)), ref(_batch(1)))


def test_constant_feature_gives_beta_and_finite_gradients():
    ours, ref = _pair()
    x = _batch(8)
    x[:, 2] = 3.7  # variance nulle : x̂ = 0, seul ε évite 0/0
    x.requires_grad_(True)
    y = ours(x)
    _close(y[:, 2], ours.bias[2].detach().expand(8), atol=1e-8)
    y.pow(2).sum().backward()
    assert torch.isfinite(x.grad).all() and torch.isfinite(ours.weight.grad).all()
    _close(y, ref(x.detach()), atol=1e-8)


def test_large_offset_stays_accurate():
    ours, ref = _pair()
    x = _batch(32, scale=1.0, offset=1e6)
    y = ours(x)
    _close(y, ref(x), atol=1e-6)
    _close(y.mean(0), ours.bias.detach(), atol=1e-6)
    _close(ours.running_mean, ref.running_mean, atol=1e-6)
    _close(ours.running_var, ref.running_var, atol=1e-6)


@pytest.mark.parametrize(("call", "exc", "words"), [
    (lambda: BatchNorm1d(5)(torch.randn(4, 3)), ValueError, ["x", "(…, 5)", "(4, 3)"]),
    (lambda: BatchNorm1d(5)(torch.randn(4, 5, 2)), ValueError, ["(…, 5)", "(4, 5, 2)"]),
    (lambda: batchnorm_forward(torch.randn(4), torch.ones(4), torch.zeros(4)), ValueError,
     ["x doit être de forme (…, …)", "(4,)"]),
    (lambda: BatchNorm1d(2)(torch.ones(3, 2, dtype=torch.long)), TypeError,
     ["tenseur flottant", "torch.int64"]),
    (lambda: BatchNorm1d(5)([[1.0] * 5] * 2), TypeError, ["torch.Tensor", "list"]),
    (lambda: BatchNorm1d(0), ValueError, ["num_features", "≥ 1", RECU + "0)"]),
    (lambda: BatchNorm1d(3, momentum=1.5), ValueError, ["momentum", RECU + "1.5)"]),
    (lambda: BatchNorm1d(3, eps=-1.0), ValueError, ["eps", RECU + "-1.0)"]),
    (lambda: batchnorm_forward(torch.randn(4, 3), torch.ones(2), torch.zeros(3)), ValueError,
     ["gamma", "(3,)", RECU + "(2,))"]),
    (lambda: update_running_stats(torch.zeros(3), torch.ones(3), torch.randn(1, 3),
                                  momentum=0.1), ValueError, ["plus d'une valeur"]),
    (lambda: update_running_stats(torch.zeros(3), torch.ones(3), torch.randn(4, 3),
                                  momentum=-0.1), ValueError, ["momentum", "[0, 1]"]),
    (lambda: update_running_stats(torch.zeros(2), torch.ones(3), torch.randn(4, 3),
                                  momentum=0.1), ValueError, ["running_mean", "(3,)"]),
    (lambda: batchnorm_eval(torch.randn(1, 3), torch.ones(3), torch.zeros(3), torch.zeros(3),
                            torch.ones(3), eps=-1e-5), ValueError, ["eps", "≥ 0"]),
    (lambda: batchnorm_backward(torch.randn(4, 2), batchnorm_forward(
        torch.randn(4, 3), torch.ones(3), torch.zeros(3))[1]), ValueError,
     ["dout", "(4, 3)", "(4, 2)"]),
    (lambda: recompute_statistics_("modèle", torch.randn(4, 3)), TypeError,
     ["model", "torch.nn.Module"]),
    (lambda: recompute_statistics_(nn.BatchNorm1d(3), torch.randn(5, 3), batch_size=1),
     ValueError, ["batch_size", "≥ 2"]),
    (lambda: recompute_statistics_(nn.Linear(3, 2), torch.randn(4, 3)), ValueError,
     ["aucune couche"]),
    (lambda: recompute_statistics_(nn.BatchNorm1d(3), torch.randn(5, 3), batch_size=2),
     ValueError, ["au moins deux exemples", "batch_size = 2"]),
])
def test_errors_are_in_french(call, exc, words):
    with pytest.raises(exc) as err:
        call()
    for word in words:
        assert word in str(err.value), (word, str(err.value))


# --- Réestimer les statistiques (après apprentissage, AdaBN) --------------------------------


def _mlp_with_bn(layer=nn.BatchNorm1d):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 6), layer(6, momentum=0.3), nn.ReLU(),
                         nn.Linear(6, 2)).to(D)


@pytest.mark.parametrize("layer", [nn.BatchNorm1d, BatchNorm1d])
def test_recompute_statistics_gives_the_data_statistics(layer):
    model = _mlp_with_bn(layer).eval()
    model[2].train()  # modes mélangés : chacun doit être rétabli
    x = _batch(50, d=4, seed=11)
    assert recompute_statistics_(model, x) is model
    bn = model[1]
    h = model[0](x).detach()  # activations avant BN : (50, 6)
    _close(bn.running_mean, h.mean(0))
    _close(bn.running_var, h.var(0, correction=1))
    assert int(bn.num_batches_tracked) == 1 and bn.momentum == 0.3
    assert [m.training for m in model] == [False, False, True, False]


def test_recompute_statistics_by_mini_batches_averages_batch_statistics():
    model = _mlp_with_bn().train()
    x = _batch(40, d=4, seed=12)
    recompute_statistics_(model, x, batch_size=10)
    h = model[0](x).detach().reshape(4, 10, 6)  # 4 mini-lots de 10 exemples
    _close(model[1].running_mean, h.mean(dim=(0, 1)))
    _close(model[1].running_var, h.var(dim=1, correction=1).mean(0))
    assert model.training and int(model[1].num_batches_tracked) == 4


def test_recompute_statistics_adapts_to_a_shifted_domain():
    model = _mlp_with_bn().eval()
    recompute_statistics_(model, _batch(200, d=4, seed=13, offset=0.0, scale=1.0))
    target = _batch(200, d=4, seed=14, offset=5.0, scale=2.0)  # domaine cible décalé
    before = model[:2](target).detach()
    recompute_statistics_(model, target)  # AdaBN : sans étiquettes
    after = model[:2](target).detach()
    beta = model[1].bias.detach()
    assert (after.mean(0) - beta).abs().max() < 1e-10 < (before.mean(0) - beta).abs().max()


# --- Propriété ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 20), d=st.integers(1, 6), seed=st.integers(0, 2**31),
       scale=st.floats(1.0, 1e3), offset=st.floats(-1e4, 1e4), constant=st.booleans())
def test_train_output_has_mean_beta_and_std_abs_gamma(n, d, seed, scale, offset, constant):
    """En apprentissage, chaque caractéristique de sortie a pour moyenne β et pour
    écart-type (biaisé) |γ|, sauf une caractéristique constante (sortie β)."""
    g = torch.Generator().manual_seed(seed)
    x = offset + scale * torch.randn(n, d, generator=g, dtype=D)
    if constant:
        x[:, 0] = offset
    gamma, beta = 3 * torch.randn(2, d, generator=g, dtype=D)
    y, _ = batchnorm_forward(x, gamma, beta)
    _close(y.mean(0), beta, atol=1e-6)
    varying = x.var(0, correction=0) > 0.1  # σ²_B ≫ ε = 1e-5 : √(σ²_B/(σ²_B + ε)) ≈ 1
    std = y.std(0, correction=0)
    assert torch.allclose(std[varying], gamma.abs()[varying], rtol=1e-4, atol=1e-8)
