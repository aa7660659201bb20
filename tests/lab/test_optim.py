"""Trajectoires et vitesses (course_utils.lab.optim) : un seul registre d'optimiseurs, chaque
hyper-paramètre transmis à son pas, divergence sans bruit, vitesses contre les formules,
écart avec torch.optim.SGD."""

import inspect
import math
import warnings

import numpy as np
import pytest

from course_utils.adaptive import adagrad_step, adam_step, rmsprop_step
from course_utils.lab.optim import (
    DIVERGENCE_BOUND,
    convergence_rates,
    gap_with_torch,
    measured_rate,
    optimal_gd,
    optimal_momentum,
    trajectory,
)
from course_utils.lab.surfaces import SURFACES, quadratic
from course_utils.optim import gd_step, momentum_step, nesterov_step
from course_utils.runs import OPTIMIZERS

STATELESS = [name for name, spec in OPTIMIZERS.items() if spec.update is not None]


def test_the_course_optimizers_of_the_registry_are_available():
    assert STATELESS == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


@pytest.mark.parametrize("optimizer", STATELESS)
def test_every_optimizer_descends_a_quadratic(optimizer):
    surface = quadratic(10.0, lambda_max=1.0)
    points = trajectory(surface, optimizer, steps=300, lr=0.1, momentum=0.5, start=(2.0, -1.0))
    assert points.shape == (301, 2)
    values = surface.values(points)
    assert values[-1] < 1e-2 * values[0]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov"])
def test_lecture_settings_descend_the_default_quadratic(optimizer):
    q = SURFACES["quadratic"]
    values = q.values(trajectory(q, optimizer, steps=150, lr=0.0019, momentum=0.78))
    assert values[-1] < values[0] / 10


def _by_hand(surface, optimizer, steps, *, eps=1e-3):
    """Les mêmes itérés, écrits directement avec les fonctions de mise à jour."""
    theta, state, points = np.array(surface.default_start), None, []
    for _ in range(steps):
        g = surface.grad(theta)
        if optimizer == "sgd":
            theta = gd_step(theta, g, lr=1e-3)
        elif optimizer == "momentum":
            theta, state = momentum_step(theta, g, state, lr=1e-3, momentum=0.6)
        elif optimizer == "nesterov":
            theta, state = nesterov_step(theta, surface.grad, state, lr=1e-3, momentum=0.6)
        elif optimizer == "adagrad":
            theta, state = adagrad_step(theta, g, state, lr=1e-3, eps=eps)
        elif optimizer == "rmsprop":
            theta, state = rmsprop_step(theta, g, state, lr=1e-3, rho=0.5, eps=eps)
        else:
            theta, state = adam_step(theta, g, state, lr=1e-3, betas=(0.5, 0.7), eps=eps)
        points.append(theta)
    return np.array(points)


@pytest.mark.parametrize("optimizer", STATELESS)
def test_trajectory_passes_each_hyperparameter_to_its_step(optimizer):
    surface = SURFACES["rosenbrock"]
    points = trajectory(surface, optimizer, steps=20, lr=1e-3, momentum=0.6, rho=0.5,
                        betas=(0.5, 0.7), eps=1e-3)
    assert np.array_equal(points[0], surface.default_start)
    assert np.array_equal(points[1:], _by_hand(surface, optimizer, 20))


@pytest.mark.parametrize(("optimizer", "step"), [("adagrad", adagrad_step),
                                                  ("rmsprop", rmsprop_step), ("adam", adam_step)])
def test_eps_none_keeps_the_default_delta_of_the_slides(optimizer, step):
    surface = SURFACES["rosenbrock"]
    delta = inspect.signature(step).parameters["eps"].default
    points = trajectory(surface, optimizer, steps=20, lr=1e-3, rho=0.5, betas=(0.5, 0.7))
    assert np.array_equal(points[1:], _by_hand(surface, optimizer, 20, eps=delta))


