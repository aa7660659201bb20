"""Tests du chargeur MNIST (course_utils.data).

Les fichiers de référence sont ceux que le cours utilise : ``$COURSE_DATA_DIR`` (la CI le
fait pointer vers une copie en lecture seule), sinon ``data/mnist/``, où ``load_mnist()`` les
télécharge au besoin. Le cache, les copies et les téléchargements vont toujours dans des dossiers
temporaires de pytest.
"""

import functools
import gzip
import hashlib
import http.server
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils import data
from course_utils.data import (
    MNIST_MEAN,
    MNIST_SHA256,
    MNIST_STD,
    MNISTError,
    load_mnist,
    mnist_dir,
    verify_mnist_files,
)

SHARED = data.mnist_dir()
NAMES = tuple(MNIST_SHA256)
SMALL = "t10k-labels-idx1-ubyte.gz"  # le plus petit des quatre fichiers (4,5 ko)
REAL_DEFAULT_DATA_DIR = data._default_data_dir
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# ------------------------------------------------------------------------------ outils


def _shared_available() -> bool:
    return all((SHARED / name).is_file() for name in NAMES)


def copy_files(folder: Path, names=NAMES) -> Path:
    """Copie (sans les droits d'origine) les fichiers ``names`` de référence dans ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(SHARED / name, folder / name)
    return folder


def flip_byte(path: Path) -> None:
    """Inverse les bits d'un octet au milieu du fichier."""
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Noms, tailles et dates de modification du contenu de ``folder``."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def dead_port() -> int:
    """Un port local réservé puis libéré : personne n'y écoute."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_idx(path: Path, magic: int, dims: tuple[int, ...], payload: bytes) -> Path:
    """Écrit un petit fichier IDX compressé (en-tête gros-boutiste + données)."""
    header = b"".join(value.to_bytes(4, "big") for value in (magic, *dims))
    path.write_bytes(gzip.compress(header + payload))
    return path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Cache dans tmp_path, pas de COURSE_DATA_DIR, dossier par défaut hors du dépôt."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "_default_data_dir", lambda: tmp_path / "default-mnist")


@pytest.fixture(scope="module")
def shared() -> Path:
    if not _shared_available():
        load_mnist(train_size=1, test_size=1)  # télécharge et vérifie les fichiers d'origine
    assert _shared_available(), f"fichiers MNIST de référence absents de {SHARED}"
    return SHARED


@pytest.fixture(scope="module")
def warm_cache(shared, tmp_path_factory) -> Path:
    """Dossier de cache (temporaire) déjà rempli par un premier chargement."""
    cache = tmp_path_factory.mktemp("warm-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_CACHE_DIR", str(cache))
        load_mnist(data_dir=shared, train_size=1, test_size=1)
    return cache


@pytest.fixture
def use_warm_cache(warm_cache, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_CACHE_DIR", str(warm_cache))


@pytest.fixture(scope="module")
def full(shared, warm_cache):
    """MNIST complet, normalisé puis brut (pixels dans [0, 1])."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_CACHE_DIR", str(warm_cache))
        return load_mnist(data_dir=shared), load_mnist(data_dir=shared, normalize=False)


