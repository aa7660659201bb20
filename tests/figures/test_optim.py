"""Figures et widget du chapitre 4 (course_utils.figures.optim), sans navigateur : on bouge un
contrôle, la figure change."""

import base64

import numpy as np
import pytest

from course_utils.figures import optim as optim_figures
from course_utils.figures.optim import (
    DescentFigure,
    descent_explorer,
    descent_view,
    hyper_slider,
    plot_batch_sizes,
    plot_descent,
)
from course_utils.lab.optim import trajectory
from course_utils.lab.surfaces import SURFACES
from course_utils.runs import Run, RunConfig
from course_utils.training import History
from tests.test_widgets import _pixels, _savefig_pixels


def _path(view):
    """Trajectoire tracée (n, 2), copiée : la figure des descentes est mise à jour sur place."""
    return view.figure.axes[0].lines[0].get_xydata().copy()


def test_plot_descent_draws_the_path_and_its_loss():
    q = SURFACES["quadratic"]
    points = trajectory(q, "momentum", steps=30, lr=0.0019, momentum=0.78)
    fig = plot_descent(q, points, label="momentum", title="essai")
    ax_map, ax_loss = fig.axes
    assert np.array_equal(ax_map.lines[0].get_xydata(), points)
    assert not ax_map.lines[1].get_visible()  # pas de référence demandée
    assert list(ax_map.lines[2].get_xydata()[0]) == [0.0, 0.0]  # le minimum
    assert ax_loss.get_yscale() == "log"
    assert ax_loss.lines[0].get_ydata() == pytest.approx(q.values(points))
    assert ax_map.get_legend().texts[0].get_text() == "momentum"
    assert fig._suptitle.get_text() == "essai"


def test_plot_descent_checks_its_arguments():
    q = SURFACES["quadratic"]
    with pytest.raises(TypeError, match="surface doit être une Surface"):
        plot_descent("quadratic", np.zeros((3, 2)), label="SGD")
    with pytest.raises(ValueError, match=r"points doit être un tableau de forme \(n, 2\)"):
        plot_descent(q, np.zeros(3), label="SGD")
    with pytest.raises(ValueError, match="reference doit"):
        plot_descent(q, np.zeros((3, 2)), label="SGD", reference=np.zeros((3, 3)))


def test_descent_figure_is_updated_in_place_and_shows_a_reference():
    canvas = DescentFigure(pyplot=False)
    rosenbrock = SURFACES["rosenbrock"]
    gd = trajectory(rosenbrock, "sgd", steps=20, lr=1e-3)
    figure = canvas.show(rosenbrock, trajectory(rosenbrock, "adam", steps=20, lr=0.1),
                         label="Adam", reference=gd, reference_label="SGD (même pas)")
    again = canvas.show(rosenbrock, gd, label="SGD")
    assert again is figure and not figure.axes[0].lines[1].get_visible()
    assert figure.axes[0].get_title() == "Rosenbrock"


def test_descent_explorer_starts_from_the_lecture_example():
    view = descent_explorer()
    assert view.values() == {"surface": "quadratic", "optimizer": "momentum", "lr": 0.0019,
                             "momentum": 0.78, "steps": 150}
    assert list(view.controls["optimizer"].options) == ["SGD", "momentum", "Nesterov"]
    expected = trajectory(SURFACES["quadratic"], "momentum", steps=150, lr=0.0019, momentum=0.78)
    assert np.array_equal(_path(view), expected)
    assert "pas = 0.0019, momentum α = 0.78" in view.figure.texts[0].get_text()
    reference = view.figure.axes[0].lines[1]  # descente de gradient au même pas
    assert reference.get_visible() and len(reference.get_xdata()) == 151
    assert reference.get_label() == "SGD (même pas)"


def test_descent_explorer_follows_its_controls():
    view = descent_explorer()
    before = _path(view)
    view.controls["momentum"].value = 0.5
    assert view.n_draws == 2 and not np.array_equal(_path(view), before)
    view.controls["lr"].value = 0.001
    assert _path(view)[1] == pytest.approx(before[0] - 0.001 * SURFACES["quadratic"].grad(
        before[0]))  # premier pas : v = −ρ g
    view.controls["optimizer"].value = "sgd"
    assert view.controls["momentum"].disabled  # sans effet sur la descente de gradient
    assert not view.figure.axes[0].lines[1].get_visible()
    assert view.figure.texts[0].get_text() == "SGD : pas = 0.001"
    view.controls["surface"].value = "rosenbrock"
    assert view.figure.axes[0].get_title() == "Rosenbrock"
    assert view.figure.axes[0].get_xlim() == (-2.0, 2.0)
    assert list(_path(view)[0]) == [-1.2, 1.0]
    view.controls["lr"].value = 0.5
    assert "divergence à l'itération" in view.figure.texts[0].get_text()


