"""La galerie des activations et l'explorateur activation × pas, sans navigateur."""

import pytest

from course_utils.activations import ACTIVATIONS
from course_utils.figures.activations import activation_explorer, plot_activation_gallery
from course_utils.runs import Run, RunConfig
from course_utils.sweeps import Runs
from course_utils.training import History


def test_gallery_has_one_panel_per_activation_with_its_max_gradient():
    fig = plot_activation_gallery()
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [act.name for act in ACTIVATIONS.values()]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["f(x)", "f′(x), max 0.25"]


def test_gallery_of_a_few_activations_and_errors():
    fig = plot_activation_gallery(["relu", "tanh"], low=-2, high=2)
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["ReLU",
                                                                     "Tangente hyperbolique"]
    assert fig.axes[0].lines[0].get_xdata()[0] == -2
    with pytest.raises(ValueError, match=r"keys\[0\] inconnu"):
        plot_activation_gallery(["swish"])
    with pytest.raises(ValueError, match="low doit être < high"):
        plot_activation_gallery(low=1.0, high=0.0)


def _grid(rates=(0.1, 1.0), keys=("sigmoid", "relu", "tanh")):
    return Runs(Run(RunConfig(activation=key, lr=lr),
                    History(batch_loss=[lr + i for i in range(20)], eval_acc=[0.5],
                            eval_name="test"))
                for key in keys for lr in rates)


def test_activation_explorer_reads_the_runs():
    view = activation_explorer(_grid())
    assert view.figure.axes[0].lines[0].get_label() == "Sigmoïde"
    assert view.controls["lr"].value == 0.1
    view.controls["activation"].value = "tanh"
    view.controls["lr"].value = 1.0
    assert view.figure.axes[0].lines[0].get_label() == "Tangente hyperbolique"
    ydata = list(view.figure.axes[0].lines[0].get_ydata())
    assert ydata[0] == pytest.approx(1.0 + 4.5)  # moyenne glissante sur 10 : 1 + (0…9)/10
    assert "pas 1 : exactitude test 50.0 %" in view.figure.axes[0].get_title()


def test_activation_explorer_needs_the_full_grid_with_relu():
    with pytest.raises(ValueError, match="ReLU compris"):
        activation_explorer(_grid(keys=("sigmoid", "tanh")))
    incomplete = Runs(list(_grid())[:-1])
    with pytest.raises(ValueError, match="un run par couple"):
        activation_explorer(incomplete)
    with pytest.raises(TypeError, match="Runs"):
        activation_explorer({})
