"""Les widgets des chapitres, sans navigateur : on bouge un contrôle, la figure change."""

import numpy as np
import pytest
import torch

from course_utils.explorers import (
    activation_explorer,
    adaptive_explorer,
    batch_explorer,
    descent_explorer,
    init_scale_explorer,
    learning_rate_explorer,
)
from course_utils.surfaces import SURFACES
from course_utils.training import History
from course_utils.trajectories import trajectory


def _ydata(view, line=0):
    return list(view.figure.axes[0].lines[line].get_ydata())


def test_batch_explorer_shows_the_chosen_batch():
    x, y = torch.rand(800, 784), torch.arange(800) % 10
    view = batch_explorer(x, y)
    assert view.figure.axes[0].get_title() == "classe 0"
    view.controls["batch"].value = 3
    assert view.n_draws == 2 and view.figure.axes[0].get_title() == "classe 8"  # image 48
    assert view.figure.texts[0].get_text() == "Mini-lot n° 3"
    with pytest.raises(ValueError, match="au moins 800 images"):
        batch_explorer(x[:10], y[:10])


def test_learning_rate_explorer_switches_curves():
    runs = {lr: History(batch_loss=[lr] * 30) for lr in [0.01, 0.1, 1.0]}
    view = learning_rate_explorer(runs, reference=0.1)
    view.controls["lr"].value = 1.0
    assert _ydata(view, 0)[0] == pytest.approx(0.1) and _ydata(view, 1)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="pas de référence"):
        learning_rate_explorer(runs, reference=0.5)


def test_activation_explorer_reads_the_grid():
    grid = {f"{key}|{lr:g}": {"batch_loss": [lr + i for i in range(20)], "test_acc": [0.5]}
            for key in ["sigmoid", "relu", "tanh"] for lr in [0.1, 1.0]}
    view = activation_explorer(grid, [0.1, 1.0])
    assert view.figure.axes[0].lines[0].get_label() == "Sigmoïde"
    view.controls["activation"].value = "tanh"
    view.controls["lr"].value = 1.0
    assert view.figure.axes[0].lines[0].get_label() == "Tangente hyperbolique"
    assert _ydata(view)[0] == pytest.approx(1.0 + 4.5)  # moyenne glissante sur 10 : 1 + (0…9)/10
    assert "pas 1 : exactitude test 50.0 %" in view.figure.axes[0].get_title()


def test_init_scale_explorer_recomputes_the_stds():
    x = torch.randn(256, 64, generator=torch.Generator().manual_seed(0))
    view = init_scale_explorer(x, [64] + [64] * 6 + [10])
    flat = _ydata(view)
    view.controls["scale"].value = 0.1
    small = _ydata(view)
    assert len(small) == 6 and small[-1] < small[0] / 100  # trop faible : tout s'éteint
    view.controls["activation"].value = "relu"
    view.controls["scale"].value = 2 ** 0.5
    relu = _ydata(view)
    assert 0.3 < relu[-1] / relu[0] < 3  # He : la même échelle de couche en couche
    assert flat != small


def _path(view):
    """Trajectoire tracée (n, 2), copiée : la figure des descentes est mise à jour sur place."""
    return view.figure.axes[0].lines[0].get_xydata().copy()


def test_descent_explorer_starts_from_the_lecture_example():
    view = descent_explorer()
    assert view.values() == {"surface": "quadratic", "method": "momentum", "lr": 0.0019,
                             "momentum": 0.78, "steps": 150}
    expected = trajectory(SURFACES["quadratic"], "momentum", steps=150, lr=0.0019, momentum=0.78)
    assert np.array_equal(_path(view), expected)
    assert "pas = 0.0019, momentum α = 0.78" in view.figure.texts[0].get_text()
    reference = view.figure.axes[0].lines[1]  # descente de gradient au même pas
    assert reference.get_visible() and len(reference.get_xdata()) == 151


def test_descent_explorer_follows_its_controls():
    view = descent_explorer()
    before = _path(view)
    view.controls["momentum"].value = 0.5
    assert view.n_draws == 2 and not np.array_equal(_path(view), before)
    view.controls["lr"].value = 0.001
    assert _path(view)[1] == pytest.approx(before[0] - 0.001 * SURFACES["quadratic"].grad(
        before[0]))  # premier pas : v = −ρ g
    view.controls["method"].value = "gd"
    assert view.controls["momentum"].disabled  # sans effet sur la descente de gradient
    assert not view.figure.axes[0].lines[1].get_visible()
    view.controls["surface"].value = "rosenbrock"
    assert view.figure.axes[0].get_title() == "Rosenbrock"
    assert view.figure.axes[0].get_xlim() == (-2.0, 2.0)
    assert list(_path(view)[0]) == [-1.2, 1.0]
    view.controls["lr"].value = 0.5
    assert "divergence à l'itération" in view.figure.texts[0].get_text()


def test_adaptive_explorer_grays_out_unused_hyperparameters():
    view = adaptive_explorer()
    assert view.values()["method"] == "adam" and view.values()["surface"] == "quadratic"
    enabled = {name for name, control in view.controls.items() if not control.disabled}
    assert enabled == {"surface", "method", "lr", "beta1", "beta2", "eps", "steps"}
    before = _path(view)
    view.controls["beta1"].value = 0.5
    assert not np.array_equal(_path(view), before)
    view.controls["method"].value = "rmsprop"
    assert view.controls["beta1"].disabled and not view.controls["rho"].disabled
    rmsprop = _path(view)
    view.controls["rho"].value = 0.5
    assert not np.array_equal(_path(view), rmsprop)
    assert "RMSProp" in view.figure.texts[0].get_text()
    view.controls["surface"].value = "saddle"
    assert view.figure.axes[0].get_title() == "Point selle"


