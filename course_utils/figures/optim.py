"""Figures et widgets de la descente de gradient et du momentum (chapitre 4), et la vue 2D
partagée avec le pas adaptatif (chapitre 5, :mod:`course_utils.figures.adaptive`).

- :class:`DescentFigure` et :func:`plot_descent` : lignes de niveau et trajectoire, puis
  f − f* au fil des itérations ;
- :func:`descent_view` : le widget commun (surface, méthode, pas, hyper-paramètres) ;
  :func:`descent_explorer` : sa version du chapitre 4 ;
- :func:`plot_batch_sizes` : perte d'évaluation selon les exemples vus et la durée, pour
  plusieurs tailles de mini-lots.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np

from course_utils import _figure_inputs, _validate
from course_utils.lab.optim import trajectory
from course_utils.lab.surfaces import SURFACES, Surface
from course_utils.plots import COLORS, plot_xy
from course_utils.runs import OPTIMIZERS, checked_run
from course_utils.widgets import (
    Backdrop,
    Interactive,
    agg_figure,
    choice,
    log_slider,
    options_slider,
    touches,
)

if TYPE_CHECKING:
    import ipywidgets as widgets

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _log_tick(value: float, decades: float) -> str:
    """« 10⁻³ », « 2·10⁻³ » en texte simple (le rendu mathtext coûte cher à chaque
    tracé) ; les mantisses 2 et 5 ne sont écrites que si l'axe couvre moins de 1.5 décade."""
    if value <= 0:
        return ""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0**exponent)
    power = "10" + str(exponent).translate(_SUPERSCRIPTS)
    if mantissa == 1:
        return power
    return f"{mantissa}·{power}" if mantissa in (2, 5) and decades < 1.5 else ""


def _loss(surface: Surface, path: np.ndarray, f_star: float | None) -> np.ndarray:
    """f(θ_k) − f* (n,), au moins 10⁻²⁰ et l'erreur d'arrondi sur f* (échelle log)."""
    if f_star is None:
        return surface.values(path)
    floor = max(1e-20, 2 * np.finfo(np.float64).eps * abs(f_star))  # en deçà : du bruit
    return np.maximum(surface.values(path) - f_star, floor)


