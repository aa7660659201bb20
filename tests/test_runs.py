"""Les expériences : RunConfig (validé en un seul endroit), le registre des optimiseurs, run."""

import dataclasses

import numpy as np
import pytest
import torch

from course_utils import adaptive, optim
from course_utils.data import MNIST
from course_utils.runs import (
    OPTIMIZERS,
    Run,
    RunConfig,
    build_model,
    build_optimizer,
    evaluation_data,
    run,
    training_loss,
)
from course_utils.training import evaluate

SMALL = RunConfig(sizes=(784, 16, 3), activation="relu", epochs=2, evals_per_epoch=1)


@pytest.mark.parametrize(("changes", "error", "words"), [
    ({"sizes": (784,)}, ValueError, "au moins deux"),
    ({"sizes": (784, 0, 10)}, ValueError, "≥ 1"),
    ({"activation": "softplus"}, ValueError, "activation inconnu"),
    ({"init": "zero"}, ValueError, "init inconnu"),
    ({"init_scale": -1.0}, ValueError, "init_scale"),
    ({"batch_norm": "none"}, ValueError, "batch_norm inconnu"),
    ({"dropout": 1.0}, ValueError, "dropout"),
    ({"optimizer": "gd"}, ValueError, "optimizer inconnu"),
    ({"lr": 0.0}, ValueError, "lr doit être un réel fini > 0"),
    ({"lr": float("inf")}, ValueError, "lr doit être un réel fini > 0"),
    ({"lr": "0.1"}, TypeError, "lr"),
    ({"optimizer": "momentum"}, ValueError, "demande un momentum"),
    ({"optimizer": "nesterov", "momentum": 1.0}, ValueError, "momentum"),
    ({"momentum": 0.9}, ValueError, "ne sert qu'avec"),
    ({"weight_decay": 0.1}, ValueError, "ne sert qu'avec"),
    ({"penalty": "l3"}, ValueError, "penalty inconnu"),
    ({"penalty_alpha": 0.1}, ValueError, "sans penalty"),
    ({"augmentation": "flou"}, ValueError, "augmentation inconnu"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"epochs": 1.5}, TypeError, "epochs"),
    ({"patience": 0}, ValueError, "patience"),
    ({"seed": -2}, ValueError, "seed"),
])
def test_run_config_is_validated_in_one_place(changes, error, words):
    with pytest.raises(error, match=words) as info:
        RunConfig(**changes)
    assert " :" not in str(info.value)  # typographie française : espace insécable


def test_run_config_round_trips_through_json_data():
    config = RunConfig(sizes=[784, 32, 10], optimizer="momentum", momentum=0.9,
                       batch_norm="before", penalty="l2", penalty_alpha=1e-3)
    assert config.sizes == (784, 32, 10)  # une liste devient un tuple
    data = config.to_dict()
    assert data["sizes"] == [784, 32, 10] and data["batch_norm"] == "before"
    assert RunConfig.from_dict(data) == config
    with pytest.raises(ValueError, match="champs inconnus"):
        RunConfig.from_dict(data | {"options": {}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lr = 1.0


def test_run_config_describes_itself_in_french():
    config = RunConfig(activation="relu", optimizer="momentum", lr=0.05, momentum=0.9,
                       init="kaiming_normal", batch_norm="before", dropout=0.2)
    assert config.describe("activation", "optimizer", "init", "batch_norm", "dropout") == (
        "ReLU, momentum (pas 0,05, momentum 0,9), He normale, BN avant l'activation, "
        "dropout 0,2")
    assert RunConfig().describe("init", "dropout", "batch_norm") == (
        "init. PyTorch, sans dropout, sans BN")


@pytest.mark.parametrize(("name", "changes", "kind"), [
    ("sgd", {}, torch.optim.SGD),
    ("momentum", {"momentum": 0.9}, optim.Momentum),
    ("nesterov", {"momentum": 0.5}, optim.Nesterov),
    ("adagrad", {}, adaptive.AdaGrad),
    ("rmsprop", {}, adaptive.RMSProp),
    ("adam", {}, adaptive.Adam),
    ("torch_adam", {}, torch.optim.Adam),
    ("adamw", {"weight_decay": 0.1}, torch.optim.AdamW),
])
def test_one_registry_builds_every_optimizer(name, changes, kind):
    config = RunConfig(optimizer=name, lr=0.01, **changes)
    optimizer = build_optimizer(config, build_model(config))
    assert type(optimizer) is kind and OPTIMIZERS[name].label
    assert all(group["lr"] == 0.01 for group in optimizer.param_groups)
    if "momentum" in changes:
        assert optimizer.param_groups[0]["momentum"] == changes["momentum"]


def test_adamw_decays_the_weights_but_not_the_biases():
    config = RunConfig(optimizer="adamw", lr=0.01, weight_decay=0.1)
    groups = build_optimizer(config, build_model(config)).param_groups
    assert [g["weight_decay"] for g in groups] == [0.1, 0.0]
    assert all(p.dim() == 2 for p in groups[0]["params"])
    assert all(p.dim() == 1 for p in groups[1]["params"])


def _quadratic_grad(theta):
    return np.array([3.0, 0.5]) * theta


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_registry_updates_are_the_course_steps(name):
    """Sur une surface 2D, ``update`` enchaîne la fonction sans état du cours."""
    spec = OPTIMIZERS[name]
    hyper = {"momentum": {"momentum": 0.9}, "nesterov": {"momentum": 0.9},
             "rmsprop": {"rho": 0.9}, "adam": {"betas": (0.9, 0.999)}}.get(name, {})
    theta, state = np.array([1.0, -2.0]), None
    for _ in range(3):
        theta, state = spec.update(theta, _quadratic_grad, state, lr=0.1, **hyper)
    direct, state = np.array([1.0, -2.0]), None
    for _ in range(3):
        if name == "sgd":
            direct = optim.gd_step(direct, _quadratic_grad(direct), lr=0.1)
        elif name == "nesterov":
            direct, state = optim.nesterov_step(direct, _quadratic_grad, state, lr=0.1,
                                                momentum=0.9)
        else:
            step = {"momentum": optim.momentum_step, "adagrad": adaptive.adagrad_step,
                    "rmsprop": adaptive.rmsprop_step, "adam": adaptive.adam_step}[name]
            direct, state = step(direct, _quadratic_grad(direct), state, lr=0.1, **hyper)
    np.testing.assert_array_equal(theta, direct)
    assert OPTIMIZERS["torch_adam"].update is None


def test_build_model_uses_the_seed_and_the_init():
    config = RunConfig(sizes=(784, 16, 3), init="xavier_uniform", init_scale=0.5, seed=3)
    first, again = build_model(config), build_model(config)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), again.parameters(),
                                                  strict=True))
    bound = 0.5 * (6 / (784 + 16)) ** 0.5
    assert first[0].weight.abs().max() <= bound and first[0].bias.abs().max() == 0
    other = build_model(dataclasses.replace(config, seed=4))
    assert not torch.equal(first[0].weight, other[0].weight)


