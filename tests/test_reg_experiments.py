"""Les expériences du chapitre 07 sur de petits sous-ensembles de MNIST (quelques secondes)."""

import json

import pytest
import torch
from torch import nn

from course_utils import reg_experiments as rx
from course_utils.data import load_mnist
from course_utils.regularization import Dropout


@pytest.fixture(scope="module")
def small():
    """300 images d'apprentissage et 1 000 de test : le réseau sur-apprend en 20 époques."""
    return load_mnist(train_size=300, test_size=1000)


def _same_json(result: dict) -> bool:
    return json.loads(json.dumps(result)) == result


def test_the_overfitting_run_fits_the_training_set_and_not_the_test_set(small):
    run = rx.overfit_run(small, lr=0.05, epochs=20)
    assert run["train_acc"] == 1.0 and run["train_loss"] < run["test_loss"] / 50
    history = run["history"]
    assert len(history["epoch"]) == 20 and "batch_loss" not in history
    assert history["test_loss"][-1] > min(history["test_loss"]) + 0.05  # elle remonte
    assert run["gap"] == pytest.approx(run["train_acc"] - run["test_acc"], abs=1e-5)
    assert run["options"]["lr"] == 0.05 and run["seconds"] > 0 and _same_json(run)
    again = rx.overfit_run(small, lr=0.05, epochs=20)
    assert again["history"] == history  # même graine, mêmes courbes


def test_the_network_draws_its_dropout_masks_with_a_local_generator():
    model = rx.network(dropout=0.5, seed=3)
    layers = [m for m in model.modules() if isinstance(m, nn.Dropout | Dropout)]
    assert len(layers) == 2 and all(isinstance(m, Dropout) for m in layers)
    assert layers[0].generator is layers[1].generator is not None
    assert not any(isinstance(m, Dropout) for m in rx.network().modules())


def test_l1_makes_first_layer_weights_sparse_and_l2_shrinks_them(small):
    sweep = rx.penalty_sweep(small, alphas=(1e-4, 1e-3, 1e-2), epochs=10)
    runs = sweep["runs"]
    assert set(runs) == {"none"} | {f"{k}|{a:g}" for k in ("l1", "l2") for a in (1e-4, 1e-3, 1e-2)}
    l1 = [runs["none"]] + [runs[rx.penalty_key("l1", a)] for a in sweep["alphas"]]
    l2 = [runs["none"]] + [runs[rx.penalty_key("l2", a)] for a in sweep["alphas"]]
    assert all(a["sparsity_first"] < b["sparsity_first"] for a, b in zip(l1, l1[1:], strict=False))
    assert l1[-1]["sparsity_first"] > 0.5 > 0.05 > l1[0]["sparsity_first"]
    assert all(a["weight_norm"] > b["weight_norm"] for a, b in zip(l2, l2[1:], strict=False))
    assert len(sweep["edges"]) == rx.HISTOGRAM_BINS + 1
    assert sum(runs["l2|0.001"]["counts"]) == 784 * 256  # tous les poids de la 1re couche
    assert "history" not in runs["none"] and _same_json(sweep)


def test_adam_with_l2_in_the_loss_shrinks_more_than_adamw_at_the_same_lambda(small):
    result = rx.adam_l2_vs_adamw(small, decays=(1e-2,), epochs=5)
    runs = result["runs"]
    assert set(runs) == {"adam", "adam_l2|0.01", "adamw|0.01"}
    assert runs["adam_l2|0.01"]["weight_norm"] < 0.9 * runs["adamw|0.01"]["weight_norm"]
    assert runs["adamw|0.01"]["weight_norm"] < runs["adam"]["weight_norm"]
    assert runs["adamw|0.01"]["options"]["weight_decay"] == 0.01
    assert runs["adam_l2|0.01"]["options"]["alpha"] == 0.005  # (λ/2) Σ w²


