"""Chargement du jeu de données MNIST (chiffres manuscrits 28×28, étiquettes 0 à 9).

Utilisation type :

>>> from course_utils.data import load_mnist
>>> mnist = load_mnist(train_size=1000, test_size=500)   # doctest: +SKIP
>>> mnist.x_train.shape, mnist.y_train.shape               # doctest: +SKIP
(torch.Size([1000, 784]), torch.Size([1000]))

Les quatre fichiers d'origine (``*.gz``, format IDX) sont cherchés, dans cet ordre :

1. dans le dossier ``data_dir`` passé à :func:`load_mnist` ;
2. sinon dans le dossier indiqué par la variable d'environnement ``COURSE_DATA_DIR`` ;
3. sinon dans ``<dépôt>/data/mnist/``.

Chaque fichier est vérifié (somme SHA-256) avant usage. Les fichiers absents sont téléchargés
depuis des miroirs publics. Après le premier décodage, les images sont gardées dans un cache
binaire (``<dépôt>/data/cache/`` ou ``COURSE_CACHE_DIR``) qui rend les chargements suivants
rapides.
"""

import getpass
import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

import numpy as np
import torch

__all__ = [
    "MNIST",
    "MNIST_MEAN",
    "MNIST_MIRRORS",
    "MNIST_SHA256",
    "MNIST_STD",
    "MNISTError",
    "load_mnist",
    "mnist_dir",
    "verify_mnist_files",
]

MNIST_MEAN = 0.1307
"""Moyenne des pixels de l'ensemble d'apprentissage MNIST (pixels ramenés dans [0, 1])."""

MNIST_STD = 0.3081
"""Écart type des pixels de l'ensemble d'apprentissage MNIST (pixels ramenés dans [0, 1])."""

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

DOWNLOAD_TIMEOUT = 30.0
"""Délai maximal (en secondes) d'attente d'un miroir avant de passer au suivant."""

_SIZES: Mapping[str, int] = MappingProxyType({
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
})
_SPLITS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
})
_N_TRAIN = 60_000
_N_TEST = 10_000
_SIDE = 28
_N_CLASSES = 10
_IDX_FORMATS: Mapping[str, tuple[int, int]] = MappingProxyType({
    "images": (2051, 3),  # nombre magique, nombre de dimensions
    "labels": (2049, 1),
})
_ARRAY_KEYS = ("x_train", "y_train", "x_test", "y_test")
_CACHE_VERSION = "mnist-cache-v1"
_CHUNK_SIZE = 1 << 16
_README_HINT = "voir data/README.md"


class MNISTError(RuntimeError):
    """Fichiers MNIST absents, corrompus ou impossibles à télécharger."""


@dataclass(frozen=True, eq=False, repr=False)
class MNIST:
    """Les deux ensembles de MNIST, images aplaties en vecteurs de 784 pixels.

    Attributs :
        x_train : images d'apprentissage, ``float32``, forme ``(N, 784)``.
        y_train : étiquettes d'apprentissage (0 à 9), ``int64``, forme ``(N,)``.
        x_test : images de test, ``float32``, forme ``(M, 784)``.
        y_test : étiquettes de test (0 à 9), ``int64``, forme ``(M,)``.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    def __repr__(self) -> str:
        return f"MNIST(apprentissage={len(self.y_train)}, test={len(self.y_test)})"


class _MirrorError(Exception):
    """Un miroir a fourni un fichier inutilisable (raison en français)."""


class _DownloadError(Exception):
    """Aucun miroir n'a fourni le fichier ; ``failures`` liste (miroir, raison)."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        super().__init__(failures)
        self.failures = failures


# --------------------------------------------------------------------------- API publique


