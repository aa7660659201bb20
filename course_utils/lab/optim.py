"""Trajectoires des méthodes de descente sur les surfaces 2D, vitesses de convergence, et
écart entre les optimiseurs du cours et ``torch.optim.SGD``.

:func:`trajectory` enchaîne les pas du registre ``runs.OPTIMIZERS`` (les fonctions sans
état de ``optim.py`` et ``adaptive.py``, la seule source des formules) sur une ``Surface``
(:mod:`course_utils.lab.surfaces`).

Vitesses sur une quadratique de valeurs propres μ = λ_min et L = λ_max (κ = L / μ) : la
distance au minimum est multipliée, à chaque itération, au pire par

- descente de gradient au pas optimal ρ = 2 / (μ + L) : (κ − 1) / (κ + 1) ;
- momentum (« heavy ball », Polyak 1964), v ← αv − ρ∇f, θ ← θ + v, aux réglages optimaux
  ρ* = 4 / (√L + √μ)² et α* = ((√κ − 1) / (√κ + 1))² : (√κ − 1) / (√κ + 1).

Pour κ = 100 : 0.980 contre 0.818, soit environ 115 itérations contre 12 pour diviser
l'erreur par 10.
"""

import copy
import functools
import math

import numpy as np
import torch

from course_utils import _validate
from course_utils.lab.surfaces import Surface, quadratic
from course_utils.optim import Momentum, Nesterov
from course_utils.runs import OPTIMIZERS

# Au-delà de cette borne (‖θ‖∞), on considère que la descente diverge.
DIVERGENCE_BOUND = 1e6


def trajectory(surface: Surface, optimizer: str, *, steps: int, lr: float,
               momentum: float = 0.9, rho: float = 0.9, betas: tuple[float, float] = (0.9, 0.999),
               eps: float | None = None, start=None) -> np.ndarray:
    """Itérés θ_0, θ_1, …, θ_steps de ``optimizer`` sur ``surface``, de forme (n, 2).

    optimizer : un nom du registre ``runs.OPTIMIZERS`` qui a un pas sans état (« sgd »,
        « momentum », « nesterov », « adagrad », « rmsprop », « adam ») ; seuls ses
        hyper-paramètres (``OPTIMIZERS[optimizer].hyperparameters``) servent, et c'est son
        pas qui les vérifie.
    lr : le pas (ρ du cours pour la descente et le momentum, ε pour AdaGrad, RMSProp, Adam).
    momentum : α du cours (v ← αv − ρ∇f) ; rho : ρ de RMSProp ; betas : (ρ₁, ρ₂) d'Adam.
    eps : δ des méthodes adaptatives ; None : celui du cours (la valeur par défaut du pas).
    start : point de départ (2,) ; None : ``surface.default_start``.

    Divergence : dès qu'un itéré n'est plus fini ou sort de la boîte ‖θ‖∞ ≤ 10⁶
    (``DIVERGENCE_BOUND``), on s'arrête sans le garder : le résultat est le préfixe des
    itérés valides, de forme (n, 2) avec 1 ≤ n ≤ steps + 1 (n < steps + 1 signale la
    divergence). Les dépassements de capacité éventuels ne déclenchent aucun avertissement.
    """
    if not isinstance(surface, Surface):
        raise TypeError(f"surface doit être une Surface (reçu : {type(surface).__name__})")
    _validate.choice("optimizer", optimizer,
                     [name for name, spec in OPTIMIZERS.items() if spec.update is not None])
    steps = _validate.integer("steps", steps, low=0)
    theta = _point("start", surface.default_start if start is None else start)
    spec = OPTIMIZERS[optimizer]
    given = {"momentum": momentum, "rho": rho, "betas": betas, "eps": eps}
    # eps=None : on n'envoie rien, pour garder le δ par défaut du pas (celui des transparents)
    hyper = {name: given[name] for name in spec.hyperparameters
             if name != "eps" or eps is not None}
    points, state = [theta], None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(steps):
            theta, state = spec.update(theta, surface.grad, state, lr=lr, **hyper)
            # NaN échoue aux deux comparaisons : il arrête aussi la boucle
            if not (abs(theta[0]) <= DIVERGENCE_BOUND and abs(theta[1]) <= DIVERGENCE_BOUND):
                break
            points.append(theta)
    return np.array(points)  # (n, 2)


def _point(name: str, value) -> np.ndarray:
    """Un point fini de R² (liste, tuple, tableau ou tenseur de deux réels) → tableau (2,)."""
    if isinstance(value, str | bytes | dict) or not all(
            isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
            for v in np.asarray(value, dtype=object).ravel()):
        raise TypeError(f"{name} doit être un point de R², deux réels (reçu : {value!r:.60})")
    point = np.asarray(value, dtype=np.float64)
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"{name} doit être un point fini de R² (reçu : {value!r:.60})")
    return point


