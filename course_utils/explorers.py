"""Les widgets des chapitres : des figures du cours à explorer avec des curseurs.

Chaque fonction renvoie un ``Interactive`` (voir ``widgets.py``) prêt à afficher dans un
notebook ; tout se teste sans navigateur (on change ``.controls[nom].value`` et on regarde
``.figure``).
"""

import math

import ipywidgets as widgets
import torch

from course_utils.activations import ACTIVATIONS
from course_utils.diagnostics import layer_outputs
from course_utils.init import initialize_
from course_utils.models import mlp
from course_utils.plots import COLORS, plot_curves, plot_losses, show_images
from course_utils.surfaces import SURFACES
from course_utils.trajectories import HYPERPARAMETERS, METHODS, DescentFigure, trajectory
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


# Chapitres 04 et 05 : les méthodes de descente sur les surfaces 2D de ``surfaces.py``.
_STEPS = [50, 100, 150, 300, 500, 1000]
_OPTIONAL = ("momentum", "rho", "beta1", "beta2", "eps")  # contrôles propres à certaines méthodes


def _slider(description: str, *, value: float, low: float, high: float,
            step: float = 0.01) -> widgets.FloatSlider:
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, readout_format=".3g",
                               description=description, continuous_update=False,
                               style={"description_width": "initial"})


def _descent_view(controls: dict, *, reference: bool) -> Interactive:
    """Lignes de niveau et trajectoire, puis f − f* ; la grille est calculée une fois par
    surface. Les contrôles inutiles à la méthode choisie sont grisés."""
    grids = {}  # clé de surface → (X, Y, Z)
    canvas = DescentFigure(pyplot=False)  # une seule figure, mise à jour à chaque tracé

    def draw(surface, method, lr, steps, momentum=0.9, rho=0.9, beta1=0.9, beta2=0.999,
             eps=None):
        chosen = SURFACES[surface]
        if surface not in grids:
            grids[surface] = chosen.grid()
        points = trajectory(chosen, method, steps=steps, lr=lr, momentum=momentum, rho=rho,
                            betas=(beta1, beta2), eps=eps)
        values = {"lr": lr, "momentum": momentum, "rho": rho, "betas": (beta1, beta2),
                  "eps": eps}
        used = HYPERPARAMETERS[method]
        title = f"{METHODS[method]} : " + ", ".join(_describe(name, values[name]) for name in used)
        if len(points) < steps + 1:
            title += f" — divergence à l'itération {len(points)}"
        gd = trajectory(chosen, "gd", steps=steps, lr=lr) if reference and method != "gd" else None
        return canvas.show(chosen, points, label=METHODS[method], reference=gd,
                           reference_label="Descente de gradient (même pas)",
                           color=COLORS["SGD" if method == "gd" else method],
                           grid=grids[surface], title=title)

    controls["method"].observe(lambda _change: _gray_out(controls), names="value")
    _gray_out(controls)
    view = Interactive(draw, controls)
    view.widget.children[0].layout.flex_flow = "row wrap"  # plusieurs lignes de contrôles
    return view


def _gray_out(controls: dict) -> None:
    """Grise les curseurs sans effet sur la méthode choisie."""
    used = HYPERPARAMETERS[controls["method"].value]
    for name in _OPTIONAL:
        if name in controls:
            controls[name].disabled = ("betas" if name.startswith("beta") else name) not in used


def _describe(name: str, value) -> str:
    if name == "betas":
        return f"ρ₁ = {value[0]:.3g}, ρ₂ = {value[1]:.4g}"
    symbols = {"lr": "pas", "momentum": "momentum α", "rho": "ρ", "eps": "δ"}
    return f"{symbols[name]} = {value:.3g}"


def descent_explorer() -> Interactive:
    """Chapitre 04 : descente de gradient, momentum et Nesterov sur trois surfaces.

    À gauche, la trajectoire sur les lignes de niveau (et, en pointillés, la descente de
    gradient au même pas) ; à droite, f − f* au fil des itérations (échelle log).
    Par défaut, l'exemple du cours (Distill) : pas 0.0019, momentum 0.78, sur la quadratique
    mal conditionnée de ``surfaces.quadratic``. Notations du cours : v ← αv − ρ∇f, θ ← θ + v,
    avec ρ le pas et α le momentum (Distill écrit α pour le pas et β pour le momentum).
    """
    surfaces = {surface.name: key for key, surface in SURFACES.items()}
    methods = {METHODS[key]: key for key in ("gd", "momentum", "nesterov")}
    controls = {
        "surface": choice("surface", surfaces, value="quadratic"),
        "method": choice("méthode", methods, value="momentum"),
        "lr": log_slider("pas ρ", value=0.0019, min_exp=-4, max_exp=0, step=0.05),
        "momentum": _slider("momentum α", value=0.78, low=0.0, high=0.99),
        "steps": options_slider("itérations", _STEPS, value=150),
    }
    return _descent_view(controls, reference=True)


