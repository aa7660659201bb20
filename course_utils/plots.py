"""Figures du cours : grilles d'images, courbes d'apprentissage, matrice de confusion.

Chaque fonction crée sa figure et la renvoie (titres et axes en français). Dans un
notebook, écrivez ``fig = show_images(...)`` : la figure s'affiche une seule fois, à la fin
de la cellule. ``matplotlib.pyplot`` n'est importé qu'au premier tracé : importer ce module
(ou ``training``, qui s'en sert) ne coûte presque rien.
"""

import math

import numpy as np
import torch

from course_utils import _figure_inputs, _validate
from course_utils.data import SIDE, denormalize

# Une couleur par méthode, la même dans tous les chapitres.
COLORS = {
    "apprentissage": "tab:blue",
    "test": "tab:orange",
    "validation": "tab:red",
    "sigmoid": "tab:purple",
    "tanh": "tab:brown",
    "relu": "tab:green",
    "leaky_relu": "tab:olive",
    "prelu": "tab:cyan",
    "elu": "tab:pink",
    "selu": "tab:gray",
    "gelu": "tab:red",
    "gelu_tanh": "salmon",
    "silu": "tab:blue",
    "sgd": "tab:blue",
    "momentum": "tab:orange",
    "nesterov": "tab:red",
    "adagrad": "tab:olive",
    "rmsprop": "tab:cyan",
    "adam": "tab:green",
}


def show_images(x, y=None, pred=None, *, ncols: int = 8, title: str | None = None):
    """Grille d'images 28×28 avec leur classe (et la prédiction, en rouge si elle est fausse).

    x : (N, 784) ou (N, 28, 28), normalisées comme ``load_mnist`` ou dans [0, 1].
    y, pred : (N,) des entiers : tenseur, tableau NumPy ou liste, facultatifs.
    ncols : nombre de colonnes (≥ 1) ; plus grand que N, il est ramené à N.
    """
    import matplotlib.pyplot as plt

    _pixels("x", x, (2, 3))
    images = x.detach().reshape(-1, 28, 28)  # (N, 28, 28)
    n = len(images)
    for name, labels in (("y", y), ("pred", pred)):
        if labels is not None:
            _classes(name, labels, n)
    ncols = min(_validate.integer("ncols", ncols, low=1), n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.5 * nrows), squeeze=False)
    if images.min() < 0:  # images normalisées : on revient dans [0, 1] pour l'affichage
        images = denormalize(images)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k].clamp(0, 1).numpy(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(_label(k, y, pred), fontsize=9, color=_label_color(k, y, pred))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def weight_image(w: torch.Tensor) -> torch.Tensor:
    """Les 784 poids d'entrée d'un neurone (784,) vus comme une image (28, 28), divisés par
    leur plus grande valeur absolue : valeurs dans [−1, 1], le 0 restant au milieu (un poids
    nul donne une image nulle)."""
    _validate.shape("w", _validate.tensor("w", w, floating=True), (SIDE * SIDE,))
    _validate.finite("w", w)
    largest = w.abs().max()
    return (w / largest if largest > 0 else w).reshape(SIDE, SIDE)  # (784,) → (28, 28)


def show_weights(weights: torch.Tensor, *, ncols: int = 8, title: str | None = None):
    """Les poids d'entrée de neurones de la première couche, vus comme des images 28×28.

    weights : (K, 784), une ligne par neurone (``model[0].weight[:K]``). Chaque image a sa
    propre échelle de couleurs, symétrique autour de 0 (rouge : positif, bleu : négatif).
    """
    import matplotlib.pyplot as plt

    _pixels("weights", weights, (2,))
    images = [weight_image(w) for w in weights.detach()]  # K images (28, 28) dans [−1, 1]
    ncols = min(_validate.integer("ncols", ncols, low=1), len(images))
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.2 * nrows + 0.4),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k].numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _pixels(name: str, x, ndims: tuple[int, ...]) -> None:
    """x : tenseur flottant fini (N, 784) (ou (N, 28, 28) si 3 est dans ndims), N ≥ 1."""
    _validate.tensor(name, x, floating=True)
    if x.ndim not in ndims or tuple(x.shape[1:]) not in ((784,), (28, 28)) or not len(x):
        wanted = " ou (N, 28, 28)" if 3 in ndims else ""
        letter = "N" if name == "x" else "K"
        raise ValueError(f"{name} doit être un tenseur ({letter}, 784){wanted}, "
                         f"≥ 1 image (reçu : forme "
                         f"{tuple(x.shape)}{', aucune image' if x.numel() == 0 else ''})")
    _validate.finite(name, x)


