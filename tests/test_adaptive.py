"""Tests de course_utils.adaptive : AdaGrad, RMSProp et Adam comparés à torch.optim."""

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.adaptive import (
    AdaGrad,
    AdaGradState,
    Adam,
    AdamState,
    RMSProp,
    RMSPropState,
    adagrad_effective_lr,
    adagrad_step,
    adam_step,
    rmsprop_step,
)

# --- Petit réseau 5-8-3 (tanh), données fixes, entropie croisée, float64 ------------------


def _mlp(seed=0):
    g = torch.Generator().manual_seed(seed)
    net = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    return net


def _data():
    g = torch.Generator().manual_seed(1)
    return torch.randn(32, 5, generator=g, dtype=torch.float64), torch.randint(0, 3, (32,),
                                                                               generator=g)


def _backward(net, x, y):
    net.zero_grad()
    loss = F.cross_entropy(net(x), y)
    loss.backward()
    return loss


def _train(make_optimizer, steps=100):
    """Paramètres (aplatis) du réseau après ``steps`` pas de l'optimiseur."""
    net, (x, y) = _mlp(), _data()
    optimizer = make_optimizer(net.parameters())
    for _ in range(steps):
        _backward(net, x, y)
        optimizer.step()
    return torch.cat([p.detach().flatten() for p in net.parameters()])


SAME_AS_TORCH = {
    "adagrad": (lambda p: AdaGrad(p, lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-7)),
    "adagrad-eps-1e-3": (lambda p: AdaGrad(p, lr=0.05, eps=1e-3),
                         lambda p: torch.optim.Adagrad(p, lr=0.05, eps=1e-3)),
    "rmsprop-torch": (lambda p: RMSProp(p, lr=0.01, eps_inside_sqrt=False),
                      lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6)),
    "rmsprop-torch-rho-0.99": (
        lambda p: RMSProp(p, lr=0.01, rho=0.99, eps=1e-8, eps_inside_sqrt=False),
        lambda p: torch.optim.RMSprop(p, lr=0.01)),
    "adam-torch": (lambda p: Adam(p, lr=0.01, eps_inside_sqrt=False),
                   lambda p: torch.optim.Adam(p, lr=0.01)),
    "adam-torch-betas": (
        lambda p: Adam(p, lr=0.02, betas=(0.5, 0.9), eps=1e-4, eps_inside_sqrt=False),
        lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.5, 0.9), eps=1e-4)),
    # δ = 0 : les deux placements de δ coïncident, le cours et PyTorch aussi
    "rmsprop-cours-eps-0": (lambda p: RMSProp(p, lr=0.01, eps=0.0),
                            lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0)),
    "adam-cours-eps-0": (lambda p: Adam(p, lr=0.01, eps=0.0),
                         lambda p: torch.optim.Adam(p, lr=0.01, eps=0.0)),
}


@pytest.mark.parametrize("name", list(SAME_AS_TORCH))
def test_matches_torch_over_100_steps(name):
    ours, theirs = SAME_AS_TORCH[name]
    a, b = _train(ours), _train(theirs)
    assert (a - _train(ours, steps=0)).abs().max() > 0.1  # les paramètres ont bougé
    assert (a - b).abs().max() < 1e-6


FIRST_STEP = {  # (pas du cours, optimiseur torch, r̂ au premier pas) ; ŝ = g dans les deux cas
    "rmsprop": (lambda t, g: rmsprop_step(t, g, None, lr=0.01, rho=0.9, eps=1e-3)[0],
                lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-3),
                lambda g: (1 - 0.9) * g * g),
    "adam": (lambda t, g: adam_step(t, g, None, lr=0.01, eps=1e-3)[0],
             lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-3),
             lambda g: g * g),  # t = 1 : r̂ = r/(1 − ρ2) = g²
}


