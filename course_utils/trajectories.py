"""Trajectoires des méthodes de descente sur les surfaces 2D, et leurs vitesses de convergence.

``trajectory`` enchaîne les fonctions de mise à jour du cours (``optim.py`` et
``adaptive.py``, la seule source des formules) sur une ``Surface`` (``surfaces.py``).

Vitesses sur une quadratique de valeurs propres μ = λ_min et L = λ_max (κ = L / μ) : la
distance au minimum est multipliée, à chaque itération, au pire par

- descente de gradient au pas optimal ρ = 2 / (μ + L) : (κ − 1) / (κ + 1) ;
- momentum (« heavy ball », Polyak 1964), v ← αv − ρ∇f, θ ← θ + v, aux réglages optimaux
  ρ* = 4 / (√L + √μ)² et α* = ((√κ − 1) / (√κ + 1))² : (√κ − 1) / (√κ + 1).

Pour κ = 100 : 0.980 contre 0.818, soit environ 115 itérations contre 12 pour diviser
l'erreur par 10.
"""

import math
from types import MappingProxyType

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

from course_utils.adaptive import adagrad_step, adam_step, rmsprop_step
from course_utils.optim import gd_step, momentum_step, nesterov_step
from course_utils.surfaces import Surface

# Méthodes de ``trajectory`` : clé → nom affiché.
METHODS = MappingProxyType({
    "gd": "Descente de gradient", "momentum": "Momentum", "nesterov": "Nesterov",
    "adagrad": "AdaGrad", "rmsprop": "RMSProp", "adam": "Adam",
})
# Hyper-paramètres de ``trajectory`` utilisés par chaque méthode.
HYPERPARAMETERS = MappingProxyType({
    "gd": ("lr",), "momentum": ("lr", "momentum"), "nesterov": ("lr", "momentum"),
    "adagrad": ("lr", "eps"), "rmsprop": ("lr", "rho", "eps"), "adam": ("lr", "betas", "eps"),
})
# δ par défaut, ceux des transparents (et des fonctions de ``adaptive.py``).
DEFAULT_EPS = MappingProxyType({"adagrad": 1e-7, "rmsprop": 1e-6, "adam": 1e-8})
# Au-delà de cette borne (‖θ‖∞), on considère que la descente diverge.
DIVERGENCE_BOUND = 1e6


