"""Les mesures de la régularisation sur de petits sous-ensembles de MNIST (quelques secondes
chacune ; celles qui apprennent sur MNIST sont marquées « slow »)."""

import dataclasses
import json

import pytest
import torch
from torch import nn

from course_utils.data import load_mnist
from course_utils.lab import regularization as lab
from course_utils.regularization import Dropout
from course_utils.runs import RunConfig, build_model, run

FAST = dataclasses.replace(lab.SETTING, lr=0.05, epochs=20)


@pytest.fixture(scope="module")
def small():
    """300 images d'apprentissage et 1 000 de test : le réseau sur-apprend en 20 époques."""
    return load_mnist(train_size=300, test_size=1000)


def _same_json(result) -> bool:
    return json.loads(json.dumps(result)) == result


def test_the_setting_is_the_chapter_s():
    assert lab.SETTING.sizes == (784, 256, 256, 10) and lab.SETTING.activation == "relu"
    assert (lab.SETTING.optimizer, lab.SETTING.lr, lab.SETTING.momentum) == ("momentum", 0.01,
                                                                             0.9)
    assert (lab.SETTING.epochs, lab.SETTING.evals_per_epoch, lab.SETTING.batch_size) == (40, 1,
                                                                                         64)
    assert dict(lab.DATA) == {"train_size": 1000, "test_size": 5000}
    model = build_model(dataclasses.replace(lab.SETTING, dropout=0.5))
    layers = [m for m in model.modules() if isinstance(m, nn.Dropout | Dropout)]
    assert len(layers) == 2 and all(isinstance(m, Dropout) for m in layers)
    assert layers[0].generator is layers[1].generator is not None  # masques : générateur local


@pytest.mark.slow
def test_the_overfitting_run_fits_the_training_set_and_not_the_test_set(small):
    record = lab.summarize(run(FAST, small, eval_on="test"), small)
    assert record["train_acc"] == 1.0 and record["train_loss"] < record["test_loss"] / 50
    history = record["history"]
    assert len(history["epoch"]) == 20 and "batch_loss" not in history
    assert history["eval_name"] == "test" and record["epochs"] == record["stopped_at"] == 20
    assert history["eval_loss"][-1] > min(history["eval_loss"]) + 0.05  # elle remonte
    assert record["gap"] == pytest.approx(record["train_acc"] - record["test_acc"], abs=1e-5)
    assert RunConfig.from_dict(record["config"]) == FAST and _same_json(record)
    again = lab.summarize(run(FAST, small, eval_on="test"), small)
    assert again["history"] == history  # même graine, mêmes courbes
    assert lab.history_of(record).eval_loss == history["eval_loss"]


@pytest.mark.slow
def test_l1_makes_first_layer_weights_sparse_and_l2_shrinks_them(small):
    sweep = lab.penalty_sweep(small, base=dataclasses.replace(FAST, epochs=10),
                              alphas=(1e-4, 1e-3, 1e-2))
    runs = sweep["runs"]
    assert len(runs) == 7 and _same_json(sweep)
    reference = lab.find(runs, penalty=None)
    l1 = [reference] + [lab.find(runs, penalty="l1", penalty_alpha=a) for a in sweep["alphas"]]
    l2 = [reference] + [lab.find(runs, penalty="l2", penalty_alpha=a) for a in sweep["alphas"]]
    assert all(a["sparsity_first"] < b["sparsity_first"] for a, b in zip(l1, l1[1:], strict=False))
    assert l1[-1]["sparsity_first"] > 0.5 > 0.05 > l1[0]["sparsity_first"]
    assert all(a["weight_norm"] > b["weight_norm"] for a, b in zip(l2, l2[1:], strict=False))
    assert len(sweep["edges"]) == lab.HISTOGRAM_BINS + 1
    assert sum(l2[2]["counts"]) == 784 * 256  # tous les poids de la 1re couche
    with pytest.raises(KeyError, match="0 enregistrements avec penalty='l3'"):
        lab.find(runs, penalty="l3")
    with pytest.raises(ValueError, match="champ inconnu"):
        lab.find(runs, kind="l1")


@pytest.mark.slow
def test_adam_with_l2_in_the_loss_shrinks_more_than_adamw_at_the_same_lambda(small):
    result = lab.adam_l2_vs_adamw(small, base=dataclasses.replace(FAST, epochs=5),
                                  decays=(1e-2,))
    runs = result["runs"]
    adam = lab.find(runs, optimizer="torch_adam", penalty=None)
    adam_l2 = lab.find(runs, optimizer="torch_adam", penalty="l2")
    adamw = lab.find(runs, optimizer="adamw")
    assert adam_l2["weight_norm"] < 0.9 * adamw["weight_norm"] < 0.9 * adam["weight_norm"]
    assert adamw["config"]["weight_decay"] == 0.01 and adam["config"]["lr"] == 1e-3
    assert adam_l2["config"]["penalty_alpha"] == 0.005  # (λ/2) Σ w²


