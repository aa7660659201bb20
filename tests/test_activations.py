"""Tests des activations de référence contre PyTorch, en float64 : valeurs, dérivées écrites
à la main contre autograd, cas limites (0, ±1000, NaN), module PReLU et registre."""

import dataclasses
import math
import warnings
from functools import partial

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils import activations as A
from course_utils.activations import ACTIVATIONS, SELU_ALPHA, SELU_LAMBDA, Activation, PReLU

D = torch.float64


def _torch_prelu(x):
    return F.prelu(x, torch.tensor([0.25], dtype=x.dtype))


# (identifiant, f, f′ écrite à la main, référence PyTorch)
FUNCTIONS = [
    ("sigmoid", A.sigmoid, A.sigmoid_grad, torch.sigmoid),
    ("tanh", A.tanh, A.tanh_grad, torch.tanh),
    ("relu", A.relu, A.relu_grad, F.relu),
    ("leaky_relu", A.leaky_relu, A.leaky_relu_grad, F.leaky_relu),
    ("leaky_relu-0.2", partial(A.leaky_relu, negative_slope=0.2),
     partial(A.leaky_relu_grad, negative_slope=0.2), partial(F.leaky_relu, negative_slope=0.2)),
    ("prelu", ACTIVATIONS["prelu"].fn, ACTIVATIONS["prelu"].grad, _torch_prelu),
    ("elu", A.elu, A.elu_grad, F.elu),
    ("elu-0.5", partial(A.elu, alpha=0.5), partial(A.elu_grad, alpha=0.5),
     partial(F.elu, alpha=0.5)),
    ("elu-2", partial(A.elu, alpha=2), partial(A.elu_grad, alpha=2), partial(F.elu, alpha=2.0)),
    ("selu", A.selu, A.selu_grad, F.selu),
    ("gelu", A.gelu, A.gelu_grad, F.gelu),
    ("gelu_tanh", A.gelu_tanh, A.gelu_tanh_grad, partial(F.gelu, approximate="tanh")),
    ("silu", A.silu, A.silu_grad, F.silu),
]
IDS = [f[0] for f in FUNCTIONS]
EDGES = [0.0, -0.0, 1e-8, -1e-8, 1.0, -1.0, 50.0, -50.0, 1000.0, -1000.0]


def _torch_grad(ref, x):
    x = x.clone().requires_grad_(True)
    return torch.autograd.grad(ref(x).sum(), x)[0]


