"""Tests des méthodes de descente (course_utils.optim) : mêmes itérés que torch.optim.SGD
une fois les hyper-paramètres mis en correspondance (v = −γ b, α = μ, ρ = γ ; pour
Nesterov, le paramètre de PyTorch est le point anticipé θ + α v), fonctions sans état
identiques sur tenseurs et tableaux NumPy, erreurs en français."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.optim import (
    GD,
    Momentum,
    MomentumState,
    Nesterov,
    gd_step,
    momentum_step,
    nesterov_step,
)

D = torch.float64
STEPS = 100
ATOL = 1e-10
RECU = "(reçu\u00a0: "

# --- Problèmes de test : paramètres et fonction de coût, déterministes -----------------------


def _mlp_problem():
    """MLP 5-8-3 (tanh), 32 exemples fixes, entropie croisée."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 5, generator=g, dtype=D)
    y = torch.randint(0, 3, (32,), generator=g)
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).to(D)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=D))
    return list(model.parameters()), lambda: F.cross_entropy(model(x), y)


def _quadratic_problem():
    """f(θ) = ½ θᵀAθ − bᵀθ, A symétrique définie positive (6 × 6)."""
    g = torch.Generator().manual_seed(1)
    m = torch.randn(6, 6, generator=g, dtype=D)
    a, b = m @ m.T / 6 + 0.1 * torch.eye(6, dtype=D), torch.randn(6, generator=g, dtype=D)
    theta = nn.Parameter(torch.randn(6, generator=g, dtype=D))
    return [theta], lambda: 0.5 * theta @ a @ theta - b @ theta


PROBLEMS = {"mlp": _mlp_problem, "quadratique": _quadratic_problem}


def _flat(tensors):
    return torch.cat([t.detach().flatten() for t in tensors])


def _closure(opt, loss_fn):
    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    return closure


def _trajectory(make_optimizer, problem, observe=None):
    """Points après chacun des STEPS pas : ``observe(opt, params)`` (θ par défaut)."""
    params, loss_fn = PROBLEMS[problem]()
    opt = make_optimizer(params)
    points = []
    for _ in range(STEPS):
        opt.step(_closure(opt, loss_fn))
        points.append(observe(opt, params) if observe else _flat(params))
    return points


def _lookahead(opt, params):
    """Point anticipé θ + α v de notre Nesterov."""
    alpha = opt.param_groups[0]["momentum"]
    return _flat([p + alpha * opt.state[p]["v"].v for p in params])


def _assert_same_iterates(ours, theirs):
    assert len(ours) == len(theirs) == STEPS
    for t, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        torch.testing.assert_close(a, b, rtol=0, atol=ATOL, msg=lambda m, t=t: f"pas {t}: {m}")


# --- Classes : mêmes itérés que torch.optim.SGD -----------------------------------------------


@pytest.mark.parametrize("problem", PROBLEMS)
def test_gd_matches_sgd_without_momentum(problem):
    ours = _trajectory(lambda p: GD(p, lr=0.1), problem)
    theirs = _trajectory(lambda p: torch.optim.SGD(p, lr=0.1), problem)
    _assert_same_iterates(ours, theirs)
    assert (ours[-1] - ours[0]).abs().max() > 1e-2  # les paramètres ont bougé


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize(("lr", "momentum"), [(0.1, 0.9), (0.05, 0.5), (0.1, 0.0)])
def test_momentum_matches_sgd_with_momentum(problem, lr, momentum):
    ours = _trajectory(lambda p: Momentum(p, lr=lr, momentum=momentum), problem)
    theirs = _trajectory(lambda p: torch.optim.SGD(p, lr=lr, momentum=momentum), problem)
    _assert_same_iterates(ours, theirs)


def test_momentum_velocity_is_minus_lr_times_torch_buffer():
    """v = −γ b : la vitesse du cours et le tampon de PyTorch, pas après pas."""
    def velocity(opt, params):
        return _flat([opt.state[p]["v"].v for p in params])

    def buffer(opt, params):
        return -0.1 * _flat([opt.state[p]["momentum_buffer"] for p in params])

    ours = _trajectory(lambda p: Momentum(p, lr=0.1, momentum=0.9), "mlp", velocity)
    theirs = _trajectory(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), "mlp", buffer)
    _assert_same_iterates(ours, theirs)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_nesterov_lookahead_matches_sgd_nesterov(problem):
    """Le paramètre p_t de SGD(nesterov=True) est le point anticipé θ_t + α v_t, à chaque pas."""
    ours = _trajectory(lambda p: Nesterov(p, lr=0.1, momentum=0.9), problem, _lookahead)
    theirs = _trajectory(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                         problem)
    _assert_same_iterates(ours, theirs)
    # la correspondance n'est pas triviale : θ_t lui-même diffère de p_t
    thetas = _trajectory(lambda p: Nesterov(p, lr=0.1, momentum=0.9), problem)
    assert max((a - b).abs().max().item() for a, b in zip(thetas, theirs, strict=True)) > 1e-3