@pytest.mark.slow
def test_mc_dropout_with_many_masks_gets_closer_to_the_eval_network(small):
    model = run(dataclasses.replace(FAST, dropout=0.5, epochs=10), small, eval_on="test").model
    state = model[2].generator.get_state()
    test = small.test
    gap = lab.mc_dropout_gap(model, test, samples=(1, 100))
    assert gap["distance"][1] < 0.8 * gap["distance"][0]
    assert gap["agreement"][1] > gap["agreement"][0] and gap["mc_acc"][1] > gap["mc_acc"][0]
    assert abs(gap["mc_acc"][1] - gap["eval_acc"]) < 0.02
    assert torch.equal(model[2].generator.get_state(), state) and model.training  # intact
    assert gap == lab.mc_dropout_gap(model, test, samples=(1, 100))  # même graine
    with pytest.raises(ValueError, match="samples doit être une liste d'entiers ≥ 1"):
        lab.mc_dropout_gap(model, test, samples=(0,))


@pytest.mark.slow
def test_dropout_runs_need_more_epochs_with_more_dropout(small):
    result = lab.dropout_runs(small, base=dataclasses.replace(FAST, epochs=40),
                              rates=(0.0, 0.5), samples=(1, 10))
    fits = [lab.find(result["runs"], dropout=p)["epochs_to_fit"] for p in (0.0, 0.5)]
    assert fits[0] is not None and (fits[1] is None or fits[1] > fits[0])
    assert result["mc"]["p"] == 0.5 and result["mc"]["samples"] == [1, 10] and _same_json(result)


@pytest.mark.slow
def test_the_ensemble_beats_its_average_member(small):
    result = lab.ensemble_run(small, base=dataclasses.replace(FAST, epochs=5), members=3)
    assert len(result["member_test_acc"]) == 3 and result["epochs"] == 15
    assert result["test_acc"] >= result["mean_member_acc"] and _same_json(result)
    with pytest.raises(ValueError, match="members doit être un entier ≥ 1"):
        lab.ensemble_run(small, members=0)


@pytest.mark.slow
def test_early_stopping_keeps_the_best_validation_epoch():
    split = load_mnist(train_size=240, validation_size=60, test_size=1000)
    config = dataclasses.replace(FAST, epochs=30, patience=2)
    record = lab.summarize(run(config, split, eval_on="validation"), split)
    assert record["history"]["eval_name"] == "validation" and record["stopped_at"] < 30
    assert record["epochs"] == record["stopped_at"] - 2  # deux époques sans amélioration
    losses = record["history"]["eval_loss"]
    assert len(losses) == record["stopped_at"] and min(losses) == losses[record["epochs"] - 1]


@pytest.mark.slow
def test_the_table_has_one_row_per_method(small):
    split = load_mnist(train_size=240, validation_size=60, test_size=1000)
    table = lab.regularization_table(small, split, base=dataclasses.replace(FAST, epochs=2),
                                     methods=("none", "cutmix", "early_stopping", "ensemble"))
    rows = table["rows"]
    assert [row["method"] for row in rows] == ["none", "cutmix", "early_stopping", "ensemble"]
    assert rows[1]["label"] == "CutMix (α = 1)" and rows[1]["config"]["augmentation"] == "cutmix"
    assert rows[2]["history"]["eval_name"] == "validation" and rows[2]["config"]["patience"] == 5
    assert rows[3]["epochs"] == 10 and _same_json(table)
    lines = lab.format_table(table).splitlines()
    accuracies = sorted((row["test_acc"] for row in rows), reverse=True)
    assert len(lines) == 5 and f"{100 * accuracies[0]:5.1f} %" in lines[1]  # du meilleur au pire
    with pytest.raises(ValueError, match="methods inconnu"):
        lab.regularization_table(small, split, methods=("bagging",))


def test_labels_and_argument_errors():
    assert [lab.alpha_label(a) for a in (1e-5, 3e-4, 0)] == ["10⁻⁵", "3·10⁻⁴", "0"]
    assert lab.METHODS["shift_rotation"].label == "décalage (±2 px) et rotation (±15°)"
    with pytest.raises(TypeError, match="un Run avec son réseau"):
        lab.summarize("run", None)
    with pytest.raises(ValueError, match="alpha"):
        lab.alpha_label(-1.0)
