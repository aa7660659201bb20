"""Figures et widgets de la partie « Régularisation » : images mélangées (Mixup, Cutout,
CutMix), poids et exactitudes selon la pénalisation, courbes selon le dropout.

Les widgets relisent les résultats enregistrés de :mod:`course_utils.lab.regularization`
(rien n'est réappris : chaque changement ne fait que retracer).
"""

import torch
import torch.nn.functional as F

from course_utils import _figure_inputs, _validate
from course_utils.augmentation import cutmix, cutout, mixup
from course_utils.data import SIDE, denormalize
from course_utils.lab.regularization import alpha_label, find
from course_utils.plots import COLORS
from course_utils.widgets import Interactive, choice, options_slider

_SPLITS = (("train", "apprentissage"), ("test", "test"))


def _decimal(value: float) -> str:
    """« 0,63 » (virgule décimale, deux chiffres), « 1 » au-delà de 0,995."""
    return "1" if value > 0.995 else f"{value:.2f}".replace(".", ",")


def _soft_title(target: torch.Tensor) -> str:
    """Cible douce (C,) → « 7 : 0,63 / 1 : 0,37 », classes de poids > 0,005, la plus lourde
    d'abord."""
    order = target.argsort(descending=True).tolist()
    return " / ".join(f"{k} : {_decimal(float(target[k]))}" for k in order if target[k] > 0.005)


