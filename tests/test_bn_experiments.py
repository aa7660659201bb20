"""Les mesures du chapitre 06 sur de petits sous-ensembles de MNIST (quelques secondes)."""

import json
import math

import pytest
import torch

from course_utils import bn_experiments as bx
from course_utils.data import MNIST_MEAN, MNIST_STD, load_mnist
from course_utils.experiments import train_mlp


@pytest.fixture(scope="module")
def small():
    """256 images d'apprentissage : le cas « peu de données » du chapitre."""
    return load_mnist(train_size=256, test_size=1000)


@pytest.fixture(scope="module")
def medium():
    return load_mnist(train_size=5000, test_size=2000)


def test_batch_statistics_get_less_noisy_with_larger_batches(medium):
    noise = bx.batch_stat_noise(medium, batch_sizes=[2, 8, 32, 128, 512], n_batches=30)
    for key in ("mean_noise", "var_noise"):
        assert all(a > b for a, b in zip(noise[key], noise[key][1:], strict=False)), key
    for measured, theory in zip(noise["mean_noise"], noise["mean_theory"], strict=True):
        assert measured == pytest.approx(theory, rel=0.3)  # σ/√B
    assert json.loads(json.dumps(noise)) == noise
    with pytest.raises(ValueError, match="taille de lot 6000 > nombre d'images"):
        bx.batch_stat_noise(medium, batch_sizes=[6000])
    with pytest.raises(ValueError, match="n_batches doit être un entier ≥ 2"):
        bx.batch_stat_noise(medium, n_batches=1)


def test_small_data_fails_in_eval_mode_and_each_fix_narrows_the_gap(small):
    result = bx.small_data_failure(small)
    runs = result["runs"]
    assert set(runs) == set(bx.FIXES) and runs["batch_norm"]["steps"] == 8
    failing = runs["batch_norm"]
    assert failing["train_mode"] > 0.9 and failing["eval_train"] < 0.5  # mêmes images
    gap = failing["train_mode"] - failing["eval_train"]
    for name in ("no_batch_norm", "more_epochs", "cumulative", "recomputed"):
        assert abs(runs[name]["train_mode"] - runs[name]["eval_train"]) < gap / 10, name
    for name in ("more_epochs", "cumulative", "recomputed"):
        assert runs[name]["eval_test"] > failing["eval_test"] + 0.3, name
    assert json.loads(json.dumps(result)) == result


def test_the_running_statistics_lag_behind_the_true_ones(small):
    _, trace = bx.train_small(small, epochs=1)
    assert len(trace["true_mean"]) == 3  # avant le premier pas, puis après chacun des 2 pas
    assert trace["running_mean"][0] == 0 and trace["running_var"][0] == 1
    assert trace["running_mean"][-1] < 0.5 * trace["true_mean"][-1]  # sigmoïde : μ ≈ 0,5
    assert trace["running_var"][-1] > 5 * trace["true_var"][-1]
    assert trace["mean_gap"][0] > trace["mean_gap"][-1] > 1
    _, cumulative = bx.train_small(small, epochs=1, momentum=None)
    assert cumulative["mean_gap"][-1] < 0.5
    with pytest.raises(ValueError, match="une seule image"):
        bx.train_small(small, batch_size=255)
    with pytest.raises(ValueError, match="lr doit être > 0"):
        bx.small_data_failure(small, lr=0)


def test_shifted_images_stay_normalised_like_mnist(small):
    x = small.x_test[:50]
    pixels = x * MNIST_STD + MNIST_MEAN
    assert torch.allclose(bx.shifted(bx.shifted(x, "invert"), "invert"), x, atol=1e-5)
    brighter = bx.shifted(x, "brighten") * MNIST_STD + MNIST_MEAN
    assert torch.allclose(brighter, 0.5 * pixels + 0.5, atol=1e-5)
    noisy = bx.shifted(x, "noise", seed=3) * MNIST_STD + MNIST_MEAN
    assert torch.equal(bx.shifted(x, "noise", seed=3), bx.shifted(x, "noise", seed=3))
    assert noisy.min() >= -1e-5 and noisy.max() <= 1 + 1e-5
    with pytest.raises(ValueError, match="décalage inconnu : 'flou'"):
        bx.shifted(x, "flou")


def test_adabn_leaves_the_model_alone_and_recovers_the_brightened_digits(medium):
    model, _ = train_mlp(medium, activation="relu", batch_norm="before", epochs=1,
                         evals_per_epoch=1, progress=False)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    gain = bx.adabn_gain(model, bx.shifted(medium.x_test, "brighten"), medium.y_test)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert gain["before"] < 0.5 and gain["after"] > 0.85  # z ↦ 0,5·z + c par unité : rattrapé
    table = bx.adabn_table(model, medium)
    assert set(table) == {"clean"} | set(bx.SHIFTS)
    assert table["noise"]["after"] > table["noise"]["before"] + 0.1
    assert table["clean"]["after"] > table["clean"]["before"] - 0.01  # témoin : pas de perte
    with pytest.raises(ValueError, match="aucune couche de normalisation"):
        bx.adabn_gain(torch.nn.Linear(784, 10), medium.x_test, medium.y_test)


def test_smoothness_profile_has_the_documented_shape(medium):
    profile = bx.smoothness_profile(medium, batch_norm="before", lr=0.1, steps=20, every=10,
                                    probe_size=200)
    assert profile["step"] == [0, 10, 20]
    for key in ("loss", "loss_range", "grad_change", "beta"):
        assert len(profile[key]) == 3 and all(math.isfinite(v) and v >= 0 for v in profile[key])
    assert profile["settings"]["distances"] == [0.05, 0.1, 0.2, 0.4]
    denser = bx.smoothness_profile(medium, batch_norm="before", lr=0.1, steps=20, every=5,
                                   probe_size=200)
    assert denser["loss"][::2] == pytest.approx(profile["loss"])  # mesurer ne change rien
    with pytest.raises(ValueError, match="distances doit être une liste non vide"):
        bx.smoothness_profile(medium, batch_norm=None, distances=(0.1, -1.0))
    with pytest.raises(ValueError, match="every doit être un entier ≥ 1"):
        bx.smoothness_profile(medium, batch_norm=None, every=0)


def test_figures_and_placement_configs(small):
    _, trace = bx.train_small(small, epochs=1)
    fig = bx.plot_running_statistics(trace, title="256 images")
    assert fig.axes[0].get_title() == "Moyenne" and len(fig.axes[1].lines) == 2
    profile = {"step": [0, 10], "loss_range": [0.1, 0.2], "grad_change": [1.0, 2.0]}
    fig = bx.plot_smoothness({"sans BN": profile, "BN": profile})
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[1].lines) == 2
    configs = bx.placement_configs(activations=("relu",), rates=(0.1,))
    assert configs["none|relu|0.1"] == {"batch_norm": None, "activation": "relu", "lr": 0.1}
    assert configs["both|relu|0.1"]["batch_norm"] == "both" and len(configs) == 4


def test_placement_figure_flags_a_diverged_reference():
    run = {"batch_loss": [1.0] * 30, "epoch": [1.0], "test_acc": [0.9]}
    diverged = {"batch_loss": [2.0, float("inf")] + [float("nan")] * 28, "epoch": [1.0],
                "test_acc": [0.1]}
    fig = bx.plot_placement(run, diverged, label="BN", title="ReLU, pas 10")
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert labels == ["BN", "référence sans BN (divergence)"]