@pytest.mark.parametrize("algo", list(FIRST_STEP))
def test_slides_differ_from_torch_only_by_delta_placement(algo):
    """Premier pas : θ_cours − θ_torch = ε ŝ (1/(√r̂ + δ) − 1/√(r̂ + δ)), élément par élément."""
    slides_step, make_torch, first_r_hat = FIRST_STEP[algo]
    net, (x, y) = _mlp(), _data()
    _backward(net, x, y)
    params = list(net.parameters())
    theta, grads = [p.detach().clone() for p in params], [p.grad.clone() for p in params]
    make_torch(params).step()
    largest = 0.0
    for p, t, g in zip(params, theta, grads, strict=True):
        r_hat = first_r_hat(g)
        analytic = 0.01 * g * (1 / (r_hat.sqrt() + 1e-3) - 1 / (r_hat + 1e-3).sqrt())
        difference = slides_step(t, g) - p.detach()
        assert torch.allclose(difference, analytic, rtol=1e-9, atol=1e-15)
        largest = max(largest, difference.abs().max().item())
    assert largest > 1e-4  # l'écart est bien visible avec δ = 1e-3


def test_optimizer_keeps_dataclass_state_and_skips_params_without_grad():
    net, (x, y) = _mlp(), _data()
    frozen = nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = Adam([*net.parameters(), frozen], lr=0.01)
    for _ in range(3):
        opt.step(lambda: _backward(net, x, y))
    state = opt.state[net[0].weight]["state"]
    assert isinstance(state, AdamState) and state.t == 3 and state.r.shape == (8, 5)
    assert frozen not in opt.state and torch.equal(frozen, torch.ones(3, dtype=torch.float64))
    assert isinstance(opt.state[net[2].bias]["state"], AdamState)
    rms, ada = RMSProp(net.parameters(), lr=0.01), AdaGrad(net.parameters(), lr=0.01)
    _backward(net, x, y)
    rms.step(), ada.step()
    assert isinstance(rms.state[net[0].bias]["state"], RMSPropState)
    assert isinstance(ada.state[net[0].bias]["state"], AdaGradState)


def test_closure_loss_is_returned_and_state_dict_round_trips():
    net, (x, y) = _mlp(), _data()
    opt = Adam(net.parameters(), lr=0.01)
    loss = opt.step(lambda: _backward(net, x, y))
    assert isinstance(loss, torch.Tensor) and loss.item() > 0
    twin = copy.deepcopy(net)
    twin_opt = Adam(twin.parameters(), lr=0.01)
    twin_opt.load_state_dict(opt.state_dict())
    for model, optimizer in ((net, opt), (twin, twin_opt)):
        optimizer.step(lambda model=model: _backward(model, x, y))
    assert all(torch.equal(a, b) for a, b in zip(net.parameters(), twin.parameters(), strict=True))
    assert twin_opt.state[twin[0].weight]["state"].t == 2


# --- Fonctions sans état : NumPy ou PyTorch, même résultat ---------------------------------

A = (1.0, 10.0)  # f(θ) = ½ (θ1² + 10 θ2²), mal conditionnée ; ∇f = A ⊙ θ


def _iterate(step, theta, a, n=200, **hyper):
    state, path = None, []
    for _ in range(n):
        theta, state = step(theta, a * theta, state, **hyper)
        path.append(theta)
    return path, state


@pytest.mark.parametrize(("step", "hyper"), [
    (adagrad_step, {"lr": 0.5}),
    (rmsprop_step, {"lr": 0.05}),
    (rmsprop_step, {"lr": 0.05, "rho": 0.99, "eps_inside_sqrt": False}),
    (adam_step, {"lr": 0.1}),
    (adam_step, {"lr": 0.1, "bias_correction": False, "eps_inside_sqrt": False}),
], ids=["adagrad", "rmsprop", "rmsprop-torch", "adam", "adam-sans-correction"])
def test_numpy_and_torch_give_the_same_iterates(step, hyper):
    path_np, state_np = _iterate(step, np.array([-1.5, 1.0]), np.array(A), **hyper)
    path_t, state_t = _iterate(step, torch.tensor([-1.5, 1.0], dtype=torch.float64),
                               torch.tensor(A, dtype=torch.float64), **hyper)
    assert isinstance(path_np[-1], np.ndarray) and isinstance(state_np.r, np.ndarray)
    np.testing.assert_allclose(np.stack(path_np), torch.stack(path_t).numpy(), rtol=1e-12,
                               atol=1e-14)
    assert np.abs(path_np[-1]).max() < np.abs(path_np[0]).max()  # on descend vers 0