class DescentFigure:
    """Deux panneaux côte à côte : lignes de niveau et trajectoire, puis f − f* par itération.

    La figure (``.figure``) est construite une fois puis mise à jour sur place par ``show`` :
    un widget la retrace ainsi bien plus vite qu'en recréant axes et graduations. Les lignes
    de niveau ne sont recalculées que lorsque la surface change, et ``png`` ne redessine
    que ce qui change d'un tracé à l'autre.

    pyplot=False : figure tenue hors de pyplot (jamais affichée d'office en fin de cellule),
    avec son propre canevas Agg, que l'on peut fermer et retracer sans le recréer (widgets).
    """

    def __init__(self, *, pyplot: bool = True):
        from matplotlib.ticker import MaxNLocator

        size = (9, 3.4)  # pouces ; peu de textes (le plus coûteux à chaque rendu)
        if _validate.boolean("pyplot", pyplot):
            import matplotlib.pyplot as plt

            self.figure = plt.figure(figsize=size)
        else:
            self.figure = agg_figure(size)
        self.ax_map, self.ax_loss = self.figure.subplots(1, 2,
                                                         gridspec_kw={"width_ratios": [1.5, 1]})
        self.figure.subplots_adjust(left=0.05, right=0.98, bottom=0.14, top=0.84, wspace=0.2)
        # (panneau de gauche, panneau de droite) pour la trajectoire, puis pour la référence
        # (au-dessus des lignes de niveau : zorder 3)
        self.paths = [(self.ax_map.plot([], [], marker="o", ms=2.5, lw=1.2, zorder=3)[0],
                       self.ax_loss.plot([], [], marker="o", ms=2.5, lw=1.2)[0])]
        self.paths.append((self.ax_map.plot([], [], color="0.45", ls="--", lw=1, zorder=3)[0],
                           self.ax_loss.plot([], [], color="0.45", ls="--", lw=1)[0]))
        self.star = self.ax_map.plot([], [], "*", color="black", ms=11, zorder=4,
                                     label="minimum")[0]
        self.title = self.figure.suptitle("")
        for axis in (self.ax_map.xaxis, self.ax_map.yaxis, self.ax_loss.xaxis):
            axis.set_major_locator(MaxNLocator(5, integer=axis is self.ax_loss.xaxis))
        self.ax_loss.set_xlabel("itération")
        self.ax_map.grid(False)  # les lignes de niveau suffisent ; un quadrillage coûte au rendu
        self.surface, self.contours = None, {}  # surface → ses lignes de niveau
        self.backdrop = Backdrop(self.figure)  # les fonds gardés par png
        self._legend_key, self._legend_boxes = None, {}

    def _set_surface(self, surface: Surface, grid) -> None:
        from matplotlib.ticker import FuncFormatter, LogLocator

        self.f_star = None if surface.minimum is None else surface.f_min()
        if surface not in self.contours:  # gardées, masquées quand la surface change
            X, Y, Z = surface.grid() if grid is None else grid
            gap = Z - (Z.min() if self.f_star is None else self.f_star)  # ≥ 0 : niveaux en log
            top = float(gap.max())
            self.contours[surface] = self.ax_map.contour(
                X, Y, gap, levels=np.geomspace(top * 1e-5, top, 16), colors="0.75",
                linewidths=0.7)
        for shown, contours in self.contours.items():
            contours.set_visible(shown == surface)
        self.ax_map.set(xlim=surface.xlim, ylim=surface.ylim, title=surface.name)
        self.ax_map.set_aspect("equal", adjustable="box")
        self.ax_map.apply_aspect()  # position définitive du panneau, avant tout tracé
        x, y = ([], []) if surface.minimum is None else ([v] for v in surface.minimum)
        self.star.set_data(x, y)
        ylabel = "f(θ)" if self.f_star is None else "f(θ) − f*"
        self.ax_loss.set_yscale("linear" if self.f_star is None else "log")
        if self.f_star is not None:
            formatter = FuncFormatter(lambda value, _: _log_tick(value, self._decades()))
            self.ax_loss.yaxis.set_major_formatter(formatter)
            self.ax_loss.yaxis.set_minor_formatter(formatter)
            self.ax_loss.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))  # peu de traits
        self.ax_loss.set_ylabel(ylabel)
        self.surface = surface

    def _decades(self) -> float:
        low, high = self.ax_loss.get_ylim()
        return math.log10(high / low)

    def show(self, surface: Surface, points: np.ndarray, *, label: str,
             color: str = "tab:orange", reference: np.ndarray | None = None,
             reference_label: str = "", grid: tuple | None = None, title: str | None = None):
        """Trace ``points`` (n, 2) et, en pointillés gris, ``reference`` (m, 2) facultative.

        grid : (X, Y, Z) de ``surface.grid()``, à précalculer pour retracer vite ; les
        lignes de niveau d'une surface sont calculées à son premier tracé, puis gardées.
        À droite, f − f* en échelle log (au moins 10⁻²⁰ et l'arrondi sur f*) ; sans minimum
        connu, f en échelle linéaire. Renvoie la figure.
        """
        if not isinstance(surface, Surface):
            raise TypeError(f"surface doit être une Surface (reçu : {type(surface).__name__})")
        _figure_inputs.points("points", points)
        _ = reference is None or _figure_inputs.points("reference", reference)
        if surface is not self.surface:
            self._set_surface(surface, grid)
        for (on_map, on_loss), path, name in zip(self.paths, (points, reference),
                                                 (label, reference_label), strict=True):
            for line in (on_map, on_loss):
                line.set_visible(path is not None)
                line.set_label(name)
            if path is not None:
                on_map.set_data(path[:, 0], path[:, 1])
                on_loss.set_data(np.arange(len(path)), _loss(surface, path, self.f_star))
        for line in self.paths[0]:
            line.set_color(color)
        legend_key = (label, color, reference is not None, reference_label,
                      surface.minimum is not None)
        if legend_key != self._legend_key:  # une légende neuve seulement si elle change
            shown = [line for line, _ in self.paths if line.get_visible()]
            if surface.minimum is not None:
                shown.append(self.star)
            self.ax_map.legend(handles=shown, loc="upper left", fontsize=8, frameon=False,
                               handlelength=1.5, borderpad=0.2, labelspacing=0.2)
            self._legend_key = legend_key
        self.ax_loss.relim(visible_only=True)
        self.ax_loss.autoscale_view()
        self.title.set_text(title or "")
        return self.figure

    def png(self) -> bytes:
        """Image PNG de la figure (les pixels de ``savefig``), vite retracée.

        Gardés d'un tracé à l'autre : le fond (lignes de niveau, axes et titre de gauche),
        tracé une fois par surface, puis ce fond avec les abscisses de droite et la légende,
        selon le nombre d'itérations et la légende. Seuls les trajectoires, le minimum, les
        ordonnées de droite et le titre sont redessinés, dans l'ordre où matplotlib les
        dessine ; une trajectoire qui passe sous la légende la fait redessiner par-dessus.
        """
        if self.surface is None:
            raise ValueError("rien à tracer : appelez d'abord show")
        legend = self.ax_map.get_legend()
        renderer = self.figure.canvas.get_renderer()
        box_key = (self.surface, self._legend_key, self.figure.dpi)
        if box_key not in self._legend_boxes:
            self._legend_boxes[box_key] = legend.get_window_extent(renderer)
        covered = touches([*(on_map for on_map, _ in self.paths), self.star],
                          self._legend_boxes[box_key])
        layer = [self.ax_loss.xaxis, *([] if covered else [legend])]
        foreground = [*(on_map for on_map, _ in self.paths), self.star,
                      *([legend] if covered else []), self.ax_loss.yaxis,
                      *(on_loss for _, on_loss in self.paths),
                      *self.ax_loss.spines.values(), self.title]
        key = (self.ax_loss.get_xlim(), None if covered else self._legend_key)
        return self.backdrop.png(foreground, key=self.surface, layers=[(key, layer)])


