"""Surfaces de test en 2D, avec leur gradient exact, pour regarder les méthodes de descente.

Trois paysages du cours (« Limites de la descente de gradient ») :

- ``quadratic`` : une cuvette quadratique mal conditionnée (des ellipses très allongées) ;
  le gradient n'y pointe pas vers le minimum, sauf si les ellipses sont des cercles.
- ``saddle`` : un point selle (gradient nul) entre deux minima.
- ``rosenbrock`` : la « banane » de Rosenbrock, une vallée courbe et étroite.

Chaque ``Surface`` donne ``f(x, y)``, vectorisée (x, y : tableaux NumPy de même forme,
pour les grilles des lignes de niveau), et ``grad(theta)`` pour theta de forme (2,).

Les paramètres par défaut de ``quadratic`` reproduisent l'exemple du cours (pas 0.0019,
momentum 0.78), tiré de G. Goh, « Why Momentum Really Works », Distill, 2017 : voir
``quadratic``.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from course_utils import _validate

# La figure de tête de Distill descend la « banane » f(x, y) = (1 − x)² + 20 (3y − x²)²
# (minimum en (1, 1/3), départ en (−1.21, 0.853)). Sa hessienne au minimum vaut
# [[162, −240], [−240, 360]] : on en garde les valeurs propres et les directions propres.
_A, _B, _C = 162.0, -240.0, 360.0
_MEAN, _HALF_GAP = (_A + _C) / 2, math.hypot((_A - _C) / 2, _B)
LAMBDA_MAX = _MEAN + _HALF_GAP  # ≈ 520.6
LAMBDA_MIN = _MEAN - _HALF_GAP  # ≈ 1.383
CONDITION = LAMBDA_MAX / LAMBDA_MIN  # κ ≈ 376
ANGLE = 0.5 * math.atan2(2 * _B, _A - _C)  # direction propre de λ_max ≈ −56.2° (en radians)


@dataclass(frozen=True)
class Surface:
    """Une surface f : R² → R et son gradient exact.

    name : nom affiché (en français).
    f : ``f(x, y)``, x et y tableaux de même forme (ou flottants) ; renvoie la même forme.
    grad : ``grad(theta)``, theta : (2,) ; renvoie un tableau (2,).
    minimum : un minimum global (x*, y*), ou None s'il n'y en a pas.
    default_start : point de départ par défaut (x0, y0).
    xlim, ylim : fenêtre de tracé.
    """

    name: str
    f: Callable
    grad: Callable
    minimum: tuple[float, float] | None
    default_start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"name doit être un texte (reçu : {type(self.name).__name__})")
        _validate.function("f", self.f)
        _validate.function("grad", self.grad)
        for name in ("minimum", "default_start", "xlim", "ylim"):
            value = getattr(self, name)
            if value is None and name == "minimum":
                continue
            if not isinstance(value, tuple | list) or len(value) != 2:
                raise TypeError(f"{name} doit être un couple de réels (reçu : {value!r:.60})")
            low, high = (_validate.real(name, v) for v in value)
            if name in ("xlim", "ylim") and not low < high:
                raise ValueError(f"{name} doit être un intervalle (a, b) avec a < b "
                                 f"(reçu : {value!r})")

    def values(self, points: np.ndarray) -> np.ndarray:
        """f en chaque point ; points : tableau NumPy flottant (N, 2), renvoie (N,)."""
        if not isinstance(points, np.ndarray) or points.dtype.kind != "f":
            raise TypeError(f"points doit être un tableau NumPy flottant (N, 2) (reçu : "
                            f"{type(points).__name__})")
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"points doit être de forme (N, 2) (reçu : {points.shape})")
        return self.f(points[:, 0], points[:, 1])

    def f_min(self) -> float:
        """f* = f(minimum) ; ValueError si la surface n'a pas de minimum."""
        if self.minimum is None:
            raise ValueError(f"la surface « {self.name} » n'a pas de minimum")
        return float(self.f(*self.minimum))

    def grid(self, n: int = 150) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(X, Y, Z) sur la fenêtre de tracé, chacun de forme (n, n), avec Z = f(X, Y)."""
        _validate.integer("n", n, low=2)
        x, y = np.linspace(*self.xlim, n), np.linspace(*self.ylim, n)
        X, Y = np.meshgrid(x, y)  # (n, n) : une ligne par valeur de y
        return X, Y, self.f(X, Y)


def quadratic(condition: float = CONDITION, *, lambda_max: float = LAMBDA_MAX,
              angle: float = ANGLE) -> Surface:
    """Cuvette quadratique f(θ) = ½ θᵀ A θ, de minimum θ* = (0, 0) et f* = 0.

    A a pour valeurs propres λ_max et λ_min = λ_max / κ (κ = ``condition``, le
    conditionnement), la direction propre de λ_max faisant l'angle ``angle`` (radians) avec
    l'axe des x : les lignes de niveau sont des ellipses tournées, d'axes ∝ 1/√λ.

    Valeurs par défaut : A est la hessienne, en son minimum, de la « banane » de la figure de
    Distill que montre le cours (λ_max ≈ 520.6, λ_min ≈ 1.383, κ ≈ 376, vallée inclinée de
    33.8°). Le départ (−2.377, −1.226) répartit f comme le départ de Distill (−1.21, 0.853) :
    4.9 le long de la vallée et 24.0 en travers, soit f ≈ 28.9. Le pas 0.0019 vaut alors
    ≈ 0.99 / λ_max : la descente de gradient écrase la direction raide en un pas puis rampe
    le long de la vallée (facteur 1 − 0.0019 λ_min ≈ 0.9974 par itération), tandis qu'avec
    momentum 0.78 la direction raide oscille (racines complexes de module √0.78 ≈ 0.88) et
    la vallée est descendue environ cinq fois plus vite (≈ 0.987).
    """
    lambda_max = _validate.positive("lambda_max", lambda_max)
    if _validate.real("condition", condition) < 1:
        raise ValueError(f"condition doit être un réel ≥ 1 (reçu : {condition!r})")
    angle = _validate.real("angle (en radians)", angle)
    lam1, lam2, c, s = lambda_max, lambda_max / condition, math.cos(angle), math.sin(angle)
    # A = R diag(λ1, λ2) Rᵀ = [[a, b], [b, d]], R la rotation d'angle ``angle``
    a, b, d = lam1 * c * c + lam2 * s * s, (lam1 - lam2) * c * s, lam1 * s * s + lam2 * c * c

    def f(x, y):
        return 0.5 * (a * x * x + 2 * b * x * y + d * y * y)

    def grad(theta):
        x, y = theta
        return np.array([a * x + b * y, b * x + d * y])

    return Surface(name=f"Quadratique (κ = {condition:.3g})", f=f, grad=grad, minimum=(0.0, 0.0),
                   default_start=(-2.377, -1.226), xlim=(-2.7, 0.7), ylim=(-1.8, 0.5))


def _saddle_f(x, y):
    return x * x - y * y + y**4 / 4


def _saddle_grad(theta):
    x, y = theta
    return np.array([2 * x, -2 * y + y**3])


def saddle() -> Surface:
    """Point selle en (0, 0) : f(x, y) = x² − y² + y⁴/4.

    Près de l'origine, c'est la selle x² − y² (gradient nul, courbures +2 et −2) ; le terme
    y⁴/4 la borne inférieurement, avec deux minima (0, ±√2) où f* = −1, pour que f − f* ait
    un sens (échelle logarithmique). Le départ (−2, 0.01) est tout près de la ligne de crête
    y = 0 : la descente approche d'abord la selle, y stagne, puis s'en échappe vers
    (0, √2), le minimum indiqué.
    """
    return Surface(name="Point selle", f=_saddle_f, grad=_saddle_grad,
                   minimum=(0.0, math.sqrt(2.0)), default_start=(-2.0, 0.01),
                   xlim=(-2.5, 2.5), ylim=(-2.0, 2.0))


def _rosenbrock_f(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_grad(theta):
    x, y = theta
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def rosenbrock() -> Surface:
    """Fonction de Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)², minimum (1, 1), f* = 0.

    Vallée étroite et courbe (au minimum, κ ≈ 2500) ; départ classique (−1.2, 1).
    """
    return Surface(name="Rosenbrock", f=_rosenbrock_f, grad=_rosenbrock_grad, minimum=(1.0, 1.0),
                   default_start=(-1.2, 1.0), xlim=(-2.0, 2.0), ylim=(-1.0, 3.0))


# Les surfaces des widgets, par clé (non modifiable).
SURFACES = MappingProxyType({"quadratic": quadratic(), "saddle": saddle(),
                             "rosenbrock": rosenbrock()})
