"""Les PMC du cours : couches, placement de la normalisation par lots, dropout, graine."""

import pytest
import torch

from course_utils.models import BATCH_NORM_PLACEMENTS, MASK_SEED_SHIFT, linear_layers, mlp
from course_utils.regularization import Dropout


def test_mlp_builds_q1_network_and_seed_is_local():
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    model = mlp([784, 120, 80, 10], seed=0)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert [tuple(layer.weight.shape) for layer in linear_layers(model)] == [
        (120, 784), (80, 120), (10, 80)]
    assert sum(p.numel() for p in model.parameters()) == 104_690
    assert [type(m).__name__ for m in model] == [
        "Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    same = mlp((784, 120, 80, 10), seed=0)
    pairs = zip(model.parameters(), same.parameters(), strict=True)
    assert all(torch.equal(a, b) for a, b in pairs)
    assert not torch.equal(mlp([784, 3])[0].weight, mlp([784, 3])[0].weight)


@pytest.mark.parametrize(("sizes", "activation", "message"), [
    ([784], "relu", "au moins deux"), ([784, 0], "relu", "≥ 1"),
    ([784, 10], "softplus", "activation inconnu"), ("784-10", "relu", "liste"),
])
def test_mlp_rejects_bad_arguments(sizes, activation, message):
    with pytest.raises((ValueError, TypeError), match=message):
        mlp(sizes, activation=activation)


@pytest.mark.parametrize(("placement", "kinds"), [
    (None, ["Linear", "ReLU", "Linear"]),
    ("before", ["Linear", "BatchNorm1d", "ReLU", "Linear"]),
    ("after", ["Linear", "ReLU", "BatchNorm1d", "Linear"]),
    ("both", ["Linear", "BatchNorm1d", "ReLU", "BatchNorm1d", "Linear"]),
])
def test_mlp_batch_norm_placements(placement, kinds):
    model = mlp([10, 6, 3], activation="relu", batch_norm=placement, seed=0)
    assert [type(m).__name__ for m in model] == kinds
    assert placement in BATCH_NORM_PLACEMENTS


def test_one_vocabulary_for_batch_norm_placements():
    assert list(BATCH_NORM_PLACEMENTS) == [None, "before", "after", "both"]
    assert BATCH_NORM_PLACEMENTS[None] == "sans BN"
    with pytest.raises(ValueError, match="batch_norm inconnu"):
        mlp([10, 3], batch_norm="none")


def test_mlp_dropout_draws_its_masks_from_the_seed():
    model = mlp([10, 6, 6, 3], activation="relu", dropout=0.5, seed=0)
    assert [type(m).__name__ for m in model] == [
        "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert all(isinstance(m, Dropout) for m in model if type(m).__name__ == "Dropout")
    x = torch.randn(50, 10)
    state = torch.random.get_rng_state()
    first, second = model(x), mlp([10, 6, 6, 3], activation="relu", dropout=0.5, seed=0)(x)
    assert torch.equal(first, second) and not torch.equal(first, model(x))
    assert torch.equal(torch.random.get_rng_state(), state)  # générateur global intact
    # les masques ont leur propre flux, pas celui des poids (même graine, mêmes tirages)
    assert model[2].generator is model[5].generator
    assert model[2].generator.initial_seed() == MASK_SEED_SHIFT
    with pytest.raises(ValueError, match="dropout doit être"):
        mlp([10, 3], dropout=1.0)


def test_linear_layers_checks_its_argument():
    assert len(linear_layers(mlp([4, 3, 2]))) == 2
    with pytest.raises(TypeError, match="nn.Module"):
        linear_layers([1, 2])