@pytest.mark.parametrize("scale", [0.1, 1.0, 5.0, 30.0])
@pytest.mark.parametrize(("name", "fn", "grad", "ref"), FUNCTIONS, ids=IDS)
def test_values_and_grads_match_torch(name, fn, grad, ref, scale):
    x = scale * torch.randn(3, 200, dtype=D, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(fn(x), ref(x))
    torch.testing.assert_close(grad(x), _torch_grad(ref, x))


@pytest.mark.parametrize(("name", "fn", "grad", "ref"), FUNCTIONS, ids=IDS)
def test_edge_values_match_torch(name, fn, grad, ref):
    """Y compris en x = 0 : la dérivée est la pente de gauche, comme autograd."""
    x = torch.tensor(EDGES, dtype=D)
    torch.testing.assert_close(fn(x), ref(x))
    torch.testing.assert_close(grad(x), _torch_grad(ref, x))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(("name", "fn", "grad", "ref"), FUNCTIONS, ids=IDS)
def test_finite_at_extremes_nan_propagates_no_warning(name, fn, grad, ref, dtype):
    x = torch.tensor([-1e4, -1000.0, -50.0, 0.0, 50.0, 1000.0, 1e4, math.nan], dtype=dtype)
    before = x.clone()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, g = fn(x), grad(x)
    assert y.dtype == g.dtype == dtype and y.shape == g.shape == x.shape
    assert torch.isfinite(y[:-1]).all() and torch.isfinite(g[:-1]).all(), (y, g)
    assert y[-1].isnan() and g[-1].isnan()  # autograd, lui, renvoie parfois une valeur finie
    torch.testing.assert_close(y[:-1], ref(x[:-1]))
    assert torch.equal(x.nan_to_num(), before.nan_to_num())  # entrée non modifiée


def test_conventions_at_zero():
    z = torch.zeros(1, dtype=D)
    assert A.relu_grad(z).item() == 0.0
    assert A.leaky_relu_grad(z).item() == 0.01
    assert A.leaky_relu_grad(z, negative_slope=0.3).item() == 0.3
    assert A.elu_grad(z, alpha=0.5).item() == 0.5
    assert A.selu_grad(z).item() == pytest.approx(SELU_LAMBDA * SELU_ALPHA)
    assert A.prelu_grad(z, torch.tensor(0.7, dtype=D))[0].item() == 0.7
    assert A.gelu_grad(z).item() == A.silu_grad(z).item() == 0.5
    assert SELU_LAMBDA == 1.0507009873554805 and SELU_ALPHA == 1.6732632423543772


def test_shapes_are_kept():
    x = torch.randn(2, 3, 4, dtype=D)
    for key, act in ACTIVATIONS.items():
        assert act.fn(x).shape == act.grad(x).shape == x.shape, key
        assert act.fn(x[0, 0, 0]).shape == (), key


@pytest.mark.parametrize("key", list(ACTIVATIONS))
def test_autograd_through_reference_matches_hand_grad(key):
    """Même au travers de nos fonctions, autograd ne rencontre pas inf·0 = nan."""
    act = ACTIVATIONS[key]
    x = torch.cat([torch.linspace(-8, 8, 161, dtype=D), torch.tensor(EDGES, dtype=D)])
    torch.testing.assert_close(_torch_grad(act.fn, x), act.grad(x))


# --- PReLU ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("x_shape", "a"), [
    ((5, 7), torch.tensor(0.25, dtype=D)),
    ((5, 7), torch.tensor([0.1], dtype=D)),
    ((11,), torch.tensor([-0.3], dtype=D)),
    ((), torch.tensor(0.2, dtype=D)),
    ((4, 3), torch.tensor([0.1, 0.5, 2.0], dtype=D)),
    ((2, 3, 5, 5), torch.tensor([0.1, 0.5, 2.0], dtype=D)),
], ids=["scalaire", "un-alpha", "1d", "x-scalaire", "canaux", "canaux-4d"])
def test_prelu_and_its_grads_match_torch(x_shape, a):
    x = torch.randn(x_shape, dtype=D, generator=torch.Generator().manual_seed(2))
    x = torch.where(x.abs() < 0.2, torch.zeros_like(x), x)  # des zéros exacts
    x_, a_ = x.clone().requires_grad_(True), a.clone().requires_grad_(True)
    out = F.prelu(x_, a_.reshape(-1))
    dx, da = torch.autograd.grad(out.sum(), (x_, a_))
    torch.testing.assert_close(A.prelu(x, a), out.detach())
    got_dx, got_da = A.prelu_grad(x, a)
    assert got_da.shape == a.shape
    torch.testing.assert_close(got_dx, dx)
    torch.testing.assert_close(got_da, da)


def test_prelu_gradcheck():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(4, 3, 2, dtype=D, generator=g).requires_grad_(True)
    a = torch.tensor([0.1, 0.5, 2.0], dtype=D, requires_grad=True)
    assert torch.autograd.gradcheck(A.prelu, (x, a))
    assert torch.autograd.gradcheck(A.prelu, (x, torch.tensor(0.3, dtype=D, requires_grad=True)))


@pytest.mark.parametrize(("num", "init"), [(1, 0.25), (3, 0.25), (3, 0.1)])
def test_prelu_module_matches_nn_prelu(num, init):
    ours, theirs = PReLU(num_parameters=num, init=init), nn.PReLU(num, init=init)
    ours.load_state_dict(theirs.state_dict())  # même nom de paramètre : weight
    x = torch.randn(6, 3, 4, generator=torch.Generator().manual_seed(4)).requires_grad_(True)
    out_ours, out_theirs = ours(x), theirs(x)
    torch.testing.assert_close(out_ours, out_theirs)
    w = torch.randn(out_ours.shape)
    g_ours = torch.autograd.grad((w * out_ours).sum(), (x, ours.weight))
    g_theirs = torch.autograd.grad((w * out_theirs).sum(), (x, theirs.weight))
    for a, b in zip(g_ours, g_theirs, strict=True):
        torch.testing.assert_close(a, b)
    assert [n for n, _ in ours.named_parameters()] == ["weight"] and ours.weight.shape == (num,)
    assert f"num_parameters={num}" in repr(ours)


def test_prelu_module_defaults():
    module = PReLU()
    assert module.weight.tolist() == [0.25] and module.weight.requires_grad
    with pytest.raises(TypeError):
        PReLU(3)  # hyper-paramètres nommés uniquement


# --- Registre ------------------------------------------------------------------------------

KEYS = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "gelu_tanh",
        "silu")