def load_mnist(
    *,
    train_size: int | None = None,
    test_size: int | None = None,
    seed: int = 0,
    normalize: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
    mirrors: Sequence[str] | None = None,
) -> MNIST:
    """Charge MNIST sous forme de tenseurs prêts pour l'apprentissage.

    Arguments :
        train_size : nombre d'exemples d'apprentissage à garder (1 à 60000), ``None`` pour tous.
        test_size : nombre d'exemples de test à garder (1 à 10000), ``None`` pour tous.
        seed : graine du tirage (``torch.randperm``) des sous-ensembles ; même graine, mêmes
            exemples.
        normalize : si ``True``, pixels ramenés dans [0, 1] puis centrés-réduits avec
            ``MNIST_MEAN`` et ``MNIST_STD`` ; si ``False``, seulement ramenés dans [0, 1].
        data_dir : dossier des fichiers ``*.gz`` ; voir :func:`mnist_dir`.
        mirrors : miroirs de téléchargement (URL de dossiers), ``MNIST_MIRRORS`` par défaut.

    Renvoie :
        Un :class:`MNIST` : ``x_train`` ``(N, 784)`` float32, ``y_train`` ``(N,)`` int64,
        ``x_test`` ``(M, 784)`` float32, ``y_test`` ``(M,)`` int64.

    Lève :
        TypeError, ValueError : argument invalide.
        MNISTError : fichier corrompu, ou fichier absent et aucun miroir utilisable.
    """
    _check_size(train_size, "train_size", _N_TRAIN)
    _check_size(test_size, "test_size", _N_TEST)
    _check_seed(seed)
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize doit valoir True ou False, reçu : {normalize!r}.")
    mirror_urls = _check_mirrors(MNIST_MIRRORS if mirrors is None else mirrors)
    paths = _ensure_files(mnist_dir(data_dir), mirror_urls)
    arrays = _raw_arrays(paths)
    x_train, y_train = _select(arrays["x_train"], arrays["y_train"], train_size, seed)
    x_test, y_test = _select(arrays["x_test"], arrays["y_test"], test_size, seed)
    return MNIST(
        x_train=_images_to_tensor(x_train, normalize),
        y_train=torch.from_numpy(y_train.astype(np.int64)),
        x_test=_images_to_tensor(x_test, normalize),
        y_test=torch.from_numpy(y_test.astype(np.int64)),
    )


def mnist_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Renvoie le dossier (chemin absolu) où les fichiers MNIST sont cherchés.

    Ordre : ``data_dir`` s'il est donné, sinon ``$COURSE_DATA_DIR`` s'il est défini, sinon
    ``<dépôt>/data/mnist/``. Si ce dossier est en lecture seule et qu'il y manque des fichiers,
    ceux-ci sont cherchés puis téléchargés dans ``<dépôt>/data/mnist/``.
    """
    if data_dir is not None:
        return _as_path(data_dir, "data_dir")
    from_env = os.environ.get("COURSE_DATA_DIR", "")
    if from_env.strip():
        return _as_path(from_env, "COURSE_DATA_DIR")
    return _default_data_dir()


def verify_mnist_files(folder: str | os.PathLike[str] | None = None) -> None:
    """Vérifie que ``folder`` contient les quatre fichiers MNIST intacts (SHA-256).

    Arguments :
        folder : dossier à vérifier ; par défaut celui de :func:`mnist_dir`.

    Lève :
        MNISTError : fichier absent ou corrompu (tous les problèmes sont listés).
    """
    path = mnist_dir() if folder is None else _as_path(folder, "folder")
    problems = []
    for name in MNIST_SHA256:
        if (path / name).is_file():
            problem = _file_problem(path / name, name)
        else:
            problem = f"Le fichier MNIST « {path / name} » est absent."
        if problem is not None:
            problems.append(problem)
    if problems:
        advice = (
            "Que faire : supprimez chaque fichier corrompu puis appelez load_mnist() pour "
            "télécharger les fichiers manquants, ou copiez dans ce dossier des fichiers "
            f"corrects (vérifiables avec « sha256sum -c », {_README_HINT})."
        )
        raise MNISTError("\n".join([*problems, advice]))


# ------------------------------------------------------------------ arguments et chemins


def _check_size(value: object, name: str, available: int) -> None:
    """Vérifie une taille de sous-ensemble : ``None`` ou entier de 1 à ``available``."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"{name} doit être un entier (ou None pour tout garder), reçu : {value!r}."
        )
    if not 1 <= value <= available:
        raise ValueError(
            f"{name} doit être compris entre 1 et {available} (taille disponible), "
            f"reçu : {value}."
        )


def _check_seed(seed: object) -> None:
    """Vérifie que la graine est un entier positif ou nul (accepté par ``torch``)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed doit être un entier, reçu : {seed!r}.")
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed doit être un entier compris entre 0 et 2**63 - 1, reçu : {seed}.")


def _check_mirrors(mirrors: object) -> tuple[str, ...]:
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


def _as_path(value: object, name: str) -> Path:
    """Convertit un chemin (``str`` ou ``os.PathLike``) en chemin absolu."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(
            f"{name} doit être un chemin (str ou pathlib.Path), reçu : {value!r}."
        )
    return Path(value).expanduser().resolve()