def test_nesterov_differs_from_momentum():
    nesterov = _trajectory(lambda p: Nesterov(p, lr=0.1, momentum=0.9), "mlp")
    momentum = _trajectory(lambda p: Momentum(p, lr=0.1, momentum=0.9), "mlp")
    assert (nesterov[-1] - momentum[-1]).abs().max() > 1e-3


def test_optimizer_state_is_a_momentum_state():
    params, loss_fn = _quadratic_problem()
    opt = Momentum(params, lr=0.1, momentum=0.9)
    assert "v" not in opt.state[params[0]]  # avant le premier pas : v = 0
    loss_fn().backward()
    opt.step()
    state = opt.state[params[0]]["v"]
    assert isinstance(state, MomentumState) and state.v.shape == params[0].shape


def test_nesterov_restores_theta_when_closure_fails():
    params, loss_fn = _quadratic_problem()
    opt = Nesterov(params, lr=0.1, momentum=0.9)
    opt.step(_closure(opt, loss_fn))
    before = params[0].detach().clone()

    def failing():
        raise RuntimeError("panne")

    with pytest.raises(RuntimeError, match="panne"):
        opt.step(failing)
    assert torch.equal(params[0].detach(), before)


def test_nesterov_leaves_parameters_without_gradient_unchanged():
    params, loss_fn = _quadratic_problem()
    frozen = nn.Parameter(torch.ones(3, dtype=D))
    opt = Nesterov([*params, frozen], lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.step(_closure(opt, loss_fn))
    assert torch.equal(frozen.detach(), torch.ones(3, dtype=D))


# --- Fonctions sans état -----------------------------------------------------------------------

LAM = [0.5, 4.0]  # courbures d'une fonction de deux variables


def _grad(theta):
    """∇f pour f(θ) = Σ ½ λ_i θ_i² + θ_i⁴/40 : uniquement des opérateurs Python."""
    lam = np.array(LAM) if isinstance(theta, np.ndarray) else torch.tensor(LAM, dtype=D)
    return lam * theta + 0.1 * theta**3


def _run_stateless(theta, method, steps=50):
    state, points = None, []
    for _ in range(steps):
        if method == "gd":
            theta = gd_step(theta, _grad(theta), lr=0.2)
        elif method == "momentum":
            theta, state = momentum_step(theta, _grad(theta), state, lr=0.1, momentum=0.8)
        else:
            theta, state = nesterov_step(theta, _grad, state, lr=0.1, momentum=0.8)
        points.append(theta)
    return points, state


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_stateless_steps_agree_on_numpy_and_torch(method):
    start = [1.5, -2.0]
    np_points, np_state = _run_stateless(np.array(start), method)
    pt_points, pt_state = _run_stateless(torch.tensor(start, dtype=D), method)
    assert all(isinstance(p, np.ndarray) and p.shape == (2,) for p in np_points)
    assert all(isinstance(p, torch.Tensor) for p in pt_points)
    np.testing.assert_allclose(np.stack(np_points), torch.stack(pt_points).numpy(),
                               rtol=1e-13, atol=1e-15)
    if method != "gd":
        assert isinstance(np_state.v, np.ndarray) and isinstance(pt_state.v, torch.Tensor)
    assert np.abs(np_points[-1]).max() < 0.1  # la descente converge vers 0


def test_state_none_means_zero_velocity():
    theta, g = torch.tensor([1.0, -2.0], dtype=D), torch.tensor([0.3, 0.1], dtype=D)
    first, state = momentum_step(theta, g, None, lr=0.1, momentum=0.9)
    same, _ = momentum_step(theta, g, MomentumState(torch.zeros(2, dtype=D)), lr=0.1,
                            momentum=0.9)
    assert torch.equal(first, same) and torch.equal(state.v, -0.1 * g)


def test_momentum_step_follows_the_slide_and_keeps_inputs():
    theta, g, v = (torch.tensor(x, dtype=D) for x in ([1.0, 2.0], [0.5, -1.0], [0.2, 0.4]))
    new_theta, state = momentum_step(theta, g, MomentumState(v), lr=0.1, momentum=0.9)
    torch.testing.assert_close(state.v, 0.9 * v - 0.1 * g)
    torch.testing.assert_close(new_theta, theta + 0.9 * v - 0.1 * g)
    assert torch.equal(v, torch.tensor([0.2, 0.4], dtype=D))  # pas de modification en place
    assert torch.equal(theta, torch.tensor([1.0, 2.0], dtype=D))


def test_nesterov_step_evaluates_gradient_once_at_lookahead():
    theta, v = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    seen = []

    def grad_fn(point):
        seen.append(point)
        return 2 * point

    new_theta, state = nesterov_step(theta, grad_fn, MomentumState(v), lr=0.1, momentum=0.9)
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], theta + 0.9 * v)
    np.testing.assert_allclose(state.v, 0.9 * v - 0.1 * 2 * (theta + 0.9 * v))
    np.testing.assert_allclose(new_theta, theta + state.v)


