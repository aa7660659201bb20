import pytest
import torch

from course_utils.activations import ACTIVATIONS
from course_utils.diagnostics import dead_fraction, layer_outputs, layer_weight_grads
from course_utils.layer_plots import plot_activation_gallery, plot_layer_histograms
from course_utils.models import mlp


def test_gallery_has_one_panel_per_activation_with_its_max_gradient():
    fig = plot_activation_gallery(ACTIVATIONS)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [act.name for act in ACTIVATIONS.values()]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["f(x)", "f′(x), max 0.25"]


def test_layer_histograms_grid_and_errors():
    tensors = [torch.randn(100), torch.randn(100) * 2]
    fig = plot_layer_histograms({"a": tensors, "b": tensors}, layers=[1, 2], xlabel="x",
                                title="t", logx=True)
    assert len(fig.axes) == 4 and fig.axes[1].get_title() == "couche 2"
    with pytest.raises(ValueError, match="couche 3 absente"):
        plot_layer_histograms({"a": tensors}, layers=[3], xlabel="x", title="t")


def test_layer_outputs_and_dead_fraction():
    model = mlp([5, 4, 3, 2], activation="relu", seed=0)
    x = torch.randn(10, 5)
    outputs = layer_outputs(model, x)
    assert [tuple(h.shape) for h in outputs] == [(10, 4), (10, 3)]
    assert torch.equal(outputs[0], torch.relu(model[0](x)))
    with torch.no_grad():
        model[0].bias[:2] = -100.0  # deux unités de la couche 1 ne s'activent plus jamais
    assert dead_fraction(model, x)[0] == 0.5
    grads = layer_weight_grads(model, x, torch.randint(0, 2, (10,)))
    assert grads[0][:2].abs().sum() == 0  # une unité morte ne reçoit aucun gradient
