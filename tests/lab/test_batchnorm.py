"""Les mesures de la normalisation par lots : sur un petit problème jouet (rapide), puis sur de
petits sous-ensembles de MNIST (quelques secondes, marqués « slow » s'ils apprennent)."""

import dataclasses
import json
import math

import pytest
import torch

from course_utils.data import Dataset, denormalize, load_mnist
from course_utils.lab import batchnorm as lab
from course_utils.runs import RunConfig, run

TOY = RunConfig(sizes=(784, 16, 16, 3), activation="sigmoid", batch_norm="after", lr=0.3,
                epochs=2, batch_size=100)


@pytest.fixture(scope="module")
def small():
    """256 images d'apprentissage : le cas « peu de données » du chapitre."""
    return load_mnist(train_size=256, test_size=1000)


@pytest.fixture(scope="module")
def medium():
    return load_mnist(train_size=5000, test_size=2000)


# --- Sur le problème jouet (sans MNIST) --------------------------------------------------------


def test_the_trace_hook_records_before_and_after_every_step(blobs):
    model, trace = lab.train_with_trace(TOY, blobs.train)  # 600 exemples, lots de 100 : 12 pas
    assert set(trace) == {"running_mean", "true_mean", "running_var", "true_var", "mean_gap"}
    assert all(len(values) == 13 for values in trace.values())
    assert trace["running_mean"][0] == 0 and trace["running_var"][0] == 1
    first_bn = [m for m in model if isinstance(m, torch.nn.BatchNorm1d)][0]
    assert trace["running_mean"][-1] == pytest.approx(first_bn.running_mean.mean().item())
    same, _ = lab.train_with_trace(TOY, blobs.train)  # même réglage : même apprentissage
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                  same.state_dict().values(), strict=True))


def test_the_traced_training_is_the_course_training_loop(blobs):
    """Sans BN, train_with_trace apprend exactement comme runs.run (même boucle, même ordre)."""
    config = dataclasses.replace(TOY, batch_norm=None, evals_per_epoch=1)
    model, trace = lab.train_with_trace(config, blobs.train)
    assert all(values == [] for values in trace.values())
    reference = run(config, blobs, eval_on="test").model
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                  reference.state_dict().values(), strict=True))


def test_cumulative_statistics_catch_up_with_the_true_ones(blobs):
    _, sliding = lab.train_with_trace(TOY, blobs.train)
    _, cumulative = lab.train_with_trace(TOY, blobs.train, momentum=None)
    assert cumulative["mean_gap"][-1] < sliding["mean_gap"][-1]
    _, last = lab.train_with_trace(TOY, blobs.train, layer=-1)
    assert last["true_mean"] != sliding["true_mean"]  # une autre couche BN


@pytest.mark.parametrize(("call", "exc", "words"), [
    (lambda data: lab.train_with_trace(dataclasses.replace(TOY, batch_size=599), data),
     ValueError, ["une seule image", "batch_size = 599"]),
    (lambda data: lab.train_with_trace(TOY, data, layer=2), ValueError, ["layer", "entre -2 et 1"]),
    (lambda data: lab.train_with_trace(TOY, data, momentum=1.5), ValueError, ["momentum"]),
    (lambda data: lab.train_with_trace({"lr": 0.3}, data), TypeError, ["RunConfig"]),
    (lambda data: lab.batch_stat_noise(data, batch_sizes=[601]), ValueError,
     ["chaque taille de lot", "entre 2 et 600", "601"]),
    (lambda data: lab.batch_stat_noise(data, n_batches=1), ValueError, ["n_batches", "≥ 2"]),
    (lambda data: lab.smoothness_profile(TOY, data, distances=(0.1, -1.0)), ValueError,
     ["distances doit être une liste non vide"]),
    (lambda data: lab.smoothness_profile(TOY, data, every=0), ValueError, ["every", "≥ 1"]),
    (lambda data: lab.shifted(data.x, "flou"), ValueError, ["kind inconnu", "'flou'"]),
])
def test_errors_are_in_french(blobs, call, exc, words):
    with pytest.raises(exc) as err:
        call(blobs.train)
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_small_data_failure_needs_batch_norm(blobs):
    with pytest.raises(ValueError, match="batch_norm ≠ None"):
        lab.small_data_failure(blobs, config=dataclasses.replace(TOY, batch_norm=None))
    with pytest.raises(ValueError, match="more doit être un entier ≥ 2"):
        lab.small_data_failure(blobs, config=TOY, more=1)


def test_the_smoothness_probe_is_taken_every_few_steps_and_changes_nothing(blobs):
    config = dataclasses.replace(TOY, batch_norm="before", batch_size=60, lr=0.1)
    profile = lab.smoothness_profile(config, blobs.train, steps=14, every=7, probe_size=100)
    assert profile["step"] == [0, 7, 14]  # 10 pas par époque : 2 époques, mesures jusqu'à 14
    for key in ("loss", "loss_range", "grad_change", "beta"):
        assert len(profile[key]) == 3 and all(math.isfinite(v) and v >= 0 for v in profile[key])
    assert profile["settings"]["batch_norm"] == "before"
    assert profile["settings"]["distances"] == [0.05, 0.1, 0.2, 0.4]
    denser = lab.smoothness_profile(config, blobs.train, steps=14, every=1, probe_size=100)
    assert denser["loss"][::7] == pytest.approx(profile["loss"])  # mesurer ne change rien
    assert json.loads(json.dumps(profile)) == profile