def test_registry_keys_and_immutability():
    assert tuple(ACTIVATIONS) == KEYS
    with pytest.raises(TypeError):
        ACTIVATIONS["relu"] = ACTIVATIONS["tanh"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ACTIVATIONS["relu"].name = "autre"
    for act in ACTIVATIONS.values():
        assert isinstance(act, Activation) and act.name
        assert callable(act.fn) and callable(act.grad) and callable(act.module)


@pytest.mark.parametrize("key", KEYS)
def test_registry_module_matches_reference(key):
    act = ACTIVATIONS[key]
    module = act.module()
    assert isinstance(module, nn.Module) and module is not act.module()
    x = torch.cat([5 * torch.randn(300, generator=torch.Generator().manual_seed(5)),
                   torch.tensor([0.0, -1000.0, 1000.0])])
    with torch.no_grad():
        torch.testing.assert_close(module(x[None])[0], act.fn(x))
        torch.testing.assert_close(module.double()(x[None].double())[0], act.fn(x.double()))


def test_registry_modules_are_the_expected_torch_modules():
    got = {k: ACTIVATIONS[k].module() for k in KEYS}
    assert isinstance(got["leaky_relu"], nn.LeakyReLU) and got["leaky_relu"].negative_slope == 0.01
    assert isinstance(got["prelu"], nn.PReLU) and got["prelu"].weight.item() == 0.25
    assert got["gelu"].approximate == "none" and got["gelu_tanh"].approximate == "tanh"
    assert isinstance(got["selu"], nn.SELU) and isinstance(got["silu"], nn.SiLU)


# --- Erreurs d'arguments -------------------------------------------------------------------

X = torch.zeros(2, 3)


@pytest.mark.parametrize(("call", "exc", "words"), [
    (lambda: A.relu([1.0]), TypeError, "x doit être un torch.Tensor"),
    (lambda: A.tanh_grad(torch.tensor([1, 2])), TypeError, "flottant"),
    (lambda: A.gelu(None), TypeError, "torch.Tensor"),
    (lambda: A.silu_grad("x"), TypeError, "torch.Tensor"),
    (lambda: A.selu(torch.tensor([True])), TypeError, "flottant"),
    (lambda: A.leaky_relu(X, negative_slope=-0.1), ValueError, "negative_slope"),
    (lambda: A.leaky_relu_grad(X, negative_slope="0.1"), TypeError, "negative_slope"),
    (lambda: A.elu(X, alpha=0.0), ValueError, "alpha doit être un réel fini > 0"),
    (lambda: A.elu_grad(X, alpha=math.inf), ValueError, "alpha"),
    (lambda: A.elu(X, alpha=True), TypeError, "alpha"),
    (lambda: A.prelu(X, 0.25), TypeError, "a doit être un torch.Tensor"),
    (lambda: A.prelu(X, torch.tensor(0.25, dtype=D)), TypeError, "torch.float32"),
    (lambda: A.prelu(X, torch.ones(4)), ValueError, "C = x.shape[1]"),
    (lambda: A.prelu_grad(torch.zeros(3), torch.ones(3)), ValueError, "(C,)"),
    (lambda: A.prelu(X, torch.ones(1, 3)), ValueError, "(C,)"),
    (lambda: PReLU(num_parameters=0), ValueError, "num_parameters"),
    (lambda: PReLU(init=math.nan), ValueError, "init"),
])
def test_argument_errors_are_french(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    assert words in msg and "doi" in msg and "(reçu\u00a0: " in msg


# --- Propriétés (hypothesis) ---------------------------------------------------------------

_values = st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(_values)
def test_relu_is_nonnegative_and_is_max_with_zero(values):
    x = torch.tensor(values, dtype=D)
    assert (A.relu(x) >= 0).all()
    assert torch.equal(A.relu(x), torch.clamp(x, min=0))


@settings(max_examples=60, deadline=None)
@given(_values, st.floats(0.0, 1.0))
def test_leaky_relu_is_monotone(values, slope):
    x = torch.tensor(sorted(values), dtype=D)
    y = A.leaky_relu(x, negative_slope=slope)
    assert (y[1:] >= y[:-1]).all()
    assert (A.leaky_relu_grad(x, negative_slope=slope) >= 0).all()


@settings(max_examples=60, deadline=None)
@given(_values, st.floats(0.01, 10.0))
def test_elu_is_bounded_below_by_minus_alpha(values, alpha):
    x = torch.tensor(values, dtype=D)
    y = A.elu(x, alpha=alpha)
    assert (y >= -alpha).all() and (y <= torch.clamp(x, min=0)).all()
    assert ((A.elu_grad(x, alpha=alpha) - y - alpha).abs()[x <= 0] < 1e-9).all()  # f′ = f + α