def _classes(name: str, labels, n: int) -> None:
    """labels : N entiers (tenseur, tableau NumPy ou liste)."""
    try:
        values = torch.as_tensor(labels) if isinstance(labels, list | tuple | torch.Tensor) or (
            type(labels).__module__ == "numpy") else None
    except (TypeError, ValueError, RuntimeError):
        values = None
    if values is None or values.is_floating_point() or values.is_complex() or (
            values.dtype == torch.bool):
        raise TypeError(f"{name} doit contenir des entiers (reçu : {labels!r:.60})")
    if tuple(values.shape) != (n,):
        raise ValueError(f"{name} doit avoir {n} éléments, un par image (reçu : forme "
                         f"{tuple(values.shape)})")


def _label(k, y, pred) -> str:
    parts = []
    if y is not None:
        parts.append(f"classe {int(y[k])}")
    if pred is not None:
        parts.append(f"prédit {int(pred[k])}")
    return "\n".join(parts)


def _label_color(k, y, pred) -> str:
    if y is not None and pred is not None and int(y[k]) != int(pred[k]):
        return "red"
    return "black"


def plot_history(history, *, title: str | None = None):
    """Courbes de perte et d'exactitude (apprentissage, puis le jeu d'évaluation de
    l'historique : validation ou test) en fonction des époques ; un historique vide donne des
    axes vides."""
    import matplotlib.pyplot as plt

    if not all(hasattr(history, k) for k in ("epoch", "train_loss", "eval_acc", "eval_name")):
        raise TypeError("history doit être un History (historique d'apprentissage) "
                        f"(reçu : {type(history).__name__})")
    drawn = ("train_loss", "train_acc") + (("eval_loss", "eval_acc") if history.eval_acc else ())
    wrong = [f"{k} {len(getattr(history, k))}" for k in drawn
             if len(getattr(history, k)) != len(history.epoch)]
    if wrong:
        raise ValueError("history doit avoir une valeur par mesure de epoch (reçu : epoch "
                         f"{len(history.epoch)}, {', '.join(wrong)})")

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    curves = [("train", "apprentissage")] + ([("eval", history.eval_name)]
                                             if history.eval_acc else [])
    for split, label in curves:
        ax_loss.plot(history.epoch, getattr(history, f"{split}_loss"), "o-", ms=3,
                     color=COLORS.get(label), label=label)
        acc = [100 * a for a in getattr(history, f"{split}_acc")]
        ax_acc.plot(history.epoch, acc, "o-", ms=3, color=COLORS.get(label), label=label)
    ax_loss.set(xlabel="époque", ylabel="perte (entropie croisée)", title="Perte")
    ax_acc.set(xlabel="époque", ylabel="exactitude (%)", title="Exactitude")
    for ax in (ax_loss, ax_acc):
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_losses(curves: dict, *, xlabel: str = "mini-lot", title: str = "Perte d'apprentissage",
                smooth: int = 1, logy: bool = False):
    """Plusieurs courbes de perte sur un même graphique : ``{nom : liste de valeurs}``.

    smooth : largeur de la moyenne glissante appliquée à chaque courbe (1 : aucune) ; une
    courbe plus courte que ``smooth`` (un apprentissage arrêté par une perte non finie) est
    tracée telle quelle, à ses vrais numéros de mini-lot.
    """
    import matplotlib.pyplot as plt

    _figure_inputs.mapping("curves", curves, what="un dictionnaire non vide {nom : valeurs}")
    smooth = _validate.integer("smooth", smooth, low=1)
    for name, values in curves.items():
        _figure_inputs.series(f"curves[{name!r}]", values)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, values in curves.items():
        values = torch.as_tensor(values, dtype=torch.float64)
        start = 1
        if smooth > 1 and len(values) >= smooth:
            values, start = values.unfold(0, smooth, 1).mean(dim=1), smooth  # moyenne glissante
        ax.plot(range(start, start + len(values)), values, label=str(name),
                color=COLORS.get(name))
    label = "perte" if smooth == 1 else f"perte (moyenne glissante sur {smooth})"
    ax.set(xlabel=xlabel, ylabel=label, title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_curves(curves: dict, *, x, xlabel: str, ylabel: str, title: str, logy: bool = False):
    """Plusieurs courbes ``{nom : valeurs}`` tracées en fonction des mêmes abscisses ``x``."""
    import matplotlib.pyplot as plt

    _figure_inputs.mapping("curves", curves, what="un dictionnaire non vide {nom : valeurs}")
    if isinstance(x, str | bytes) or np.ndim(x) != 1:
        raise TypeError(f"x doit être une liste d'abscisses (reçu : {x!r:.60})")
    for name, values in curves.items():
        _figure_inputs.series(f"curves[{name!r}]", values, length=len(x))
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, values in curves.items():
        ax.plot(x, values, label=str(name), color=COLORS.get(name))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_xy(curves: dict, *, xlabel: str, ylabel: str, title: str, logx: bool = False,
            logy: bool = False, markers: bool = True, ax=None):
    """Courbes ``{nom : (abscisses, ordonnées)}``, chacune avec ses propres abscisses.

    markers : marquer chaque point (à éviter pour des centaines de points) ;
    ax : un axe matplotlib existant où tracer (sinon, une nouvelle figure).
    """
    import matplotlib.pyplot as plt

    _figure_inputs.mapping("curves", curves, what="un dictionnaire non vide {nom : (x, y)}")
    for name, pair in curves.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise TypeError(f"curves[{name!r}] doit être un couple (x, y) (reçu : {pair!r:.60})")
        length = len(_figure_inputs.series(f"curves[{name!r}] (abscisses)", pair[0]))
        _figure_inputs.series(f"curves[{name!r}]", pair[1], length=length, unit="ordonnées")
    if ax is not None:
        from matplotlib.axes import Axes

        _validate.instance("ax", ax, Axes, "un axe matplotlib (Axes) ou None")
    else:
        _, ax = plt.subplots(figsize=(7, 3.8))
    for name, (xs, ys) in curves.items():
        ax.plot(xs, ys, "o-" if markers else "-", ms=3, label=str(name),
                color=COLORS.get(name))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def plot_confusion(cm: torch.Tensor, *, title: str = "Matrice de confusion (test)"):
    """Matrice de confusion (C, C) : lignes = vraie classe, colonnes = classe prédite."""
    import matplotlib.pyplot as plt

    _validate.tensor("cm", cm, integer=True)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or not len(cm) or int(cm.min()) < 0:
        raise ValueError(f"cm doit être un tenseur carré (C, C) de comptes ≥ 0, C ≥ 1 "
                         f"(reçu : forme {tuple(cm.shape)})")
    n = cm.shape[0]
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(cm.numpy(), cmap="Blues")
    ax.grid(False)
    threshold = cm.max().item() / 2
    for i in range(n):
        for j in range(n):
            value = int(cm[i, j])
            ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                    color="white" if value > threshold else "black")
    ax.set(xticks=range(n), yticks=range(n), xlabel="classe prédite", ylabel="vraie classe",
           title=title)
    fig.tight_layout()
    return fig


def plot_bars(values: dict, *, xlabel: str, ylabel: str, title: str, logy: bool = False):
    """Diagramme en barres ``{étiquette : valeur}`` (par exemple une norme par couche)."""
    import matplotlib.pyplot as plt

    _figure_inputs.mapping("values", values, what="un dictionnaire non vide {étiquette : valeur}")
    for key, value in values.items():
        _validate.number(f"values[{key!r}]", value)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar([str(k) for k in values], list(values.values()), color="tab:blue")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    fig.tight_layout()
    return fig