def _shown(view) -> np.ndarray:
    """Pixels de l'image affichée par le widget."""
    return _pixels(base64.b64decode(view.output.outputs[0]["data"]["image/png"]))


def test_descent_explorer_shows_the_pixels_of_savefig():
    view = descent_explorer()
    assert np.array_equal(_shown(view), _savefig_pixels(view.figure))
    moves = [("momentum", 0.5), ("lr", 0.01), ("steps", 1000), ("optimizer", "sgd"),
             ("surface", "rosenbrock"), ("lr", 0.001), ("surface", "quadratic"),
             ("optimizer", "nesterov"), ("steps", 150), ("lr", 0.0019)]
    for name, value in moves:  # fond gardé, couches et légende sous ou sur les trajectoires
        view.controls[name].value = value
        assert np.array_equal(_shown(view), _savefig_pixels(view.figure)), (name, value)


def test_descent_explorer_draws_its_background_once_per_surface():
    view = descent_explorer()
    backdrop = view.descent.backdrop
    assert backdrop.n_backgrounds == 1
    for name, value in [("lr", 0.001), ("lr", 0.003), ("momentum", 0.5), ("steps", 300),
                        ("optimizer", "sgd")]:
        view.controls[name].value = value
    assert view.n_draws == 6 and backdrop.n_backgrounds == 1  # même surface : même fond
    view.controls["surface"].value = "rosenbrock"
    assert backdrop.n_backgrounds == 2  # autre surface : autres lignes de niveau, autre fond
    view.controls["surface"].value = "quadratic"
    assert backdrop.n_backgrounds == 2  # surface déjà vue : son fond est gardé
    shown = [c for c in view.figure.axes[0].collections if c.get_visible()]
    assert len(shown) == 1  # les lignes de niveau de la seule surface affichée
    assert np.array_equal(_shown(view), _savefig_pixels(view.figure))


def test_descent_explorer_keeps_the_paths_it_has_computed(monkeypatch):
    calls, real = [], optim_figures.trajectory

    def counted(surface, optimizer, **kwargs):
        calls.append(optimizer)
        return real(surface, optimizer, **kwargs)

    monkeypatch.setattr(optim_figures, "trajectory", counted)
    view = descent_explorer()
    assert sorted(calls) == ["momentum", "sgd"]
    view.controls["momentum"].value = 0.5
    assert calls[2:] == ["momentum"]  # la descente de gradient au même pas est gardée
    view.controls["lr"].value = 0.001
    assert sorted(calls[3:]) == ["momentum", "sgd"]
    view.controls["lr"].value = 0.0019  # réglage déjà vu : rien à recalculer
    view.controls["optimizer"].value = "sgd"  # la référence est déjà là
    assert len(calls) == 5 and view.n_draws == 5


def test_descent_figure_png_has_the_pixels_of_savefig():
    rosenbrock = SURFACES["rosenbrock"]
    points = trajectory(rosenbrock, "adam", steps=40, lr=0.1)
    for pyplot in (False, True):
        canvas = DescentFigure(pyplot=pyplot)
        figure = canvas.show(rosenbrock, points, label="Adam", title="essai")
        assert np.array_equal(_pixels(canvas.png()), _savefig_pixels(figure))
    with pytest.raises(ValueError, match="rien à tracer"):
        DescentFigure(pyplot=False).png()


def test_descent_view_refuses_unknown_sliders():
    with pytest.raises(ValueError, match=r"hyper \(nom de curseur\) inconnu"):
        descent_view(("sgd",), value="sgd", lr_label="pas", lr=0.01, reference=False,
                     hyper={"alpha": hyper_slider("α", value=0.5, low=0.0, high=1.0)})


def _run(batch_size, scale):
    history = History(epoch=[0.5, 1.0], eval_loss=[2.0 * scale, scale], elapsed=[0.1, 0.2],
                      eval_name="test")
    return Run(RunConfig(batch_size=batch_size), history)


def test_plot_batch_sizes_draws_loss_against_examples_and_time():
    fig = plot_batch_sizes([_run(1, 0.5), _run(64, 1.0)], train_size=1000)
    ax_seen, ax_time = fig.axes
    assert [line.get_label() for line in ax_seen.lines] == ["lot de 1", "lot de 64"]
    assert list(ax_seen.lines[0].get_xdata()) == [500.0, 1000.0]
    assert list(ax_time.lines[1].get_ydata()) == [2.0, 1.0]
    assert ax_seen.get_ylabel() == "perte de test" and ax_time.get_xscale() == "log"
    with pytest.raises(ValueError, match="runs ne doit pas être vide"):
        plot_batch_sizes([], train_size=1000)
    with pytest.raises(ValueError, match="train_size"):
        plot_batch_sizes([_run(1, 0.5)], train_size=0)
