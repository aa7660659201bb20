"""La boucle d'apprentissage : mini-lots, mesures, historique, crochets."""

import copy
import math
import re

import pytest
import torch
import torch.nn.functional as F

from course_utils import training
from course_utils.data import Dataset
from course_utils.models import mlp
from course_utils.training import History, evaluate, predict, train


def _sgd(model, lr=0.05):
    return torch.optim.SGD(model.parameters(), lr=lr)


def test_train_learns_and_records_history(blobs):
    model = mlp([784, 16, 3], activation="relu", seed=0)
    history = train(model, blobs.train, _sgd(model), epochs=3, batch_size=30,
                    eval_data=blobs.test, evals_per_epoch=2)
    assert history.epoch == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    assert len(history.batch_loss) == 3 * 20  # 600 exemples / 30 → 20 mini-lots par époque
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.eval_acc[-1] > 0.95 and history.eval_name == "test"
    assert len(history.elapsed) == 6 and history.elapsed == sorted(history.elapsed)
    loss, acc = evaluate(model, blobs.test)
    assert loss == pytest.approx(history.eval_loss[-1]) and acc == history.eval_acc[-1]
    assert "exactitude (test)" in history.summary()


def test_without_eval_data_only_training_is_measured(blobs):
    model = mlp([784, 3], seed=0)
    history = train(model, blobs.train, _sgd(model), evals_per_epoch=2)
    assert len(history.epoch) == len(history.train_acc) == 2
    assert history.eval_loss == history.eval_acc == [] and history.eval_name == ""
    assert "exactitude" not in history.summary()


def test_train_is_reproducible_and_seed_changes_order(blobs):
    def batch_losses(seed):
        model = mlp([784, 8, 3], seed=0)
        return train(model, blobs.train, _sgd(model, 0.1), batch_size=50, seed=seed).batch_loss

    assert batch_losses(0) == batch_losses(0)
    assert batch_losses(0) != batch_losses(1)


def test_batches_follow_one_permutation_per_epoch(blobs):
    """L'ordre des mini-lots est celui de ``torch.randperm`` sur un générateur de graine seed."""
    seen = []

    class Spy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(784, 3)

        def forward(self, x):
            if self.training:
                seen.append(x.clone())
            return self.linear(x)

    model = Spy()
    train(model, blobs.train, _sgd(model, 0.0), epochs=2, batch_size=64, seed=5)
    generator = torch.Generator().manual_seed(5)
    expected = [blobs.train.x[idx] for _ in range(2)
                for idx in torch.randperm(600, generator=generator).split(64)]
    assert len(seen) == len(expected) == 20
    assert all(torch.equal(a, b) for a, b in zip(seen, expected, strict=True))


def test_evaluate_restores_mode_and_predict(blobs):
    model = mlp([784, 8, 3], seed=0)
    model.train()
    loss, acc = evaluate(model, blobs.test)
    assert model.training and 0 <= acc <= 1
    assert loss == pytest.approx(F.cross_entropy(model(blobs.test.x), blobs.test.y).item())
    pred = predict(model, blobs.test.x, batch_size=7)
    assert pred.shape == (300,) and pred.dtype == torch.int64
    assert torch.equal(pred, model(blobs.test.x).argmax(dim=1))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"epochs": 0}, "epochs doit être un entier ≥ 1"),
    ({"batch_size": -3}, "batch_size doit être un entier ≥ 1"),
    ({"evals_per_epoch": 1000}, "evals_per_epoch doit être un entier entre 1 et 10"),
    ({"optimizer": "sgd"}, "torch.optim.Optimizer"),
    ({"data": "mnist"}, "data doit être un Dataset"),
    ({"eval_data": (1, 2)}, "eval_data doit être un Dataset"),
    ({"loss_fn": 3}, "loss_fn doit être une fonction"),
    ({"hooks": [object()]}, "n'est pas un crochet"),
    ({"hooks": "crochet"}, "hooks doit être une liste"),
    ({"seed": -1}, "seed doit être un entier ≥ 0"),
])
def test_train_rejects_bad_arguments(blobs, kwargs, message):
    model = mlp([784, 3], seed=0)
    args = {"data": blobs.train, "optimizer": _sgd(model)} | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        train(model, args.pop("data"), args.pop("optimizer"), **args)


def test_evaluate_rejects_what_is_not_a_dataset(blobs):
    with pytest.raises(TypeError, match="Dataset"):
        evaluate(mlp([784, 3]), (blobs.test.x, blobs.test.y))
    with pytest.raises(TypeError, match="nn.Module"):
        evaluate("modèle", blobs.test)


def test_history_plot_draws_both_curves():
    history = History(epoch=[1, 2], train_loss=[1.0, 0.5], train_acc=[0.5, 0.8],
                      eval_loss=[1.1, 0.6], eval_acc=[0.4, 0.7], eval_name="validation")
    fig = history.plot(title="essai")
    ax_loss, ax_acc = fig.axes
    assert [line.get_label() for line in ax_loss.lines] == ["apprentissage", "validation"]
    assert list(ax_acc.lines[1].get_ydata()) == [40.0, 70.0]
    assert ax_loss.get_xlabel() == "époque"


