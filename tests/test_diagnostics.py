import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.diagnostics import layer_grad_norms, saturation, scale_weights
from course_utils.models import mlp


def test_layer_grad_norms_match_backward_and_leave_grads_alone():
    model = mlp([20, 8, 8, 3], seed=0)
    x, y = torch.randn(16, 20), torch.randint(0, 3, (16,))
    norms = layer_grad_norms(model, x, y)
    assert all(p.grad is None for p in model.parameters())
    F.cross_entropy(model(x), y).backward()
    expected = [m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)]
    assert norms == pytest.approx(expected, rel=1e-6)


def test_deep_sigmoid_network_shows_vanishing_gradient():
    model = mlp([50] + [32] * 8 + [10], seed=0)
    norms = layer_grad_norms(model, torch.randn(64, 50), torch.randint(0, 10, (64,)))
    assert norms[0] < norms[-1] / 1000


def test_scale_weights_scales_weights_not_biases():
    model = mlp([4, 3, 2], seed=0)
    before = [p.clone() for p in model.parameters()]
    scale_weights(model, 2.0)
    assert torch.equal(model[0].weight, 2 * before[0]) and torch.equal(model[0].bias, before[1])
    with pytest.raises(ValueError, match="factor doit être > 0"):
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
