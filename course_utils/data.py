"""Le jeu de données MNIST (chiffres manuscrits 28 × 28, étiquettes 0 à 9), prêt à apprendre.

Utilisation type :

>>> from course_utils.data import load_mnist
>>> mnist = load_mnist(train_size=1000, validation_size=200)   # doctest: +SKIP
>>> mnist.train.x.shape, mnist.validation.y.shape              # doctest: +SKIP
(torch.Size([1000, 784]), torch.Size([200]))

Trois jeux : l'**apprentissage** (les paramètres s'y ajustent), la **validation** (tenue à
l'écart, on y choisit les hyper-paramètres) et le **test** (mesuré une seule fois, à la fin).
La validation est prise sur les 60 000 images d'apprentissage de MNIST, le test sur les
10 000 autres.

Les pixels p ∈ [0, 1] sont centrés-réduits, x = (p − MEAN)/STD, avec la moyenne et
l'écart-type de tous les pixels d'apprentissage (une seule moyenne pour toute l'image) :
:func:`normalize` et :func:`denormalize` passent de l'un à l'autre.

Les fichiers d'origine sont cherchés dans ``data_dir``, sinon dans le dossier de la variable
d'environnement ``COURSE_DATA_DIR``, sinon dans ``<dépôt>/data/mnist/`` ; ils sont vérifiés
(somme SHA-256) et téléchargés s'ils manquent (voir ``data/README.md``).
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from course_utils import _mnist_decode, _mnist_files, _validate

MEAN = 0.1307
"""Moyenne des pixels des images d'apprentissage de MNIST (pixels ramenés dans [0, 1])."""

STD = 0.3081
"""Écart-type des pixels des images d'apprentissage de MNIST (pixels ramenés dans [0, 1])."""

SIDE = 28
"""Côté des images MNIST, en pixels : une image aplatie a SIDE² = 784 valeurs."""

_N_TRAIN, _N_TEST = 60_000, 10_000


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """Des exemples et leurs étiquettes : x (N, D) flottant et fini, y (N,) entiers de 0 à
    C − 1.

    name : le rôle du jeu (« apprentissage », « validation », « test »…), repris par les
    historiques d'apprentissage et les légendes des figures.
    """

    x: torch.Tensor
    y: torch.Tensor
    name: str = "données"

    def __post_init__(self) -> None:
        _validate.tensor("x", self.x, floating=True)
        _validate.tensor("y", self.y, ndim=1, dtype=torch.int64)
        if not isinstance(self.name, str):
            raise TypeError(f"name doit être un texte (reçu : {type(self.name).__name__})")
        if self.x.dim() < 2 or len(self.x) != len(self.y):
            raise ValueError("Dataset : formes attendues x (N, D) et y (N,) avec le même N "
                             f"(reçu : x {tuple(self.x.shape)}, y {tuple(self.y.shape)})")
        if len(self.y) and int(self.y.min()) < 0:
            raise ValueError(f"les étiquettes de y doivent être ≥ 0 (reçu : {int(self.y.min())})")
        _validate.finite("x", self.x)  # une passe (≈ 30 ms pour tout MNIST)

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        return f"Dataset({self.name} : {len(self)} exemples de forme {tuple(self.x.shape[1:])})"


@dataclass(frozen=True, eq=False, repr=False)
class MNIST:
    """Les jeux d'apprentissage, de validation (ou None) et de test de MNIST.

    Chacun est un :class:`Dataset` : x (N, 784) ``float32`` (images aplaties), y (N,) ``int64``.
    """

    train: Dataset
    validation: Dataset | None
    test: Dataset

    def __post_init__(self) -> None:
        for name in ("train", "validation", "test"):
            value = getattr(self, name)
            if not isinstance(value, Dataset) and (name != "validation" or value is not None):
                raise TypeError(f"{name} doit être un Dataset"
                                f"{' ou None' if name == 'validation' else ''} "
                                f"(reçu : {type(value).__name__})")

    def __repr__(self) -> str:
        held_out = "" if self.validation is None else f", validation={len(self.validation)}"
        return f"MNIST(apprentissage={len(self.train)}{held_out}, test={len(self.test)})"


