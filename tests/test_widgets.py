"""La base des widgets (course_utils.widgets), sans navigateur : contrôles liés à une figure,
images PNG (encodeur direct, fond gardé d'un tracé à l'autre)."""

import base64
import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

from course_utils.widgets import (
    Backdrop,
    Interactive,
    _ticks_computed_once,
    agg_figure,
    choice,
    figure_png,
    log_slider,
    png_bytes,
    touches,
)


def _draw(lr, curve):
    fig, ax = plt.subplots()
    xs = range(10)
    ax.plot(xs, [lr * x if curve == "linéaire" else lr * x * x for x in xs])
    return fig


def test_moving_a_control_redraws_the_figure():
    slider = log_slider("pas", value=0.1, min_exp=-3, max_exp=0)
    dropdown = choice("courbe", ["linéaire", "carrée"])
    view = Interactive(_draw, {"lr": slider, "curve": dropdown})
    assert view.n_draws == 1
    assert view.figure.axes[0].lines[0].get_ydata()[2] == pytest.approx(0.2)
    slider.value = 0.01
    assert view.n_draws == 2
    assert view.figure.axes[0].lines[0].get_ydata()[2] == pytest.approx(0.02)
    dropdown.value = "carrée"
    assert view.figure.axes[0].lines[0].get_ydata()[3] == pytest.approx(0.09)
    assert view.values() == {"lr": 0.01, "curve": "carrée"}


def test_bad_arguments_are_reported_in_french():
    with pytest.raises(ValueError, match="min_exp doit être < max_exp"):
        log_slider("pas", value=1, min_exp=0, max_exp=-1)
    with pytest.raises(ValueError, match="value doit être entre"):
        log_slider("pas", value=10, min_exp=-3, max_exp=0)
    with pytest.raises(TypeError, match="draw doit être une fonction"):
        Interactive(None, {"a": choice("a", [1])})
    with pytest.raises(ValueError, match="controls doit être"):
        Interactive(_draw, {})


# --- Rendu PNG : encodeur direct, fond gardé ---------------------------------------------------


def _pixels(png: bytes) -> np.ndarray:
    """Pixels (hauteur, largeur, 4) d'une image PNG, décodée par PIL."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGBA"
    return np.asarray(image)


def _savefig_pixels(figure) -> np.ndarray:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return _pixels(buffer.getvalue())


def test_png_bytes_writes_a_valid_png_with_the_same_pixels():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    png = png_bytes(rgba)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert np.array_equal(_pixels(png), rgba)  # 5 de large, 7 de haut
    assert np.array_equal(_pixels(png_bytes(rgba, level=9)), rgba)
    with pytest.raises(ValueError, match="rgba doit être un tableau d'octets"):
        png_bytes(rgba[..., :3])
    with pytest.raises(ValueError, match="rgba doit être"):
        png_bytes(rgba.astype(np.float32))


def test_figure_png_gives_the_pixels_of_savefig():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 4], "o-", label="courbe")
    ax.legend()
    ax.set_title("Titre : é, θ, 10⁻³")
    assert np.array_equal(_pixels(figure_png(fig)), _savefig_pixels(fig))
    with matplotlib.rc_context({"savefig.dpi": 2 * fig.dpi}):  # savefig s'en charge
        assert _pixels(figure_png(fig)).shape == _savefig_pixels(fig).shape
        assert _pixels(figure_png(fig)).shape[:2] == (4 * fig.dpi, 6 * fig.dpi)


def _scene():
    """Une figure hors de pyplot : une courbe qui change (premier plan), un titre qui change
    (couche), le reste fixe (fond)."""
    figure = agg_figure((3, 2))
    ax = figure.subplots()
    ax.plot(np.linspace(0, 1, 50) ** 2, color="0.7")  # fond
    line = ax.plot([0, 1], [0, 1], "o-", zorder=3)[0]
    ax.set(xlim=(-1, 50), ylim=(-0.1, 1.1))
    return figure, ax, line, figure.suptitle("titre")


def test_backdrop_reuses_its_background_and_redraws_what_changes():
    figure, ax, line, title = _scene()
    backdrop = Backdrop(figure)
    images = []
    for k in range(3):
        line.set_data([0, 10 * k, 40], [0.5, 0.1 * k, 1.0])  # premier plan seul
        images.append(backdrop.png([line], key="fond", layers=[("titre", [title])]))
        assert np.array_equal(_pixels(images[-1]), _savefig_pixels(figure))
    assert backdrop.n_backgrounds == 1  # tracé une fois, réutilisé deux fois
    assert not np.array_equal(_pixels(images[0]), _pixels(images[1]))
    title.set_text("nouveau titre")  # une couche change : le fond reste
    png = backdrop.png([line], key="fond", layers=[("autre titre", [title])])
    assert backdrop.n_backgrounds == 1 and np.array_equal(_pixels(png), _savefig_pixels(figure))
    ax.set_facecolor("0.9")  # le fond change : nouvelle clé, nouveau fond
    png = backdrop.png([line], key="fond gris", layers=[("autre titre", [title])])
    assert backdrop.n_backgrounds == 2 and np.array_equal(_pixels(png), _savefig_pixels(figure))
    backdrop.clear()
    backdrop.png([line], key="fond gris", layers=[("autre titre", [title])])
    assert backdrop.n_backgrounds == 3
    assert line.get_visible() and title.get_visible()  # rendus visibles après le fond


def test_backdrop_falls_back_to_savefig_without_an_agg_canvas():
    figure = Figure(figsize=(2, 1))  # canevas de base, sans Agg
    line = figure.subplots().plot([0, 1])[0]
    png = Backdrop(figure).png([line], key=None)
    assert _pixels(png).shape == (figure.dpi, 2 * figure.dpi, 4)


def test_ticks_computed_once_restores_the_axis_methods():
    figure, ax, _, _ = _scene()
    figure.canvas.draw()
    with _ticks_computed_once(ax.yaxis):
        assert ax.yaxis._update_ticks() is ax.yaxis._update_ticks()  # calculées une fois
        ax.yaxis.draw(figure.canvas.get_renderer())
    assert "_update_ticks" not in vars(ax.yaxis) and "_get_ticklabel_bboxes" not in vars(ax.yaxis)


def test_touches_sees_lines_near_a_box():
    figure, ax, line, _ = _scene()
    figure.canvas.draw()
    box = ax.transData.transform_bbox(Bbox([[18, 0.9], [22, 1.0]]))  # en pixels
    line.set_data([0, 40], [0.0, 0.0])
    assert not touches([line], box)
    line.set_data([0, 40], [0.95, 0.95])  # à travers la boîte
    assert touches([line], box)
    line.set_data([20], [0.86])  # un seul point, sous la boîte : son marqueur la touche
    assert touches([line], box)
    line.set_data([0, 40], [0.0, np.inf])
    assert touches([line], box)  # non fini : on ne sait pas, donc oui
    line.set_visible(False)
    assert not touches([line], box)


def test_interactive_displays_the_png_of_its_render_function():
    seen = []

    def render(figure):
        seen.append(figure)
        return figure_png(figure)

    view = Interactive(_draw, {"lr": log_slider("pas", value=0.1, min_exp=-3, max_exp=0),
                               "curve": choice("courbe", ["linéaire"])}, render=render)
    assert seen == [view.figure]
    png = base64.b64decode(view.output.outputs[0]["data"]["image/png"])
    assert np.array_equal(_pixels(png), _savefig_pixels(view.figure))
    with pytest.raises(TypeError, match="render doit être une fonction"):
        Interactive(_draw, {"lr": choice("a", [1])}, render="png")