@pytest.fixture
def http_root(tmp_path):
    """Serveur HTTP local (127.0.0.1, port libre) ; renvoie (dossier servi, URL de base)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def count_decodes(monkeypatch) -> list[str]:
    """Liste des fichiers passés au décodeur IDX (espionné)."""
    calls = []
    original = data._read_idx

    def spy(path, *, kind):
        calls.append(Path(path).name)
        return original(path, kind=kind)

    monkeypatch.setattr(data, "_read_idx", spy)
    return calls


# ------------------------------------------------------------------ contenu du jeu de données


def test_shapes_and_dtypes(full):
    mnist, _ = full
    assert mnist.x_train.shape == (60000, 784) and mnist.x_train.dtype == torch.float32
    assert mnist.y_train.shape == (60000,) and mnist.y_train.dtype == torch.int64
    assert mnist.x_test.shape == (10000, 784) and mnist.x_test.dtype == torch.float32
    assert mnist.y_test.shape == (10000,) and mnist.y_test.dtype == torch.int64
    assert repr(mnist) == "MNIST(apprentissage=60000, test=10000)"


def test_known_labels(full):
    mnist, _ = full
    assert mnist.y_train[0] == 5 and mnist.y_test[0] == 7
    assert torch.bincount(mnist.y_train, minlength=10).tolist() == TRAIN_COUNTS
    assert torch.bincount(mnist.y_test, minlength=10).tolist() == TEST_COUNTS


def test_normalized_statistics(full):
    mnist, _ = full
    assert abs(mnist.x_train.mean().item()) < 1e-3
    assert abs(mnist.x_train.std().item() - 1) < 1e-3
    assert abs(mnist.x_test.mean().item()) < 0.02


def test_unnormalized_pixels_in_unit_interval(full):
    normalized, raw = full
    assert raw.x_train.min() == 0 and raw.x_train.max() == 1
    assert abs(raw.x_train.mean().item() - MNIST_MEAN) < 1e-3
    torch.testing.assert_close(normalized.x_test * MNIST_STD + MNIST_MEAN, raw.x_test)
    assert torch.equal(normalized.y_train, raw.y_train)


def test_constants_are_read_only():
    with pytest.raises(TypeError):
        MNIST_SHA256["train-images-idx3-ubyte.gz"] = "0" * 64  # type: ignore[index]


# ------------------------------------------------------------------------- sous-ensembles


def test_subset_is_deterministic(full, use_warm_cache, shared):
    first = load_mnist(data_dir=shared, train_size=100, test_size=50, seed=3)
    again = load_mnist(data_dir=shared, train_size=100, test_size=50, seed=3)
    other = load_mnist(data_dir=shared, train_size=100, test_size=50, seed=4)
    assert repr(first) == "MNIST(apprentissage=100, test=50)"
    assert torch.equal(first.x_train, again.x_train) and torch.equal(first.y_test, again.y_test)
    assert not torch.equal(first.x_train, other.x_train)
    index = torch.randperm(60000, generator=torch.Generator().manual_seed(3))[:100]
    assert torch.equal(first.x_train, full[0].x_train[index])
    assert torch.equal(first.y_train, full[0].y_train[index])


def test_subset_of_one_split_only(use_warm_cache, shared):
    mnist = load_mnist(data_dir=shared, test_size=10)
    assert len(mnist.y_train) == 60000 and len(mnist.y_test) == 10


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"train_size": 0}, ValueError, ["train_size", "entre 1 et 60000"]),
        ({"train_size": 60001}, ValueError, ["train_size", "60001"]),
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


# ---------------------------------------------------------------------------- dossiers


def test_mnist_dir_lookup_order(tmp_path, monkeypatch):
    assert REAL_DEFAULT_DATA_DIR() == Path(data.__file__).resolve().parent.parent / "data/mnist"
    assert mnist_dir() == tmp_path / "default-mnist"
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "env"))
    assert mnist_dir() == tmp_path / "env"
    assert mnist_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.chdir(tmp_path)
    assert mnist_dir("relatif") == tmp_path / "relatif"


def test_read_only_shared_folder_is_used_and_never_written(shared, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(shared))
    before, folder_mtime = snapshot(shared), shared.stat().st_mtime_ns
    mnist = load_mnist(test_size=5)
    assert len(mnist.y_test) == 5
    assert snapshot(shared) == before and shared.stat().st_mtime_ns == folder_mtime
    assert not (tmp_path / "default-mnist").exists()


def test_verify_mnist_files(shared, tmp_path):
    verify_mnist_files(shared)
    folder = copy_files(tmp_path / "mnist", NAMES[1:])
    flip_byte(folder / NAMES[1])
    with pytest.raises(MNISTError) as info:
        verify_mnist_files(folder)
    message = str(info.value)
    assert f"«\u00a0{folder / NAMES[0]}\u00a0» est absent" in message
    assert f"«\u00a0{folder / NAMES[1]}\u00a0» est corrompu" in message
    assert NAMES[2] not in message and NAMES[3] not in message


# ---------------------------------------------------------------------------------- cache


def test_second_load_uses_cache(shared, tmp_path, count_decodes):
    first = load_mnist(data_dir=shared)
    assert len(count_decodes) == 4
    cached = load_mnist(data_dir=shared)
    assert len(count_decodes) == 4  # aucun nouveau décodage
    assert torch.equal(first.x_train, cached.x_train) and torch.equal(first.y_test, cached.y_test)
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".npz"]


@pytest.mark.parametrize("damage", ["octet inversé", "tronqué", "formes fausses"])
def test_corrupt_cache_is_rebuilt(full, warm_cache, shared, tmp_path, count_decodes, damage):
    (warm,) = warm_cache.glob("*.npz")
    cache = tmp_path / "cache" / warm.name
    cache.parent.mkdir()
    shutil.copyfile(warm, cache)
    if damage == "octet inversé":
        flip_byte(cache)  # détecté par le CRC-32 de l'archive .npz
    elif damage == "tronqué":
        cache.write_bytes(cache.read_bytes()[:1000])
    else:
        small = np.zeros((2, 28, 28), np.uint8)
        np.savez(cache, x_train=small, y_train=np.zeros(3, np.uint8), x_test=small,
                 y_test=np.zeros(2, np.uint8))
    rebuilt = load_mnist(data_dir=shared)
    assert len(count_decodes) == 4
    assert torch.equal(rebuilt.x_train, full[0].x_train)
    load_mnist(data_dir=shared, test_size=1)
    assert len(count_decodes) == 4  # le cache reconstruit est bien relu


def test_unwritable_cache_falls_back_to_temp_dir(tmp_path, monkeypatch):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker / "cache"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    fallback = data._cache_dir()
    assert fallback is not None and fallback.parent == tmp_path / "tmp"
    assert fallback.stat().st_mode & 0o777 == 0o700


# ------------------------------------------------------------------- fichiers corrompus


def test_corrupt_file_is_rejected_and_never_decoded(shared, tmp_path, monkeypatch):
    folder = copy_files(tmp_path / "mnist")
    target = folder / "train-images-idx3-ubyte.gz"
    flip_byte(target)
    monkeypatch.setattr(data, "_read_idx", lambda *a, **k: pytest.fail("fichier décodé"))
    with pytest.raises(MNISTError) as info:
        load_mnist(data_dir=folder)
    message = str(info.value)
    assert str(target) in message and "corrompu" in message
    assert MNIST_SHA256[target.name] in message and sha256(target) in message
    assert "supprimez" in message and "sha256sum -c" in message


def test_truncated_file_is_rejected(shared, tmp_path):
    folder = copy_files(tmp_path / "mnist")
    target = folder / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:1000])
    with pytest.raises(MNISTError, match="tronqué") as info:
        load_mnist(data_dir=folder)
    assert str(target) in str(info.value) and "1000 octets au lieu de 1648877" in str(info.value)


def test_missing_files_without_reachable_mirror(tmp_path):
    folder = tmp_path / "vide"
    mirror = f"http://127.0.0.1:{dead_port()}/mnist/"
    with pytest.raises(MNISTError) as info:
        load_mnist(data_dir=folder, mirrors=(mirror,))
    message = str(info.value)
    assert mirror in message and "connexion refusée" in message
    assert f"«\u00a0{folder}\u00a0»" in message and "COURSE_DATA_DIR" in message
    assert all(name in message for name in NAMES)
    assert list(folder.iterdir()) == []


# ------------------------------------------------------------------------- téléchargement


def test_download_from_local_server(shared, http_root, tmp_path, use_warm_cache):
    root, url = http_root
    copy_files(root / "mnist")
    folder = tmp_path / "nouveau" / "mnist"
    mnist = load_mnist(data_dir=folder, mirrors=(url + "/mnist/",), train_size=10)
    assert len(mnist.y_train) == 10
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)  # ni .part ni reste
    verify_mnist_files(folder)


@pytest.mark.parametrize("first_mirror", ["corrompu", "absent (404)", "arrêté"])
def test_download_falls_back_to_next_mirror(shared, http_root, tmp_path, first_mirror):
    root, url = http_root
    flip_byte(copy_files(root / "bad", [SMALL]) / SMALL)
    copy_files(root / "good", [SMALL])
    folder = copy_files(tmp_path / "mnist", [n for n in NAMES if n != SMALL])
    first = {
        "corrompu": url + "/bad/",
        "absent (404)": url + "/nulle-part/",
        "arrêté": f"http://127.0.0.1:{dead_port()}/",
    }[first_mirror]
    paths = data._ensure_files(folder, (first, url + "/good"))
    assert paths[SMALL] == folder / SMALL and sha256(folder / SMALL) == MNIST_SHA256[SMALL]
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)


def test_all_mirrors_corrupt(shared, http_root, tmp_path):
    root, url = http_root
    flip_byte(copy_files(root / "a", [SMALL]) / SMALL)
    (root / "b").mkdir()
    (root / "b" / SMALL).write_bytes(b"\x1f\x8b pas du tout MNIST")
    folder = copy_files(tmp_path / "mnist", [n for n in NAMES if n != SMALL])
    mirrors = (url + "/a/", url + "/b/")
    with pytest.raises(MNISTError) as info:
        load_mnist(data_dir=folder, mirrors=mirrors)
    message = str(info.value)
    assert all(f"{m}\u00a0: somme SHA-256 incorrecte" in message for m in mirrors)
    assert SMALL in message and NAMES[0] not in message  # seul le fichier manquant est cité
    assert sorted(p.name for p in folder.iterdir()) == sorted(n for n in NAMES if n != SMALL)


def test_oversized_download_is_aborted(shared, http_root, tmp_path):
    root, url = http_root
    (root / SMALL).write_bytes(bytes(100_000))
    folder = copy_files(tmp_path / "mnist", [n for n in NAMES if n != SMALL])
    with pytest.raises(MNISTError, match="plus gros que prévu"):
        load_mnist(data_dir=folder, mirrors=(url,))
    assert not (folder / SMALL).exists() and len(list(folder.iterdir())) == 3


def test_silent_mirror_times_out(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT", 0.3)
    with socket.socket() as silent:  # accepte les connexions (file d'attente), ne répond pas
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        mirror = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        with pytest.raises(MNISTError, match="délai dépassé"):
            load_mnist(data_dir=tmp_path / "mnist", mirrors=(mirror,))
    assert list((tmp_path / "mnist").iterdir()) == []


def test_read_only_folder_downloads_into_default(shared, http_root, tmp_path, monkeypatch,
                                                 use_warm_cache):
    root, url = http_root
    copy_files(root, [SMALL])
    read_only = copy_files(tmp_path / "lecture-seule", [n for n in NAMES if n != SMALL])
    writable = data._is_writable_dir
    monkeypatch.setattr(data, "_is_writable_dir", lambda f: f != read_only and writable(f))
    before = snapshot(read_only)
    mnist = load_mnist(data_dir=read_only, mirrors=(url,), test_size=3)
    assert len(mnist.y_test) == 3
    assert snapshot(read_only) == before
    assert [p.name for p in (tmp_path / "default-mnist").iterdir()] == [SMALL]


# ---------------------------------------------------------------------- décodeur IDX


def test_idx_decoder_reads_valid_files(tmp_path):
    pixels = np.arange(2 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(2, 28, 28)
    images = write_idx(tmp_path / "img.gz", 2051, (2, 28, 28), pixels.tobytes())
    labels = write_idx(tmp_path / "lab.gz", 2049, (2,), bytes([3, 9]))
    decoded_images, decoded_labels = data._decode_split(images, labels)
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
        data._read_idx(path, kind=kind)


def test_idx_decoder_rejects_non_gzip(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(b"ceci n'est pas du gzip")
    with pytest.raises(MNISTError, match="gzip"):
        data._read_idx(path, kind="labels")


def test_idx_decoder_checks_counts_and_label_range(tmp_path):
    images = write_idx(tmp_path / "img.gz", 2051, (2, 28, 28), bytes(2 * 784))
    three = write_idx(tmp_path / "three.gz", 2049, (3,), bytes(3))
    with pytest.raises(MNISTError, match="2 images mais .* 3 étiquettes"):
        data._decode_split(images, three)
    bad = write_idx(tmp_path / "bad.gz", 2049, (2,), bytes([1, 10]))
    with pytest.raises(MNISTError, match="étiquette 10 hors de l'intervalle"):
        data._decode_split(images, bad)
