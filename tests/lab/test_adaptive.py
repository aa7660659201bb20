"""Mesures du pas adaptatif (course_utils.lab.adaptive) : le crochet des pas effectifs dans la
boucle d'apprentissage commune, et la trace du biais d'Adam."""

import pytest
import torch

from course_utils import adaptive
from course_utils.data import Dataset
from course_utils.lab.adaptive import EffectiveSteps, adam_bias_trace, effective_steps
from course_utils.models import mlp
from course_utils.runs import RunConfig
from course_utils.training import train


@pytest.fixture
def noisy() -> Dataset:
    """6 400 images aléatoires aux étiquettes tirées au hasard (les gradients ne
    s'éteignent pas en quelques centaines de pas) ; les 50 premiers pixels sont toujours
    nuls, comme les bords des images MNIST : les poids qui en partent ne reçoivent jamais
    de gradient."""
    g = torch.Generator().manual_seed(3)
    x = torch.randn(6400, 784, generator=g)
    x[:, :50] = 0.0
    return Dataset(x, torch.randint(0, 10, (6400,), generator=g), "apprentissage")


def test_effective_steps_of_adagrad_shrink_and_rmsprop_do_not(noisy):
    config = RunConfig(activation="relu", optimizer="adagrad", lr=0.01, epochs=1)
    adagrad = effective_steps(config, noisy, record_at=[1, 10, 100])
    medians = [q[1] for q in adagrad.values()]
    assert list(adagrad) == [1, 10, 100] and medians[0] > medians[1] > medians[2]
    assert all(low <= mid <= high for low, mid, high in adagrad.values())
    config = RunConfig(activation="relu", optimizer="rmsprop", lr=0.001, epochs=1)
    rmsprop = effective_steps(config, noisy, record_at=[50, 100])
    assert 0.5 < rmsprop[100][1] / rmsprop[50][1] < 2


def test_hook_reads_the_optimizer_state_at_the_requested_steps(noisy):
    """Le relevé au pas 1 est le pas effectif après un seul pas : ε/(δ + |g|) d'AdaGrad."""
    model = mlp([784, 20, 10], activation="relu", seed=0)
    optimizer = adaptive.AdaGrad(model.parameters(), lr=0.1)
    hook = EffectiveSteps(optimizer, model[0].weight, record_at=[1, 3], levels=(0.0, 1.0))
    history = train(model, noisy, optimizer, epochs=3, batch_size=1600, hooks=[hook],
                    progress=None)
    assert len(hook.quantiles) == 2 and history.epoch == [1.0]  # arrêt après l'époque 1
    state = optimizer.state[model[0].weight]["state"]  # après 4 pas
    final = adaptive.adagrad_effective_lr(state, lr=0.1)
    assert hook.quantiles[3][0] >= final.min().item()  # le pas effectif ne fait que décroître
    assert hook.quantiles[1][0] == pytest.approx(final.min().item() * 2, rel=0.5)
    assert hook.quantiles[1][1] == pytest.approx(0.1 / 1e-7, rel=1e-5)  # un poids sans gradient
    assert state.r.shape == (20, 784)


def test_rmsprop_effective_step_follows_the_delta_placement(noisy):
    steps = {}
    for inside in (True, False):
        model = mlp([784, 20, 10], activation="relu", seed=0)
        optimizer = adaptive.RMSProp(model.parameters(), lr=0.01, eps_inside_sqrt=inside)
        hook = EffectiveSteps(optimizer, model[0].weight, record_at=[1], levels=(1.0,))
        train(model, noisy, optimizer, batch_size=1600, hooks=[hook], progress=None)
        steps[inside] = hook.quantiles[1][0]
    # un poids sans gradient : ε/√δ au cours, ε/δ dans PyTorch
    assert steps[True] == pytest.approx(0.01 / 1e-3, rel=1e-5)
    assert steps[False] == pytest.approx(0.01 / 1e-6, rel=1e-5)


def test_bad_arguments_are_reported_in_french(blobs):
    model = mlp([784, 20, 10], activation="relu", seed=0)
    adagrad = adaptive.AdaGrad(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="record_at doit être une liste croissante"):
        EffectiveSteps(adagrad, model[0].weight, record_at=[3, 2])
    with pytest.raises(ValueError, match="record_at doit être une liste croissante"):
        EffectiveSteps(adagrad, model[0].weight, record_at=[])
    with pytest.raises(ValueError, match="chaque pas de record_at"):
        EffectiveSteps(adagrad, model[0].weight, record_at=[0, 2])
    with pytest.raises(TypeError, match="adaptive.AdaGrad ou un adaptive.RMSProp"):
        EffectiveSteps(torch.optim.SGD(model.parameters(), lr=0.1), model[0].weight,
                       record_at=[1])
    with pytest.raises(ValueError, match="l'un des paramètres"):
        EffectiveSteps(adagrad, torch.zeros(3), record_at=[1])
    with pytest.raises(ValueError, match="config.optimizer inconnu"):
        effective_steps(RunConfig(optimizer="adam", lr=0.01), blobs.train, record_at=[1])
    with pytest.raises(ValueError, match="augmentez config.epochs"):
        effective_steps(RunConfig(optimizer="adagrad", lr=0.01), blobs.train, record_at=[20])
    with pytest.raises(TypeError, match="data doit être un Dataset"):
        effective_steps(RunConfig(optimizer="adagrad", lr=0.01), blobs, record_at=[1])


def test_adam_bias_trace_first_step():
    trace = adam_bias_trace(torch.ones(5, dtype=torch.float64))
    assert all(len(values) == 5 for values in trace.values())
    assert trace["pas avec correction"][0] == pytest.approx(0.001, rel=1e-4)
    assert trace["pas sans correction"][0] == pytest.approx(0.001 * 0.1 / 0.001**0.5, rel=1e-4)
    assert trace["ŝ"][0] == pytest.approx(1.0) and trace["s"][0] == pytest.approx(0.1)
    assert trace["√r̂"][0] == pytest.approx(1.0) and trace["√r"][0] == pytest.approx(0.001**0.5)
    with pytest.raises(ValueError, match="1 dimension"):
        adam_bias_trace(torch.ones(2, 2))
    with pytest.raises(ValueError, match="au moins un gradient"):
        adam_bias_trace(torch.ones(0))
    with pytest.raises(ValueError, match="betas"):
        adam_bias_trace(torch.ones(3), betas=(0.9, 1.0))
