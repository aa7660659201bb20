"""Histogrammes par couche et curseur d'échelle d'initialisation, sans navigateur."""

import pytest
import torch

from course_utils.figures.init import init_scale_explorer, plot_layer_histograms


def test_layer_histograms_grid_and_errors():
    tensors = [torch.randn(100), torch.randn(100) * 2]
    fig = plot_layer_histograms({"a": tensors, "b": tensors}, layers=[1, 2], xlabel="x",
                                title="t", logx=True)
    assert len(fig.axes) == 4 and fig.axes[1].get_title() == "couche 2"
    assert fig.axes[0].get_ylabel() == "a" and fig.axes[2].get_xlabel() == "x"
    with pytest.raises(ValueError, match="couche 3 absente"):
        plot_layer_histograms({"a": tensors}, layers=[3], xlabel="x", title="t")
    with pytest.raises(ValueError, match="rows doit être un dictionnaire non vide"):
        plot_layer_histograms({}, layers=[1], xlabel="x", title="t")


def _ydata(view):
    return list(view.figure.axes[0].lines[0].get_ydata())


def test_init_scale_explorer_recomputes_the_stds():
    x = torch.randn(256, 64, generator=torch.Generator().manual_seed(0))
    view = init_scale_explorer(x, [64] + [64] * 6 + [10])
    assert view.figure.axes[0].lines[0].get_label() == "Tangente hyperbolique"
    flat = _ydata(view)
    view.controls["scale"].value = 0.1
    small = _ydata(view)
    assert len(small) == 6 and small[-1] < small[0] / 100  # trop faible : tout s'éteint
    view.controls["activation"].value = "relu"
    view.controls["scale"].value = 2 ** 0.5
    relu = _ydata(view)
    assert 0.3 < relu[-1] / relu[0] < 3  # He : la même échelle de couche en couche
    assert flat != small


def test_init_scale_explorer_checks_its_arguments():
    with pytest.raises(ValueError, match="forme"):
        init_scale_explorer(torch.zeros(10, 5), [64, 10])
    with pytest.raises(ValueError, match="sizes"):
        init_scale_explorer(torch.zeros(10, 5), [5])
