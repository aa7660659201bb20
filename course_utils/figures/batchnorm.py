"""Figures et widget de la partie « Normalisation par lots » : statistiques courantes pas à
pas, régularité de la perte, courbes selon le placement de la BN et leur explorateur.

Les placements sont ceux de ``models.BATCH_NORM_PLACEMENTS`` (``None`` : sans BN), nommés et
colorés de la même façon dans toutes les figures.
"""

from collections.abc import Sequence
from types import MappingProxyType

import torch

from course_utils import _figure_inputs, _validate
from course_utils.activations import ACTIVATIONS
from course_utils.models import BATCH_NORM_PLACEMENTS
from course_utils.runs import Run, checked_run
from course_utils.sweeps import Runs
from course_utils.widgets import Interactive, choice, options_slider

PLACEMENT_COLORS = MappingProxyType({None: "gray", "before": "tab:blue",
                                     "after": "tab:orange", "both": "tab:green"})
"""Une couleur par placement de la BN, la même dans toutes les figures du chapitre."""


def _finish(fig, title: str | None):
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _decimal(value: float) -> str:
    """« 0,3 » : un nombre avec la virgule décimale."""
    return f"{value:g}".replace(".", ",")


def plot_running_statistics(trace: dict, *, title: str | None = None):
    """Statistiques courantes μ̂, σ̂² d'une couche BN et vraies statistiques, pas à pas
    (une trace de ``lab.batchnorm.train_with_trace``)."""
    import matplotlib.pyplot as plt

    keys = ("true_mean", "true_var", "running_mean", "running_var")
    _figure_inputs.mapping("trace", trace, keys=keys,
                           what="une trace de lab.batchnorm.train_with_trace")
    n = len(_figure_inputs.series("trace['true_mean']", trace["true_mean"]))
    for key in keys:
        _figure_inputs.series(f"trace[{key!r}]", trace[key], length=n, unit="valeurs")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    steps = range(len(trace["true_mean"]))
    panels = (("mean", "moyenne", "μ"), ("var", "variance", "σ²"))
    for ax, (stat, name, symbol) in zip(axes, panels, strict=True):
        ax.plot(steps, trace[f"running_{stat}"], "o-", ms=3, label=f"{name} courante (BN)")
        ax.plot(steps, trace[f"true_{stat}"], "s--", ms=3, color="black",
                label=f"vraie {name} (tout le jeu)")
        ax.set(xlabel="pas d'apprentissage", ylabel=f"{symbol} (moyenne sur les unités)",
               title=name.capitalize(), yscale="linear" if stat == "mean" else "log")
        ax.legend(fontsize=8)
    return _finish(fig, title)


def plot_smoothness(profiles: Sequence[dict], *, title: str | None = None):
    """Variation de la perte et du gradient le long de g, pour chaque profil de
    ``lab.batchnorm.smoothness_profile`` (nommé par son placement de la BN)."""
    import matplotlib.pyplot as plt

    what = "une liste non vide de profils (lab.batchnorm.smoothness_profile)"
    for i, profile in enumerate(_figure_inputs.sequence("profiles", profiles, what)):
        _figure_inputs.mapping(f"profiles[{i}]", profile, what="un profil de "
                               "lab.batchnorm.smoothness_profile",
                               keys=("settings", "step", "loss_range", "grad_change"))
        _validate.choice(f"profiles[{i}] (placement)", _figure_inputs.mapping(
            f"profiles[{i}]['settings']", profile["settings"], keys=("batch_norm",))[
            "batch_norm"], PLACEMENT_COLORS)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    panels = (("loss_range", "max − min de la perte", "Paysage de perte"),
              ("grad_change", "max ‖∇L(θ − ηg) − ∇L(θ)‖", "Variation du gradient"))
    for ax, (key, ylabel, name) in zip(axes, panels, strict=True):
        for profile in profiles:
            placement = profile["settings"]["batch_norm"]
            ax.plot(profile["step"], profile[key], "o-", ms=3, color=PLACEMENT_COLORS[placement],
                    label=BATCH_NORM_PLACEMENTS[placement])
        ax.set(xlabel="pas d'apprentissage", ylabel=ylabel, title=name, yscale="log")
        ax.legend(fontsize=8)
    return _finish(fig, title)


def _check_runs(runs) -> None:
    if not isinstance(runs, Runs) or not len(runs):
        raise TypeError("runs doit être un Runs non vide (résultat de sweeps.cached_sweep)")


