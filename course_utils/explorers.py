"""Les widgets des chapitres : des figures du cours à explorer avec des curseurs.

Chaque fonction renvoie un ``Interactive`` (voir ``widgets.py``) prêt à afficher dans un
notebook ; tout se teste sans navigateur (on change ``.controls[nom].value`` et on regarde
``.figure``).
"""

import math

import torch

from course_utils.activations import ACTIVATIONS
from course_utils.diagnostics import layer_outputs
from course_utils.init import initialize_
from course_utils.models import mlp
from course_utils.plots import plot_curves, plot_losses, show_images
from course_utils.widgets import Interactive, choice, log_slider, options_slider


def batch_explorer(x: torch.Tensor, y: torch.Tensor, *, batch_size: int = 16,
                   n_batches: int = 50) -> Interactive:
    """Parcourt les ``n_batches`` premiers mini-lots d'images (x : (N, 784), y : (N,))."""
    if len(x) < batch_size * n_batches:
        raise ValueError(f"x doit contenir au moins {batch_size * n_batches} images")

    def draw(batch):
        start = batch_size * batch
        return show_images(x[start : start + batch_size], y[start : start + batch_size],
                           title=f"Mini-lot n° {batch}")

    return Interactive(draw, {"batch": options_slider("mini-lot n°", list(range(n_batches)))})


def learning_rate_explorer(runs: dict, *, reference: float) -> Interactive:
    """Courbe de perte par mini-lot pour chaque pas de ``runs`` ({pas : History}), à côté de
    celle du pas ``reference``."""
    if reference not in runs:
        raise ValueError(f"le pas de référence {reference} n'est pas dans runs")

    def draw(lr):
        curves = {f"pas {reference:g} (référence)": runs[reference].batch_loss,
                  f"pas {lr:g}": runs[lr].batch_loss}
        return plot_losses(curves, title="Perte par mini-lot", smooth=20)

    slider = options_slider("pas d'apprentissage", list(runs), value=reference)
    return Interactive(draw, {"lr": slider})


def activation_explorer(grid: dict, rates: list[float]) -> Interactive:
    """Perte d'une époque pour (activation, pas), à côté de ReLU au même pas.

    grid : résultats d'un balayage, ``{"clé|pas" : historique (dict)}``.
    """
    def draw(activation, lr):
        chosen, relu = grid[f"{activation}|{lr:g}"], grid[f"relu|{lr:g}"]
        curves = {ACTIVATIONS[activation].name: chosen["batch_loss"],
                  "ReLU (même pas)": relu["batch_loss"]}
        title = (f"pas {lr:g} : exactitude test {100 * chosen['test_acc'][-1]:.1f} % "
                 f"(ReLU : {100 * relu['test_acc'][-1]:.1f} %)")
        return plot_losses(curves, title=title, smooth=10)

    names = {act.name: key for key, act in ACTIVATIONS.items()}
    return Interactive(draw, {"activation": choice("activation", names, value="sigmoid"),
                              "lr": options_slider("pas d'apprentissage", rates, value=0.1)})


def init_scale_explorer(x: torch.Tensor, sizes: list[int]) -> Interactive:
    """Écart-type des activations de chaque couche cachée, poids tirés selon N(0, s²/n).

    s = 1 : initialisation de LeCun ; s = √2 : celle de He. x : (N, sizes[0]).
    """
    def draw(scale, activation):
        # He : N(0, 2/n) ; multiplier son écart-type par s/√2 donne N(0, s²/n)
        net = initialize_(mlp(sizes, activation=activation), "kaiming_normal",
                          scale=scale / math.sqrt(2), generator=torch.Generator().manual_seed(0))
        stds = [h.std().item() for h in layer_outputs(net, x)]
        return plot_curves({activation: stds}, x=list(range(1, len(stds) + 1)), logy=True,
                           xlabel="couche cachée", ylabel="écart-type des activations",
                           title=f"Poids ~ N(0, s²/n), s = {scale:.3g}")

    return Interactive(draw, {"scale": log_slider("échelle s", value=1.0, min_exp=-1, max_exp=1),
                              "activation": choice("activation", ["tanh", "relu", "sigmoid"])})
