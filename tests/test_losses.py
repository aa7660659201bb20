"""Tests des implémentations de référence (losses, activations) contre PyTorch, en float64."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.activations import sigmoid, sigmoid_grad
from course_utils.losses import cross_entropy, cross_entropy_grad, log_softmax, one_hot, softmax

D = torch.float64


def _logits_cases() -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return [
        torch.randn(6, 10, generator=g, dtype=D),
        3 * torch.randn(4, 5, generator=g, dtype=D),
        torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]], dtype=D),
        torch.tensor([[1e4, -1e4, 0.0, 5.0], [-1e4, -1e4, -1e4, -1e4]], dtype=D),
        torch.full((2, 7), 3.0, dtype=D),          # lignes constantes
        torch.randn(5, 1, generator=g, dtype=D),   # une seule classe
        torch.randn(1, 4, generator=g, dtype=D),   # lot d'un seul exemple
    ]


def _labels(o: torch.Tensor, seed: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, o.shape[1], (o.shape[0],), generator=g)


@pytest.mark.parametrize("o", _logits_cases())
def test_softmax_and_log_softmax_match_torch(o):
    torch.testing.assert_close(softmax(o), F.softmax(o, dim=-1))
    torch.testing.assert_close(log_softmax(o), F.log_softmax(o, dim=-1))
    torch.testing.assert_close(softmax(o, dim=0), F.softmax(o, dim=0))
    torch.testing.assert_close(log_softmax(o, dim=0), F.log_softmax(o, dim=0))


def test_softmax_keeps_float32():
    o = torch.tensor([[1000.0, 0.0], [-1000.0, 0.0]])
    out = softmax(o)
    assert out.dtype == torch.float32 and torch.isfinite(out).all()


@pytest.mark.parametrize("o", _logits_cases())
def test_cross_entropy_matches_torch(o):
    y = _labels(o)
    torch.testing.assert_close(cross_entropy(o, y), F.cross_entropy(o, y))
    assert cross_entropy(o, y).dim() == 0


@pytest.mark.parametrize("o", _logits_cases())
def test_cross_entropy_accepts_probability_targets(o):
    y = _labels(o)
    torch.testing.assert_close(cross_entropy(o, one_hot(y, o.shape[1], dtype=D)),
                               F.cross_entropy(o, y))
    p = softmax(torch.randn(o.shape, generator=torch.Generator().manual_seed(2), dtype=D))
    torch.testing.assert_close(cross_entropy(o, p), F.cross_entropy(o, p))


@pytest.mark.parametrize("o", _logits_cases())
def test_cross_entropy_grad_matches_autograd(o):
    y = _labels(o)
    o_ = o.clone().requires_grad_(True)
    F.cross_entropy(o_, y).backward()
    torch.testing.assert_close(cross_entropy_grad(o, y), o_.grad)
    torch.testing.assert_close(cross_entropy_grad(o, y).sum(dim=1), torch.zeros(len(o), dtype=D))


def test_cross_entropy_gradcheck():
    o = torch.randn(3, 5, dtype=D, generator=torch.Generator().manual_seed(3))
    y = torch.tensor([0, 4, 2])
    assert torch.autograd.gradcheck(lambda t: cross_entropy(t, y), (o.requires_grad_(True),))
    assert torch.autograd.gradcheck(lambda t: softmax(t), (o,))
    assert torch.autograd.gradcheck(lambda t: log_softmax(t), (o,))


def test_one_hot_matches_torch():
    y = torch.tensor([3, 0, 9, 9, 1])
    torch.testing.assert_close(one_hot(y, 10), F.one_hot(y, 10).float())
    assert one_hot(y, 10).dtype == torch.float32
    assert one_hot(y, 12, dtype=D).dtype == D
    assert one_hot(torch.tensor([0, 0]), 1).tolist() == [[1.0], [1.0]]
    assert one_hot(torch.zeros(0, dtype=torch.long), 3).shape == (0, 3)


def test_sigmoid_matches_torch_and_is_stable():
    x = torch.cat([torch.linspace(-30, 30, 101, dtype=D),
                   torch.tensor([-1e4, -1000.0, 1000.0, 1e4], dtype=D)])
    torch.testing.assert_close(sigmoid(x), torch.sigmoid(x))
    x32 = torch.tensor([-1000.0, 1000.0])
    assert sigmoid(x32).tolist() == [0.0, 1.0] and sigmoid(x32).dtype == torch.float32


def test_sigmoid_grad_matches_autograd():
    x = torch.linspace(-20, 20, 81, dtype=D).requires_grad_(True)
    torch.sigmoid(x).sum().backward()
    torch.testing.assert_close(sigmoid_grad(x.detach()), x.grad)
    assert sigmoid_grad(torch.zeros(1, dtype=D)).item() == 0.25
    assert sigmoid_grad(x.detach()).max().item() <= 0.25
    assert sigmoid_grad(torch.tensor([-1000.0, 1000.0])).tolist() == [0.0, 0.0]
    assert torch.autograd.gradcheck(sigmoid, (torch.randn(7, dtype=D).requires_grad_(True),))


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: softmax([1.0, 2.0]), TypeError, "torch.Tensor"),
        (lambda: softmax(torch.tensor([1, 2])), TypeError, "flottant"),
        (lambda: log_softmax("abc"), TypeError, "torch.Tensor"),
        (lambda: cross_entropy(torch.zeros(3), torch.tensor([0])), ValueError, "2 dimensions"),
        (lambda: cross_entropy(torch.zeros(2, 3), torch.tensor([0])), ValueError, "N = 2"),
        (lambda: cross_entropy(torch.zeros(2, 3), torch.tensor([0, 3])), ValueError, "[0, 2]"),
        (lambda: cross_entropy(torch.zeros(2, 3), torch.tensor([0.0, 1.0])), TypeError, "int64"),
        (lambda: cross_entropy(torch.zeros(2, 3), torch.zeros(2, 4)), ValueError, "(N, C)"),
        (lambda: cross_entropy(torch.zeros(0, 3), torch.zeros(0).long()), ValueError, "vide"),
        (lambda: cross_entropy_grad(torch.zeros(2, 3, 1), torch.tensor([0, 1])), ValueError,
         "2 dimensions"),
        (lambda: one_hot(torch.tensor([0, 5]), 5), ValueError, "[0, 4]"),
        (lambda: one_hot(torch.tensor([[0]]), 5), ValueError, "1 dimension"),
        (lambda: one_hot(torch.tensor([0]), 0), ValueError, "num_classes"),
        (lambda: one_hot(torch.tensor([0]), 2.0), TypeError, "num_classes"),
        (lambda: sigmoid(torch.tensor([1, 2])), TypeError, "flottant"),
        (lambda: sigmoid_grad(None), TypeError, "torch.Tensor"),
    ],
)
def test_argument_errors_are_french(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    assert words in msg
    assert "doi" in msg or "vide" in msg  # « doit », « doivent » : message en français


# --- Propriétés (hypothesis) ----------------------------------------------------------

_rows = st.integers(1, 5)
_cols = st.integers(1, 6)


@st.composite
def logits(draw, bound: float = 1e4) -> torch.Tensor:
    n, c = draw(_rows), draw(_cols)
    values = draw(st.lists(st.floats(-bound, bound), min_size=n * c, max_size=n * c))
    return torch.tensor(values, dtype=D).reshape(n, c)


@settings(max_examples=60, deadline=None)
@given(logits())
def test_softmax_is_a_probability_distribution(o):
    p = softmax(o)
    assert torch.isfinite(p).all()
    assert ((p >= 0) & (p <= 1)).all()
    torch.testing.assert_close(p.sum(dim=1), torch.ones(len(o), dtype=D))
    assert torch.isfinite(log_softmax(o)).all()


@settings(max_examples=60, deadline=None)
@given(logits(bound=100.0), st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(o, shift):
    shifts = shift * torch.arange(1, len(o) + 1, dtype=D)[:, None]  # une constante par ligne
    torch.testing.assert_close(softmax(o + shifts), softmax(o), atol=1e-9, rtol=1e-7)


@settings(max_examples=60, deadline=None)
@given(logits(), st.integers(0, 10**6))
def test_cross_entropy_is_nonnegative_and_finite(o, seed):
    y = _labels(o, seed)
    loss = cross_entropy(o, y)
    assert torch.isfinite(loss) and loss.item() >= 0