def _repo_root() -> Path:
    """Dossier racine du dépôt (parent du paquet ``course_utils``)."""
    return Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    """Dossier des fichiers MNIST par défaut : ``<dépôt>/data/mnist``."""
    return _repo_root() / "data" / "mnist"


def _is_writable_dir(folder: Path) -> bool:
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
    if problems:
        advice = (
            "Ces données n'ont pas été utilisées. Que faire : supprimez chaque fichier en cause "
            "pour qu'il soit retéléchargé au prochain appel de load_mnist(), ou remplacez-le "
            f"par une copie correcte (vérifiable avec « sha256sum -c », {_README_HINT})."
        )
        raise MNISTError("\n".join([*problems, advice]))
    return found


# ------------------------------------------------------------------------- téléchargement


def _ensure_files(folder: Path, mirrors: tuple[str, ...]) -> dict[str, Path]:
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
    target = folder if _is_writable_dir(folder) else _default_data_dir()
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
    if not _is_writable_dir(folder):
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
    from tqdm.auto import tqdm  # import différé : inutile si les fichiers sont déjà là

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


# ------------------------------------------------------------------- décodage du format IDX


def _gunzip(path: Path) -> bytes:
    """Contenu décompressé du fichier gzip ``path``."""
    try:
        with gzip.open(path, "rb") as file:
            return file.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise MNISTError(f"Impossible de décompresser « {path} » (gzip) : {exc}.") from exc