def plot_descent(surface: Surface, points: np.ndarray, *, label: str, color: str = "tab:orange",
                 reference: np.ndarray | None = None, reference_label: str = "",
                 title: str | None = None):
    """Figure de ``DescentFigure`` pour une seule trajectoire (voir ``DescentFigure.show``)."""
    return DescentFigure().show(surface, points, label=label, reference=reference,
                                color=_figure_inputs.color("color", color),
                                reference_label=reference_label, title=title)


# --- Le widget des descentes sur les surfaces 2D (chapitres 4 et 5) -------------------------

STEP_OPTIONS = (50, 100, 150, 300, 500, 1000)
# contrôle du widget → hyper-paramètre du registre qu'il règle
_HYPERPARAMETER = {"momentum": "momentum", "rho": "rho", "beta1": "betas", "beta2": "betas",
                   "eps": "eps"}


def hyper_slider(description: str, *, value: float, low: float, high: float,
                 step: float = 0.01) -> widgets.FloatSlider:
    """Curseur linéaire d'un hyper-paramètre (momentum α, ρ, ρ₁, ρ₂)."""
    import ipywidgets as widgets

    value, low, high = (_validate.real(k, v) for k, v in (("value", value), ("low", low),
                                                          ("high", high)))
    step = _validate.positive("step", step)
    if not low < high or not low <= value <= high:
        raise ValueError(f"low, value et high doivent vérifier low ≤ value ≤ high et low < high "
                         f"(reçu : {low}, {value}, {high})")
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, readout_format=".3g",
                               description=description, continuous_update=False,
                               style={"description_width": "initial"})


def descent_view(optimizers: tuple[str, ...], *, value: str, lr_label: str, lr: float,
                 hyper: dict[str, widgets.ValueWidget], reference: bool) -> Interactive:
    """Widget : lignes de niveau et trajectoire, puis f − f*, pour l'optimiseur choisi.

    optimizers : les noms du registre proposés (``value`` au départ) ; lr_label, lr :
    étiquette et valeur initiale du curseur du pas ; hyper : les curseurs des autres
    hyper-paramètres, par nom d'argument (« momentum », « rho », « beta1 », « beta2 »,
    « eps ») ; reference : tracer aussi, en pointillés, la descente de gradient au même pas.
    Les curseurs sans effet sur l'optimiseur choisi sont grisés ; la grille des lignes de
    niveau est calculée une fois par surface.
    """
    optimizers = _figure_inputs.descent_view(
        optimizers, value, lr, hyper, reference, sliders=_HYPERPARAMETER,
        known=[name for name, spec in OPTIMIZERS.items() if spec.update is not None])
    controls = {
        "surface": choice("surface", {s.name: key for key, s in SURFACES.items()},
                          value="quadratic"),
        "optimizer": choice("méthode", {OPTIMIZERS[name].label: name for name in optimizers},
                            value=value),
        "lr": log_slider(lr_label, value=lr, min_exp=-4, max_exp=0, step=0.05),
        **hyper,
        "steps": options_slider("itérations", list(STEP_OPTIONS), value=150),
    }
    grids = {}  # clé de surface → (X, Y, Z)
    canvas = DescentFigure(pyplot=False)  # une seule figure, mise à jour à chaque tracé

    # Trajectoires gardées par réglage : la référence ne bouge pas avec le momentum, et
    # revenir à un réglage déjà vu ne recalcule rien.
    @functools.lru_cache(maxsize=64)
    def descend(surface, optimizer, steps, lr, **hyperparameters):
        return trajectory(SURFACES[surface], optimizer, steps=steps, lr=lr, **hyperparameters)

    def draw(surface, optimizer, lr, steps, momentum=0.9, rho=0.9, beta1=0.9, beta2=0.999,
             eps=None):
        chosen, label = SURFACES[surface], OPTIMIZERS[optimizer].label
        if surface not in grids:
            grids[surface] = chosen.grid()
        values = {"lr": lr, "momentum": momentum, "rho": rho, "betas": (beta1, beta2),
                  "eps": eps}
        used = ("lr", *OPTIMIZERS[optimizer].hyperparameters)
        points = descend(surface, optimizer, steps, **{name: values[name] for name in used})
        title = f"{label} : " + ", ".join(_describe(name, values[name]) for name in used
                                         if values[name] is not None)
        if len(points) < steps + 1:
            title += f" — divergence à l'itération {len(points)}"
        gd = descend(surface, "sgd", steps, lr=lr) if reference and optimizer != "sgd" else None
        return canvas.show(chosen, points, label=label, reference=gd,
                           reference_label=f"{OPTIMIZERS['sgd'].label} (même pas)",
                           color=COLORS[optimizer], grid=grids[surface], title=title)

    controls["optimizer"].observe(lambda _change: _gray_out(controls), names="value")
    _gray_out(controls)
    view = Interactive(draw, controls, render=lambda _figure: canvas.png())
    view.descent = canvas  # la DescentFigure du widget (fonds gardés : .backdrop)
    view.widget.children[0].layout.flex_flow = "row wrap"  # plusieurs lignes de contrôles
    return view