def test_mc_dropout_with_many_masks_gets_closer_to_the_eval_network(small):
    model, _ = rx.train_overfit(small, dropout=0.5, lr=0.05, epochs=10)
    state = model[2].generator.get_state()
    x, y = small.x_test[:500], small.y_test[:500]
    gap = rx.mc_dropout_gap(model, x, y, samples=(1, 100))
    assert gap["distance"][1] < 0.8 * gap["distance"][0]
    assert gap["agreement"][1] > gap["agreement"][0] and gap["mc_acc"][1] > gap["mc_acc"][0]
    assert abs(gap["mc_acc"][1] - gap["eval_acc"]) < 0.02
    assert torch.equal(model[2].generator.get_state(), state) and model.training  # intact
    assert gap == rx.mc_dropout_gap(model, x, y, samples=(1, 100))  # même graine
    with pytest.raises(ValueError, match="samples doit être une liste d'entiers ≥ 1"):
        rx.mc_dropout_gap(model, x, y, samples=(0,))


def test_dropout_runs_need_more_epochs_with_more_dropout(small):
    result = rx.dropout_runs(small, rates=(0.0, 0.5), samples=(1, 10), epochs=40)
    fits = [result["runs"][key]["epochs_to_fit"] for key in ("0", "0.5")]
    assert fits[0] is not None and (fits[1] is None or fits[1] > fits[0])
    assert result["mc"]["p"] == 0.5 and result["mc"]["samples"] == [1, 10] and _same_json(result)


def test_the_ensemble_beats_its_average_member(small):
    result = rx.ensemble_run(small, members=3, epochs=5)
    assert len(result["member_test_acc"]) == 3 and result["epochs"] == 15
    assert result["test_acc"] >= result["mean_member_acc"]
    with pytest.raises(ValueError, match="members doit être un entier ≥ 1"):
        rx.ensemble_run(small, members=0)


def test_early_stopping_keeps_the_best_validation_epoch(small):
    run = rx.overfit_run(small, lr=0.05, epochs=30, patience=2)
    assert run["curves"] == "validation" and run["stopped_at"] < 30
    assert run["epochs"] == run["stopped_at"] - 2  # deux époques sans amélioration
    losses = run["history"]["test_loss"]  # ici, la perte de validation
    assert len(losses) == run["stopped_at"] and min(losses) == losses[run["epochs"] - 1]


def test_the_table_has_one_row_per_method(small):
    table = rx.regularization_table(small, methods=("none", "cutmix", "ensemble"), epochs=2)
    assert list(table["rows"]) == ["none", "cutmix", "ensemble"]
    assert table["rows"]["cutmix"]["label"] == "CutMix (α = 1)"
    assert table["rows"]["ensemble"]["epochs"] == 10 and _same_json(table)
    lines = rx.format_table(table).splitlines()
    accuracies = sorted((row["test_acc"] for row in table["rows"].values()), reverse=True)
    assert len(lines) == 4 and f"{100 * accuracies[0]:5.1f} %" in lines[1]  # du meilleur au pire
    with pytest.raises(ValueError, match="méthodes inconnues"):
        rx.regularization_table(small, methods=("bagging",))


def test_options_are_checked_in_french(small):
    with pytest.raises(ValueError, match="alpha = 0.1 sans penalty"):
        rx.overfit_run(small, alpha=0.1)
    with pytest.raises(ValueError, match="transformation inconnue"):
        rx.overfit_run(small, transform="flou")
    with pytest.raises(ValueError, match="weight_decay ne sert qu'avec"):
        rx.overfit_run(small, weight_decay=0.1)
    with pytest.raises(ValueError, match="optimiseur inconnu"):
        rx.overfit_run(small, optimizer="lbfgs")
    assert rx.make_transform(None) is None
    x, y = small.x_train[:8], small.y_train[:8]
    shifted, same = rx.make_transform("shift_rotation")(x, y, torch.Generator())
    assert shifted.shape == x.shape and torch.equal(same, y)


def test_alpha_labels_and_mixing_figure(small):
    assert [rx.alpha_label(a) for a in (1e-5, 3e-4, 0)] == ["10⁻⁵", "3·10⁻⁴", "0"]
    fig = rx.plot_mixing_examples(small.x_train, small.y_train, n=4)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 16 and titles[0] == f"{int(small.y_train[0])} : 1"
    mixed = [t for t in titles[4:8] if "/" in t]  # Mixup
    assert mixed and all(" : " in t and "," in t for t in mixed)
    assert fig.axes[4].get_ylabel() == "Mixup"
    with pytest.raises(ValueError, match="n doit être un entier entre 1 et 300"):
        rx.plot_mixing_examples(small.x_train, small.y_train, n=0)
