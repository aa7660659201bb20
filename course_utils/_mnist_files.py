"""Les fichiers MNIST sur le disque : dossier, sommes SHA-256, téléchargement vérifié.

Module interne de :mod:`course_utils.data`. Les quatre fichiers d'origine (``*.gz``, format
IDX) sont cherchés dans un dossier (voir :func:`mnist_dir`), vérifiés (somme SHA-256) avant
tout usage, et les absents téléchargés depuis des miroirs publics : écriture dans un fichier
temporaire, vérification, puis renommage atomique. Le décodage est dans
:mod:`course_utils._mnist_decode`.
"""

import hashlib
import http.client
import os
import socket
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from tqdm.auto import tqdm

MNIST_SHA256: Mapping[str, str] = MappingProxyType({
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
})
"""Sommes SHA-256 des quatre fichiers d'origine (dictionnaire en lecture seule)."""

MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
"""Miroirs publics essayés dans l'ordre pour télécharger les fichiers absents."""

DOWNLOAD_TIMEOUT = 10.0
"""Délai maximal (en secondes) d'attente d'un miroir avant de passer au suivant."""

_SIZES: Mapping[str, int] = MappingProxyType({
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
})

_CHUNK_SIZE = 1 << 16
_README_HINT = "voir data/README.md"


class MNISTError(RuntimeError):
    """Fichiers MNIST absents, corrompus ou impossibles à télécharger."""


class _MirrorError(Exception):
    """Un miroir a fourni un fichier inutilisable (raison en français)."""


class _DownloadError(Exception):
    """Aucun miroir n'a fourni le fichier ; ``failures`` liste (miroir, raison)."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        super().__init__(failures)
        self.failures = failures


def mnist_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Renvoie le dossier (chemin absolu) où les fichiers MNIST sont cherchés.

    Ordre : ``data_dir`` s'il est donné, sinon ``$COURSE_DATA_DIR`` s'il est défini, sinon
    ``<dépôt>/data/mnist/``. Si ce dossier est en lecture seule et qu'il y manque des fichiers,
    ceux-ci sont cherchés puis téléchargés dans ``<dépôt>/data/mnist/``.
    """
    if data_dir is not None:
        return as_path(data_dir, "data_dir")
    from_env = os.environ.get("COURSE_DATA_DIR", "")
    if from_env.strip():
        return as_path(from_env, "COURSE_DATA_DIR")
    return _default_data_dir()


def verify_files(folder: str | os.PathLike[str] | None = None) -> None:
    """Vérifie que ``folder`` contient les quatre fichiers MNIST intacts (SHA-256).

    Arguments :
        folder : dossier à vérifier ; par défaut celui de :func:`mnist_dir`.

    Lève :
        MNISTError : fichier absent ou corrompu (tous les problèmes sont listés).
    """
    path = mnist_dir() if folder is None else as_path(folder, "folder")
    problems = []
    for name in MNIST_SHA256:
        if (path / name).is_file():
            problem = _file_problem(path / name, name)
        else:
            problem = f"Le fichier MNIST « {path / name} » est absent."
        if problem is not None:
            problems.append(problem)
    _fail_if(problems, "Que faire : supprimez chaque fichier corrompu puis appelez load_mnist() "
             "pour télécharger les fichiers manquants, ou copiez dans ce dossier des fichiers "
             f"corrects (vérifiables avec « sha256sum -c », {_README_HINT}).")


def _fail_if(problems: list[str], advice: str) -> None:
    """Lève ``MNISTError`` qui liste les problèmes puis le conseil (rien si la liste est vide)."""
    if problems:
        raise MNISTError("\n".join([*problems, advice]))

# ------------------------------------------------------------------------------ chemins


def check_mirrors(mirrors: object) -> tuple[str, ...]:
    """Vérifie la liste des miroirs : séquence non vide d'URL ``http://`` ou ``https://``."""
    if isinstance(mirrors, str) or not isinstance(mirrors, Sequence):
        raise TypeError(
            "mirrors doit être une séquence d'URL, par exemple "
            f"(\"https://exemple.org/mnist/\",), reçu : {mirrors!r}."
        )
    if not mirrors:
        raise ValueError("mirrors ne doit pas être vide : donnez au moins une URL de miroir.")
    for url in mirrors:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(
                f"Chaque miroir doit être une URL commençant par http:// ou https://, "
                f"reçu : {url!r}."
            )
    return tuple(mirrors)


