"""Surfaces 2D (course_utils.surfaces) et trajectoires (course_utils.trajectories) : gradients
exacts, descente sur la quadratique, divergence sans bruit, vitesses contre les formules."""

import inspect
import math
import warnings

import numpy as np
import pytest
import torch

from course_utils.adaptive import adagrad_step, adam_step, rmsprop_step
from course_utils.checks.gradients import numerical_grad, relative_error
from course_utils.optim import gd_step, momentum_step, nesterov_step
from course_utils.surfaces import LAMBDA_MAX, LAMBDA_MIN, SURFACES, Surface, quadratic
from course_utils.trajectories import (
    DEFAULT_EPS,
    DIVERGENCE_BOUND,
    METHODS,
    measured_rate,
    optimal_gd,
    optimal_momentum,
    plot_descent,
    trajectory,
)

ALL_SURFACES = {**SURFACES, "quadratic_tilted": quadratic(7.0, lambda_max=3.0, angle=0.4)}


@pytest.mark.parametrize("key", ALL_SURFACES)
def test_gradients_match_centred_differences(key):
    surface = ALL_SURFACES[key]
    rng = np.random.default_rng(0)
    for _ in range(20):
        point = np.array([rng.uniform(*surface.xlim), rng.uniform(*surface.ylim)])
        expected = numerical_grad(lambda t: surface.f(t[0].item(), t[1].item()),
                                  torch.tensor(point, dtype=torch.float64))
        assert relative_error(surface.grad(point), expected) < 1e-7, (key, point)


