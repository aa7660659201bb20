"""Initialisation des poids : histogrammes couche par couche et curseur d'échelle."""

import dataclasses
import math

import torch

from course_utils import _figure_inputs, _validate
from course_utils.activations import ACTIVATIONS
from course_utils.lab.init import activation_stds
from course_utils.plots import plot_curves
from course_utils.runs import RunConfig, build_model
from course_utils.widgets import Interactive, choice, log_slider


def plot_layer_histograms(rows: dict, *, layers: list[int], xlabel: str, title: str,
                          bins: int = 50, logx: bool = False):
    """Grille d'histogrammes : une ligne par entrée de ``rows``, une colonne par couche.

    Les histogrammes d'une même ligne partagent leur axe horizontal : on voit les valeurs se
    resserrer (ou s'étaler) d'une couche à l'autre.

    rows : ``{nom de la ligne : liste de tenseurs, un par couche}`` ; layers : numéros des
    couches à montrer (à partir de 1). ``logx`` : histogramme de log10 |valeur|.
    """
    import matplotlib.pyplot as plt

    _figure_inputs.mapping("rows", rows, what="un dictionnaire non vide {nom : tenseurs}")
    layers = [_validate.integer("layers[…]", k, low=1)
              for k in _figure_inputs.sequence("layers", layers, "une liste non vide de couches")]
    for name, tensors in rows.items():
        if not isinstance(tensors, list | tuple) or not all(
                isinstance(v, torch.Tensor) for v in tensors):
            raise TypeError(f"rows[{name!r}] doit être une liste de tenseurs, un par couche "
                            f"(reçu : {_validate._received(tensors)})")
        if len(tensors) < max(layers):
            raise ValueError(f"rows[{name!r}] doit avoir un tenseur par couche jusqu'à la "
                             f"couche {max(layers)} (reçu : {len(tensors)}, couche "
                             f"{max(layers)} absente)")
    bins = _validate.integer("bins", bins, low=1)
    fig, axes = plt.subplots(len(rows), len(layers), figsize=(2.4 * len(layers),
                             1.9 * len(rows)), squeeze=False, sharex="row")
    for i, (name, tensors) in enumerate(rows.items()):
        for j, layer in enumerate(layers):
            values = tensors[layer - 1].detach().flatten().double()
            if logx:
                values = values.abs().clamp_min(1e-30).log10()
            ax = axes[i, j]
            ax.hist(values.numpy(), bins=bins, color="tab:blue")
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"couche {layer}")
            if j == 0:
                ax.set_ylabel(name, fontsize=8)
            if i == len(rows) - 1:
                ax.set_xlabel(xlabel)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def init_scale_explorer(x: torch.Tensor, sizes: list[int]) -> Interactive:
    """Écart-type des activations de chaque couche cachée, poids tirés selon N(0, s²/n).

    s = 1 : initialisation de LeCun ; s = √2 : celle de He. x : (N, sizes[0]) ; sizes :
    tailles des couches du PMC, entrée comprise ; biais nuls, graine 0.
    """
    _figure_inputs.sequence("sizes", sizes, "une liste de tailles de couches")
    base = RunConfig(sizes=tuple(sizes), init="kaiming_normal")  # vérifie sizes
    _validate.finite("x", _validate.shape("x", _validate.tensor("x", x, floating=True),
                                          (None, base.sizes[0])))

    def draw(scale, activation):
        # He : N(0, 2/n) ; multiplier son écart-type par s/√2 donne N(0, s²/n)
        config = dataclasses.replace(base, activation=activation, init_scale=scale / math.sqrt(2))
        stds = activation_stds(build_model(config), x)
        return plot_curves({ACTIVATIONS[activation].name: stds},
                           x=list(range(1, len(stds) + 1)), logy=True,
                           xlabel="couche cachée", ylabel="écart-type des activations",
                           title=f"Poids ~ N(0, s²/n), s = {scale:.3g}")

    activations = {ACTIVATIONS[key].name: key for key in ("tanh", "relu", "sigmoid")}
    return Interactive(draw, {"scale": log_slider("échelle s", value=1.0, min_exp=-1, max_exp=1),
                              "activation": choice("activation", activations)})
