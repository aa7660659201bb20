"""Tests des mesures couche par couche : gradients contre backward, dispersion du gradient
dans un PMC sigmoïde profond, saturation, sorties des activations."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.lab.gradients import (
    layer_grad_norms,
    layer_outputs,
    layer_weight_grads,
    saturation,
    scale_weights,
)
from course_utils.models import mlp


def test_layer_grad_norms_match_backward_and_leave_grads_alone():
    model = mlp([20, 8, 8, 3], seed=0)
    x, y = torch.randn(16, 20), torch.randint(0, 3, (16,))
    norms = layer_grad_norms(model, x, y)
    assert all(p.grad is None for p in model.parameters())
    F.cross_entropy(model(x), y).backward()
    expected = [m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)]
    assert norms == pytest.approx(expected, rel=1e-6)
    grads = layer_weight_grads(model, x, y)
    assert [tuple(g.shape) for g in grads] == [(8, 20), (8, 8), (3, 8)]


def test_deep_sigmoid_network_shows_vanishing_gradient():
    model = mlp([50] + [32] * 8 + [10], seed=0)
    norms = layer_grad_norms(model, torch.randn(64, 50), torch.randint(0, 10, (64,)))
    assert norms[0] < norms[-1] / 1000


def test_dead_unit_receives_no_gradient():
    model = mlp([5, 4, 3, 2], activation="relu", seed=0)
    x = torch.randn(10, 5)
    with torch.no_grad():
        model[0].bias[:2] = -100.0
    grads = layer_weight_grads(model, x, torch.randint(0, 2, (10,)))
    assert grads[0][:2].abs().sum() == 0 and grads[0][2:].abs().sum() > 0


def test_scale_weights_scales_weights_not_biases():
    model = mlp([4, 3, 2], seed=0)
    before = [p.clone() for p in model.parameters()]
    assert scale_weights(model, 2.0) is model
    assert torch.equal(model[0].weight, 2 * before[0]) and torch.equal(model[0].bias, before[1])
    with pytest.raises(ValueError, match="factor doit être un réel fini > 0"):
        scale_weights(model, 0)


def test_saturation_counts_flat_sigmoids():
    model = mlp([10, 50, 50, 2], seed=0)
    x = torch.randn(100, 10)
    low = saturation(model, x)
    high = saturation(scale_weights(model, 100.0), x)
    assert len(low) == 2 and low == [0.0, 0.0]
    assert all(h > 0.5 for h in high)
    with pytest.raises(TypeError, match="nn.Sequential"):
        saturation(nn.Linear(10, 2), x)
    with pytest.raises(ValueError, match="threshold"):
        saturation(model, x, threshold=-1.0)


def test_layer_outputs_skip_linear_batchnorm_and_dropout():
    model = mlp([5, 4, 3, 2], activation="relu", seed=0)
    x = torch.randn(10, 5)
    outputs = layer_outputs(model, x)
    assert [tuple(h.shape) for h in outputs] == [(10, 4), (10, 3)]
    assert torch.equal(outputs[0], torch.relu(model[0](x)))
    regularized = mlp([5, 4, 3, 2], activation="tanh", batch_norm="both", dropout=0.5, seed=0)
    assert len(layer_outputs(regularized.eval(), x)) == 2


@pytest.mark.parametrize(("call", "exc", "words"), [
    (lambda: layer_outputs(nn.Linear(5, 2), torch.zeros(3, 5)), TypeError, "nn.Sequential"),
    (lambda: layer_outputs(mlp([5, 2]), torch.zeros(5)), ValueError, "2 dimensions"),
    (lambda: layer_grad_norms(nn.ReLU(), torch.zeros(3, 5), torch.zeros(3).long()), ValueError,
     "aucune couche nn.Linear"),
    (lambda: layer_grad_norms(mlp([5, 2]), torch.zeros(3, 5), torch.zeros(2).long()),
     ValueError, "(3,)"),
    (lambda: scale_weights(mlp([5, 2]), "2"), TypeError, "factor"),
])
def test_argument_errors_are_french(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