def plot_mixing_examples(x: torch.Tensor, y: torch.Tensor, *, n: int = 6, alpha: float = 1.0,
                         seed: int = 0):
    """Les n premières images de x (N, 784), puis Mixup, Cutout et CutMix sur ces mêmes
    images, chacune titrée par sa cible douce (« 7 : 0,6 / 1 : 0,4 »). alpha : λ ~ Beta(α, α)
    de Mixup et CutMix (1 : λ uniforme, mélanges bien visibles ; le chapitre apprend avec
    0,2 pour Mixup). Tirages sous la graine ``seed``."""
    import matplotlib.pyplot as plt

    _validate.shape("x", x, (None, SIDE * SIDE))
    _validate.labels("y", y, n=len(x), classes=10)
    n = _validate.integer("n", n, low=1, high=len(x))
    seed = _validate.integer("seed", seed, low=0)
    x, y, generator = x[:n], y[:n], torch.Generator().manual_seed(seed)
    rows = {"origine": (x, F.one_hot(y, 10).float()),
            "Mixup": mixup(x, y, alpha=alpha, generator=generator),
            "Cutout": cutout(x, y, size=8, generator=generator),
            "CutMix": cutmix(x, y, alpha=alpha, generator=generator)}
    fig, axes = plt.subplots(len(rows), n, figsize=(1.6 * n, 1.8 * len(rows)), squeeze=False)
    for axes_row, (name, (images, targets)) in zip(axes, rows.items(), strict=True):
        pixels = denormalize(images).clamp(0, 1).reshape(n, SIDE, SIDE)  # dans [0, 1]
        for ax, image, target in zip(axes_row, pixels, targets, strict=True):
            ax.imshow(image.numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.set(xticks=[], yticks=[], title=_soft_title(target))
            ax.title.set_fontsize(8)
            ax.grid(False)
        axes_row[0].set_ylabel(name)
    fig.tight_layout()
    return fig


def _p_label(p: float) -> str:
    return f"{p:g}".replace(".", ",")


def _decimals(value: float, digits: int) -> str:
    """Nombre à ``digits`` décimales, virgule décimale : 12.04 → « 12,0 »."""
    return f"{value:.{digits}f}".replace(".", ",")


def plot_penalty(sweep: dict, kind: str, alpha: float):
    """Résultats de ``penalty_sweep`` pour (kind, alpha) : à gauche, l'histogramme des poids
    de la première couche (échelle log, en gris sans pénalisation) ; à droite, les
    exactitudes d'apprentissage et de test selon α pour ``kind`` (pointillés : sans
    pénalisation)."""
    import matplotlib.pyplot as plt

    _figure_inputs.mapping("sweep", sweep, keys=("runs", "edges", "alphas"),
                      what="le dictionnaire renvoyé par penalty_sweep")
    runs, name = sweep["runs"], _validate.choice("kind", kind, ("l1", "l2")).upper()
    chosen = _find("sweep['runs']", runs, penalty=kind, penalty_alpha=alpha)
    reference = _find("sweep['runs']", runs, penalty=None)
    fig, (ax_hist, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax_hist.stairs(reference["counts"], sweep["edges"], color="gray", ls="--",
                   label="sans pénalisation")
    ax_hist.stairs(chosen["counts"], sweep["edges"], color="tab:blue",
                   label=f"{name}, α = {alpha_label(alpha)}")
    ax_hist.set(yscale="log", xlabel="poids w de la première couche", ylabel="nombre de poids",
                title=f"{100 * chosen['sparsity_first']:.0f} % des poids avec |w| < 10⁻³")
    for split, label in _SPLITS:
        accuracies = [100 * find(runs, penalty=kind, penalty_alpha=a)[f"{split}_acc"]
                      for a in sweep["alphas"]]
        ax_acc.plot(sweep["alphas"], accuracies, "o-", ms=3, color=COLORS[label], label=label)
        ax_acc.axhline(100 * reference[f"{split}_acc"], color=COLORS[label], ls=":", lw=1)
    ax_acc.axvline(alpha, color="black", lw=0.8)
    ax_acc.set(xscale="log", xlabel=f"α ({name})", ylabel="exactitude (%)",
               title=f"Écart apprentissage − test : {_decimals(100 * chosen['gap'], 1)} points "
                     f"(perte : {_decimals(chosen['test_loss'] - chosen['train_loss'], 3)})")
    for ax in (ax_hist, ax_acc):
        ax.legend(fontsize=8)
    fig.suptitle(f"Pénalisation {name}, α = {alpha_label(alpha)}")
    fig.tight_layout()
    return fig


def plot_dropout(results: dict, p: float):
    """Résultats de ``dropout_runs`` pour le dropout p : pertes d'apprentissage et de test (à
    gauche), exactitude de test (à droite) au fil des époques ; en gris, sans dropout."""
    import matplotlib.pyplot as plt

    _figure_inputs.mapping("results", results, keys=("runs", "rates"),
                      what="le dictionnaire renvoyé par dropout_runs")
    chosen = _find("results['runs']", results["runs"], dropout=p)
    shown = [chosen] + ([find(results["runs"], dropout=0.0)]
                        if p != 0 and 0 in results["rates"] else [])
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    for record in shown:
        history, grey = record["history"], record is not chosen  # gris : sans dropout
        tag = "p = " + _p_label(record["config"]["dropout"])
        for split, label in _SPLITS:
            losses = history["train_loss" if split == "train" else "eval_loss"]
            ax_loss.plot(history["epoch"], losses, color="gray" if grey else COLORS[label],
                         label=f"{label}, {tag}",
                         ls={"train": ":", "test": "--"}[split] if grey else "-")
        ax_acc.plot(history["epoch"], [100 * a for a in history["eval_acc"]],
                    color="gray" if grey else COLORS["test"], ls="--" if grey else "-",
                    label=f"{tag} : {_decimals(100 * record['test_acc'], 1)} %")
    ax_loss.set(xlabel="époque", ylabel="perte (entropie croisée)", yscale="log", title="Perte")
    ax_acc.set(xlabel="époque", ylabel="exactitude (%)", title="Exactitude de test")
    for ax in (ax_loss, ax_acc):
        ax.legend(fontsize=8)
    fit = chosen.get("epochs_to_fit")
    fig.suptitle(f"Dropout p = {_p_label(p)} : perte d'apprentissage < 0,05 "
                 + ("jamais atteinte" if fit is None else f"à l'époque {fit}"))
    fig.tight_layout()
    return fig


def _find(name: str, records, **fields) -> dict:
    """``find(records, **fields)``, ses erreurs rapportées à l'argument ``name``."""
    try:
        return find(records, **fields)
    except KeyError as exc:
        raise ValueError(f"{name} : {exc.args[0]}") from None


def _missing(records: list[dict], wanted: list[tuple[str, dict]]) -> list[str]:
    """Les noms des réglages ``(nom, champs)`` de ``wanted`` absents de ``records``."""
    absent = []
    for name, fields in wanted:
        try:
            find(records, **fields)
        except KeyError:
            absent.append(name)
    return absent


def regularization_explorer(results: dict) -> Interactive:
    """Poids de la première couche et exactitudes selon la pénalisation L1 ou L2 et α.

    results : le dictionnaire de ``lab.regularization.penalty_sweep`` (précalculé, par
    exemple avec ``cache.cached``) : un run par type et par α, plus le run sans
    pénalisation. Voir :func:`plot_penalty`.
    """
    if not isinstance(results, dict) or not {"kinds", "alphas", "edges", "runs"} <= set(results):
        raise ValueError("results doit être le dictionnaire renvoyé par penalty_sweep")
    _figure_inputs.sequence("results['runs']", results["runs"], "une liste d'enregistrements")
    kinds, alphas = results["kinds"], results["alphas"]
    missing = _missing(results["runs"], [("sans pénalisation", {"penalty": None})] + [
        (f"{kind.upper()} α = {alpha_label(a)}", {"penalty": kind, "penalty_alpha": a})
        for kind in kinds for a in alphas])
    if missing:
        raise ValueError(f"runs absents de results : {', '.join(missing)}")

    def draw(kind, alpha):
        return plot_penalty(results, kind, alpha)

    return Interactive(draw, {
        "kind": choice("pénalisation", {kind.upper(): kind for kind in kinds}),
        "alpha": options_slider("α", [(alpha_label(a), a) for a in alphas],
                                value=alphas[len(alphas) // 2]),
    })


def dropout_explorer(results: dict) -> Interactive:
    """Courbes d'apprentissage selon la probabilité p d'éteindre une unité.

    results : le dictionnaire de ``lab.regularization.dropout_runs`` (précalculé). Voir
    :func:`plot_dropout`.
    """
    if not isinstance(results, dict) or not {"rates", "runs"} <= set(results):
        raise ValueError("results doit être le dictionnaire renvoyé par dropout_runs")
    _figure_inputs.sequence("results['runs']", results["runs"], "une liste d'enregistrements")
    rates = _figure_inputs.sequence("results['rates']", results["rates"], "une liste de p")
    missing = _missing(results["runs"], [(f"p = {_p_label(p)}", {"dropout": p}) for p in rates])
    if missing:
        raise ValueError(f"runs absents de results : {', '.join(missing)}")

    def draw(p):
        return plot_dropout(results, p)

    return Interactive(draw, {"p": options_slider(
        "p (probabilité d'éteindre)", [(_p_label(p), p) for p in rates], value=max(rates))})
