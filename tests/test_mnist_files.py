"""Tests des fichiers MNIST (``course_utils._mnist_files``) : dossier, sommes SHA-256,
fichiers corrompus, téléchargement depuis un serveur HTTP local, miroirs en panne."""

import socket
from pathlib import Path

import pytest

from course_utils import _mnist_decode, _mnist_files
from course_utils._mnist_files import MNIST_SHA256, MNISTError
from course_utils.data import load_mnist
from tests.mnist_helpers import (
    NAMES,
    REAL_DEFAULT_DATA_DIR,
    SMALL,
    copy_files,
    dead_port,
    flip_byte,
    sha256,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("isolated")


def test_constants_are_read_only():
    with pytest.raises(TypeError):
        MNIST_SHA256["train-images-idx3-ubyte.gz"] = "0" * 64  # type: ignore[index]


def test_mnist_dir_lookup_order(tmp_path, monkeypatch):
    repository = Path(_mnist_files.__file__).resolve().parent.parent
    assert REAL_DEFAULT_DATA_DIR() == repository / "data" / "mnist"
    assert _mnist_files.mnist_dir() == tmp_path / "default-mnist"
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "env"))
    assert _mnist_files.mnist_dir() == tmp_path / "env"
    assert _mnist_files.mnist_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.chdir(tmp_path)
    assert _mnist_files.mnist_dir("relatif") == tmp_path / "relatif"


def test_read_only_shared_folder_is_used_and_never_written(shared, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(shared))
    before, folder_mtime = snapshot(shared), shared.stat().st_mtime_ns
    mnist = load_mnist(test_size=5)
    assert len(mnist.test) == 5
    assert snapshot(shared) == before and shared.stat().st_mtime_ns == folder_mtime
    assert not (tmp_path / "default-mnist").exists()


def test_verify_files(shared, tmp_path):
    _mnist_files.verify_files(shared)
    folder = copy_files(tmp_path / "mnist", NAMES[1:])
    flip_byte(folder / NAMES[1])
    with pytest.raises(MNISTError) as info:
        _mnist_files.verify_files(folder)
    message = str(info.value)
    assert f"«\u00a0{folder / NAMES[0]}\u00a0» est absent" in message
    assert f"«\u00a0{folder / NAMES[1]}\u00a0» est corrompu" in message
    assert NAMES[2] not in message and NAMES[3] not in message


def test_corrupt_file_is_rejected_and_never_decoded(shared, tmp_path, monkeypatch):
    folder = copy_files(tmp_path / "mnist")
    target = folder / "train-images-idx3-ubyte.gz"
    flip_byte(target)
    monkeypatch.setattr(_mnist_decode, "_read_idx", lambda *a, **k: pytest.fail("fichier décodé"))
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


def test_download_from_local_server(shared, http_root, tmp_path, use_warm_cache):
    root, url = http_root
    copy_files(root / "mnist")
    folder = tmp_path / "nouveau" / "mnist"
    mnist = load_mnist(data_dir=folder, mirrors=(url + "/mnist/",), train_size=10)
    assert len(mnist.train) == 10
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)  # ni .part ni reste
    _mnist_files.verify_files(folder)


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
    paths = _mnist_files.ensure_files(folder, (first, url + "/good"))
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
    monkeypatch.setattr(_mnist_files, "DOWNLOAD_TIMEOUT", 0.3)
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
    writable = _mnist_files.is_writable_dir
    monkeypatch.setattr(_mnist_files, "is_writable_dir", lambda f: f != read_only and writable(f))
    before = snapshot(read_only)
    mnist = load_mnist(data_dir=read_only, mirrors=(url,), test_size=3)
    assert len(mnist.test) == 3
    assert snapshot(read_only) == before
    assert [p.name for p in (tmp_path / "default-mnist").iterdir()] == [SMALL]


def test_unknown_host_is_explained_in_french(tmp_path):
    """Un nom de serveur qui ne se résout pas (pas de réseau, DNS en panne) : pas de
    « gaierror » en anglais."""
    with pytest.raises(MNISTError) as info:
        load_mnist(data_dir=tmp_path / "vide", mirrors=("http://miroir.invalid/mnist/",))
    assert "nom de serveur introuvable" in str(info.value)
    assert "gaierror" not in str(info.value)