@pytest.mark.parametrize("optimizer", STATELESS)
@pytest.mark.parametrize("lr", [1.0, 1e300])
def test_divergence_keeps_the_valid_prefix_silently(optimizer, lr):
    rosenbrock = SURFACES["rosenbrock"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ni dépassement de capacité ni autre avertissement
        points = trajectory(rosenbrock, optimizer, steps=200, lr=lr, momentum=0.9)
    assert 1 <= len(points) <= 201
    assert np.all(np.abs(points) <= DIVERGENCE_BOUND)
    if optimizer in ("sgd", "momentum", "nesterov"):
        assert len(points) < 201  # le gradient explose : arrêt anticipé


@pytest.mark.parametrize("kappa", [10, 100])
def test_measured_rates_match_the_closed_forms(kappa):
    surface, mu, L = quadratic(kappa, lambda_max=2.0), 2.0 / kappa, 2.0
    lr, gd_rate = optimal_gd(mu, L)
    assert gd_rate == pytest.approx((kappa - 1) / (kappa + 1))
    points = trajectory(surface, "sgd", steps=2000, lr=lr, start=(1.0, 0.5))
    assert measured_rate(points, (0, 0)) == pytest.approx(gd_rate, abs=1e-6)
    lr, momentum, rate = optimal_momentum(mu, L)
    root = math.sqrt(kappa)
    assert rate == pytest.approx((root - 1) / (root + 1)) and momentum == pytest.approx(rate**2)
    assert lr == pytest.approx(4 / (math.sqrt(L) + math.sqrt(mu)) ** 2)
    points = trajectory(surface, "momentum", steps=2000, lr=lr, momentum=momentum,
                        start=(1.0, 0.5))
    # racines doubles : d_k ∝ k r^k, la mesure dépasse r de quelques pour cent au plus
    assert rate <= measured_rate(points, (0, 0)) <= 1.04 * rate


def test_convergence_rates_give_theory_and_measure_for_both_methods():
    rates = convergence_rates(100)
    (gd_theory, gd_measured), (m_theory, m_measured) = rates["sgd"], rates["momentum"]
    assert gd_theory == pytest.approx(99 / 101) and gd_measured == pytest.approx(gd_theory,
                                                                                abs=1e-6)
    assert m_theory == pytest.approx(9 / 11) and m_theory <= m_measured <= 1.04 * m_theory


def test_measured_rate_of_a_geometric_sequence():
    points = np.array([[0.5**k, 0.0] for k in range(60)])
    assert measured_rate(points, (0.0, 0.0)) == pytest.approx(0.5)
    assert measured_rate(points, (0.0, 0.0), tail=1.0) == pytest.approx(0.5)


def test_gap_with_torch_is_rounding_only():
    assert gap_with_torch("momentum") < 1e-12
    assert gap_with_torch("nesterov") < 1e-12
    assert gap_with_torch("momentum", steps=5, lr=0.05, momentum=0.5) < 1e-12


Q = SURFACES["quadratic"]


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: trajectory(Q, "gd", steps=1, lr=0.1), ValueError, "optimizer inconnu : 'gd'"),
    (lambda: trajectory(Q, "torch_adam", steps=1, lr=0.1), ValueError, "optimizer inconnu"),
    (lambda: trajectory(Q, "sgd", steps=-1, lr=0.1), ValueError, "steps doit être un entier"),
    (lambda: trajectory(Q, "sgd", steps=1, lr=0.0), ValueError, "lr doit être un réel fini > 0"),
    (lambda: trajectory(Q, "sgd", steps=1, lr=math.inf), ValueError, "lr doit être un réel fini"),
    (lambda: trajectory(Q, "momentum", steps=1, lr=0.1, momentum=1.0), ValueError,
     "momentum doit être un réel dans [0, 1)"),
    (lambda: trajectory(Q, "rmsprop", steps=1, lr=0.1, rho=-0.5), ValueError, "rho doit"),
    (lambda: trajectory(Q, "adam", steps=1, lr=0.1, betas=(0.9,)), ValueError, "betas doit"),
    (lambda: trajectory(Q, "adam", steps=1, lr=0.1, eps=-1.0), ValueError, "eps doit"),
    (lambda: trajectory(Q, "sgd", steps=1, lr=0.1, start=(0.0,)), ValueError, "start doit"),
    (lambda: trajectory("quadratic", "sgd", steps=1, lr=0.1), TypeError,
     "surface doit être une Surface"),
    (lambda: optimal_gd(2.0, 1.0), ValueError, "mu doit être ≤ L"),
    (lambda: optimal_momentum(0.0, 1.0), ValueError, "mu doit être un réel fini > 0"),
    (lambda: measured_rate(np.zeros((1, 2)), (1.0, 1.0)), ValueError, "trop courte"),
    (lambda: measured_rate(np.zeros(3), (0.0, 0.0)), ValueError, "forme (n, 2)"),
    (lambda: measured_rate(np.zeros((5, 2)), (1.0, 1.0), tail=1.5), ValueError,
     "tail doit être dans ]0, 1]"),
    (lambda: gap_with_torch("adam"), ValueError, "optimizer inconnu : 'adam'"),
    (lambda: gap_with_torch("momentum", steps=0), ValueError, "steps doit être un entier ≥ 1"),
])
def test_bad_arguments_are_reported_in_french(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words.replace("\u00a0", " ") in str(info.value).replace("\u00a0", " ")
