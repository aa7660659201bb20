"""Figures couche par couche : galerie des activations, histogrammes par couche."""

import matplotlib.pyplot as plt
import torch


def plot_activation_gallery(activations, *, low: float = -5.0, high: float = 5.0):
    """Chaque fonction d'activation (trait plein) et sa dérivée (tirets), une case chacune.

    activations : ``{clé : Activation}`` (voir ``activations.ACTIVATIONS``) ; la légende
    donne le facteur de dispersion du gradient max f′.
    """
    if not activations:
        raise ValueError("activations ne doit pas être vide")
    x = torch.linspace(low, high, 401, dtype=torch.float64)
    ncols = 5
    nrows = (len(activations) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 2.6 * nrows), squeeze=False)
    for ax, activation in zip(axes.flat, activations.values(), strict=False):
        ax.plot(x, activation.fn(x), color="tab:blue", label="f(x)")
        ax.plot(x, activation.grad(x), "--", color="tab:orange",
                label=f"f′(x), max {activation.max_grad:.3g}")
        ax.axhline(0, color="black", lw=0.5)
        ax.set(title=activation.name, xlabel="x", ylim=(-2, 3))
        ax.legend(fontsize=7, loc="upper left")
    for ax in list(axes.flat)[len(activations):]:
        ax.axis("off")
    fig.suptitle("Fonctions d'activation et leurs dérivées")
    fig.tight_layout()
    return fig


def plot_layer_histograms(rows: dict, *, layers: list[int], xlabel: str, title: str,
                          bins: int = 50, logx: bool = False):
    """Grille d'histogrammes : une ligne par entrée de ``rows``, une colonne par couche.

    Les histogrammes d'une même ligne partagent leur axe horizontal : on voit les valeurs se
    resserrer (ou s'étaler) d'une couche à l'autre.

    rows : ``{nom de la ligne : liste de tenseurs, un par couche}`` ; layers : numéros des
    couches à montrer (à partir de 1). ``logx`` : histogramme de log10 |valeur|.
    """
    if not rows or not layers:
        raise ValueError("rows et layers ne doivent pas être vides")
    fig, axes = plt.subplots(len(rows), len(layers), figsize=(2.4 * len(layers),
                             1.9 * len(rows)), squeeze=False, sharex="row")
    for i, (name, tensors) in enumerate(rows.items()):
        for j, layer in enumerate(layers):
            if not 1 <= layer <= len(tensors):
                raise ValueError(f"couche {layer} absente de « {name} » ({len(tensors)} couches)")
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
