"""Les figures et le widget de la normalisation par lots, sans navigateur ni apprentissage : on
leur donne des résultats fabriqués, on bouge un contrôle, la figure change."""

import pytest

from course_utils.figures.batchnorm import (
    PLACEMENT_COLORS,
    bn_placement_explorer,
    plot_placement,
    plot_placements,
    plot_running_statistics,
    plot_smoothness,
)
from course_utils.models import BATCH_NORM_PLACEMENTS
from course_utils.runs import Run, RunConfig
from course_utils.sweeps import Runs
from course_utils.training import History

NBSP = "\u00a0"
COMBINATIONS = [(p, a, lr) for p in BATCH_NORM_PLACEMENTS for a in ("sigmoid", "relu")
                for lr in (0.1, 1.0)]


def _runs(combinations=COMBINATIONS):
    """Un faux balayage : le k-ième run a la perte k, k + 1, … et l'exactitude finale k %."""
    return Runs(Run(RunConfig(batch_norm=p, activation=a, lr=lr),
                    History(epoch=[0.5, 1.0], eval_acc=[0.5, 0.01 * k], eval_name="test",
                            batch_loss=[float(i) for i in range(k, k + 30)]))
                for k, (p, a, lr) in enumerate(combinations))


def _ydata(view, line=0):
    return list(view.figure.axes[0].lines[line].get_ydata())


def _labels(ax):
    return [line.get_label() for line in ax.lines]


def test_running_statistics_figure():
    trace = {"running_mean": [0.0, 0.1, 0.2], "true_mean": [0.5, 0.5, 0.5],
             "running_var": [1.0, 0.9, 0.8], "true_var": [0.03, 0.03, 0.03]}
    fig = plot_running_statistics(trace, title="256 images")
    assert fig.axes[0].get_title() == "Moyenne" and len(fig.axes[1].lines) == 2
    assert fig.axes[1].get_yscale() == "log" and fig._suptitle.get_text() == "256 images"
    with pytest.raises(ValueError, match="trace doit être une trace"):
        plot_running_statistics({"true_mean": []})


def test_smoothness_figure_names_each_profile_by_its_placement():
    def profile(batch_norm):
        return {"step": [0, 10], "loss_range": [0.1, 0.2], "grad_change": [1.0, 2.0],
                "settings": RunConfig(batch_norm=batch_norm).to_dict()}

    fig = plot_smoothness([profile(None), profile("before")])
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[1].lines) == 2
    assert _labels(fig.axes[0]) == ["sans BN", "BN avant l'activation"]
    assert fig.axes[0].lines[1].get_color() == PLACEMENT_COLORS["before"]
    with pytest.raises(ValueError, match="liste non vide de profils"):
        plot_smoothness([])


def test_placement_comparison_has_one_panel_per_activation_and_french_legends():
    runs = Runs(r for r in _runs() if r.config.lr == 0.1)
    fig = plot_placements(runs, title="Placement de la BN (une époque)")
    assert [ax.get_title() for ax in fig.axes] == ["Sigmoïde", "ReLU"]
    for ax in fig.axes:
        assert _labels(ax) == list(BATCH_NORM_PLACEMENTS.values())  # 4 courbes par case
    assert fig.axes[0].get_ylabel() == "exactitude (test) (%)"
    assert list(fig.axes[1].lines[0].get_ydata()) == pytest.approx([50, 2])  # sans BN, ReLU
    with pytest.raises(TypeError, match="Runs non vide"):
        plot_placements(Runs([]))


def test_placement_figure_flags_a_diverged_reference():
    config = RunConfig(batch_norm="before")
    run = Run(config, History(batch_loss=[1.0] * 30, epoch=[1.0], eval_acc=[0.9],
                              eval_name="test"))
    diverged = Run(RunConfig(), History(batch_loss=[2.0, float("inf")] + [float("nan")] * 28,
                                        epoch=[1.0], eval_acc=[0.1], eval_name="test"))
    fig = plot_placement(run, diverged, title="ReLU, pas 10")
    assert _labels(fig.axes[0]) == ["BN avant l'activation", "référence sans BN (divergence)"]
    assert _labels(fig.axes[1])[0] == f"BN avant l'activation{NBSP}: 90,0{NBSP}%"
    assert fig.axes[1].get_title() == "Exactitude (test)"


def test_bn_placement_explorer_switches_runs_and_keeps_the_grey_reference():
    view = bn_placement_explorer(_runs())
    assert view.values() == {"placement": 1, "activation": "sigmoid", "lr": 1.0}
    assert view.controls["placement"].label == "BN avant l'activation"
    assert _labels(view.figure.axes[0]) == ["BN avant l'activation", "référence sans BN"]
    assert view.figure._suptitle.get_text() == "Sigmoïde, pas 1"
    first = _ydata(view)
    view.controls["placement"].label = "BN avant et après l'activation"
    assert view.n_draws == 2 and _ydata(view) != first
    assert _ydata(view, 1)[0] == pytest.approx(1 + 9.5)  # sans BN, sigmoïde, 1 : k = 1
    view.controls["activation"].value = "relu"
    view.controls["lr"].value = 0.1
    assert _ydata(view, 1)[0] == pytest.approx(2 + 9.5)  # sans BN, ReLU, 0,1 : k = 2
    assert view.figure._suptitle.get_text() == "ReLU, pas 0,1"
    view.controls["placement"].label = "sans BN"
    assert len(view.figure.axes[0].lines) == 1  # pas de référence : c'est elle
    assert view.controls["lr"].label == "0,1"


def test_bn_placement_explorer_reads_the_options_from_the_configs():
    without_reference = [c for c in COMBINATIONS if c[0] is not None]
    view = bn_placement_explorer(_runs(without_reference))
    assert [label for label, _ in view.controls["placement"].options] == [
        BATCH_NORM_PLACEMENTS[p] for p in ("before", "after", "both")]
    assert len(view.figure.axes[0].lines) == 1  # pas de run sans BN : pas de référence
    with pytest.raises(ValueError, match="runs doit avoir un run par combinaison") as err:
        bn_placement_explorer(_runs([c for c in COMBINATIONS if c != ("after", "relu", 0.1)]))
    assert "batch_norm='after', activation='relu', lr=0.1" in str(err.value)
    with pytest.raises(TypeError, match="Runs non vide"):
        bn_placement_explorer([])
