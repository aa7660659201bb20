"""Surfaces 2D (course_utils.lab.surfaces) : gradients exacts, minima, grilles vectorisées,
la quadratique du cours (hessienne de la « banane » de Distill), erreurs en français."""

import numpy as np
import pytest
import torch

from course_utils.checks.gradcheck import numerical_grad, relative_error
from course_utils.lab.surfaces import LAMBDA_MAX, LAMBDA_MIN, SURFACES, Surface, quadratic

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


def test_quadratic_eigenvalues_follow_condition_and_lambda_max():
    q = quadratic(25.0, lambda_max=2.0, angle=0.3)
    hessian = np.stack([q.grad(np.array([1.0, 0.0])), q.grad(np.array([0.0, 1.0]))])
    assert np.linalg.eigvalsh(hessian) == pytest.approx([2.0 / 25.0, 2.0])
    assert q.name == "Quadratique (κ = 25)"


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: quadratic(0.5), ValueError, "condition doit être un réel ≥ 1"),
    (lambda: quadratic(float("nan")), ValueError, "condition doit être un réel fini"),
    (lambda: quadratic(lambda_max=-1.0), ValueError, "lambda_max doit être un réel fini > 0"),
    (lambda: quadratic(angle="droit"), TypeError, "angle (en radians) doit être un réel"),
    (lambda: SURFACES["quadratic"].grid(n=1), ValueError, "n doit être un entier ≥ 2"),
    (lambda: SURFACES["quadratic"].grid(n=2.5), TypeError, "n doit être un entier ≥ 2"),
])
def test_bad_arguments_are_reported_in_french(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value) and "(reçu\u00a0: " in str(info.value)


def test_surface_without_minimum_has_no_f_min():
    with pytest.raises(ValueError, match="n'a pas de minimum"):
        Surface("plan", lambda x, y: x, lambda t: t, None, (0.0, 0.0), (0, 1), (0, 1)).f_min()
