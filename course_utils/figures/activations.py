"""Fonctions d'activation : la galerie (f et f′) et l'explorateur activation × pas."""

from collections.abc import Sequence

import torch

from course_utils import _validate
from course_utils.activations import ACTIVATIONS
from course_utils.lab.activations import PROPERTIES
from course_utils.plots import plot_losses
from course_utils.sweeps import Runs
from course_utils.widgets import Interactive, choice, options_slider


def plot_activation_gallery(keys: Sequence[str] = tuple(ACTIVATIONS), *, low: float = -5.0,
                            high: float = 5.0):
    """Chaque fonction d'activation (trait plein) et sa dérivée (tirets), une case chacune.

    keys : clés de ``activations.ACTIVATIONS`` (toutes par défaut) ; low, high : intervalle
    des abscisses. La légende donne max f′, le facteur maximal par lequel une couche peut
    multiplier le gradient qui la traverse (``lab.activations.PROPERTIES``).
    """
    import matplotlib.pyplot as plt

    if not isinstance(keys, list | tuple) or not keys:
        raise (ValueError if isinstance(keys, list | tuple) else TypeError)(
            f"keys doit être une liste non vide de clés de ACTIVATIONS (reçu : {keys!r:.60})")
    keys = list(keys)
    for i, key in enumerate(keys):
        _validate.choice(f"keys[{i}]", key, ACTIVATIONS)
    low, high = _validate.real("low", low), _validate.real("high", high)
    if not low < high:
        raise ValueError(f"low doit être < high (reçu : {low}, {high})")
    x = torch.linspace(low, high, 401, dtype=torch.float64)
    ncols = 5
    nrows = (len(keys) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 2.6 * nrows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        activation = ACTIVATIONS[key]
        ax.plot(x, activation.fn(x), color="tab:blue", label="f(x)")
        ax.plot(x, activation.grad(x), "--", color="tab:orange",
                label=f"f′(x), max {PROPERTIES[key].max_grad:.3g}")
        ax.axhline(0, color="black", lw=0.5)
        ax.set(title=activation.name, xlabel="x", ylim=(-2, 3))
        ax.legend(fontsize=7, loc="upper left")
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle("Fonctions d'activation et leurs dérivées")
    fig.tight_layout()
    return fig


def activation_explorer(runs: Runs) -> Interactive:
    """Perte par mini-lot pour une activation et un pas choisis, à côté de ReLU au même pas.

    runs : un balayage activation × pas (un run par couple, ReLU compris), dont les
    historiques gardent la perte de chaque mini-lot (``cached_sweep(…,
    keep_batch_loss=True)``). Le titre donne l'exactitude finale sur le jeu d'évaluation.
    """
    if not isinstance(runs, Runs) or not len(runs):
        raise TypeError("runs doit être un Runs non vide (résultat de sweeps.cached_sweep)")
    activations, rates = runs.values("activation"), sorted(runs.values("lr"))
    if "relu" not in activations or len(runs) != len(activations) * len(rates):
        raise ValueError("runs doit contenir un run par couple (activation, pas), ReLU compris")

    def draw(activation, lr):
        chosen, relu = runs.get(activation=activation, lr=lr), runs.get(activation="relu", lr=lr)
        curves = {ACTIVATIONS[activation].name: chosen.history.batch_loss,
                  "ReLU (même pas)": relu.history.batch_loss}
        where = chosen.history.eval_name
        title = (f"pas {lr:g} : exactitude {where} {100 * chosen.history.eval_acc[-1]:.1f} % "
                 f"(ReLU : {100 * relu.history.eval_acc[-1]:.1f} %)")
        return plot_losses(curves, title=title, smooth=10)

    names = {ACTIVATIONS[key].name: key for key in activations}
    first = "sigmoid" if "sigmoid" in activations else activations[0]
    middle = 0.1 if 0.1 in rates else rates[len(rates) // 2]
    return Interactive(draw, {"activation": choice("activation", names, value=first),
                              "lr": options_slider("pas d'apprentissage", rates, value=middle)})
