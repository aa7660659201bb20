import matplotlib
import pytest
import torch

from course_utils.plots import (
    plot_bars,
    plot_confusion,
    plot_curves,
    plot_history,
    plot_losses,
    plot_xy,
    show_images,
    show_weights,
    weight_image,
)
from course_utils.source import show_source
from course_utils.training import History


def test_show_images_titles_and_colours_errors_in_red():
    x = torch.rand(5, 784)
    fig = show_images(x, torch.tensor([1, 2, 3, 4, 5]), torch.tensor([1, 2, 0, 4, 5]), ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[2] == "classe 3\nprédit 0"
    assert fig.axes[2].title.get_color() == "red" and fig.axes[0].title.get_color() == "black"
    assert len(fig.axes) == 6  # 2 lignes × 3 colonnes, la dernière case vide


def test_show_images_undoes_the_normalisation_for_display():
    fig = show_images(torch.full((1, 784), -0.4242))  # le fond d'une image normalisée
    shown = fig.axes[0].images[0].get_array()
    assert float(shown.max()) == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize(("args", "message"), [
    ((torch.rand(3, 10),), "x doit être un tenseur"),
    ((torch.rand(0, 784),), "aucune image"),
    ((torch.rand(3, 784), torch.tensor([1, 2])), "y doit avoir 3 éléments"),
])
def test_show_images_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        show_images(*args)


def test_plot_losses_smooths_with_a_moving_average():
    fig = plot_losses({"a": [0.0, 2.0, 4.0, 6.0]}, smooth=2)
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()) == [1.0, 3.0, 5.0]
    assert list(line.get_xdata()) == [2, 3, 4]
    assert "moyenne glissante sur 2" in fig.axes[0].get_ylabel()
    with pytest.raises(ValueError, match="smooth doit être"):
        plot_losses({"a": [1.0]}, smooth=0)


def test_a_curve_shorter_than_the_window_is_drawn_raw_at_its_mini_batches():
    """Un apprentissage arrêté au 3e mini-lot (perte non finie) reste visible."""
    fig = plot_losses({"long": [1.0] * 10, "arrêté": [1.0, 50.0, float("inf")]}, smooth=5)
    short = fig.axes[0].lines[1]
    assert list(short.get_xdata()) == [1, 2, 3] and list(short.get_ydata())[:2] == [1.0, 50.0]
    assert list(fig.axes[0].lines[0].get_xdata()) == [5, 6, 7, 8, 9, 10]


def test_plot_curves_checks_lengths_and_labels():
    fig = plot_curves({"SGD": [1, 2], "adam": [3, 4]}, x=[0, 1], xlabel="époque",
                      ylabel="perte", title="t")
    assert [line.get_label() for line in fig.axes[0].lines] == ["SGD", "adam"]
    assert matplotlib.colors.same_color(fig.axes[0].lines[1].get_color(), "tab:green")
    with pytest.raises(ValueError, match="2 valeurs pour 3 abscisses"):
        plot_curves({"a": [1, 2]}, x=[0, 1, 2], xlabel="", ylabel="", title="")


def test_plot_confusion_writes_every_count():
    cm = torch.tensor([[5, 1], [0, 7]])
    fig = plot_confusion(cm)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "5", "7"]
    assert fig.axes[0].get_xlabel() == "classe prédite"
    with pytest.raises(ValueError, match="carré"):
        plot_confusion(torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(TypeError, match="entiers"):  # des comptes, pas des proportions
        plot_confusion(torch.zeros(2, 2))


def test_plot_bars_and_history():
    fig = plot_bars({"1": 1e-6, "2": 1e-2}, xlabel="couche", ylabel="norme", title="t", logy=True)
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[0].patches) == 2
    fig = plot_history(History(epoch=[1], train_loss=[1], train_acc=[0.5], eval_loss=[1],
                               eval_acc=[0.25], eval_name="test"))
    assert list(fig.axes[1].lines[1].get_ydata()) == [25.0]
    assert fig.axes[0].lines[1].get_label() == "test"
    fig = plot_history(History(epoch=[1], train_loss=[1], train_acc=[0.5]))
    assert len(fig.axes[0].lines) == 1  # sans jeu d'évaluation : l'apprentissage seul


def test_show_source_prints_the_code(capsys):
    show_source(plot_bars)
    assert capsys.readouterr().out.startswith("def plot_bars(")
    with pytest.raises(TypeError, match="fonction ou classe attendue"):
        show_source(3)


def test_plot_xy_each_curve_has_its_own_abscissa():
    fig = plot_xy({"a": ([1, 2, 3], [3, 2, 1]), "b": ([10, 20], [1, 1])}, xlabel="x",
                  ylabel="y", title="t", logx=True)
    ax = fig.axes[0]
    assert list(ax.lines[1].get_xdata()) == [10, 20] and ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="2 ordonnées pour 3 abscisses"):
        plot_xy({"a": ([1, 2, 3], [1, 2])}, xlabel="", ylabel="", title="")


def test_show_weights_one_symmetric_image_per_neuron():
    weights = torch.randn(10, 784)
    fig = show_weights(weights, ncols=5, title="poids")
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 10
    assert images[3].get_clim() == (-1, 1)
    torch.testing.assert_close(torch.as_tensor(images[3].get_array()),
                               weight_image(weights[3]))
    assert weight_image(weights[3]).abs().max() == 1 and weight_image(weights[3]).shape == (28, 28)
    assert weight_image(torch.zeros(784)).abs().max() == 0  # pas de division par zéro
    with pytest.raises(ValueError, match="K, 784"):
        show_weights(torch.randn(3, 10))