def _curvatures(mu: float, L: float) -> tuple[float, float]:
    mu, L = _validate.positive("mu", mu), _validate.positive("L", L)
    if mu > L:
        raise ValueError(f"mu doit être ≤ L (reçu : mu = {mu}, L = {L})")
    return mu, L


def optimal_gd(mu: float, L: float) -> tuple[float, float]:
    """(lr, vitesse) : pas optimal 2 / (μ + L) et vitesse (κ − 1) / (κ + 1), κ = L / μ."""
    mu, L = _curvatures(mu, L)
    kappa = L / mu
    return 2 / (mu + L), (kappa - 1) / (kappa + 1)


def optimal_momentum(mu: float, L: float) -> tuple[float, float, float]:
    """(lr, momentum, vitesse) optimaux du momentum « heavy ball » sur une quadratique.

    ρ* = 4 / (√L + √μ)², α* = ((√κ − 1) / (√κ + 1))², vitesse √α* = (√κ − 1) / (√κ + 1).
    """
    mu, L = _curvatures(mu, L)
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
    if not isinstance(points, np.ndarray) or points.dtype.kind != "f":
        raise TypeError(f"points doit être un tableau NumPy flottant, une trajectoire (reçu : "
                        f"{type(points).__name__})")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"points doit être de forme (n, 2) avec n ≥ 1 (reçu : {points.shape})")
    if not np.all(np.isfinite(points)):
        raise ValueError("points doit être fini (reçu : un tableau qui contient nan ou inf)")
    if _validate.positive("tail", tail) > 1:
        raise ValueError(f"tail doit être dans ]0, 1] (reçu : {tail!r})")
    floor = _validate.nonnegative("floor", floor)
    distances = np.linalg.norm(points - _point("minimum", minimum), axis=1)  # (n,)
    below = np.flatnonzero(distances <= floor * distances[0])
    kept = distances[: below[0]] if below.size else distances
    first = int((1 - tail) * (len(kept) - 1))
    if len(kept) - 1 - first < 1:
        raise ValueError("trajectoire trop courte pour mesurer une vitesse "
                         f"({len(kept)} itérés utilisables)")
    return float((kept[-1] / kept[first]) ** (1 / (len(kept) - 1 - first)))


def convergence_rates(condition: float, *, steps: int = 3000) -> dict[str, tuple[float, float]]:
    """Vitesses (théorie, mesure) de la descente de gradient (« sgd ») et du momentum
    (« momentum »), chacun à ses réglages optimaux, sur ``quadratic(condition, lambda_max=1)``
    (μ = 1/κ, L = 1), mesurées par :func:`measured_rate` sur ``steps`` itérations."""
    bowl = quadratic(condition, lambda_max=1.0)
    steps = _validate.integer("steps", steps, low=2)
    lr_gd, rate_gd = optimal_gd(1.0 / condition, 1.0)
    lr_m, alpha, rate_m = optimal_momentum(1.0 / condition, 1.0)
    gd = trajectory(bowl, "sgd", steps=steps, lr=lr_gd)
    heavy_ball = trajectory(bowl, "momentum", steps=steps, lr=lr_m, momentum=alpha)
    return {"sgd": (rate_gd, measured_rate(gd, bowl.minimum)),
            "momentum": (rate_m, measured_rate(heavy_ball, bowl.minimum))}


def gap_with_torch(optimizer: str, *, steps: int = 100, lr: float = 0.1,
                   momentum: float = 0.9) -> float:
    """Plus grand écart, sur ``steps`` pas, entre l'optimiseur du cours et ``torch.optim.SGD``.

    optimizer : « momentum » (comparé à ``SGD(momentum=α)``) ou « nesterov » (comparé à
    ``SGD(nesterov=True)`` : on compare alors le point anticipé θ + αv du cours au paramètre
    de PyTorch). Petit réseau 5-8-3 (tanh), données fixes, entropie croisée, float64.
    """
    _validate.choice("optimizer", optimizer, ("momentum", "nesterov"))
    steps = _validate.integer("steps", steps, low=1)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 5, dtype=torch.float64, generator=generator)
    y = torch.randint(0, 3, (64,), generator=generator)
    ours_net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(),
                                   torch.nn.Linear(8, 3)).double()
    torch_net = copy.deepcopy(ours_net)
    ours_class = Nesterov if optimizer == "nesterov" else Momentum
    ours = ours_class(ours_net.parameters(), lr=lr, momentum=momentum)
    reference = torch.optim.SGD(torch_net.parameters(), lr=lr, momentum=momentum,
                                nesterov=optimizer == "nesterov")
    gap = 0.0
    for _ in range(steps):
        for net, method in ((ours_net, ours), (torch_net, reference)):
            method.step(functools.partial(_loss_closure, net, method, x, y))
        for p, q in zip(ours_net.parameters(), torch_net.parameters(), strict=True):
            point = p + momentum * ours.state[p]["v"].v if optimizer == "nesterov" else p
            gap = max(gap, (point - q).abs().max().item())
    return gap


def _loss_closure(net, optimizer, x, y):
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(x), y)
    loss.backward()
    return loss