def _gray_out(controls: dict) -> None:
    """Grise les curseurs sans effet sur l'optimiseur choisi."""
    used = OPTIMIZERS[controls["optimizer"].value].hyperparameters
    for name, hyperparameter in _HYPERPARAMETER.items():
        if name in controls:
            controls[name].disabled = hyperparameter not in used


def _describe(name: str, value) -> str:
    if name == "betas":
        return f"ρ₁ = {value[0]:.3g}, ρ₂ = {value[1]:.4g}"
    symbols = {"lr": "pas", "momentum": "momentum α", "rho": "ρ", "eps": "δ"}
    return f"{symbols[name]} = {value:.3g}"


def descent_explorer() -> Interactive:
    """Chapitre 4 : descente de gradient, momentum et Nesterov sur trois surfaces.

    À gauche, la trajectoire sur les lignes de niveau (et, en pointillés, la descente de
    gradient au même pas) ; à droite, f − f* au fil des itérations (échelle log).
    Par défaut, l'exemple du cours (Distill) : pas 0.0019, momentum 0.78, sur la quadratique
    mal conditionnée de ``lab.surfaces.quadratic``. Notations du cours : v ← αv − ρ∇f,
    θ ← θ + v, avec ρ le pas et α le momentum (Distill écrit α pour le pas et β pour le
    momentum).
    """
    momentum = hyper_slider("momentum α", value=0.78, low=0.0, high=0.99)
    return descent_view(("sgd", "momentum", "nesterov"), value="momentum", lr_label="pas ρ",
                        lr=0.0019, hyper={"momentum": momentum}, reference=True)


# --- Taille des mini-lots -----------------------------------------------------------------


def plot_batch_sizes(runs, *, train_size: int):
    """Perte d'évaluation selon le nombre d'exemples vus (à gauche) et selon la durée
    d'apprentissage (à droite, échelles log), un run par taille de mini-lot.

    runs : des ``Run`` (un ``sweeps.Runs``) qui ne diffèrent que par ``batch_size`` (et le
    pas) ; train_size : le nombre d'images d'apprentissage (une époque).
    """
    train_size = _validate.integer("train_size", train_size, low=1)
    runs = list(runs) if isinstance(runs, list | tuple) or hasattr(runs, "where") else runs
    runs = [checked_run("runs", r, "eval_loss") for r in _figure_inputs.sequence("runs", runs, (
        "une liste non vide de Run (runs ne doit pas être vide)"))]
    name = runs[0].history.eval_name or "évaluation"
    import matplotlib.pyplot as plt

    fig, (ax_seen, ax_time) = plt.subplots(1, 2, figsize=(11, 3.8))
    seen = {f"lot de {r.config.batch_size}": ([train_size * e for e in r.history.epoch],
                                              r.history.eval_loss) for r in runs}
    plot_xy(seen, xlabel="exemples vus", ylabel=f"perte de {name}", logy=True,
            title="À nombre d'exemples égal", ax=ax_seen)
    timed = {f"lot de {r.config.batch_size}": (r.history.elapsed, r.history.eval_loss)
             for r in runs}
    return plot_xy(timed, xlabel="durée d'apprentissage (s, un fil)", ylabel=f"perte de {name}",
                   logx=True, logy=True, title="À durée égale", ax=ax_time)
