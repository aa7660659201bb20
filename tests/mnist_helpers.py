"""Outils des tests du chargeur MNIST : fichiers de référence, copies, serveur HTTP local.

Les fichiers de référence sont ceux que le cours utilise : ``$COURSE_DATA_DIR`` (la CI le
fait pointer vers une copie en lecture seule), sinon ``data/mnist/``, où ``load_mnist()`` les
télécharge au besoin. Le cache, les copies et les téléchargements vont toujours dans des
dossiers temporaires de pytest (fixtures de ``tests/conftest.py``).
"""

import gzip
import hashlib
import http.server
import shutil
import socket
from pathlib import Path

from course_utils import _mnist_files
from course_utils._mnist_files import MNIST_SHA256

SHARED = _mnist_files.mnist_dir()
NAMES = tuple(MNIST_SHA256)
SMALL = "t10k-labels-idx1-ubyte.gz"  # le plus petit des quatre fichiers (4,5 ko)
REAL_DEFAULT_DATA_DIR = _mnist_files._default_data_dir


def shared_available() -> bool:
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