def plot_placements(runs: Runs, *, title: str | None = None):
    """Exactitude d'évaluation au fil de l'apprentissage, une case par activation et une
    courbe par placement de la BN (un run par couple placement × activation)."""
    import matplotlib.pyplot as plt

    _check_runs(runs)
    activations = runs.values("activation")
    fig, axes = plt.subplots(1, len(activations), figsize=(5 * len(activations), 3.6),
                             sharey=True, squeeze=False)
    for ax, activation in zip(axes[0], activations, strict=True):
        for run in runs.where(activation=activation):
            placement, history = run.config.batch_norm, run.history
            ax.plot(history.epoch, [100 * a for a in history.eval_acc], "o-", ms=3,
                    color=PLACEMENT_COLORS[placement], label=BATCH_NORM_PLACEMENTS[placement])
        ax.set(xlabel="époque", title=ACTIVATIONS[activation].name)
        ax.legend(fontsize=8)
    axes[0][0].set_ylabel(f"exactitude ({runs[0].history.eval_name}) (%)")
    return _finish(fig, title)


def plot_placement(run: Run, reference: Run | None = None, *, smooth: int = 20,
                   title: str | None = None):
    """Perte par mini-lot (moyenne glissante sur ``smooth``) et exactitude d'évaluation d'un
    run, et en gris la référence sans BN (``None`` : aucune). Une perte qui diverge (nan ou
    inf) est signalée dans la légende."""
    import matplotlib.pyplot as plt

    checked_run("run", run)
    _ = reference is None or checked_run("reference", reference)
    smooth = _validate.integer("smooth", smooth, low=1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    curves = [(run, BATCH_NORM_PLACEMENTS[run.config.batch_norm], "-")]
    if reference is not None:
        curves.append((reference, "référence sans BN", "--"))
    for shown, name, style in curves:
        history = shown.history
        loss = torch.as_tensor(history.batch_loss, dtype=torch.float64)
        if not torch.isfinite(loss).all():
            name += " (divergence)"
        width = smooth if len(loss) >= smooth else 1
        loss = loss.unfold(0, width, 1).mean(dim=1)  # moyenne glissante, (n − width + 1,)
        color = PLACEMENT_COLORS[shown.config.batch_norm]
        accuracy = f"{100 * history.eval_acc[-1]:.1f}".replace(".", ",")
        ax_loss.plot(range(width, width + len(loss)), loss, style, color=color, label=name)
        ax_acc.plot(history.epoch, [100 * a for a in history.eval_acc], style, marker="o",
                    ms=3, color=color,
                    label=f"{name} : {accuracy} %")
    ax_loss.set(xlabel="mini-lot", ylabel=f"perte (moyenne glissante sur {smooth})",
                title="Perte d'apprentissage")
    ax_acc.set(xlabel="époque", ylabel="exactitude (%)",
               title=f"Exactitude ({run.history.eval_name})")
    for ax in (ax_loss, ax_acc):
        ax.legend(fontsize=8)
    return _finish(fig, title)


def bn_placement_explorer(runs: Runs) -> Interactive:
    """Courbes d'apprentissage selon le placement de la BN, l'activation et le pas.

    runs : un balayage placement × activation × pas (``cached_sweep(…,
    keep_batch_loss=True)``), un run par combinaison ; les choix proposés sont les valeurs
    de ses réglages. En gris, le run sans BN (``batch_norm=None``) à la même activation et
    au même pas, s'il fait partie du balayage.
    """
    _check_runs(runs)
    placements, activations = runs.values("batch_norm"), runs.values("activation")
    rates = sorted(runs.values("lr"))
    missing = [f"batch_norm={p!r}, activation={a!r}, lr={lr:g}" for p in placements
               for a in activations for lr in rates
               if len(runs.where(batch_norm=p, activation=a, lr=lr)) != 1]
    if missing:
        raise ValueError("runs doit avoir un run par combinaison ; absentes ou en double : "
                         f"{'; '.join(missing)}")

    def draw(placement, activation, lr):
        chosen = placements[placement]  # position dans la liste (None n'est pas une valeur
        # possible d'une liste déroulante : elle y veut dire « rien de choisi »)
        reference = (runs.get(batch_norm=None, activation=activation, lr=lr)
                     if None in placements and chosen is not None else None)
        return plot_placement(runs.get(batch_norm=chosen, activation=activation, lr=lr),
                              reference, title=f"{ACTIVATIONS[activation].name}, pas "
                                               f"{_decimal(lr)}")

    first = placements.index("before") if "before" in placements else 0
    return Interactive(draw, {
        "placement": choice("BN", [(BATCH_NORM_PLACEMENTS[p], i)
                                   for i, p in enumerate(placements)], value=first),
        "activation": choice("activation", {ACTIVATIONS[a].name: a for a in activations}),
        "lr": options_slider("pas d'apprentissage", [(_decimal(lr), lr) for lr in rates],
                             value=rates[len(rates) // 2]),
    })
