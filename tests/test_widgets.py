import matplotlib.pyplot as plt
import pytest

from course_utils.widgets import Interactive, choice, log_slider


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