def test_run_trains_evaluates_and_is_reproducible(blobs):
    first = run(SMALL, blobs, eval_on="validation")
    again = run(SMALL, blobs, eval_on="validation")
    assert isinstance(first, Run) and first.config is SMALL
    assert first.history.eval_name == "validation" and first.history.eval_acc[-1] > 0.9
    assert first.history.batch_loss == again.history.batch_loss
    on_test = run(SMALL, blobs, eval_on="test")
    assert on_test.history.eval_name == "test" and on_test.history.train_loss == (
        first.history.train_loss)
    assert "Run(" in repr(first) and "validation" in repr(first)


def test_evaluation_data_must_exist(blobs):
    without = MNIST(train=blobs.train, validation=None, test=blobs.test)
    assert evaluation_data(without, "test") is blobs.test
    with pytest.raises(ValueError, match="validation_size"):
        run(SMALL, without)
    with pytest.raises(ValueError, match="eval_on inconnu"):
        evaluation_data(blobs, "apprentissage")
    with pytest.raises(TypeError, match="MNIST"):
        run(SMALL, blobs.train)
    with pytest.raises(TypeError, match="RunConfig"):
        run({"lr": 0.1}, blobs)


def test_early_stopping_stops_and_keeps_the_best_epoch(blobs):
    config = dataclasses.replace(SMALL, lr=3.0, epochs=30, patience=2)
    result = run(config, blobs)
    losses = result.history.eval_loss
    best = losses.index(min(losses))
    assert len(losses) == best + 3 < 30  # deux époques sans amélioration, puis arrêt
    assert evaluate(result.model, blobs.validation)[0] == pytest.approx(losses[best])
    with pytest.raises(ValueError, match="validation"):
        run(config, blobs, eval_on="test")


def test_penalty_is_part_of_the_training_loss(blobs):
    config = dataclasses.replace(SMALL, penalty="l2", penalty_alpha=0.5)
    model = build_model(config)
    logits, y = model(blobs.train.x[:8]), blobs.train.y[:8]
    weights = sum((layer.weight ** 2).sum() for layer in (model[0], model[2]))
    expected = torch.nn.functional.cross_entropy(logits, y) + 0.5 * weights
    assert training_loss(config, model)(logits, y).item() == pytest.approx(expected.item())
    assert training_loss(SMALL, model) is torch.nn.functional.cross_entropy


def test_augmentation_changes_the_batches(blobs):
    plain = run(SMALL, blobs)
    noisy = run(dataclasses.replace(SMALL, augmentation="noise"), blobs)
    assert noisy.history.batch_loss[0] != plain.history.batch_loss[0]
    assert noisy.history.eval_acc[-1] > 0.9