def test_step_functions_do_not_modify_their_inputs():
    theta, g = torch.tensor([1.0, -2.0]), torch.tensor([0.5, 0.25])
    state = AdamState(s=torch.tensor([0.1, 0.2]), r=torch.tensor([0.3, 0.4]), t=2)
    adam_step(theta, g, state, lr=0.1)
    rmsprop_step(theta, g, RMSPropState(r=state.r), lr=0.1)
    adagrad_step(theta, g, AdaGradState(r=state.r), lr=0.1)
    assert theta.tolist() == [1.0, -2.0] and g.tolist() == [0.5, 0.25]
    assert torch.equal(state.r, torch.tensor([0.3, 0.4])) and state.t == 2


def test_adam_without_bias_correction_first_step_is_larger_by_analytic_ratio():
    """Sans correction, s = (1 − ρ1) g et r = (1 − ρ2) g² : |Δθ| = ε (1 − ρ1)/√(1 − ρ2)."""
    theta, g = torch.zeros(4, dtype=torch.float64), torch.tensor([3.0, -0.2, 1e-3, -50.0],
                                                                   dtype=torch.float64)
    for rho1, rho2 in ((0.9, 0.999), (0.8, 0.99), (0.0, 0.5)):
        kw = {"lr": 0.01, "betas": (rho1, rho2), "eps": 0.0}
        with_bc = adam_step(theta, g, None, **kw)[0]
        without = adam_step(theta, g, None, bias_correction=False, **kw)[0]
        assert torch.allclose(with_bc, -0.01 * g.sign(), rtol=1e-12)
        assert torch.allclose(without / with_bc, torch.full_like(g, (1 - rho1) / (1 - rho2)**0.5),
                              rtol=1e-12)
    assert (1 - 0.9) / math.sqrt(1 - 0.999) == pytest.approx(3.1623, abs=1e-4)


def test_adagrad_effective_lr_decreases_monotonically():
    g = torch.Generator().manual_seed(2)
    theta, state, previous = torch.zeros(6, dtype=torch.float64), None, None
    for k in range(50):
        grad = torch.randn(6, generator=g, dtype=torch.float64)
        grad[0] = 0.0  # paramètre sans gradient : son pas reste lr/δ
        theta, state = adagrad_step(theta, grad, state, lr=0.1)
        rate = adagrad_effective_lr(state, lr=0.1)
        if previous is not None:
            assert (rate[1:] < previous[1:]).all() and rate[0] == previous[0], k
        previous = rate
    assert rate[0] == pytest.approx(0.1 / 1e-7) and (rate[1:] < 0.1 / 3).all()


# --- Propriétés (hypothesis) --------------------------------------------------------------

