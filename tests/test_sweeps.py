"""Les balayages : des Runs interrogés par les champs des réglages, enregistrés en données."""

import dataclasses
import json

import pytest

from course_utils import cache
from course_utils.runs import Run, RunConfig
from course_utils.sweeps import Runs, best_run, cached_sweep, rerun, sample_configs, sweep
from course_utils.training import History

BASE = RunConfig(sizes=(784, 8, 3), activation="relu", epochs=1, evals_per_epoch=1)


def _run(accuracies, **changes):
    history = History(epoch=list(range(1, len(accuracies) + 1)), eval_acc=list(accuracies),
                      eval_loss=[1.0] * len(accuracies), train_loss=[1.0] * len(accuracies),
                      train_acc=[0.5] * len(accuracies), eval_name="validation")
    return Run(dataclasses.replace(BASE, **changes), history)


def test_runs_are_looked_up_by_config_fields():
    runs = Runs([_run([0.5], lr=0.1), _run([0.6], lr=0.3),
                 _run([0.7], lr=0.1, batch_norm="before")])
    assert len(runs) == 3 and runs[1].config.lr == 0.3 and "3 runs" in repr(runs)
    assert runs.get(lr=0.1, batch_norm=None).history.eval_acc == [0.5]
    assert [r.config.lr for r in runs.where(lr=0.1)] == [0.1, 0.1]
    assert runs.values("batch_norm") == [None, "before"] and runs.values("lr") == [0.1, 0.3]
    with pytest.raises(KeyError, match="2 runs avec lr=0.1"):
        runs.get(lr=0.1)
    with pytest.raises(KeyError, match="0 runs"):
        runs.get(lr=1.0)
    with pytest.raises(ValueError, match="champ inconnu"):
        runs.where(learning_rate=0.1)
    with pytest.raises(TypeError, match="Run"):
        Runs([{"lr": 0.1}])


def test_runs_round_trip_through_json_data():
    runs = Runs([_run([0.5, 0.6], lr=0.1), _run([0.7, 0.8], optimizer="momentum",
                                               momentum=0.9)])
    saved = json.loads(json.dumps(runs.to_dict(keep_batch_loss=False)))
    assert saved[1]["config"]["optimizer"] == "momentum"  # le réglage en données, pas en clé
    again = Runs.from_dict(saved)
    assert [r.config for r in again] == [r.config for r in runs]
    assert again[1].history.eval_acc == [0.7, 0.8] and again[0].model is None


def test_best_run_chooses_on_the_last_evaluation():
    late, early = _run([0.9, 0.92], lr=0.1), _run([0.95, 0.91], lr=0.3)
    assert best_run([early, late]) is late
    assert best_run(Runs([late, _run([0.3, 0.92], lr=1.0)])) is late  # égalité : le premier
    with pytest.raises(ValueError, match="vide"):
        best_run([])


def test_sample_configs_draws_distinct_settings_from_the_grid():
    space = {"activation": ["sigmoid", "relu"],
             "optimizer": [{"optimizer": "sgd", "lr": 0.3},
                           {"optimizer": "momentum", "lr": 0.05, "momentum": 0.9}],
             "dropout": [0.0, 0.2]}
    configs = sample_configs(BASE, space, 5, seed=0)
    assert len(set(configs)) == 5 and configs == sample_configs(BASE, space, 5, seed=0)
    assert configs != sample_configs(BASE, space, 5, seed=1)
    assert all(c.sizes == BASE.sizes for c in configs)
    assert all((c.momentum == 0.9) == (c.optimizer == "momentum") for c in configs)
    with pytest.raises(ValueError, match="n doit être un entier entre 1 et 8"):
        sample_configs(BASE, space, 9)


def test_sweep_trains_each_config(blobs):
    configs = [BASE, dataclasses.replace(BASE, lr=0.3)]
    runs = sweep(configs, blobs, eval_on="test")
    assert [r.config for r in runs] == configs and runs[0].model is not None
    assert all(r.history.eval_name == "test" for r in runs)
    with pytest.raises(ValueError, match="au moins un"):
        sweep([], blobs)


@pytest.mark.slow
def test_cached_sweep_stores_configs_as_data_and_reruns(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "RESULTS_DIR", tmp_path)
    monkeypatch.delenv("COURSE_REGENERATE", raising=False)
    configs = [dataclasses.replace(BASE, sizes=(784, 8, 10), lr=lr) for lr in (0.1, 0.3)]
    data = {"train_size": 300, "validation_size": 100, "test_size": 50}
    runs = cached_sweep("essai", configs, data=data)
    saved = json.loads((tmp_path / "essai.json").read_text(encoding="utf-8"))
    assert saved["data"] == data and saved["eval_on"] == "validation"
    assert [item["config"]["lr"] for item in saved["runs"]] == [0.1, 0.3]
    assert saved["runs"][0]["history"]["batch_loss"] == []  # pertes par mini-lot non gardées
    again = cached_sweep("essai", configs, data=data)  # relu, pas recalculé
    assert [r.history.eval_acc for r in again] == [r.history.eval_acc for r in runs]
    stored, fresh = rerun("essai", 1)
    assert fresh.history.eval_acc == pytest.approx(stored.history.eval_acc, abs=1e-5)
    changed = cached_sweep("essai", configs[:1], data=data)  # demande différente : recalcul
    assert len(changed) == 1
    assert len(json.loads((tmp_path / "essai.json").read_text(encoding="utf-8"))["runs"]) == 1
