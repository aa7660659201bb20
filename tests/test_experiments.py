"""Les expériences réutilisées par les chapitres, et l'honnêteté des résultats enregistrés."""

import json
from pathlib import Path

import pytest
import torch

from course_utils import experiments
from course_utils.experiments import cached_sweep, rerun, sweep, train_mlp
from course_utils.models import linear_layers

RESULTS = Path(__file__).resolve().parent.parent / "notebooks" / "resultats"
SWEEPS = sorted(p for p in RESULTS.glob("*.json")
                if "configs" in json.loads(p.read_text(encoding="utf-8")))


def test_train_mlp_same_seed_same_run(blobs):
    net_a, hist_a = train_mlp(blobs, sizes=(784, 8, 3), activation="relu", lr=0.05)
    net_b, hist_b = train_mlp(blobs, sizes=(784, 8, 3), activation="relu", lr=0.05)
    assert hist_a.batch_loss == hist_b.batch_loss
    assert torch.equal(net_a[0].weight, net_b[0].weight)
    with pytest.raises(ValueError, match="lr doit être > 0"):
        train_mlp(blobs, lr=0)


def test_train_mlp_applies_the_initialisation(blobs):
    net, _ = train_mlp(blobs, sizes=(784, 8, 3), init="constant", init_scale=0.01, lr=1e-9)
    first = linear_layers(net)[0]
    assert torch.allclose(first.weight, torch.full_like(first.weight, 0.01), atol=1e-6)


def test_sweep_records_how_to_redo_each_run(blobs, monkeypatch):
    monkeypatch.setattr(experiments, "load_mnist", lambda train_size=None: blobs)
    configs = {"petit pas": {"lr": 0.01}, "grand pas": {"lr": 0.1}}
    saved = sweep(configs, sizes=[784, 8, 3], activation="tanh")
    assert saved["configs"] == configs and saved["common"]["activation"] == "tanh"
    assert saved["results"]["grand pas"]["batch_loss"] == []
    again = rerun(json.loads(json.dumps(saved)), "grand pas")
    assert again.test_acc[-1] == pytest.approx(saved["results"]["grand pas"]["test_acc"][-1])
    with pytest.raises(KeyError, match="configuration inconnue"):
        rerun(saved, "moyen pas")


def test_cached_sweep_recomputes_when_the_configs_change(blobs, monkeypatch, tmp_path):
    monkeypatch.setattr(experiments, "load_mnist", lambda train_size=None: blobs)
    monkeypatch.setattr("course_utils.cache.RESULTS_DIR", tmp_path)
    first = cached_sweep("essai", {"a": {"lr": 0.01}}, sizes=[784, 4, 3])
    same = cached_sweep("essai", {"a": {"lr": 0.01}}, sizes=[784, 4, 3])
    changed = cached_sweep("essai", {"a": {"lr": 0.02}}, sizes=[784, 4, 3])
    assert same == first and changed["configs"] == {"a": {"lr": 0.02}}
    assert json.loads((tmp_path / "essai.json").read_text(encoding="utf-8")) == changed


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_saved_sweeps_are_reproducible(path):
    """Les deux calculs les plus rapides de chaque balayage enregistré, refaits ici,
    redonnent les mêmes résultats (à l'arrondi près d'un autre processeur)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    def duration(name):
        return (saved["results"][name].get("elapsed") or [0.0])[-1]

    for name in sorted(saved["configs"], key=duration)[:2]:
        history = rerun(saved, name)
        stored = saved["results"][name]
        assert history.epoch == pytest.approx(stored["epoch"], abs=1e-5)
        assert history.test_acc[-1] == pytest.approx(stored["test_acc"][-1], abs=0.005)
        assert history.train_loss[-1] == pytest.approx(stored["train_loss"][-1], rel=0.02,
                                                     nan_ok=True)


def test_there_are_saved_sweeps():
    assert {p.stem for p in SWEEPS} >= {"activations_mnist", "activations_pas",
                                        "initialisation_mnist"}


def test_validation_split_keeps_the_test_set_out(blobs):
    split = experiments.validation_split(blobs, 100)
    assert len(split.x_train) == 500 and len(split.x_test) == 100
    assert torch.equal(split.x_test, blobs.x_train[-100:])
    with pytest.raises(ValueError, match="size doit être un entier"):
        experiments.validation_split(blobs, 600)


@pytest.mark.parametrize(("name", "options"), [
    ("momentum", {"momentum": 0.9}), ("nesterov", {"momentum": 0.9}), ("adagrad", {}),
    ("rmsprop", {}), ("adam", {}),
])
def test_train_mlp_with_each_course_optimizer(blobs, name, options):
    lr = 0.01 if name in ("rmsprop", "adam") else 0.05
    _, history = train_mlp(blobs, sizes=(784, 16, 3), activation="relu", optimizer=name,
                           lr=lr, options=options, epochs=2)
    assert history.test_acc[-1] > 0.9, name


def test_unknown_optimizer_is_reported(blobs):
    with pytest.raises(ValueError, match="optimiseur inconnu"):
        train_mlp(blobs, optimizer="lbfgs")


def test_effective_steps_of_adagrad_shrink_and_rmsprop_do_not(blobs):
    adagrad = experiments.effective_steps(blobs, optimizer="adagrad", lr=0.01,
                                          record_at=[1, 10, 100])
    medians = [q[1] for q in adagrad]
    assert medians[0] > medians[1] > medians[2]
    assert all(low <= mid <= high for low, mid, high in adagrad)
    rmsprop = experiments.effective_steps(blobs, optimizer="rmsprop", lr=0.001,
                                          record_at=[50, 100])
    assert 0.5 < rmsprop[1][1] / rmsprop[0][1] < 2
    with pytest.raises(ValueError, match="record_at"):
        experiments.effective_steps(blobs, optimizer="adagrad", lr=0.01, record_at=[3, 2])
    with pytest.raises(ValueError, match="adagrad"):
        experiments.effective_steps(blobs, optimizer="adam", lr=0.01, record_at=[1])


def test_adam_bias_trace_first_step():
    trace = experiments.adam_bias_trace(torch.ones(5, dtype=torch.float64))
    assert trace["pas avec correction"][0] == pytest.approx(0.001, rel=1e-4)
    assert trace["pas sans correction"][0] == pytest.approx(0.001 * 0.1 / 0.001**0.5, rel=1e-4)
    assert trace["ŝ"][0] == pytest.approx(1.0) and trace["s"][0] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="1-D"):
        experiments.adam_bias_trace(torch.ones(2, 2))


def test_sample_configs_is_a_deterministic_random_search():
    space = {"activation": ["relu", "tanh"], "optimizer": [["sgd", 0.1], ["momentum", 0.01]],
             "dropout": [0.0, 0.2]}
    first = experiments.sample_configs(space, 5, seed=0)
    assert first == experiments.sample_configs(space, 5, seed=0)
    assert len(first) == 5 and first != experiments.sample_configs(space, 5, seed=1)
    for config in first.values():
        assert config["optimizer"] in ("sgd", "momentum") and "lr" in config
        if config["optimizer"] == "momentum":
            assert config["options"] == {"momentum": 0.9}
    with pytest.raises(ValueError, match="n doit être entre 1 et 8"):
        experiments.sample_configs(space, 9)
