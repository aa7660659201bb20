"""Réglages communs des tests : un seul fil, graine fixe, backend matplotlib sans écran."""

from types import SimpleNamespace

import matplotlib
import pytest
import torch

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _seed_and_threads():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def blobs():
    """Petit problème à 3 classes séparables, au format de ``load_mnist`` (x : (N, 784))."""
    g = torch.Generator().manual_seed(1)
    centers = torch.randn(3, 784, generator=g) * 2

    def sample(n):
        y = torch.randint(0, 3, (n,), generator=g)
        return centers[y] + torch.randn(n, 784, generator=g), y

    x_train, y_train = sample(600)
    x_test, y_test = sample(300)
    return SimpleNamespace(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
