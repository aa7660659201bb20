import pytest
import torch

from course_utils.models import linear_layers, mlp
from course_utils.training import History, evaluate, predict, train


def test_train_learns_and_records_history(blobs):
    model = mlp([784, 16, 3], activation="relu", seed=0)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    history = train(model, blobs, optimizer=opt, epochs=3, batch_size=30, evals_per_epoch=2)
    assert history.epoch == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    assert len(history.batch_loss) == 3 * 20  # 600 exemples / 30 → 20 mini-lots par époque
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_acc[-1] > 0.95
    assert len(history.elapsed) == 6 and history.elapsed == sorted(history.elapsed)
    loss, acc = evaluate(model, blobs.x_test, blobs.y_test)
    assert loss == pytest.approx(history.test_loss[-1]) and acc == history.test_acc[-1]
    assert "exactitude test" in history.summary()


def test_train_is_reproducible_and_seed_changes_order(blobs):
    def run(seed):
        model = mlp([784, 8, 3], seed=0)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        return train(model, blobs, optimizer=opt, epochs=1, batch_size=50, seed=seed).batch_loss

    assert run(0) == run(0)
    assert run(0) != run(1)


def test_train_uses_every_example_once_per_epoch(blobs):
    seen = []

    class Spy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(784, 3)

        def forward(self, x):
            if self.training:
                seen.append(x[:, 0].clone())
            return self.linear(x)

    model = Spy()
    train(model, blobs, optimizer=torch.optim.SGD(model.parameters(), lr=0.01), batch_size=64)
    first_pixels = torch.cat(seen)
    assert len(first_pixels) == 600
    assert torch.equal(first_pixels.sort().values, blobs.x_train[:, 0].sort().values)


def test_evaluate_restores_mode_and_predict(blobs):
    model = mlp([784, 8, 3], seed=0)
    model.train()
    evaluate(model, blobs.x_test, blobs.y_test)
    assert model.training
    pred = predict(model, blobs.x_test, batch_size=7)
    assert pred.shape == (300,) and pred.dtype == torch.int64
    assert torch.equal(pred, model(blobs.x_test).argmax(dim=1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs doit être un entier ≥ 1"),
        ({"batch_size": -3}, "batch_size doit être un entier ≥ 1"),
        ({"evals_per_epoch": 1000}, "evals_per_epoch doit être un entier entre 1 et"),
        ({"optimizer": "sgd"}, "torch.optim.Optimizer"),
    ],
)
def test_train_rejects_bad_arguments(blobs, kwargs, message):
    model = mlp([784, 3], seed=0)
    args = {"optimizer": torch.optim.SGD(model.parameters(), lr=0.1)} | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        train(model, blobs, **args)


def test_evaluate_rejects_mismatched_shapes(blobs):
    with pytest.raises(ValueError, match="formes attendues"):
        evaluate(mlp([784, 3]), blobs.x_test, blobs.y_test[:10])


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
    same = mlp([784, 120, 80, 10], seed=0)
    pairs = zip(model.parameters(), same.parameters(), strict=True)
    assert all(torch.equal(a, b) for a, b in pairs)
    assert not torch.equal(mlp([784, 3])[0].weight, mlp([784, 3])[0].weight)


@pytest.mark.parametrize(
    ("sizes", "activation", "message"),
    [([784], "relu", "au moins deux"), ([784, 0], "relu", "entiers ≥ 1"),
     ([784, 10], "softplus", "activation inconnue")],
)
def test_mlp_rejects_bad_arguments(sizes, activation, message):
    with pytest.raises(ValueError, match=message):
        mlp(sizes, activation=activation)


def test_history_plot_draws_both_curves(blobs):
    history = History(epoch=[1, 2], train_loss=[1.0, 0.5], train_acc=[0.5, 0.8],
                      test_loss=[1.1, 0.6], test_acc=[0.4, 0.7])
    fig = history.plot(title="essai")
    ax_loss, ax_acc = fig.axes
    assert [line.get_label() for line in ax_loss.lines] == ["apprentissage", "test"]
    assert list(ax_acc.lines[1].get_ydata()) == [40.0, 70.0]
    assert ax_loss.get_xlabel() == "époque"


def test_progress_bar_is_quiet_under_tests_and_can_be_forced(blobs, capsys):
    model = mlp([784, 3], seed=0)
    train(model, blobs, optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    assert capsys.readouterr().err == ""
    train(model, blobs, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), progress=True,
          desc="Essai")
    err = capsys.readouterr().err
    assert "Essai : 100 % |" in err and "10/10 mini-lots" in err and "it/s" not in err


def test_history_round_trips_through_a_dict(blobs):
    model = mlp([784, 3], seed=0)
    history = train(model, blobs, optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    again = History.from_dict(history.to_dict(digits=12))
    assert again.epoch == history.epoch
    assert again.batch_loss == pytest.approx(history.batch_loss, abs=1e-12)
    with pytest.raises(ValueError, match="clés inconnues"):
        History.from_dict({"loss": [1.0]})


@pytest.mark.parametrize(("placement", "kinds"), [
    (None, ["Linear", "ReLU", "Linear"]),
    ("before", ["Linear", "BatchNorm1d", "ReLU", "Linear"]),
    ("after", ["Linear", "ReLU", "BatchNorm1d", "Linear"]),
    ("both", ["Linear", "BatchNorm1d", "ReLU", "BatchNorm1d", "Linear"]),
])
def test_mlp_batch_norm_placements(placement, kinds):
    model = mlp([10, 6, 3], activation="relu", batch_norm=placement, seed=0)
    assert [type(m).__name__ for m in model] == kinds


def test_mlp_rejects_unknown_batch_norm_placement():
    with pytest.raises(ValueError, match="batch_norm inconnu"):
        mlp([10, 3], batch_norm="partout")


def test_penalty_is_added_to_the_loss(blobs):
    model = mlp([784, 3], seed=0)
    plain = train(model, blobs, optimizer=torch.optim.SGD(model.parameters(), lr=0.0))
    model = mlp([784, 3], seed=0)
    penalised = train(model, blobs, optimizer=torch.optim.SGD(model.parameters(), lr=0.0),
                      penalty=lambda m: torch.tensor(2.0))
    assert penalised.batch_loss == pytest.approx([v + 2.0 for v in plain.batch_loss])


def test_transform_sees_each_batch_and_soft_targets_work(blobs):
    calls = []

    def to_soft(x, y, generator):
        calls.append(len(x))
        assert isinstance(generator, torch.Generator)
        return x, torch.nn.functional.one_hot(y, 3).float()

    model = mlp([784, 8, 3], activation="relu", seed=0)
    history = train(model, blobs, optimizer=torch.optim.SGD(model.parameters(), lr=0.05),
                    epochs=3, batch_size=100, transform=to_soft)
    assert calls == [100] * 18
    assert history.train_acc[-1] > 0.9


def test_mlp_dropout_after_each_hidden_activation():
    model = mlp([10, 6, 6, 3], activation="relu", dropout=0.5, seed=0)
    assert [type(m).__name__ for m in model] == [
        "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    with pytest.raises(ValueError, match="dropout doit être"):
        mlp([10, 3], dropout=1.0)
