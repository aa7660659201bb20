"""Le gradient numérique par différences centrées et l'erreur relative de CS231n."""

import pytest
import torch

from course_utils.checks.gradcheck import numerical_grad, relative_error
from course_utils.losses import cross_entropy, cross_entropy_grad


def test_numerical_grad_on_known_function():
    x = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]], dtype=torch.float32)
    num = numerical_grad(lambda t: (t**3).sum() + torch.sin(t).sum(), x)
    exact = 3 * x.double() ** 2 + torch.cos(x.double())
    assert num.shape == x.shape and num.dtype == torch.float64
    assert relative_error(num, exact) < 1e-7
    assert relative_error(num, 2 * x.double()) > 1e-2
    assert x[0, 0].item() == 0.5  # x n'est pas modifié


def test_numerical_grad_matches_cross_entropy_grad():
    o = torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([1, 0, 3])
    assert relative_error(numerical_grad(lambda t: cross_entropy(t, y), o),
                          cross_entropy_grad(o, y)) < 1e-7


def test_relative_error_values():
    assert relative_error(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])) == 0.0
    assert relative_error(torch.tensor([1.0]), torch.tensor([3.0])) == pytest.approx(0.5)
    assert relative_error(torch.zeros(3), torch.zeros(3)) == 0.0
    assert relative_error(torch.zeros(0), torch.zeros(0)) == 0.0
    assert relative_error(1.0, 1.0) == 0.0


@pytest.mark.parametrize(("call", "exc"), [
    (lambda: numerical_grad("f", torch.zeros(2)), TypeError),
    (lambda: numerical_grad(lambda t: t.sum(), torch.zeros(2, dtype=torch.long)), TypeError),
    (lambda: numerical_grad(lambda t: t.sum(), torch.zeros(2), eps=0.0), ValueError),
    (lambda: numerical_grad(lambda t: t, torch.zeros(2)), ValueError),
    (lambda: numerical_grad(lambda t: "x", torch.zeros(2)), TypeError),
    (lambda: relative_error(torch.zeros(2), torch.zeros(3)), ValueError),
], ids=["f", "x-entier", "eps", "non-scalaire", "type-retour", "formes"])
def test_grad_tools_argument_errors(call, exc):
    with pytest.raises(exc):
        call()