def test_shifted_images_stay_normalised_like_mnist(blobs):
    x = blobs.test.x[:50].clamp(-0.4, 2.8)  # des pixels dans [0, 1], comme MNIST
    pixels = denormalize(x)
    assert torch.allclose(lab.shifted(lab.shifted(x, "invert"), "invert"), x, atol=1e-5)
    assert torch.allclose(denormalize(lab.shifted(x, "brighten")), 0.5 * pixels + 0.5,
                          atol=1e-5)
    noisy = denormalize(lab.shifted(x, "noise", seed=3))
    assert torch.equal(lab.shifted(x, "noise", seed=3), lab.shifted(x, "noise", seed=3))
    assert noisy.min() >= -1e-5 and noisy.max() <= 1 + 1e-5
    assert not torch.equal(noisy, denormalize(lab.shifted(x, "noise", seed=4)))


def test_adabn_recovers_an_affine_shift_on_a_copy(blobs):
    config = RunConfig(sizes=(784, 32, 3), activation="relu", batch_norm="before", lr=0.1,
                       epochs=2, evals_per_epoch=1)
    model = run(config, blobs, eval_on="test").model
    before = {k: v.clone() for k, v in model.state_dict().items()}
    target = Dataset(0.1 * blobs.test.x + 5, blobs.test.y, "test décalé")  # z ↦ 0,1·z + c
    gain = lab.adabn_gain(model, target)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert gain["before"] < 0.5 and gain["after"] > 0.95
    with pytest.raises(ValueError, match="aucune couche de normalisation"):
        lab.adabn_gain(torch.nn.Linear(784, 3), target)


# --- Sur MNIST -----------------------------------------------------------------------------


def test_batch_statistics_get_less_noisy_with_larger_batches(medium):
    noise = lab.batch_stat_noise(medium.train, batch_sizes=[2, 8, 32, 128, 512], n_batches=30)
    for key in ("mean_noise", "var_noise"):
        assert all(a > b for a, b in zip(noise[key], noise[key][1:], strict=False)), key
    for measured, theory in zip(noise["mean_noise"], noise["mean_theory"], strict=True):
        assert measured == pytest.approx(theory, rel=0.3)  # σ/√B
    assert json.loads(json.dumps(noise)) == noise


@pytest.mark.slow
def test_small_data_fails_in_eval_mode_and_each_fix_narrows_the_gap(small):
    result = lab.small_data_failure(small)
    runs = result["runs"]
    assert set(runs) == set(lab.FIXES) and runs["batch_norm"]["steps"] == 8
    failing = runs["batch_norm"]
    assert failing["train_mode"] > 0.9 and failing["eval_train"] < 0.5  # mêmes images
    gap = failing["train_mode"] - failing["eval_train"]
    for name in ("no_batch_norm", "more_epochs", "cumulative", "recomputed"):
        assert abs(runs[name]["train_mode"] - runs[name]["eval_train"]) < gap / 10, name
    for name in ("more_epochs", "cumulative", "recomputed"):
        assert runs[name]["eval_test"] > failing["eval_test"] + 0.3, name
    assert result["settings"]["config"] == lab.SMALL_DATA.to_dict()
    assert json.loads(json.dumps(result)) == result
    # les nombres du chapitre : l'ancienne boucle tirait les lots de la même façon
    assert (round(100 * failing["train_mode"], 1), round(100 * failing["eval_train"], 1)) == (
        96.9, 27.3)


@pytest.mark.slow
def test_the_running_statistics_lag_behind_the_true_ones(small):
    one_epoch = dataclasses.replace(lab.SMALL_DATA, epochs=1)
    _, trace = lab.train_with_trace(one_epoch, small.train)
    assert len(trace["true_mean"]) == 3  # avant le premier pas, puis après chacun des 2 pas
    assert trace["running_mean"][0] == 0 and trace["running_var"][0] == 1
    assert trace["running_mean"][-1] < 0.5 * trace["true_mean"][-1]  # sigmoïde : μ ≈ 0,5
    assert trace["running_var"][-1] > 5 * trace["true_var"][-1]
    assert trace["mean_gap"][0] > trace["mean_gap"][-1] > 1
    _, cumulative = lab.train_with_trace(one_epoch, small.train, momentum=None)
    assert cumulative["mean_gap"][-1] < 0.5


@pytest.mark.slow
def test_adabn_leaves_the_model_alone_and_recovers_the_brightened_digits(medium):
    config = RunConfig(activation="relu", batch_norm="before", evals_per_epoch=1)
    model = run(config, medium, eval_on="test").model
    target = Dataset(lab.shifted(medium.test.x, "brighten"), medium.test.y, "test éclairci")
    gain = lab.adabn_gain(model, target)
    assert gain["before"] < 0.5 and gain["after"] > 0.85  # z ↦ 0,5·z + c par unité : rattrapé
    table = lab.adabn_table(model, medium)
    assert set(table) == {"clean"} | set(lab.SHIFTS)
    assert table["brighten"] == gain
    assert table["noise"]["after"] > table["noise"]["before"] + 0.1
    assert table["clean"]["after"] > table["clean"]["before"] - 0.01  # témoin : pas de perte


@pytest.mark.slow
def test_smoothness_profile_on_mnist_has_the_documented_shape(medium):
    config = RunConfig(sizes=(784, 100, 100, 100, 10), activation="relu", batch_norm="before")
    profile = lab.smoothness_profile(config, medium.train, steps=20, every=10, probe_size=200)
    assert profile["step"] == [0, 10, 20]
    assert profile["settings"]["sizes"] == [784, 100, 100, 100, 10]
    assert all(math.isfinite(v) and v > 0 for v in profile["beta"])
