"""Tests de l'interface du chargeur MNIST (``course_utils.data``) : contenu des jeux,
sous-ensembles, validation tenue à l'écart, arguments, conversions pixels ↔ entrées."""

import pytest
import torch

from course_utils.data import (
    MEAN,
    MNIST,
    STD,
    Dataset,
    denormalize,
    load_mnist,
    mnist_dir,
    normalize,
    to_float_images,
    verify_mnist_files,
)
from tests.mnist_helpers import NAMES, copy_files, flip_byte

pytestmark = pytest.mark.usefixtures("isolated")
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_shapes_and_dtypes(full):
    mnist, _ = full
    assert mnist.train.x.shape == (60000, 784) and mnist.train.x.dtype == torch.float32
    assert mnist.train.y.shape == (60000,) and mnist.train.y.dtype == torch.int64
    assert mnist.test.x.shape == (10000, 784) and mnist.test.x.dtype == torch.float32
    assert mnist.test.y.shape == (10000,) and mnist.test.y.dtype == torch.int64
    assert repr(mnist) == "MNIST(apprentissage=60000, test=10000)"


def test_known_labels(full):
    mnist, _ = full
    assert mnist.train.y[0] == 5 and mnist.test.y[0] == 7
    assert torch.bincount(mnist.train.y, minlength=10).tolist() == TRAIN_COUNTS
    assert torch.bincount(mnist.test.y, minlength=10).tolist() == TEST_COUNTS


def test_normalized_statistics(full):
    mnist, _ = full
    assert abs(mnist.train.x.mean().item()) < 1e-3
    assert abs(mnist.train.x.std().item() - 1) < 1e-3
    assert abs(mnist.test.x.mean().item()) < 0.02


def test_unnormalized_pixels_in_unit_interval(full):
    normalized, raw = full
    assert raw.train.x.min() == 0 and raw.train.x.max() == 1
    assert abs(raw.train.x.mean().item() - MEAN) < 1e-3
    torch.testing.assert_close(denormalize(normalized.test.x), raw.test.x)
    assert torch.equal(normalized.train.y, raw.train.y)


# ------------------------------------------------------------------------- sous-ensembles


def test_subset_is_deterministic(full, use_warm_cache, shared):
    first = load_mnist(data_dir=shared, train_size=100, test_size=50, seed=3)
    again = load_mnist(data_dir=shared, train_size=100, test_size=50, seed=3)
    other = load_mnist(data_dir=shared, train_size=100, test_size=50, seed=4)
    assert repr(first) == "MNIST(apprentissage=100, test=50)"
    assert torch.equal(first.train.x, again.train.x) and torch.equal(first.test.y, again.test.y)
    assert not torch.equal(first.train.x, other.train.x)
    index = torch.randperm(60000, generator=torch.Generator().manual_seed(3))[:100]
    assert torch.equal(first.train.x, full[0].train.x[index])
    assert torch.equal(first.train.y, full[0].train.y[index])


def test_subset_of_one_split_only(use_warm_cache, shared):
    mnist = load_mnist(data_dir=shared, test_size=10)
    assert len(mnist.train) == 60000 and len(mnist.test) == 10 and mnist.validation is None


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"train_size": 0}, ValueError, ["train_size", "entre 1 et 60000"]),
        ({"train_size": 60001}, ValueError, ["train_size", "60001"]),
        ({"validation_size": 0}, ValueError, ["validation_size", "entre 1 et 59999"]),
        ({"validation_size": 10, "train_size": 59991}, ValueError, ["entre 1 et 59990"]),
        ({"test_size": 10001}, ValueError, ["test_size", "entre 1 et 10000"]),
        ({"train_size": 1.5}, TypeError, ["train_size", "entier"]),
        ({"test_size": True}, TypeError, ["test_size", "entier"]),
        ({"seed": -1}, ValueError, ["seed", "entre 0"]),
        ({"seed": "0"}, TypeError, ["seed", "entier"]),
        ({"normalize": 1}, TypeError, ["normalize", "True ou False"]),
        ({"data_dir": 42}, TypeError, ["data_dir", "chemin"]),
        ({"mirrors": "http://exemple.org/"}, TypeError, ["mirrors", "séquence"]),
        ({"mirrors": ()}, ValueError, ["mirrors", "vide"]),
        ({"mirrors": ("ftp://exemple.org/",)}, ValueError, ["http://", "ftp://exemple.org/"]),
    ],
)
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        load_mnist(**kwargs)
    message = str(info.value)
    for word in words:
        assert word in message
    assert "\u00a0:" in message and " :" not in message  # typographie française


def test_validation_is_held_out_of_the_training_files(full, use_warm_cache, shared):
    whole = full[0]
    last = load_mnist(data_dir=shared, validation_size=10000)  # ordre des fichiers
    assert repr(last) == "MNIST(apprentissage=50000, validation=10000, test=10000)"
    assert torch.equal(last.train.x, whole.train.x[:50000])
    assert torch.equal(last.validation.y, whole.train.y[50000:])
    assert (last.train.name, last.validation.name, last.test.name) == (
        "apprentissage", "validation", "test")
    drawn = load_mnist(data_dir=shared, train_size=800, validation_size=200, seed=2)
    index = torch.randperm(60000, generator=torch.Generator().manual_seed(2))[:1000]
    assert torch.equal(drawn.train.y, whole.train.y[index[:800]])
    assert torch.equal(drawn.validation.x, whole.train.x[index[800:]])


def test_dataset_checks_its_tensors():
    data = Dataset(torch.zeros(3, 4), torch.tensor([0, 2, 1]), "essai")
    assert len(data) == 3 and repr(data) == "Dataset(essai\u00a0: 3 exemples de forme (4,))"
    with pytest.raises(ValueError, match="même N"):
        Dataset(torch.zeros(3, 4), torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="int64"):
        Dataset(torch.zeros(2, 4), torch.tensor([0.0, 1.0]))
    with pytest.raises(TypeError, match="flottant"):
        Dataset(torch.zeros(2, 4, dtype=torch.uint8), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="≥ 0"):
        Dataset(torch.zeros(2, 4), torch.tensor([0, -1]))
    assert MNIST(train=data, validation=None, test=data).validation is None


def test_pixels_and_inputs_round_trip():
    images = torch.arange(2 * 28 * 28).remainder(256).to(torch.uint8).reshape(2, 28, 28)
    pixels = to_float_images(images)
    assert pixels.shape == (2, 784) and pixels.dtype == torch.float32
    assert pixels.min() == 0 and pixels.max() == 1 and pixels[0, 255] == 1
    assert normalize(0.0) == pytest.approx(-MEAN / STD)
    torch.testing.assert_close(denormalize(normalize(pixels)), pixels)
    with pytest.raises(TypeError, match="uint8"):
        to_float_images(pixels)


def test_public_folder_helpers(shared, tmp_path):
    assert mnist_dir(shared) == shared
    verify_mnist_files(shared)
    folder = copy_files(tmp_path / "mnist", NAMES[1:])
    flip_byte(folder / NAMES[1])
    with pytest.raises(Exception, match="absent") as info:
        verify_mnist_files(folder)
    assert type(info.value).__name__ == "MNISTError"