def test_progress_bar_is_quiet_under_tests_and_shown_in_a_notebook(blobs, capsys, monkeypatch):
    model = mlp([784, 3], seed=0)
    train(model, blobs.train, _sgd(model))
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(training, "_in_notebook", lambda: True)
    monkeypatch.delenv("COURSE_QUIET", raising=False)
    train(model, blobs.train, _sgd(model), progress="Essai")
    err = capsys.readouterr().err
    assert "Essai\u00a0: 100 % |" in err and "10/10 mini-lots" in err and "it/s" not in err
    train(model, blobs.train, _sgd(model), progress=None)
    assert capsys.readouterr().err == ""


def test_history_round_trips_through_a_dict(blobs):
    model = mlp([784, 3], seed=0)
    history = train(model, blobs.train, _sgd(model), eval_data=blobs.validation)
    again = History.from_dict(history.to_dict(digits=12))
    assert again.epoch == history.epoch and again.eval_name == "validation"
    assert again.batch_loss == pytest.approx(history.batch_loss, abs=1e-12)
    with pytest.raises(ValueError, match="clés inconnues"):
        History.from_dict({"loss": [1.0]})


def test_loss_fn_is_optimised_but_evaluation_stays_cross_entropy(blobs):
    model, twin = mlp([784, 3], seed=0), mlp([784, 3], seed=0)
    plain = train(twin, blobs.train, _sgd(twin, 0.0), eval_data=blobs.test)
    shifted = train(model, blobs.train, _sgd(model, 0.0), eval_data=blobs.test,
                    loss_fn=lambda o, y: F.cross_entropy(o, y) + 2.0)
    assert shifted.batch_loss == pytest.approx([v + 2.0 for v in plain.batch_loss])
    assert shifted.eval_loss == pytest.approx(plain.eval_loss)


class Recorder:
    """Un crochet qui note chaque appel."""

    def __init__(self, stop_after=None):
        self.calls, self.stop_after = [], stop_after

    def on_step(self, model, step, loss):
        self.calls.append(("step", step))

    def on_epoch(self, model, history):
        self.calls.append(("epoch", len(history.epoch)))
        return self.stop_after is not None and len(history.epoch) >= self.stop_after

    def on_end(self, model, history):
        self.calls.append(("end", len(history.epoch)))


def test_hooks_are_called_in_order_and_can_stop(blobs):
    recorder = Recorder(stop_after=2)
    model = mlp([784, 3], seed=0)
    history = train(model, blobs.train, _sgd(model), epochs=5, batch_size=300,
                    hooks=[recorder])
    assert recorder.calls == [("step", 1), ("step", 2), ("epoch", 1), ("step", 3),
                              ("step", 4), ("epoch", 2), ("end", 2)]
    assert history.epoch == [1.0, 2.0] and len(history.batch_loss) == 4


class SoftTargets:
    def __init__(self):
        self.sizes = []

    def on_batch(self, x, y, generator):
        assert isinstance(generator, torch.Generator)
        self.sizes.append(len(x))
        return x, F.one_hot(y, 3).float()


def test_on_batch_sees_each_batch_and_soft_targets_work(blobs):
    soft = SoftTargets()
    model = mlp([784, 8, 3], activation="relu", seed=0)
    history = train(model, blobs.train, _sgd(model), epochs=3, batch_size=100, hooks=[soft])
    assert soft.sizes == [100] * 18
    assert history.train_acc[-1] > 0.9


def test_dataset_name_is_kept_by_history(blobs):
    renamed = Dataset(blobs.test.x, blobs.test.y, "images décalées")
    model = mlp([784, 3], seed=0)
    assert train(model, blobs.train, _sgd(model), eval_data=renamed).eval_name == (
        "images décalées")


def _diverse_models():
    return {"bn": torch.nn.Sequential(torch.nn.Linear(784, 8), torch.nn.BatchNorm1d(8),
                                      torch.nn.ReLU(), torch.nn.Linear(8, 3))}