def _is_real(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_positive(name: str, value) -> None:
    if not (_is_real(value) and value > 0):
        raise ValueError(f"{name} doit être un réel > 0 (reçu : {value!r})")


def _check_rate(name: str, value) -> None:
    if not (_is_real(value) and 0 <= value < 1):
        raise ValueError(f"{name} doit être dans [0, 1) (reçu : {value!r})")


def _check_arguments(method, steps, lr, momentum, rho, betas, eps) -> None:
    if method not in METHODS:
        raise ValueError(f"méthode inconnue : {method!r} (attendu : {', '.join(METHODS)})")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps doit être un entier ≥ 0 (reçu : {steps!r})")
    _check_positive("lr", lr)
    _check_rate("momentum", momentum)
    _check_rate("rho", rho)
    if not (isinstance(betas, tuple) and len(betas) == 2):
        raise ValueError(f"betas doit être un couple (ρ₁, ρ₂) (reçu : {betas!r})")
    _check_rate("betas[0]", betas[0])
    _check_rate("betas[1]", betas[1])
    if eps is not None and not (_is_real(eps) and eps >= 0):
        raise ValueError(f"eps doit être un réel ≥ 0 ou None (reçu : {eps!r})")


def _stepper(surface: Surface, method: str, lr, momentum, rho, betas, eps):
    """Une itération ``(theta, state) -> (theta, state)`` de la méthode choisie."""
    grad = surface.grad
    eps = DEFAULT_EPS.get(method) if eps is None else eps
    if method == "gd":
        return lambda theta, state: (gd_step(theta, grad(theta), lr=lr), None)
    if method == "momentum":
        return lambda theta, state: momentum_step(theta, grad(theta), state, lr=lr,
                                                  momentum=momentum)
    if method == "nesterov":  # le gradient est pris en θ + αv : on passe la fonction
        return lambda theta, state: nesterov_step(theta, grad, state, lr=lr, momentum=momentum)
    if method == "adagrad":
        return lambda theta, state: adagrad_step(theta, grad(theta), state, lr=lr, eps=eps)
    if method == "rmsprop":
        return lambda theta, state: rmsprop_step(theta, grad(theta), state, lr=lr, rho=rho,
                                                 eps=eps)
    return lambda theta, state: adam_step(theta, grad(theta), state, lr=lr, betas=betas, eps=eps)


def trajectory(surface: Surface, method: str, *, steps: int, lr: float, momentum: float = 0.9,
               rho: float = 0.9, betas: tuple[float, float] = (0.9, 0.999),
               eps: float | None = None, start=None) -> np.ndarray:
    """Itérés θ_0, θ_1, …, θ_steps de ``method`` sur ``surface``, de forme (n, 2).

    method : une clé de ``METHODS`` ("gd", "momentum", "nesterov", "adagrad", "rmsprop",
        "adam") ; seuls ses hyper-paramètres (``HYPERPARAMETERS[method]``) servent.
    lr : le pas (ρ du cours pour la descente et le momentum, ε pour AdaGrad, RMSProp, Adam).
    momentum : α du cours (v ← αv − ρ∇f) ; rho : ρ de RMSProp ; betas : (ρ₁, ρ₂) d'Adam.
    eps : δ des méthodes adaptatives ; None : celui du cours (``DEFAULT_EPS``).
    start : point de départ (2,) ; None : ``surface.default_start``.

    Divergence : dès qu'un itéré n'est plus fini ou sort de la boîte ‖θ‖∞ ≤ 10⁶
    (``DIVERGENCE_BOUND``), on s'arrête sans le garder : le résultat est le préfixe des
    itérés valides, de forme (n, 2) avec 1 ≤ n ≤ steps + 1 (n < steps + 1 signale la
    divergence). Les dépassements de capacité éventuels ne déclenchent aucun avertissement.
    """
    if not isinstance(surface, Surface):
        raise TypeError(f"surface doit être une Surface (reçu : {type(surface).__name__})")
    _check_arguments(method, steps, lr, momentum, rho, betas, eps)
    theta = np.array(surface.default_start if start is None else start, dtype=np.float64)
    if theta.shape != (2,) or not np.all(np.isfinite(theta)):
        raise ValueError(f"start doit être un point fini de R² (reçu : {start!r})")
    step = _stepper(surface, method, lr, momentum, rho, betas, eps)
    points, state = [theta], None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(steps):
            theta, state = step(theta, state)
            # NaN échoue aux deux comparaisons : il arrête aussi la boucle
            if not (abs(theta[0]) <= DIVERGENCE_BOUND and abs(theta[1]) <= DIVERGENCE_BOUND):
                break
            points.append(theta)
    return np.array(points)  # (n, 2)


def _check_curvatures(mu, L) -> None:
    _check_positive("mu", mu)
    _check_positive("L", L)
    if mu > L:
        raise ValueError(f"mu doit être ≤ L (reçu : mu = {mu}, L = {L})")


def optimal_gd(mu: float, L: float) -> tuple[float, float]:
    """(lr, vitesse) : pas optimal 2 / (μ + L) et vitesse (κ − 1) / (κ + 1), κ = L / μ."""
    _check_curvatures(mu, L)
    kappa = L / mu
    return 2 / (mu + L), (kappa - 1) / (kappa + 1)


def optimal_momentum(mu: float, L: float) -> tuple[float, float, float]:
    """(lr, momentum, vitesse) optimaux du momentum « heavy ball » sur une quadratique.

    ρ* = 4 / (√L + √μ)², α* = ((√κ − 1) / (√κ + 1))², vitesse √α* = (√κ − 1) / (√κ + 1).
    """
    _check_curvatures(mu, L)
    root_kappa = math.sqrt(L / mu)
    rate = (root_kappa - 1) / (root_kappa + 1)
    return 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2, rate * rate, rate


def measured_rate(points: np.ndarray, minimum, *, tail: float = 0.5,
                  floor: float = 1e-12) -> float:
    """Facteur moyen de contraction par itération de d_k = ‖θ_k − θ*‖, mesuré en fin de course.

    points : (n, 2), une trajectoire ; minimum : θ* (2,).
    On ne garde que les itérés antérieurs au premier d_k ≤ ``floor`` · d_0 (au-delà,
    l'arrondi domine), puis la dernière fraction ``tail`` d'entre eux, θ_i … θ_j : le
    résultat est la moyenne géométrique des d_{k+1} / d_k, soit (d_j / d_i)^(1 / (j − i)).
    Remarque : aux réglages optimaux du momentum, les racines sont doubles et d_k ∝ k r^k :
    la mesure dépasse r d'un facteur ≈ (j / i)^(1 / (j − i)).
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points doit être de forme (n, 2) (reçu : {points.shape})")
    if not (_is_real(tail) and 0 < tail <= 1):
        raise ValueError(f"tail doit être dans ]0, 1] (reçu : {tail!r})")
    distances = np.linalg.norm(points - np.asarray(minimum, dtype=np.float64), axis=1)  # (n,)
    below = np.flatnonzero(distances <= floor * distances[0])
    kept = distances[: below[0]] if below.size else distances
    first = int((1 - tail) * (len(kept) - 1))
    if len(kept) - 1 - first < 1:
        raise ValueError("trajectoire trop courte pour mesurer une vitesse "
                         f"({len(kept)} itérés utilisables)")
    return float((kept[-1] / kept[first]) ** (1 / (len(kept) - 1 - first)))


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
    de niveau ne sont recalculées que lorsque la surface change.

    pyplot=False : figure tenue hors de pyplot (jamais affichée d'office en fin de cellule),
    avec son propre canevas Agg, que l'on peut fermer et retracer sans le recréer (widgets).
    """

    def __init__(self, *, pyplot: bool = True):
        size = (9, 3.4)  # pouces ; peu de textes (le plus coûteux à chaque rendu)
        self.figure = plt.figure(figsize=size) if pyplot else Figure(figsize=size)
        if not pyplot:
            FigureCanvasAgg(self.figure)  # s'attache à la figure : savefig le réutilise
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
        for axis in (self.ax_map.xaxis, self.ax_map.yaxis, self.ax_loss.xaxis):
            axis.set_major_locator(MaxNLocator(5, integer=axis is self.ax_loss.xaxis))
        self.ax_loss.set_xlabel("itération")
        self.ax_map.grid(False)  # les lignes de niveau suffisent ; un quadrillage coûte au rendu
        self.surface, self.contours = None, None

    def _set_surface(self, surface: Surface, grid) -> None:
        X, Y, Z = surface.grid() if grid is None else grid
        self.f_star = None if surface.minimum is None else surface.f_min()
        gap = Z - (Z.min() if self.f_star is None else self.f_star)  # ≥ 0 : niveaux en log
        top = float(gap.max())
        if self.contours is not None:
            self.contours.remove()
        self.contours = self.ax_map.contour(X, Y, gap, levels=np.geomspace(top * 1e-5, top, 16),
                                            colors="0.75", linewidths=0.7)
        self.ax_map.set(xlim=surface.xlim, ylim=surface.ylim, title=surface.name)
        self.ax_map.set_aspect("equal", adjustable="box")
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

        grid : (X, Y, Z) de ``surface.grid()``, à précalculer pour retracer vite.
        À droite, f − f* en échelle log (au moins 10⁻²⁰ et l'arrondi sur f*) ; sans minimum
        connu, f en échelle linéaire. Renvoie la figure.
        """
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
        shown = [line for line, _ in self.paths if line.get_visible()]
        if surface.minimum is not None:
            shown.append(self.star)
        self.ax_map.legend(handles=shown, loc="upper left", fontsize=8, frameon=False,
                           handlelength=1.5, borderpad=0.2, labelspacing=0.2)
        self.ax_loss.relim(visible_only=True)
        self.ax_loss.autoscale_view()
        self.figure.suptitle(title or "")
        return self.figure


def plot_descent(surface: Surface, points: np.ndarray, *, label: str, color: str = "tab:orange",
                 reference: np.ndarray | None = None, reference_label: str = "",
                 title: str | None = None):
    """Figure de ``DescentFigure`` pour une seule trajectoire (voir ``DescentFigure.show``)."""
    return DescentFigure().show(surface, points, label=label, color=color, reference=reference,
                                reference_label=reference_label, title=title)
