"""Tests du décodage des fichiers MNIST (``course_utils._mnist_decode``) : format IDX et cache
binaire des tableaux décodés (relu, reconstruit s'il est abîmé, repli si le dossier est en
lecture seule)."""

import os
import shutil
import tempfile
import time

import numpy as np
import pytest
import torch

from course_utils import _mnist_decode
from course_utils._mnist_files import MNISTError
from course_utils.data import load_mnist
from tests.mnist_helpers import copy_files, flip_byte, write_idx

pytestmark = pytest.mark.usefixtures("isolated")


@pytest.mark.slow  # décode tout MNIST
def test_second_load_uses_cache(shared, tmp_path, count_decodes):
    first = load_mnist(data_dir=shared)
    assert len(count_decodes) == 4
    cached = load_mnist(data_dir=shared)
    assert len(count_decodes) == 4  # aucun nouveau décodage
    assert torch.equal(first.train.x, cached.train.x) and torch.equal(first.test.y, cached.test.y)
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".npz"]


@pytest.mark.slow  # décode tout MNIST, pour chaque dégât
@pytest.mark.parametrize("damage", ["octet inversé", "tronqué", "formes fausses",
                                    "contenu modifié"])
def test_corrupt_cache_is_rebuilt(full, warm_cache, shared, tmp_path, count_decodes, damage):
    (warm,) = warm_cache.glob("*.npz")
    cache = tmp_path / "cache" / warm.name
    cache.parent.mkdir()
    shutil.copyfile(warm, cache)
    if damage == "octet inversé":
        flip_byte(cache)  # détecté par le CRC-32 de l'archive .npz
    elif damage == "tronqué":
        cache.write_bytes(cache.read_bytes()[:1000])
    elif damage == "formes fausses":
        small = np.zeros((2, 28, 28), np.uint8)
        np.savez(cache, x_train=small, y_train=np.zeros(3, np.uint8), x_test=small,
                 y_test=np.zeros(2, np.uint8))
    else:  # format valide, images effacées et étiquettes décalées : l'empreinte le trahit
        with np.load(cache) as archive:
            arrays = {key: archive[key] for key in archive.files}
        arrays["x_train"] = np.zeros_like(arrays["x_train"])
        arrays["y_train"] = (arrays["y_train"] + 1) % 10
        np.savez(cache, **arrays)
    rebuilt = load_mnist(data_dir=shared)
    assert len(count_decodes) == 4
    assert torch.equal(rebuilt.train.x, full[0].train.x)
    load_mnist(data_dir=shared, test_size=1)
    assert len(count_decodes) == 4  # le cache reconstruit est bien relu


def test_unwritable_cache_falls_back_to_temp_dir(tmp_path, monkeypatch):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker / "cache"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    fallback = _mnist_decode._cache_dir()
    assert fallback is not None and fallback.parent == tmp_path / "tmp"
    assert fallback.stat().st_mode & 0o777 == 0o700


def test_a_symlink_planted_at_the_fallback_is_refused(tmp_path, monkeypatch):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker / "cache"))
    (tmp_path / "tmp").mkdir()
    (tmp_path / "ailleurs").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    planted = tmp_path / "tmp" / f"course_utils-cache-{_mnist_decode._user_tag()}"
    planted.symlink_to(tmp_path / "ailleurs")
    assert _mnist_decode._cache_dir() is None  # jamais de cache à travers le lien


def test_stale_partial_files_are_removed_on_the_next_load(shared, tmp_path, use_warm_cache):
    folder = copy_files(tmp_path / "mnist")
    old, fresh = folder / ".train-images-idx3-ubyte.gz.x.part", folder / ".t10k.y.part"
    for part in (old, fresh):
        part.write_bytes(bytes(1000))
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    load_mnist(data_dir=folder, test_size=1)
    assert not old.exists() and fresh.exists()  # une écriture en cours serait récente


def test_idx_decoder_reads_valid_files(tmp_path):
    pixels = np.arange(2 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(2, 28, 28)
    images = write_idx(tmp_path / "img.gz", 2051, (2, 28, 28), pixels.tobytes())
    labels = write_idx(tmp_path / "lab.gz", 2049, (2,), bytes([3, 9]))
    decoded_images, decoded_labels = _mnist_decode._decode_split(images, labels)
    assert decoded_images.dtype == np.uint8 and np.array_equal(decoded_images, pixels)
    assert decoded_labels.tolist() == [3, 9]


@pytest.mark.parametrize(
    ("kind", "magic", "dims", "payload", "words"),
    [
        ("images", 2049, (1, 28, 28), bytes(784), "nombre magique IDX 2049 au lieu de 2051"),
        ("labels", 2051, (1,), bytes(1), "nombre magique IDX 2051 au lieu de 2049"),
        ("images", 2051, (1, 27, 28), bytes(756), "27×28 pixels au lieu de 28×28"),
        ("images", 2051, (2, 28, 28), bytes(784), "784 octets de données au lieu des 1568"),
        ("labels", 2049, (3,), bytes(4), "4 octets de données au lieu des 3"),
        ("labels", 2049, (), b"", "en-tête IDX tronqué"),
    ],
)
def test_idx_decoder_rejects_bad_headers(tmp_path, kind, magic, dims, payload, words):
    path = write_idx(tmp_path / "x.gz", magic, dims, payload)
    with pytest.raises(MNISTError, match=words):
        _mnist_decode._read_idx(path, kind=kind)


def test_idx_decoder_rejects_non_gzip(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(b"ceci n'est pas du gzip")
    with pytest.raises(MNISTError, match="gzip"):
        _mnist_decode._read_idx(path, kind="labels")


def test_idx_decoder_checks_counts_and_label_range(tmp_path):
    images = write_idx(tmp_path / "img.gz", 2051, (2, 28, 28), bytes(2 * 784))
    three = write_idx(tmp_path / "three.gz", 2049, (3,), bytes(3))
    with pytest.raises(MNISTError, match="2 images mais .* 3 étiquettes"):
        _mnist_decode._decode_split(images, three)
    bad = write_idx(tmp_path / "bad.gz", 2049, (2,), bytes([1, 10]))
    with pytest.raises(MNISTError, match="étiquette 10 hors de l'intervalle"):
        _mnist_decode._decode_split(images, bad)