@pytest.mark.parametrize(("case", "words"), [
    ("optimiseur d'un autre modèle", "aucun paramètre de ce modèle"),
    ("entrées float64", "float64 mais le modèle en torch.float32"),
    ("mauvaise largeur", "refuse les entrées de data, de forme (10,)"),
    ("étiquette trop grande", "étiquette 7 dans data, mais le modèle n'a que 3 sorties"),
    ("test de mauvaise largeur", "refuse les entrées de eval_data"),
    ("jeu vide", "data est vide"),
    ("dernier lot d'un exemple avec BN", "dernier mini-lot n'aurait qu'un exemple"),
])
def test_bad_data_is_refused_before_the_first_mini_batch(blobs, case, words):
    """Chaque incompatibilité est dite en français avant tout calcul (jamais après une
    époque, jamais par une erreur brute de PyTorch)."""
    model = mlp([784, 3], seed=0)
    data, eval_data, optimizer = blobs.train, blobs.test, _sgd(model)
    if case == "optimiseur d'un autre modèle":
        optimizer = _sgd(mlp([784, 3], seed=1))
    elif case == "entrées float64":
        data = Dataset(blobs.train.x.double(), blobs.train.y)
    elif case == "mauvaise largeur":
        data = Dataset(blobs.train.x[:, :10], blobs.train.y)
    elif case == "étiquette trop grande":
        data = Dataset(blobs.train.x, blobs.train.y.clone().index_fill_(0, torch.tensor([5]), 7))
    elif case == "test de mauvaise largeur":
        eval_data = Dataset(blobs.test.x[:, :10], blobs.test.y)
    elif case == "jeu vide":
        data = Dataset(blobs.train.x[:0], blobs.train.y[:0])
    else:
        model = _diverse_models()["bn"]
        optimizer, data = _sgd(model), Dataset(blobs.train.x[:129], blobs.train.y[:129])
    state = copy.deepcopy(model.state_dict())
    with pytest.raises((ValueError, TypeError), match=re.escape(words)):
        train(model, data, optimizer, batch_size=64, eval_data=eval_data)
    assert all(torch.equal(a, b) for a, b in zip(state.values(), model.state_dict().values(),
                                                 strict=True))  # rien n'a bougé


class Interrupt:
    """Un Ctrl-C simulé au troisième pas."""

    def on_step(self, model, step, loss):
        if step == 3:
            raise KeyboardInterrupt


def test_ctrl_c_keeps_the_partial_history_and_the_mode(blobs, capsys):
    model = mlp([784, 3], seed=0).eval()
    history = train(model, blobs.train, _sgd(model), epochs=2, batch_size=100,
                    eval_data=blobs.test, hooks=[Interrupt()])
    assert len(history.batch_loss) == 3 and history.eval_name == "test"
    assert not model.training  # le mode d'avant l'apprentissage
    assert "interrompu après 3 mini-lots" in capsys.readouterr().out


def test_a_non_finite_loss_stops_training_and_names_the_mini_batch(blobs, capsys):
    model = mlp([784, 16, 3], activation="relu", seed=0)
    recorder = Recorder(stop_after=99)
    history = train(model, blobs.train, _sgd(model, lr=1e6), epochs=3, batch_size=30,
                    eval_data=blobs.test, hooks=[recorder])
    n = len(history.batch_loss)
    assert 1 <= n < 60 and not math.isfinite(history.batch_loss[-1])
    assert all(math.isfinite(v) for v in history.batch_loss[:-1])
    # Une dernière mesure à l'endroit de l'arrêt, puis les crochets de fin.
    assert history.epoch[-1] == pytest.approx(n / 20, abs=1e-6)
    assert len(history.eval_acc) == len(history.epoch) and math.isnan(history.train_loss[-1])
    assert recorder.calls[-1] == ("end", len(history.epoch))
    assert ("step", n) not in recorder.calls  # pas de mesure sur une perte non finie
    out = capsys.readouterr().out
    assert f"au mini-lot {n}\u00a0: apprentissage arrêté" in out and "(lr = 1e+06)" in out


def test_a_finite_loss_never_stops_training(blobs, capsys):
    model = mlp([784, 16, 3], activation="relu", seed=0)
    history = train(model, blobs.train, _sgd(model), epochs=2, batch_size=30)
    assert len(history.batch_loss) == 40 and "arrêté" not in capsys.readouterr().out


def test_course_shrink_cuts_data_epochs_and_evaluations(blobs, monkeypatch):
    monkeypatch.setattr(training._inputs, "SHRINK_TRAIN", 301)
    monkeypatch.setattr(training._inputs, "SHRINK_EVAL", 50)
    model = mlp([784, 8, 3], activation="relu", seed=0)
    full = train(model, blobs.train, _sgd(model), epochs=3, batch_size=100, eval_data=blobs.test,
                 evals_per_epoch=6)
    assert len(full.batch_loss) == 18 and len(full.epoch) == 18
    monkeypatch.setenv("COURSE_SHRINK", "1")
    seen = []

    class Sizes:
        def on_batch(self, x, y, generator):
            seen.append(len(x))
            return x, y

    model = mlp([784, 8, 3], activation="relu", seed=0)
    short = train(model, blobs.train, _sgd(model), epochs=3, batch_size=100,
                  eval_data=blobs.test, evals_per_epoch=6, hooks=[Sizes()])
    # 301 % 100 == 1 : un exemple de moins, jamais de dernier lot d'un seul exemple.
    assert seen == [100, 100, 100] and short.epoch == pytest.approx([1 / 3, 2 / 3, 1.0], abs=1e-6)
    loss, acc = evaluate(model, Dataset(blobs.test.x[:50], blobs.test.y[:50], "test"))
    assert short.eval_acc[-1] == acc and short.eval_loss[-1] == pytest.approx(loss)
