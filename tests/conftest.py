"""Réglages communs des tests : un seul fil, graine fixe, backend matplotlib sans écran ; jeux
de données jouets ; dossiers isolés et serveur HTTP local pour les tests du chargeur MNIST."""

import functools
import http.server
import threading
from pathlib import Path

import matplotlib
import pytest
import torch

from course_utils import _mnist_decode, _mnist_files
from course_utils.data import MNIST, Dataset, load_mnist
from tests.mnist_helpers import SHARED, QuietHandler, shared_available

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _seed_and_threads():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def blobs() -> MNIST:
    """Petit problème à 3 classes séparables, au format de ``load_mnist`` (x : (N, 784)) :
    600 exemples d'apprentissage, 200 de validation, 300 de test."""
    g = torch.Generator().manual_seed(1)
    centers = torch.randn(3, 784, generator=g) * 2

    def sample(n):
        y = torch.randint(0, 3, (n,), generator=g)
        return centers[y] + torch.randn(n, 784, generator=g), y

    train, test = Dataset(*sample(600), "apprentissage"), Dataset(*sample(300), "test")
    return MNIST(train=train, validation=Dataset(*sample(200), "validation"), test=test)


# --- Chargeur MNIST : dossiers isolés, fichiers de référence, serveur local -------------


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Cache dans tmp_path, pas de COURSE_DATA_DIR, dossier par défaut hors du dépôt."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(_mnist_files, "_default_data_dir", lambda: tmp_path / "default-mnist")


@pytest.fixture(scope="module")
def shared() -> Path:
    if not shared_available():
        load_mnist(train_size=1, test_size=1)  # télécharge et vérifie les fichiers d'origine
    assert shared_available(), f"fichiers MNIST de référence absents de {SHARED}"
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
    original = _mnist_decode._read_idx

    def spy(path, *, kind):
        calls.append(Path(path).name)
        return original(path, kind=kind)

    monkeypatch.setattr(_mnist_decode, "_read_idx", spy)
    return calls
