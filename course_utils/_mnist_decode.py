"""Les fichiers MNIST décodés : format IDX, puis cache binaire des tableaux.

Module interne de :mod:`course_utils.data`. Un fichier IDX commence par un nombre magique
et les dimensions (entiers 32 bits gros-boutistes), puis les octets des images ou des
étiquettes. Après le premier décodage, les quatre tableaux ``uint8`` sont gardés dans un
cache ``.npz`` (``<dépôt>/data/cache/`` ou ``COURSE_CACHE_DIR``) dont le nom dépend des
sommes SHA-256 des fichiers source : changer de source invalide l'ancien cache.
"""

import getpass
import gzip
import hashlib
import os
import tempfile
import time
import warnings
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np

from course_utils._mnist_files import (
    MNIST_SHA256,
    MNISTError,
    as_path,
    is_writable_dir,
    repo_root,
)

SPLITS: Mapping[str, tuple[str, str]] = MappingProxyType({  # ensemble → (images, étiquettes)
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
})
_SIDE = 28
_N_CLASSES = 10
_IDX_FORMATS: Mapping[str, tuple[int, int]] = MappingProxyType({
    "images": (2051, 3),  # nombre magique, nombre de dimensions
    "labels": (2049, 1),
})
_ARRAY_KEYS = ("x_train", "y_train", "x_test", "y_test")
_CACHE_VERSION = "mnist-cache-v2"  # v2 : empreinte des tableaux gardée dans le cache
_STALE_SECONDS = 600  # un fichier temporaire plus vieux vient d'une écriture interrompue


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
    for split, (images_name, labels_name) in SPLITS.items():
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
        primary = as_path(from_env, "COURSE_CACHE_DIR")
    else:
        primary = repo_root() / "data" / "cache"
    if is_writable_dir(primary):
        return primary
    fallback = Path(tempfile.gettempdir()) / f"course_utils-cache-{_user_tag()}"
    try:
        fallback.mkdir(mode=0o700, exist_ok=True)
        info = fallback.lstat()  # lstat : un lien symbolique posé là n'est pas suivi
    except OSError:
        return None
    if fallback.is_symlink() or not fallback.is_dir():
        return None
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return fallback if owned and os.access(fallback, os.W_OK | os.X_OK) else None


def remove_stale_parts(folder: Path) -> None:
    """Supprime les fichiers temporaires ``.*.part`` de plus de dix minutes dans ``folder`` :
    les restes d'une écriture interrompue (une écriture en cours est plus récente)."""
    now = time.time()
    for part in folder.glob(".*.part"):
        try:
            if now - part.stat().st_mtime > _STALE_SECONDS:
                part.unlink()
        except OSError:  # déjà supprimé par un autre processus, ou pas à nous
            continue


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


def _digest(arrays: Mapping[str, np.ndarray]) -> str:
    """Empreinte SHA-256 des quatre tableaux (formes et octets)."""
    key = hashlib.sha256()
    for name in _ARRAY_KEYS:
        key.update(f"{name}{arrays[name].shape};".encode())
        key.update(np.ascontiguousarray(arrays[name]).tobytes())
    return key.hexdigest()


def _load_cache(path: Path) -> dict[str, np.ndarray] | None:
    """Relit le cache ``path`` ; ``None`` s'il est absent, illisible, incohérent ou modifié
    (empreinte différente de celle écrite avec lui)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in _ARRAY_KEYS}
            stored = str(archive["digest"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error):
        return None
    if not _arrays_look_valid(arrays) or stored != _digest(arrays):
        return None
    return arrays


def _arrays_look_valid(arrays: Mapping[str, np.ndarray]) -> bool:
    """Vérifie types, formes et étiquettes des tableaux relus depuis le cache."""
    for split in SPLITS:
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
            np.savez(output, digest=np.array(_digest(arrays)), **arrays)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        warnings.warn(
            f"Cache MNIST non écrit dans « {path.parent} » ({exc}) : les prochains "
            "chargements seront plus lents.",
            RuntimeWarning,
            stacklevel=2,
        )


def decoded_arrays(paths: Mapping[str, Path]) -> dict[str, np.ndarray]:
    """Tableaux ``uint8`` des deux ensembles, depuis le cache ou en décodant les fichiers."""
    folder = _cache_dir()
    for place in {path.parent for path in paths.values()} | ({folder} - {None}):
        if is_writable_dir(place):
            remove_stale_parts(place)
    cache = folder / _cache_name() if folder is not None else None
    arrays = _load_cache(cache) if cache is not None else None
    if arrays is None:
        arrays = _decode_all(paths)
        if cache is not None:
            _save_cache(arrays, cache)
    return arrays