def adaptive_explorer() -> Interactive:
    """Chapitre 05 : les six méthodes du cours, avec leurs hyper-paramètres.

    Même figure que ``descent_explorer``. Les curseurs sans effet sur la méthode choisie sont
    grisés (le momentum pour AdaGrad, ρ₁ et ρ₂ hors d'Adam…) ; δ est commun à AdaGrad,
    RMSProp et Adam. Par défaut, Adam (pas 0.1) sur la quadratique mal conditionnée : le
    même pas ferait diverger la descente de gradient (stable seulement sous 2 / λ_max ≈ 0.0038).
    """
    surfaces = {surface.name: key for key, surface in SURFACES.items()}
    methods = {name: key for key, name in METHODS.items()}
    controls = {
        "surface": choice("surface", surfaces, value="quadratic"),
        "method": choice("méthode", methods, value="adam"),
        "lr": log_slider("pas", value=0.1, min_exp=-4, max_exp=0, step=0.05),
        "momentum": _slider("momentum α", value=0.9, low=0.0, high=0.99),
        "rho": _slider("ρ (RMSProp)", value=0.9, low=0.0, high=0.999, step=0.001),
        "beta1": _slider("ρ₁ (Adam)", value=0.9, low=0.0, high=0.999, step=0.001),
        "beta2": _slider("ρ₂ (Adam)", value=0.999, low=0.0, high=0.9999, step=0.0001),
        "eps": log_slider("δ", value=1e-8, min_exp=-10, max_exp=-1),
        "steps": options_slider("itérations", _STEPS, value=150),
    }
    return _descent_view(controls, reference=False)


def bn_placement_explorer(results: dict) -> Interactive:
    """Chapitre 06 : courbes d'apprentissage selon le placement de la normalisation par lots.

    results : ``{clé : historique (History.to_dict(), avec batch_loss)}`` précalculé (le
    ``"results"`` de ``experiments.cached_sweep`` avec ``bn_experiments.placement_configs()``
    et ``keep_batch_loss=True``) ; clé ``f"{placement}|{activation}|{lr:g}"``
    (``bn_experiments.placement_key``), placement parmi ``"none"``, ``"before"``, ``"after"``,
    ``"both"``. Il faut toutes les combinaisons placement × activation × pas. En gris, le
    run sans BN à la même activation et au même pas.
    """
    from course_utils.bn_experiments import PLACEMENTS, placement_key, plot_placement

    if not isinstance(results, dict) or not results:
        raise ValueError("results doit être un dictionnaire non vide {clé : historique}")
    parts = [key.split("|") for key in results]
    if any(len(p) != 3 or p[0] not in PLACEMENTS or p[1] not in ACTIVATIONS for p in parts):
        raise ValueError("chaque clé doit être « placement|activation|pas », par exemple "
                         "« before|relu|0.1 »")
    activations = sorted({p[1] for p in parts})
    rates = sorted({float(p[2]) for p in parts})
    missing = [placement_key(p, a, lr) for p in PLACEMENTS for a in activations for lr in rates
               if placement_key(p, a, lr) not in results]
    if missing:
        raise ValueError(f"combinaisons absentes de results : {', '.join(missing)}")

    def draw(placement, activation, lr):
        label = f"BN {PLACEMENTS[placement]}" if placement != "none" else "sans BN"
        reference = results[placement_key("none", activation, lr)]
        return plot_placement(results[placement_key(placement, activation, lr)],
                              None if placement == "none" else reference, label=label,
                              title=f"{ACTIVATIONS[activation].name}, pas {lr:g}")

    return Interactive(draw, {
        "placement": choice("BN", {name: key for key, name in PLACEMENTS.items()},
                            value="before"),
        "activation": choice("activation", {ACTIVATIONS[a].name: a for a in activations}),
        "lr": options_slider("pas d'apprentissage", rates, value=rates[len(rates) // 2]),
    })


def regularization_explorer(results: dict) -> Interactive:
    """Chapitre 07 : poids de la première couche et exactitudes selon la pénalisation L1 ou L2.

    results : le dictionnaire de ``reg_experiments.penalty_sweep`` (précalculé, par exemple
    avec ``cache.cached``) : un run par type et par α, plus le run « none ». À gauche,
    l'histogramme des poids de la première couche (échelle log, en gris sans pénalisation) ;
    à droite, les exactitudes d'apprentissage et de test selon α, et leur écart pour α choisi.
    Rien n'est réappris : chaque changement ne fait que retracer.
    """
    from course_utils.reg_experiments import alpha_label, penalty_key, plot_penalty

    if not isinstance(results, dict) or not {"kinds", "alphas", "edges", "runs"} <= set(results):
        raise ValueError("results doit être le dictionnaire renvoyé par penalty_sweep")
    kinds, alphas = results["kinds"], results["alphas"]
    keys = ["none"] + [penalty_key(kind, alpha) for kind in kinds for alpha in alphas]
    missing = [key for key in keys if key not in results["runs"]]
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
    """Chapitre 07 : courbes d'apprentissage selon la probabilité p d'éteindre une unité.

    results : le dictionnaire de ``reg_experiments.dropout_runs`` (précalculé). Pertes
    d'apprentissage et de test, exactitude de test, au fil des époques ; en gris, sans dropout.
    """
    from course_utils.reg_experiments import plot_dropout

    if not isinstance(results, dict) or not {"rates", "runs"} <= set(results):
        raise ValueError("results doit être le dictionnaire renvoyé par dropout_runs")
    missing = [f"{p:g}" for p in results["rates"] if f"{p:g}" not in results["runs"]]
    if missing:
        raise ValueError(f"runs absents de results : {', '.join(missing)}")

    def draw(p):
        return plot_dropout(results, p)

    rates = results["rates"]
    return Interactive(draw, {"p": options_slider(
        "p (probabilité d'éteindre)", [(f"{p:g}".replace(".", ","), p) for p in rates],
        value=max(rates))})