def load_mnist(*, train_size: int | None = None, validation_size: int | None = None,
               test_size: int | None = None, seed: int = 0, normalize: bool = True,
               data_dir: str | os.PathLike[str] | None = None,
               mirrors: Sequence[str] | None = None) -> MNIST:
    """Charge MNIST : trois :class:`Dataset` de tenseurs en mémoire.

    train_size : nombre d'images d'apprentissage (``None`` : toutes celles qui restent) ;
    validation_size : nombre d'images d'apprentissage mises de côté pour la validation
        (``None`` : pas de validation) ; test_size : nombre d'images de test (``None`` : 10 000).
    Avec une taille donnée, les images sont tirées au hasard (``torch.randperm``, graine
    ``seed`` : même graine, mêmes images) ; sinon, elles gardent l'ordre des fichiers et la
    validation est faite des ``validation_size`` dernières. Dans les deux cas, apprentissage
    et validation n'ont aucune image en commun.
    normalize : pixels centrés-réduits, (p − MEAN)/STD ; sinon, pixels p dans [0, 1].
    data_dir, mirrors : dossier des fichiers et miroirs de téléchargement (voir
    :func:`mnist_dir` et ``data/README.md``).

    Lève ``TypeError``/``ValueError`` (argument invalide) ou ``MNISTError`` (fichier corrompu,
    ou absent et aucun miroir utilisable).
    """
    held_out = 0 if validation_size is None else _validate.integer(
        "validation_size", validation_size, low=1, high=_N_TRAIN - 1)
    if train_size is not None:
        _validate.integer("train_size", train_size, low=1, high=_N_TRAIN - held_out)
    if test_size is not None:
        _validate.integer("test_size", test_size, low=1, high=_N_TEST)
    _validate.integer("seed", seed, low=0, high=2**63 - 1)
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize doit valoir True ou False (reçu : {normalize!r})")
    mirror_urls = _mnist_files.check_mirrors(
        _mnist_files.MNIST_MIRRORS if mirrors is None else mirrors)
    paths = _mnist_files.ensure_files(mnist_dir(data_dir), mirror_urls)
    arrays = _mnist_decode.decoded_arrays(paths)
    images, labels = _select(arrays["x_train"], arrays["y_train"],
                             None if train_size is None else train_size + held_out, seed)
    test_images, test_labels = _select(arrays["x_test"], arrays["y_test"], test_size, seed)
    kept = len(labels) - held_out  # les held_out dernières : la validation
    validation = None if not held_out else _dataset(images[kept:], labels[kept:], normalize,
                                                    "validation")
    return MNIST(train=_dataset(images[:kept], labels[:kept], normalize, "apprentissage"),
                 validation=validation,
                 test=_dataset(test_images, test_labels, normalize, "test"))


def mnist_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Le dossier (chemin absolu) où les fichiers MNIST sont cherchés.

    Ordre : ``data_dir`` s'il est donné, sinon ``$COURSE_DATA_DIR`` s'il est défini, sinon
    ``<dépôt>/data/mnist/``. Si ce dossier est en lecture seule et qu'il y manque des
    fichiers, ceux-ci sont cherchés puis téléchargés dans ``<dépôt>/data/mnist/``.
    """
    return _mnist_files.mnist_dir(data_dir)


def verify_mnist_files(folder: str | os.PathLike[str] | None = None) -> None:
    """Vérifie que ``folder`` (par défaut :func:`mnist_dir`) contient les quatre fichiers
    MNIST intacts (sommes SHA-256) ; sinon ``MNISTError`` liste tous les problèmes."""
    _mnist_files.verify_files(folder)


def to_float_images(x: torch.Tensor) -> torch.Tensor:
    """Images d'octets (N, 28, 28) ``uint8`` → vecteurs (N, 784) ``float32`` dans [0, 1].

    Chaque image est aplatie (784 = 28 × 28 valeurs, ligne après ligne) et chaque pixel
    divisé par 255, la valeur d'un pixel blanc : p = x/255.
    """
    _validate.shape("x", _validate.tensor("x", x, dtype=torch.uint8), (None, SIDE, SIDE))
    return x.reshape(len(x), SIDE * SIDE).float() / 255  # (N, 28, 28) → (N, 784)


def normalize(pixels: torch.Tensor | float) -> torch.Tensor | float:
    """Pixels p ∈ [0, 1] → entrées centrées-réduites x = (p − MEAN)/STD (même forme).

    pixels : tenseur flottant, tableau NumPy flottant ou nombre (des octets 0 à 255 sont
    refusés : passez d'abord par :func:`to_float_images`)."""
    return (_validate.array("pixels", pixels) - MEAN) / STD


def denormalize(x: torch.Tensor | float) -> torch.Tensor | float:
    """Entrées centrées-réduites x → pixels p = x·STD + MEAN (même forme), inverse de
    :func:`normalize` ; x : tenseur flottant, tableau NumPy flottant ou nombre."""
    return _validate.array("x", x) * STD + MEAN


def _select(images: np.ndarray, labels: np.ndarray, size: int | None,
            seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Garde ``size`` exemples tirés par ``torch.randperm`` (graine ``seed``), ou tous dans
    l'ordre des fichiers. L'ordre du tirage est conservé : le sous-ensemble est mélangé."""
    if size is None:
        return images, labels
    index = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    index = index[:size].numpy()
    return images[index], labels[index]


def _dataset(images: np.ndarray, labels: np.ndarray, normalize: bool, name: str) -> Dataset:
    """Images ``uint8`` (n, 28, 28) et étiquettes ``uint8`` (n,) → :class:`Dataset`.

    Pixels divisés par 255 puis, si ``normalize``, centrés-réduits ; calculé comme
    x·a − b (deux passages sur la mémoire au lieu de quatre, ~190 Mo pour l'apprentissage
    complet), ce qui ne diffère de ``normalize(to_float_images(x))`` que par les arrondis.
    """
    flat = images.reshape(len(images), SIDE * SIDE)  # (n, 28, 28) → (n, 784)
    if not normalize:
        pixels = np.divide(flat, np.float32(255), dtype=np.float32)
    else:
        pixels = np.multiply(flat, np.float32(1 / (255 * STD)), dtype=np.float32)
        pixels -= np.float32(MEAN / STD)
    return Dataset(torch.from_numpy(pixels), torch.from_numpy(labels.astype(np.int64)), name)