@pytest.mark.parametrize("key", SURFACES)
def test_minimum_has_zero_gradient_and_f_is_vectorised(key):
    surface = SURFACES[key]
    assert np.allclose(surface.grad(np.array(surface.minimum)), 0, atol=1e-12)
    X, Y, Z = surface.grid(n=7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert Z[3, 5] == pytest.approx(surface.f(X[3, 5], Y[3, 5]))
    assert surface.values(np.stack([X.ravel(), Y.ravel()], axis=1)) == pytest.approx(Z.ravel())
    assert np.all(Z >= surface.f_min() - 1e-12)  # f* est bien le minimum sur la fenêtre


def test_saddle_point_is_flat_but_not_a_minimum():
    saddle = SURFACES["saddle"]
    assert np.array_equal(saddle.grad(np.zeros(2)), np.zeros(2))
    assert saddle.f(0.0, 0.5) < saddle.f(0.0, 0.0) < saddle.f(0.5, 0.0)
    assert saddle.f_min() == pytest.approx(-1.0)


def test_default_quadratic_is_the_hessian_of_the_distill_banana():
    q = SURFACES["quadratic"]
    hessian = np.stack([q.grad(np.array([1.0, 0.0])), q.grad(np.array([0.0, 1.0]))])
    assert hessian == pytest.approx(np.array([[162.0, -240.0], [-240.0, 360.0]]))
    assert LAMBDA_MAX * LAMBDA_MIN == pytest.approx(162 * 360 - 240**2)  # déterminant
    assert 0.0019 * LAMBDA_MAX == pytest.approx(0.99, abs=0.005)  # pas ≈ 1 / λ_max
    assert q.f(*q.default_start) == pytest.approx(28.86, abs=0.06)  # f au départ de Distill


@pytest.mark.parametrize("method", METHODS)
def test_every_method_descends_a_quadratic(method):
    surface = quadratic(10.0, lambda_max=1.0)
    points = trajectory(surface, method, steps=300, lr=0.1, momentum=0.5, start=(2.0, -1.0))
    assert points.shape == (301, 2)
    values = surface.values(points)
    assert values[-1] < 1e-2 * values[0]


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_lecture_settings_descend_the_default_quadratic(method):
    q = SURFACES["quadratic"]
    values = q.values(trajectory(q, method, steps=150, lr=0.0019, momentum=0.78))
    assert values[-1] < values[0] / 10


def _by_hand(surface, method, steps):
    """Les mêmes itérés, écrits directement avec les fonctions de mise à jour."""
    theta, state, points = np.array(surface.default_start), None, []
    for _ in range(steps):
        g = surface.grad(theta)
        if method == "gd":
            theta = gd_step(theta, g, lr=1e-3)
        elif method == "momentum":
            theta, state = momentum_step(theta, g, state, lr=1e-3, momentum=0.6)
        elif method == "nesterov":
            theta, state = nesterov_step(theta, surface.grad, state, lr=1e-3, momentum=0.6)
        elif method == "adagrad":
            theta, state = adagrad_step(theta, g, state, lr=1e-3, eps=1e-3)
        elif method == "rmsprop":
            theta, state = rmsprop_step(theta, g, state, lr=1e-3, rho=0.5, eps=1e-3)
        else:
            theta, state = adam_step(theta, g, state, lr=1e-3, betas=(0.5, 0.7), eps=1e-3)
        points.append(theta)
    return np.array(points)


@pytest.mark.parametrize("method", METHODS)
def test_trajectory_passes_each_hyperparameter_to_its_step(method):
    surface = SURFACES["rosenbrock"]
    points = trajectory(surface, method, steps=20, lr=1e-3, momentum=0.6, rho=0.5,
                        betas=(0.5, 0.7), eps=1e-3)
    assert np.array_equal(points[0], surface.default_start)
    assert np.array_equal(points[1:], _by_hand(surface, method, 20))


def test_default_eps_are_those_of_the_step_functions():
    for method, step in [("adagrad", adagrad_step), ("rmsprop", rmsprop_step),
                         ("adam", adam_step)]:
        assert DEFAULT_EPS[method] == inspect.signature(step).parameters["eps"].default


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("lr", [1.0, 1e300])
def test_divergence_keeps_the_valid_prefix_silently(method, lr):
    rosenbrock = SURFACES["rosenbrock"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ni dépassement de capacité ni autre avertissement
        points = trajectory(rosenbrock, method, steps=200, lr=lr, momentum=0.9)
    assert 1 <= len(points) <= 201
    assert np.all(np.abs(points) <= DIVERGENCE_BOUND)
    if method in ("gd", "momentum", "nesterov"):
        assert len(points) < 201  # le gradient explose : arrêt anticipé


@pytest.mark.parametrize("kappa", [10, 100])
def test_measured_rates_match_the_closed_forms(kappa):
    surface, mu, L = quadratic(kappa, lambda_max=2.0), 2.0 / kappa, 2.0
    lr, gd_rate = optimal_gd(mu, L)
    assert gd_rate == pytest.approx((kappa - 1) / (kappa + 1))
    points = trajectory(surface, "gd", steps=2000, lr=lr, start=(1.0, 0.5))
    assert measured_rate(points, (0, 0)) == pytest.approx(gd_rate, abs=1e-6)
    lr, momentum, rate = optimal_momentum(mu, L)
    root = math.sqrt(kappa)
    assert rate == pytest.approx((root - 1) / (root + 1)) and momentum == pytest.approx(rate**2)
    assert lr == pytest.approx(4 / (math.sqrt(L) + math.sqrt(mu)) ** 2)
    points = trajectory(surface, "momentum", steps=2000, lr=lr, momentum=momentum,
                        start=(1.0, 0.5))
    # racines doubles : d_k ∝ k r^k, la mesure dépasse r de quelques pour cent au plus
    assert rate <= measured_rate(points, (0, 0)) <= 1.04 * rate


def test_measured_rate_of_a_geometric_sequence():
    points = np.array([[0.5**k, 0.0] for k in range(60)])
    assert measured_rate(points, (0.0, 0.0)) == pytest.approx(0.5)
    assert measured_rate(points, (0.0, 0.0), tail=1.0) == pytest.approx(0.5)


def test_bad_arguments_are_reported_in_french():
    q = SURFACES["quadratic"]
    cases = [
        (lambda: trajectory(q, "sgd", steps=1, lr=0.1), "méthode inconnue"),
        (lambda: trajectory(q, "gd", steps=-1, lr=0.1), "steps doit être un entier"),
        (lambda: trajectory(q, "gd", steps=1, lr=0.0), "lr doit être un réel > 0"),
        (lambda: trajectory(q, "momentum", steps=1, lr=0.1, momentum=1.0), "momentum doit"),
        (lambda: trajectory(q, "adam", steps=1, lr=0.1, betas=(0.9,)), "betas doit"),
        (lambda: trajectory(q, "adam", steps=1, lr=0.1, eps=-1.0), "eps doit"),
        (lambda: trajectory(q, "gd", steps=1, lr=0.1, start=(0.0,)), "start doit"),
        (lambda: quadratic(0.5), "condition doit être un réel ≥ 1"),
        (lambda: quadratic(lambda_max=-1.0), "lambda_max doit"),
        (lambda: optimal_gd(2.0, 1.0), "mu doit être ≤ L"),
        (lambda: optimal_momentum(0.0, 1.0), "mu doit être un réel > 0"),
        (lambda: measured_rate(np.zeros((1, 2)), (1.0, 1.0)), "trop courte"),
        (lambda: measured_rate(np.zeros(3), (0.0, 0.0)), "forme \\(n, 2\\)"),
        (lambda: q.grid(n=1), "n doit être ≥ 2"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(TypeError, match="surface doit être une Surface"):
        trajectory("quadratic", "gd", steps=1, lr=0.1)
    with pytest.raises(ValueError, match="n'a pas de minimum"):
        Surface("plan", lambda x, y: x, None, None, (0.0, 0.0), (0, 1), (0, 1)).f_min()


def test_plot_descent_draws_the_path_and_its_loss():
    q = SURFACES["quadratic"]
    points = trajectory(q, "momentum", steps=30, lr=0.0019, momentum=0.78)
    fig = plot_descent(q, points, label="Momentum", title="essai")
    ax_map, ax_loss = fig.axes
    assert np.array_equal(ax_map.lines[0].get_xydata(), points)
    assert not ax_map.lines[1].get_visible()  # pas de référence demandée
    assert list(ax_map.lines[2].get_xydata()[0]) == [0.0, 0.0]  # le minimum
    assert ax_loss.get_yscale() == "log"
    assert ax_loss.lines[0].get_ydata() == pytest.approx(q.values(points))
    assert ax_map.get_legend().texts[0].get_text() == "Momentum"