def as_path(value: object, name: str) -> Path:
    """Convertit un chemin (``str`` ou ``os.PathLike``) en chemin absolu."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(
            f"{name} doit être un chemin (str ou pathlib.Path), reçu : {value!r}."
        )
    return Path(value).expanduser().resolve()


def repo_root() -> Path:
    """Dossier racine du dépôt (parent du paquet ``course_utils``)."""
    return Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    """Dossier des fichiers MNIST par défaut : ``<dépôt>/data/mnist``."""
    return repo_root() / "data" / "mnist"


def is_writable_dir(folder: Path) -> bool:
    """Crée ``folder`` au besoin et indique si l'on peut y écrire."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


# ----------------------------------------------------------------- vérification (SHA-256)


def _sha256(path: Path) -> str:
    """Somme SHA-256 (hexadécimale) du contenu de ``path``."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _file_problem(path: Path, name: str) -> str | None:
    """Décrit en français le problème du fichier ``path`` (attendu : ``name``), ou ``None``."""
    try:
        digest, size = _sha256(path), path.stat().st_size
    except OSError as exc:
        return f"Le fichier MNIST « {path} » est illisible : {exc.strerror or exc}."
    if digest == MNIST_SHA256[name]:
        return None
    lines = [
        f"Le fichier MNIST « {path} » est corrompu ou incomplet :",
        f"  SHA-256 attendue : {MNIST_SHA256[name]}",
        f"  SHA-256 obtenue  : {digest}",
    ]
    if size != _SIZES[name]:
        cause = "fichier tronqué ?" if size < _SIZES[name] else "fichier trop gros ?"
        lines.append(f"  taille : {size} octets au lieu de {_SIZES[name]} ({cause})")
    return "\n".join(lines)


def _verified_files(folder: Path, names: Sequence[str]) -> dict[str, Path]:
    """Vérifie ceux des fichiers ``names`` présents dans ``folder`` et les renvoie.

    Lève MNISTError si l'un d'eux est corrompu : il n'est alors jamais utilisé.
    """
    found = {name: folder / name for name in names if (folder / name).is_file()}
    problems = [p for name, path in found.items() if (p := _file_problem(path, name))]
    _fail_if(problems, "Ces données n'ont pas été utilisées. Que faire : supprimez chaque "
             "fichier en cause pour qu'il soit retéléchargé au prochain appel de load_mnist(), ou "
             f"remplacez-le par une copie correcte (vérifiable avec « sha256sum -c », "
             f"{_README_HINT}).")
    return found


# ------------------------------------------------------------------------- téléchargement


def ensure_files(folder: Path, mirrors: tuple[str, ...]) -> dict[str, Path]:
    """Renvoie les chemins des quatre fichiers vérifiés, après téléchargement des absents.

    Les absents vont dans ``folder``, ou dans ``<dépôt>/data/mnist`` si ``folder`` est en
    lecture seule (on n'y écrit jamais).
    """
    if folder.exists() and not folder.is_dir():
        raise MNISTError(f"« {folder} » n'est pas un dossier : impossible d'y chercher MNIST.")
    paths = _verified_files(folder, list(MNIST_SHA256))
    missing = [name for name in MNIST_SHA256 if name not in paths]
    if not missing:
        return paths
    target = folder if is_writable_dir(folder) else _default_data_dir()
    if target != folder:
        paths.update(_verified_files(target, missing))
        missing = [name for name in missing if name not in paths]
    for position, name in enumerate(missing):
        try:
            paths[name] = _download_file(name, target, mirrors)
        except _DownloadError as exc:
            message = _download_failure_message(name, exc.failures, target, missing[position:])
            raise MNISTError(message) from None
    return paths


def _download_file(name: str, folder: Path, mirrors: tuple[str, ...]) -> Path:
    """Télécharge ``name`` dans ``folder`` depuis le premier miroir qui fournit le bon fichier.

    Lève _DownloadError (avec la raison de l'échec de chaque miroir) si aucun ne convient.
    """
    if not is_writable_dir(folder):
        raise MNISTError(
            f"Impossible d'écrire dans le dossier « {folder} » pour y télécharger « {name} ». "
            "Copiez-y les fichiers MNIST, ou indiquez leur dossier avec la variable "
            f"d'environnement COURSE_DATA_DIR ({_README_HINT})."
        )
    failures = []
    for mirror in mirrors:
        try:
            _download_from(mirror, name, folder)
        except (_MirrorError, OSError, http.client.HTTPException) as exc:
            failures.append((mirror, _describe_failure(exc)))
        else:
            return folder / name
    raise _DownloadError(failures)


def _download_from(mirror: str, name: str, folder: Path) -> None:
    """Télécharge ``name`` depuis ``mirror`` dans un fichier temporaire, vérifie sa somme
    SHA-256 puis le renomme atomiquement en ``folder / name``.

    Le fichier temporaire est supprimé en cas d'échec.
    """
    url = mirror.rstrip("/") + "/" + name
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as output:
            digest, size = _fetch(url, output, name)
            output.flush()
            os.fsync(output.fileno())
        if digest != MNIST_SHA256[name]:
            raise _MirrorError(
                f"somme SHA-256 incorrecte (obtenue {digest[:16]}…, attendue "
                f"{MNIST_SHA256[name][:16]}…, {size} octets reçus)"
            )
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fetch(url: str, output: BinaryIO, name: str) -> tuple[str, int]:
    """Copie la ressource ``url`` dans le fichier binaire ouvert ``output``.

    Renvoie (somme SHA-256 hexadécimale, nombre d'octets reçus). Affiche une barre de
    progression. Lève _MirrorError si le miroir envoie plus d'octets que prévu.
    """
    expected = _SIZES[name]
    digest, received = hashlib.sha256(), 0
    with (
        urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response,
        _progress_bar(name, expected) as progress,
    ):
        while chunk := response.read(_CHUNK_SIZE):
            received += len(chunk)
            if received > expected:
                raise _MirrorError(f"fichier plus gros que prévu (plus de {expected} octets)")
            output.write(chunk)
            digest.update(chunk)
            progress.update(len(chunk))
    return digest.hexdigest(), received


def _progress_bar(name: str, total: int):
    """Barre de progression ``tqdm`` (console ou notebook) pour le téléchargement de ``name``."""
    return tqdm(
        total=total, desc=f"Téléchargement de {name}", unit="o", unit_scale=True,
        unit_divisor=1024,
    )


def _describe_failure(exc: BaseException) -> str:
    """Raison, en français, de l'échec d'un miroir."""
    if isinstance(exc, _MirrorError):
        return str(exc)
    if isinstance(exc, urllib.error.HTTPError):
        return f"erreur HTTP {exc.code} ({exc.reason})"
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, BaseException):
            return _describe_failure(exc.reason)
        return f"connexion impossible ({exc.reason})"
    if isinstance(exc, socket.gaierror):
        return "nom de serveur introuvable (pas de réseau, ou DNS en panne)"
    if isinstance(exc, TimeoutError):
        return f"délai dépassé (aucune réponse en {DOWNLOAD_TIMEOUT:g} s)"
    if isinstance(exc, ConnectionRefusedError):
        return "connexion refusée (serveur injoignable)"
    if isinstance(exc, http.client.HTTPException | ConnectionError):
        return f"réponse interrompue ou invalide ({type(exc).__name__})"
    return f"{type(exc).__name__} : {exc}"


def _download_failure_message(
    name: str, failures: list[tuple[str, str]], folder: Path, missing: list[str]
) -> str:
    """Message d'erreur quand aucun miroir n'a fourni ``name``."""
    lines = [
        f"Impossible de télécharger « {name} » : aucun miroir n'a fourni un fichier valide.",
        "Miroirs essayés :",
        *(f"  - {mirror} : {reason}" for mirror, reason in failures),
        f"Pour travailler hors ligne, placez ces fichiers dans le dossier « {folder} » :",
        *(f"  - {missing_name}" for missing_name in missing),
        "ou indiquez le dossier qui les contient avec la variable d'environnement "
        "COURSE_DATA_DIR (par exemple COURSE_DATA_DIR=/chemin/vers/mnist), puis relancez "
        f"load_mnist() ({_README_HINT}).",
    ]
    return "\n".join(lines)