def test_bn_placement_explorer_switches_runs_and_keeps_the_grey_reference():
    from course_utils.bn_experiments import placement_configs
    from course_utils.explorers import bn_placement_explorer

    results = {key: {"batch_loss": [float(i) for i in range(k, k + 30)], "epoch": [0.5, 1.0],
                     "test_acc": [0.5, 0.01 * k]}
               for k, key in enumerate(placement_configs(rates=(0.1, 1.0)))}
    view = bn_placement_explorer(results)
    assert view.values() == {"placement": "before", "activation": "relu", "lr": 1.0}
    assert [line.get_label() for line in view.figure.axes[0].lines] == [
        "BN avant l'activation", "référence sans BN"]
    first = _ydata(view)
    view.controls["placement"].value = "both"
    assert view.n_draws == 2 and _ydata(view) != first
    assert _ydata(view, 1)[0] == pytest.approx(3 + 9.5)  # « none|relu|1 » : k = 3, lissé sur 20
    view.controls["placement"].value = "none"
    assert len(view.figure.axes[0].lines) == 1  # pas de référence : c'est elle
    with pytest.raises(ValueError, match="combinaisons absentes"):
        bn_placement_explorer({k: v for k, v in results.items() if k != "after|relu|0.1"})
    with pytest.raises(ValueError, match=r"placement\|activation\|pas"):
        bn_placement_explorer({"avant|relu|0.1": results["before|relu|0.1"]})


def _penalty_results():
    """Un faux ``penalty_sweep`` : 4 classes d'histogramme, 3 valeurs de α par type."""
    alphas = [1e-4, 1e-3, 1e-2]

    def run(k):
        return {"counts": [k, 2 * k + 1, 0, 1], "train_acc": 1.0, "test_acc": 0.9 - 0.01 * k,
                "train_loss": 0.01, "test_loss": 0.4, "gap": 0.1 + 0.01 * k,
                "sparsity_first": 0.1 * k}

    runs = {f"{kind}|{a:g}": run(1 + i + 3 * j) for j, kind in enumerate(["l1", "l2"])
            for i, a in enumerate(alphas)}
    return {"kinds": ["l1", "l2"], "alphas": alphas, "edges": [-0.2, -0.1, 0.0, 0.1, 0.2],
            "runs": runs | {"none": run(0)}}


def test_regularization_explorer_redraws_the_cached_histogram_and_gap():
    from course_utils.explorers import regularization_explorer

    results = _penalty_results()
    view = regularization_explorer(results)
    assert view.values() == {"kind": "l1", "alpha": 1e-3}
    hist, acc = view.figure.axes[:2]
    assert hist.get_yscale() == "log" and acc.get_xscale() == "log"
    assert list(hist.patches[1].get_data().values) == [2, 5, 0, 1]  # l1|0.001 : k = 2
    assert list(hist.patches[0].get_data().values) == [0, 1, 0, 1]  # référence « none »
    assert view.figure._suptitle.get_text() == "Pénalisation L1, α = 10⁻³"
    assert acc.get_title().startswith("Écart apprentissage − test : 12.0 points")
    view.controls["kind"].value = "l2"
    view.controls["alpha"].value = 1e-2
    assert view.n_draws == 3 and list(view.figure.axes[0].patches[1].get_data().values) == [
        6, 13, 0, 1]  # l2|0.01 : k = 6
    assert view.figure.axes[0].get_title() == "60 % des poids avec |w| < 10⁻³"
    assert [label for label, _ in view.controls["alpha"].options] == ["10⁻⁴", "10⁻³", "10⁻²"]
    del results["runs"]["l2|0.01"]
    with pytest.raises(ValueError, match="runs absents de results : l2|0.01"):
        regularization_explorer(results)
    with pytest.raises(ValueError, match="renvoyé par penalty_sweep"):
        regularization_explorer({"runs": {}})


def test_dropout_explorer_slides_over_the_precomputed_rates():
    from course_utils.explorers import dropout_explorer

    def run(p):
        history = {"epoch": [1, 2, 3], "train_loss": [1.0, 0.5 + p, 0.1 + p],
                   "test_loss": [1.1, 0.6, 0.7], "test_acc": [0.8, 0.85, 0.86 + p / 10]}
        return {"history": history, "test_acc": history["test_acc"][-1]}

    results = {"rates": [0.0, 0.2, 0.5], "runs": {f"{p:g}": run(p) for p in (0.0, 0.2, 0.5)}}
    view = dropout_explorer(results)
    assert view.values() == {"p": 0.5}
    loss, acc = view.figure.axes
    assert len(loss.lines) == 4 and loss.lines[0].get_ydata()[-1] == pytest.approx(0.6)
    assert acc.lines[0].get_label() == "p = 0,5 : 91.0 %" and acc.lines[1].get_color() == "gray"
    view.controls["p"].value = 0.0
    assert len(view.figure.axes[0].lines) == 2  # sans dropout : pas de référence grise
    with pytest.raises(ValueError, match="runs absents de results : 0.2"):
        dropout_explorer({"rates": [0.2], "runs": {}})