_vectors = st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=10)


@settings(max_examples=60, deadline=None)
@given(st.data(), _vectors, st.floats(1e-6, 10.0))
def test_zero_momentum_is_gradient_descent(data, theta, lr):
    """Pour α = 0, momentum et Nesterov font exactement un pas de descente de gradient,
    quelle que soit la vitesse v reçue."""
    n = len(theta)
    g = data.draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n))
    v = data.draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n))
    theta, g, v = (torch.tensor(x, dtype=D) for x in (theta, g, v))
    expected = gd_step(theta, g, lr=lr)
    for state in (None, MomentumState(v)):
        new_theta, _ = momentum_step(theta, g, state, lr=lr, momentum=0.0)
        assert torch.equal(new_theta, expected)
        new_theta, _ = nesterov_step(theta, lambda point: g, state, lr=lr, momentum=0.0)
        assert torch.equal(new_theta, expected)


# --- Erreurs en français -----------------------------------------------------------------------

LR_ERROR = "lr doit être un réel fini > 0"
MOMENTUM_ERROR = "momentum doit être un réel dans [0, 1)"
_T = torch.zeros(2)


def _param():
    return [nn.Parameter(torch.zeros(2))]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: gd_step(_T, _T, lr=0.0), LR_ERROR),
        (lambda: gd_step(_T, _T, lr=-0.1), LR_ERROR),
        (lambda: gd_step(_T, _T, lr=math.nan), LR_ERROR),
        (lambda: gd_step(_T, _T, lr=math.inf), LR_ERROR),
        (lambda: momentum_step(_T, _T, None, lr=0.1, momentum=1.0), MOMENTUM_ERROR),
        (lambda: momentum_step(_T, _T, None, lr=0.1, momentum=-0.1), MOMENTUM_ERROR),
        (lambda: momentum_step(_T, _T, None, lr=-1.0, momentum=0.9), LR_ERROR),
        (lambda: nesterov_step(_T, lambda p: p, None, lr=0.1, momentum=1.5), "momentum"),
        (lambda: nesterov_step(_T, lambda p: p, None, lr=0.0, momentum=0.5), "lr"),
        (lambda: GD(_param(), lr=0.0), LR_ERROR),
        (lambda: Momentum(_param(), lr=0.1, momentum=1.0), MOMENTUM_ERROR),
        (lambda: Nesterov(_param(), lr=-0.1, momentum=0.9), LR_ERROR),
        (lambda: Nesterov(_param(), lr=0.1, momentum=-0.5), MOMENTUM_ERROR),
    ],
    ids=["gd-0", "gd-neg", "gd-nan", "gd-inf", "mom-1", "mom-neg", "mom-lr", "nest-mom", "nest-lr",
         "GD", "Momentum", "Nesterov-lr", "Nesterov-mom"],
)
def test_argument_errors_are_in_french(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert words in str(info.value) and RECU in str(info.value)


def test_nesterov_without_closure_is_refused():
    params = _param()
    opt = Nesterov(params, lr=0.1, momentum=0.9)
    with pytest.raises(TypeError, match="exige une closure"):
        opt.step()
    assert torch.equal(params[0].detach(), torch.zeros(2))


def test_non_numbers_are_type_errors():
    with pytest.raises(TypeError, match=LR_ERROR):
        gd_step(_T, _T, lr="0.1")
    with pytest.raises(TypeError, match="momentum"):
        Momentum(_param(), lr=0.1, momentum=torch.tensor(0.9))


def test_hyperparameters_are_keyword_only():
    with pytest.raises(TypeError):
        Momentum(_param(), 0.1, 0.9)
    with pytest.raises(TypeError):
        gd_step(_T, _T, 0.1)