def _read_idx(path: Path, *, kind: str) -> np.ndarray:
    """Décode un fichier IDX compressé (``kind`` : ``"images"`` ou ``"labels"``).

    Renvoie un tableau ``uint8`` de forme ``(n, 28, 28)`` (images) ou ``(n,)`` (étiquettes).
    Lève MNISTError si l'en-tête (nombre magique, dimensions) ou la taille est incohérent.
    """
    magic, ndim = _IDX_FORMATS[kind]
    raw = _gunzip(path)
    header_size = 4 * (1 + ndim)
    if len(raw) < header_size:
        raise MNISTError(f"« {path} » : en-tête IDX tronqué ({len(raw)} octets).")
    header = np.frombuffer(raw, dtype=">u4", count=1 + ndim)
    if int(header[0]) != magic:
        raise MNISTError(
            f"« {path} » : nombre magique IDX {int(header[0])} au lieu de {magic} "
            f"(attendu pour un fichier d'{'images' if kind == 'images' else 'étiquettes'})."
        )
    shape = tuple(int(size) for size in header[1:])
    if kind == "images" and shape[1:] != (_SIDE, _SIDE):
        raise MNISTError(
            f"« {path} » : images de {shape[1]}×{shape[2]} pixels au lieu de {_SIDE}×{_SIDE}."
        )
    expected = int(np.prod(shape))
    if len(raw) - header_size != expected:
        raise MNISTError(
            f"« {path} » : {len(raw) - header_size} octets de données au lieu des {expected} "
            f"annoncés par l'en-tête (dimensions {shape})."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def _decode_split(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Décode un ensemble : images ``(n, 28, 28)`` et étiquettes ``(n,)``, en ``uint8``."""
    images = _read_idx(images_path, kind="images")
    labels = _read_idx(labels_path, kind="labels")
    if len(images) != len(labels):
        raise MNISTError(
            f"« {images_path} » contient {len(images)} images mais « {labels_path} » "
            f"contient {len(labels)} étiquettes : les nombres devraient être égaux."
        )
    if len(labels) and int(labels.max()) >= _N_CLASSES:
        raise MNISTError(
            f"« {labels_path} » : étiquette {int(labels.max())} hors de l'intervalle 0 à 9."
        )
    return images, labels


def _decode_all(paths: Mapping[str, Path]) -> dict[str, np.ndarray]:
    """Décode les quatre fichiers ; clés ``x_train``, ``y_train``, ``x_test``, ``y_test``."""
    arrays = {}
    for split, (images_name, labels_name) in _SPLITS.items():
        images, labels = _decode_split(paths[images_name], paths[labels_name])
        arrays[f"x_{split}"], arrays[f"y_{split}"] = images, labels
    return arrays


# ------------------------------------------------------------------------ cache binaire


def _cache_dir() -> Path | None:
    """Dossier du cache : ``$COURSE_CACHE_DIR`` ou ``<dépôt>/data/cache`` ; à défaut (lecture
    seule), un dossier personnel sous ``tempfile.gettempdir()`` ; ``None`` si aucun ne va.
    """
    from_env = os.environ.get("COURSE_CACHE_DIR", "")
    if from_env.strip():
        primary = _as_path(from_env, "COURSE_CACHE_DIR")
    else:
        primary = _repo_root() / "data" / "cache"
    if _is_writable_dir(primary):
        return primary
    fallback = Path(tempfile.gettempdir()) / f"course_utils-cache-{_user_tag()}"
    try:
        fallback.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    owned = not hasattr(os, "getuid") or fallback.stat().st_uid == os.getuid()
    return fallback if owned and os.access(fallback, os.W_OK | os.X_OK) else None


def _user_tag() -> str:
    """Nom de l'utilisateur courant, pour un dossier temporaire qui lui est propre."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "inconnu"


def _cache_name() -> str:
    """Nom du fichier de cache, qui dépend des sommes SHA-256 des fichiers source.

    Seuls des fichiers ayant exactement ces sommes sont décodés : changer de source (donc de
    sommes) change le nom et invalide l'ancien cache.
    """
    key = hashlib.sha256(_CACHE_VERSION.encode())
    for name in sorted(MNIST_SHA256):
        key.update(f"{name}={MNIST_SHA256[name]};".encode())
    return f"mnist-{key.hexdigest()[:16]}.npz"


def _load_cache(path: Path) -> dict[str, np.ndarray] | None:
    """Relit le cache ``path`` ; ``None`` s'il est absent, illisible ou incohérent."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in _ARRAY_KEYS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error):
        return None
    return arrays if _arrays_look_valid(arrays) else None


def _arrays_look_valid(arrays: Mapping[str, np.ndarray]) -> bool:
    """Vérifie types, formes et étiquettes des tableaux relus depuis le cache."""
    for split in _SPLITS:
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.dtype != np.uint8 or labels.dtype != np.uint8:
            return False
        if images.ndim != 3 or images.shape[1:] != (_SIDE, _SIDE) or labels.ndim != 1:
            return False
        if len(images) != len(labels) or (len(labels) and labels.max() >= _N_CLASSES):
            return False
    return True


def _save_cache(arrays: Mapping[str, np.ndarray], path: Path) -> None:
    """Écrit le cache atomiquement (fichier temporaire puis ``os.replace``).

    Un échec n'est pas une erreur : il donne un avertissement et le cache est sauté.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".mnist-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as output:
            np.savez(output, **arrays)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        warnings.warn(
            f"Cache MNIST non écrit dans « {path.parent} » ({exc}) : les prochains "
            "chargements seront plus lents.",
            RuntimeWarning,
            stacklevel=2,
        )


def _raw_arrays(paths: Mapping[str, Path]) -> dict[str, np.ndarray]:
    """Tableaux ``uint8`` des deux ensembles, depuis le cache ou en décodant les fichiers."""
    folder = _cache_dir()
    cache = folder / _cache_name() if folder is not None else None
    arrays = _load_cache(cache) if cache is not None else None
    if arrays is None:
        arrays = _decode_all(paths)
        if cache is not None:
            _save_cache(arrays, cache)
    return arrays


# ------------------------------------------------------------- sous-ensembles et tenseurs


def _select(
    images: np.ndarray, labels: np.ndarray, size: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Garde ``size`` exemples tirés par ``torch.randperm`` (graine ``seed``), ou tous.

    L'ordre du tirage est conservé : le sous-ensemble est déjà mélangé.
    """
    if size is None:
        return images, labels
    generator = torch.Generator().manual_seed(seed)
    index = torch.randperm(len(labels), generator=generator)[:size].numpy()
    return images[index], labels[index]


def _images_to_tensor(images: np.ndarray, normalize: bool) -> torch.Tensor:
    """Images ``uint8`` ``(n, 28, 28)`` → tenseur ``float32`` ``(n, 784)``.

    Pixels divisés par 255, puis centrés-réduits si ``normalize`` :
    ``(x / 255 - MNIST_MEAN) / MNIST_STD``, calculé comme ``x * a - b`` en deux passages sur
    la mémoire au lieu de quatre (~190 Mo pour l'apprentissage complet).
    """
    flat = images.reshape(len(images), _SIDE * _SIDE)
    if not normalize:
        return torch.from_numpy(np.divide(flat, np.float32(255), dtype=np.float32))
    scale = np.float32(1 / (255 * MNIST_STD))
    pixels = np.multiply(flat, scale, dtype=np.float32)
    pixels -= np.float32(MNIST_MEAN / MNIST_STD)
    return torch.from_numpy(pixels)