_coordinates = st.lists(
    st.floats(1e-2, 1e3) | st.floats(-1e3, -1e-2), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(g=_coordinates, lr=st.floats(1e-4, 1.0), inside=st.booleans())
def test_adam_first_step_has_magnitude_lr_per_coordinate(g, lr, inside):
    """Pour δ ≪ |g| : au premier pas, ŝ = g, r̂ = g², donc Δθ ≈ −ε signe(g) composante par
    composante, quelle que soit l'échelle de g (écart relatif ≤ δ/(2g²) ou δ/|g|)."""
    g = torch.tensor(g, dtype=torch.float64)
    theta = torch.linspace(-1, 1, len(g), dtype=torch.float64)
    new, state = adam_step(theta, g, None, lr=lr, eps=1e-8, eps_inside_sqrt=inside)
    assert torch.allclose(new - theta, -lr * g.sign(), rtol=1e-4, atol=0)
    assert state.t == 1


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(1e-3, 1e3), rho=st.floats(0.0, 0.999))
def test_rmsprop_without_delta_is_invariant_to_gradient_scale(scale, rho):
    """Avec δ = 0, multiplier tous les gradients par c > 0 ne change pas les pas."""
    g = torch.Generator().manual_seed(3)
    grads = [torch.randn(3, generator=g, dtype=torch.float64) for _ in range(5)]
    theta_a = theta_b = torch.zeros(3, dtype=torch.float64)
    state_a = state_b = None
    for grad in grads:
        theta_a, state_a = rmsprop_step(theta_a, grad, state_a, lr=0.1, rho=rho, eps=0.0)
        theta_b, state_b = rmsprop_step(theta_b, scale * grad, state_b, lr=0.1, rho=rho, eps=0.0)
    assert torch.allclose(theta_a, theta_b, rtol=1e-9, atol=1e-12)


# --- Erreurs d'arguments, en français ----------------------------------------------------

LR_ERROR = "lr doit être un réel fini > 0"
RHO_ERROR = "rho doit être un réel dans [0, 1)"
RHO1_ERROR = "betas[0] (ρ1) doit être un réel dans [0, 1)"
RHO2_ERROR = "betas[1] (ρ2) doit être un réel dans [0, 1)"
EPS_ERROR = "eps doit être un réel fini ≥ 0"
_T = torch.ones(2)


@pytest.mark.parametrize(("call", "words"), [
    (lambda: adagrad_step(_T, _T, None, lr=0.0), LR_ERROR),
    (lambda: adagrad_step(_T, _T, None, lr=0.1, eps=-1e-7), EPS_ERROR),
    (lambda: adagrad_effective_lr(AdaGradState(r=_T), lr=-1.0), LR_ERROR),
    (lambda: rmsprop_step(_T, _T, None, lr=0.1, rho=1.0), RHO_ERROR),
    (lambda: rmsprop_step(_T, _T, None, lr=0.1, rho=-0.1), RHO_ERROR),
    (lambda: rmsprop_step(_T, _T, None, lr=float("nan")), LR_ERROR),
    (lambda: adam_step(_T, _T, None, lr=float("inf")), LR_ERROR),
    (lambda: AdaGrad([nn.Parameter(_T)], lr=math.inf), LR_ERROR),
    (lambda: adam_step(_T, _T, None, betas=(1.0, 0.999)), RHO1_ERROR),
    (lambda: adam_step(_T, _T, None, betas=(0.9, 1.5)), RHO2_ERROR),
    (lambda: adam_step(_T, _T, None, betas=(0.9,)), "betas doit être un couple (ρ1, ρ2)"),
    (lambda: adam_step(_T, _T, None, eps=-1.0), EPS_ERROR),
    (lambda: AdaGrad([nn.Parameter(_T)], lr=-0.1), LR_ERROR),
    (lambda: RMSProp([nn.Parameter(_T)], lr=0.1, rho=1.0), RHO_ERROR),
    (lambda: Adam([nn.Parameter(_T)], betas=(0.9, 1.0)), RHO2_ERROR),
    (lambda: Adam([nn.Parameter(_T)], eps=-1e-8), EPS_ERROR),
])
def test_argument_errors_are_in_french(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert words in str(info.value) and "(reçu\u00a0: " in str(info.value)


def test_effective_lr_needs_an_adagrad_state():
    with pytest.raises(TypeError, match="state doit être un AdaGradState"):
        adagrad_effective_lr(RMSPropState(r=_T), lr=0.1)


def test_keyword_only_hyperparameters():
    with pytest.raises(TypeError):
        adam_step(_T, _T, None, 0.1)
    with pytest.raises(TypeError):
        AdaGrad([nn.Parameter(_T)], 0.1)
