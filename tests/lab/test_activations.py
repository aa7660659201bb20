"""Tests des mesures sur les activations : le tableau des propriétés vérifié par le calcul,
les unités mortes et leur part par couche."""

import dataclasses
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.activations import ACTIVATIONS, SELU_ALPHA, SELU_LAMBDA
from course_utils.lab.activations import PROPERTIES, Properties, dead_fraction, dead_units
from course_utils.models import mlp

D = torch.float64
KEYS = tuple(ACTIVATIONS)


def test_one_entry_per_activation_and_immutable():
    assert tuple(PROPERTIES) == KEYS
    with pytest.raises(TypeError):
        PROPERTIES["relu"] = PROPERTIES["tanh"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        PROPERTIES["relu"].max_grad = 2.0
    for props in PROPERTIES.values():
        assert isinstance(props, Properties) and props.value_range and props.cost
        assert props.saturates in ("des deux côtés", "à gauche", "non")
        assert isinstance(props.zero_centred, bool) and isinstance(props.max_grad, float)


@pytest.mark.parametrize("key", KEYS)
def test_max_grad_on_a_fine_grid(key):
    grad, max_grad = ACTIVATIONS[key].grad, PROPERTIES[key].max_grad
    fine = torch.cat([torch.linspace(-10, 10, 400_001, dtype=D), torch.zeros(1, dtype=D)])
    assert grad(fine).max().item() == pytest.approx(max_grad, abs=5e-5)
    wide = torch.linspace(-1000, 1000, 200_001, dtype=D)
    assert grad(wide).max().item() <= max_grad + 5e-5


def test_max_grad_values():
    assert PROPERTIES["sigmoid"].max_grad == 0.25
    assert PROPERTIES["selu"].max_grad == round(SELU_LAMBDA * SELU_ALPHA, 4) == 1.7581
    gelu_max = 0.5 * math.erfc(-1.0) + math.sqrt(2) * math.exp(-1) / math.sqrt(2 * math.pi)
    assert PROPERTIES["gelu"].max_grad == round(gelu_max, 4) == 1.1289  # en x = √2


# infimum de f sur ℝ, et son écriture dans value_range
INFIMA = {"sigmoid": (0.0, "]0"), "tanh": (-1.0, "]−1"), "relu": (0.0, "[0"),
          "leaky_relu": (-math.inf, "]−∞"), "prelu": (-math.inf, "]−∞"), "elu": (-1.0, "]−1"),
          "selu": (-SELU_LAMBDA * SELU_ALPHA, "1,758"), "gelu": (-0.169971, "−0,170"),
          "gelu_tanh": (-0.170041, "−0,170"), "silu": (-0.278465, "−0,278")}


@pytest.mark.parametrize("key", KEYS)
def test_value_range_saturation_and_centring(key):
    act, props = ACTIVATIONS[key], PROPERTIES[key]
    low, text = INFIMA[key]
    assert text in props.value_range
    y = act.fn(torch.linspace(-30, 30, 60_001, dtype=D))
    assert y.min().item() >= low - 1e-6
    if math.isfinite(low):
        assert y.min().item() == pytest.approx(low, abs=1e-4)
    left, right = act.grad(torch.tensor([-50.0, 50.0], dtype=D)).abs().tolist()
    expected = {"des deux côtés": (True, True), "à gauche": (True, False), "non": (False, False)}
    assert (left < 1e-6, right < 1e-6) == expected[props.saturates]
    z = torch.randn(1_000_000, dtype=D, generator=torch.Generator().manual_seed(6))
    assert (abs(act.fn(z).mean().item()) < 0.1) == props.zero_centred


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=30), st.sampled_from(KEYS))
def test_grad_never_exceeds_max_grad(values, key):
    g = ACTIVATIONS[key].grad(torch.tensor(values, dtype=D))
    assert torch.isfinite(g).all() and (g <= PROPERTIES[key].max_grad + 5e-5).all()


# --- Unités mortes ---------------------------------------------------------------------------


def test_dead_units_marks_units_never_positive():
    h = torch.tensor([[0.0, 1.0, 0.0, -0.5], [0.0, 0.0, 2.0, -0.1], [0.0, 0.0, 0.0, 0.0]])
    assert dead_units(h).tolist() == [True, False, False, True]  # ≤ 0 partout : morte
    assert dead_units(h).dtype == torch.bool and dead_units(h[:1]).shape == (4,)
    assert dead_units(torch.relu(torch.randn(50, 6))).tolist() == [False] * 6
    with pytest.raises(ValueError, match="2 dimensions"):
        dead_units(torch.zeros(3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        dead_units([[0.0]])


def test_dead_fraction_per_hidden_layer():
    model = mlp([5, 4, 3, 2], activation="relu", seed=0)
    x = torch.randn(10, 5)
    assert dead_fraction(model, x) == [0.0, 0.0]
    with torch.no_grad():
        model[0].bias[:2] = -100.0  # deux unités de la couche 1 ne s'activent plus jamais
    fractions = dead_fraction(model, x)
    assert fractions[0] == 0.5 and len(fractions) == 2
