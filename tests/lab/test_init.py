"""Tests des mesures du chapitre 03 : variances prédites contre simulation, écarts-types des
activations, symétrie de deux neurones identiques."""

import math

import pytest
import torch

from course_utils.data import Dataset
from course_utils.lab.gradients import layer_outputs
from course_utils.lab.init import (
    activation_stds,
    measured_variances,
    predicted_variances,
    twin_neurons,
)
from course_utils.models import mlp


def test_predicted_variances_formula():
    assert predicted_variances(2.0, 0.01, 300, 3) == pytest.approx([6.0, 18.0, 54.0])
    assert predicted_variances(0.8, 1 / 128, 128, 4) == pytest.approx([0.8] * 4)
    assert len(predicted_variances(1.0, 0.5, 1, 1)) == 1


@pytest.mark.parametrize("gain", [1 / 3, 1.0, 1.5])
def test_simulation_agrees_with_the_prediction(gain):
    n, depth = 128, 5
    predicted = predicted_variances(1.5, gain / n, n, depth)
    measured = measured_variances(1.5, gain / n, n, depth, samples=4000, seed=1)
    assert measured == pytest.approx(predicted, rel=0.15)
    assert measured == measured_variances(1.5, gain / n, n, depth, samples=4000, seed=1)


def test_measured_variances_reproduce_the_notebook_draws():
    """var_x = 1 : les mêmes tirages qu'avec h = torch.randn(4000, 256) (chapitre 03)."""
    generator = torch.Generator().manual_seed(0)
    h = torch.randn(4000, 256, generator=generator)
    h = h @ (math.sqrt(1.5 / 256) * torch.randn(256, 256, generator=generator)).T
    assert measured_variances(1.0, 1.5 / 256, 256, 1) == [h.var().item()]


def test_activation_stds_per_hidden_layer():
    model = mlp([6, 5, 4, 2], activation="tanh", seed=0)
    x = torch.randn(40, 6)
    expected = [h.std().item() for h in layer_outputs(model, x)]
    assert activation_stds(model, x) == expected and len(expected) == 2


def test_twin_neurons_stay_identical():
    g = torch.Generator().manual_seed(0)
    data = Dataset(torch.randn(320, 12, generator=g), torch.randint(0, 3, (320,), generator=g))
    gap, identical = twin_neurons(data, lr=0.5)
    assert gap == 0.0 and identical


@pytest.mark.parametrize(("call", "exc", "words"), [
    (lambda: predicted_variances(1.0, -0.1, 10, 3), ValueError, "var_w"),
    (lambda: predicted_variances(1.0, 0.1, 0, 3), ValueError, "n doit être un entier ≥ 1"),
    (lambda: predicted_variances(1.0, 0.1, 10, 2.5), TypeError, "depth"),
    (lambda: measured_variances(1.0, 0.1, 10, 3, samples=1), ValueError, "samples"),
    (lambda: twin_neurons(torch.zeros(3, 4)), TypeError, "Dataset"),
])
def test_argument_errors_are_french(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
