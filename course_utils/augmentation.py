"""Augmentation de données pour MNIST : décalages, rotations, bruit, Mixup, Cutout, CutMix.

Partie « Autres méthodes de régularisation » du cours : on enrichit le jeu d'apprentissage
de versions transformées des images (la classe ne change pas), ou l'on mélange deux images
et leurs étiquettes (Mixup, CutMix). Les images arrivent comme dans ``load_mnist()`` :
x (N, 784), centrées-réduites ; elles sont vues en interne comme (N, 1, 28, 28).

Le fond (pixel noir) vaut, après normalisation, :data:`BACKGROUND` = (0 − MEAN)/STD
≈ −0.424 et non 0 : c'est elle qui comble ce qui entre dans le cadre. Pour des images
seulement ramenées dans [0, 1] (``load_mnist(normalize=False)``), passez ``background=0.0``.

- Sans toucher aux étiquettes : :func:`shift` et :func:`random_shift`, :func:`rotate` et
  :func:`random_rotation`, :func:`gaussian_noise` (injection de bruit en entrée).
- Avec mélange des étiquettes, renvoyant des cibles douces (N, C) de somme 1 :
  :func:`mixup` (Zhang et al., 2018), :func:`cutout` (DeVries et Taylor, 2017, étiquettes
  inchangées), :func:`cutmix` (Yun et al., 2019) ; :func:`mixup_batch` est le calcul de
  Mixup une fois λ et la permutation tirés.
- :class:`Augmentation` en fait un crochet de ``training.train`` (méthode ``on_batch``) ;
  :data:`AUGMENTATIONS` nomme les réglages du chapitre « Régularisation ».

Toute fonction aléatoire prend ``generator`` (générateur global de PyTorch si None).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from types import MappingProxyType

import torch
import torch.nn.functional as F

from course_utils import _validate
from course_utils.data import SIDE, normalize

BACKGROUND = normalize(0.0)
"""Valeur normalisée d'un pixel noir (le fond des images MNIST) : ≈ −0.424."""


# --- Vérifications à la frontière -----------------------------------------------------------


def _to_images(x: torch.Tensor, background: object = 0.0) -> torch.Tensor:
    """x (N, 784) → images (N, 1, 28, 28), après vérification (et celle du fond)."""
    _validate.real("background", background)
    _validate.shape("x (images 28 × 28 aplaties)", _validate.tensor("x", x, floating=True),
                    (None, SIDE * SIDE))
    return x.reshape(len(x), 1, SIDE, SIDE)  # (N, 784) → (N, 1, 28, 28)


_ALPHA = "alpha (paramètre de la loi Beta(α, α))"


def _one_hot(y: torch.Tensor, n: int, num_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """Étiquettes entières y (N,) → vecteurs indicateurs (N, C), après vérification."""
    _validate.shape("y", _validate.tensor("y", y, dtype=torch.int64), (n,))
    _validate.integer("num_classes", num_classes, low=1, high=10**6)
    if n and not 0 <= int(y.min()) <= int(y.max()) < num_classes:
        raise ValueError(f"les étiquettes de y doivent être entre 0 et {num_classes - 1} = "
                         f"num_classes − 1 (reçu : de {int(y.min())} à {int(y.max())})")
    return F.one_hot(y, num_classes).to(dtype)


# --- Décalages et rotations (étiquettes inchangées) ----------------------------------------


def shift(x: torch.Tensor, offsets: torch.Tensor, *, background: float = BACKGROUND
          ) -> torch.Tensor:
    """Décale chaque image d'un nombre entier de pixels, le fond comblant ce qui entre.

    x : (N, 784) ; offsets : (N, 2) entiers (dy, dx) : l'image i descend de dy lignes et
    va à droite de dx colonnes, sortie[i, r, c] = x[i, r − dy, c − dx] (fond hors cadre).
    Renvoie (N, 784). Pour une image dont le bord est du fond, c'est ``torch.roll``.
    """
    images = _to_images(x, background)
    _validate.shape("offsets", _validate.tensor("offsets", offsets, dtype=torch.int64),
                    (len(x), 2))
    m = int(offsets.abs().max()) if len(x) else 0
    if m > SIDE:  # au-delà, l'image n'est que du fond (et le bord ajouté serait énorme)
        raise ValueError(f"offsets doit être entre −{SIDE} et {SIDE} (reçu : {m} en valeur "
                         "absolue)")
    padded = F.pad(images, (m, m, m, m), value=background)  # (N, 1, 28 + 2m, 28 + 2m)
    span = torch.arange(SIDE)
    rows = (m - offsets[:, 0:1]) + span  # (N, 28) : lignes lues dans l'image bordée
    cols = (m - offsets[:, 1:2]) + span  # (N, 28)
    n = torch.arange(len(x))[:, None, None]
    out = padded[n, 0, rows[:, :, None], cols[:, None, :]]  # (N, 28, 28)
    return out.reshape(len(x), SIDE * SIDE)  # (N, 28, 28) → (N, 784)


def random_shift(x: torch.Tensor, *, max_shift: int = 2, background: float = BACKGROUND,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """Décalage aléatoire : dy et dx tirés uniformément dans {−max_shift, …, max_shift}.

    x : (N, 784) ; renvoie (N, 784). Voir :func:`shift`.
    """
    _validate.integer("max_shift", max_shift, low=0, high=SIDE - 1)
    _validate.generator("generator", generator)
    _to_images(x, background)
    offsets = torch.randint(-max_shift, max_shift + 1, (len(x), 2), generator=generator)
    return shift(x, offsets, background=background)


def rotate(x: torch.Tensor, degrees: torch.Tensor, *, background: float = BACKGROUND
           ) -> torch.Tensor:
    """Tourne chaque image de ``degrees[i]`` degrés autour de son centre (interpolation
    bilinéaire, ``F.affine_grid`` puis ``F.grid_sample``).

    x : (N, 784) ; degrees : (N,) réels finis (entiers acceptés). Renvoie (N, 784).
    Les coins qui entrent dans le cadre prennent la valeur du fond : on soustrait le fond (le
    noir vaut alors 0), on tourne avec des zéros hors cadre (``padding_mode="zeros"``), puis on
    rajoute le fond. C'est exactement « dénormaliser, tourner, renormaliser », puisque ces
    opérations sont affines. Un angle positif tourne dans le sens inverse des aiguilles d'une
    montre à l'écran (ligne 0 en haut) : 90° donne ``torch.rot90(image, 1, dims=(-2, -1))``,
    aux arrondis près.
    """
    images = _to_images(x, background)
    if _validate.shape("degrees", degrees, (len(x),)).is_complex() or degrees.dtype == torch.bool:
        raise TypeError(f"degrees doit être un tenseur de réels (reçu : {degrees.dtype})")
    _validate.finite("degrees", degrees)
    a = torch.deg2rad(degrees.to(x.dtype))
    cos, sin, zero = torch.cos(a), torch.sin(a), torch.zeros_like(a)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1),
                         torch.stack([sin, cos, zero], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)  # (N, 28, 28, 2)
    out = F.grid_sample(images - background, grid, mode="bilinear", padding_mode="zeros",
                        align_corners=False) + background  # (N, 1, 28, 28)
    return out.reshape(len(x), SIDE * SIDE)  # (N, 1, 28, 28) → (N, 784)


def random_rotation(x: torch.Tensor, *, max_degrees: float = 15.0,
                    background: float = BACKGROUND,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """Rotation aléatoire : angle tiré uniformément dans [−max_degrees, max_degrees].

    x : (N, 784) ; renvoie (N, 784). Voir :func:`rotate`.
    """
    _validate.nonnegative("max_degrees", max_degrees)
    _validate.generator("generator", generator)
    _to_images(x, background)
    u = torch.rand(len(x), generator=generator, dtype=torch.float64)
    return rotate(x, (2 * u - 1) * max_degrees, background=background)


def gaussian_noise(x: torch.Tensor, *, std: float,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Injection de bruit en entrée : x + std · ε, ε ~ N(0, 1) indépendants.

    x : tenseur flottant de forme quelconque ; renvoie la même forme. ``std`` est en unités
    normalisées (pour MNIST, une unité vaut ``data.STD`` ≈ 0.31 sur l'échelle [0, 1] des
    pixels).
    """
    _validate.tensor("x", x, floating=True)
    _validate.nonnegative("std", std)
    _validate.generator("generator", generator)
    return x + std * torch.randn(x.shape, generator=generator, dtype=x.dtype)


# --- Mixup, Cutout, CutMix (mélange des étiquettes) ----------------------------------------


def _sample_beta(alpha: float, generator: torch.Generator | None) -> float:
    """λ ~ Beta(α, α), déterministe pour un générateur donné.

    ``torch.distributions.Beta`` n'accepte pas de générateur : on tire une graine avec
    ``generator``, puis on échantillonne sous ``fork_rng`` (le générateur global est rétabli).
    """
    seed = int(torch.randint(2**62, (), generator=generator))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return float(torch.distributions.Beta(float(alpha), float(alpha)).sample())


def mixup_batch(x: torch.Tensor, y_onehot: torch.Tensor, lam: float,
                perm: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup, une fois λ et le partenaire tirés :

        x̃ = λ x + (1 − λ) x[perm]        ỹ = λ y + (1 − λ) y[perm]

    x : (N, D) ; y_onehot : (N, C) (cibles, éventuellement déjà douces) ; lam : λ ∈ [0, 1] ;
    perm : (N,) permutation, l'exemple i est mélangé avec perm[i]. Renvoie (x̃, ỹ).
    """
    n = len(_validate.tensor("x", x, floating=True, ndim=2))
    _validate.shape("y_onehot", _validate.tensor("y_onehot", y_onehot, floating=True), (n, None))
    _validate.probability("lam", lam)
    _validate.shape("perm", _validate.tensor("perm", perm, dtype=torch.int64), (n,))
    if n and not 0 <= int(perm.min()) <= int(perm.max()) < n:
        raise ValueError(f"perm doit contenir des indices entre 0 et {n - 1} (reçu : de "
                         f"{int(perm.min())} à {int(perm.max())})")
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm]


def mixup(x: torch.Tensor, y: torch.Tensor, *, alpha: float = 0.2, num_classes: int = 10,
          generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup (Zhang et al., 2018) : un λ ~ Beta(α, α) par mini-lot, partenaire par permutation.

    x : (N, 784) ; y : (N,) entiers. Renvoie (x̃ (N, 784), ỹ (N, C)), ỹ de somme 1 par ligne
    (sur le transparent : « Dog 0.5, Cat 0.5 »). α petit : λ proche de 0 ou de 1, mélanges
    légers ; α = 1 : λ uniforme.
    """
    _to_images(x)
    _validate.positive(_ALPHA, alpha)
    _validate.generator("generator", generator)
    y_onehot = _one_hot(y, len(x), num_classes, x.dtype)
    lam = _sample_beta(alpha, generator)
    perm = torch.randperm(len(x), generator=generator)
    return mixup_batch(x, y_onehot, lam, perm)


def _box(size: int, centers: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Carrés de côté ``size`` centrés en ``centers`` (n, 2) = (cy, cx), rognés aux bords.

    Renvoie (r0, r1, c0, c1), chacun (n,) : lignes r0 ≤ r < r1, colonnes c0 ≤ c < c1, avec
    r0 = cy − size // 2 et r1 = r0 + size avant rognage dans [0, 28] (de même en colonnes).
    """
    start = centers - size // 2  # (n, 2)
    r0, c0 = start.clamp(0, SIDE).unbind(1)
    r1, c1 = (start + size).clamp(0, SIDE).unbind(1)
    return r0, r1, c0, c1


def _random_centers(n: int, generator: torch.Generator | None) -> torch.Tensor:
    """n centres (cy, cx) tirés uniformément parmi les 28 × 28 pixels : (n, 2)."""
    return torch.randint(0, SIDE, (n, 2), generator=generator)


def _box_mask(r0: torch.Tensor, r1: torch.Tensor, c0: torch.Tensor,
              c1: torch.Tensor) -> torch.Tensor:
    """Masques booléens (n, 1, 28, 28), vrais dans les rectangles [r0, r1) × [c0, c1)."""
    span = torch.arange(SIDE)
    rows = (span >= r0[:, None]) & (span < r1[:, None])  # (n, 28)
    cols = (span >= c0[:, None]) & (span < c1[:, None])  # (n, 28)
    return (rows[:, :, None] & cols[:, None, :])[:, None]  # (n, 1, 28, 28)


def cutout(x: torch.Tensor, y: torch.Tensor, *, size: int = 8, num_classes: int = 10,
           background: float = BACKGROUND,
           generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Cutout (DeVries et Taylor, 2017) : un carré de chaque image passe au fond.

    Un carré par image, de côté ``size``, de centre tiré uniformément parmi les 28 × 28
    pixels : il recouvre size² pixels s'il tient dans l'image, moins s'il déborde (rogné
    aux bords ; au moins ⌈size/2⌉² pixels). x : (N, 784) ; y : (N,) entiers. Renvoie
    (x̃ (N, 784), ỹ (N, C)) : les étiquettes ne changent pas (vecteurs indicateurs).
    """
    images = _to_images(x, background)  # (N, 1, 28, 28)
    _validate.integer("size", size, low=1, high=SIDE)
    _validate.generator("generator", generator)
    y_onehot = _one_hot(y, len(x), num_classes, x.dtype)
    mask = _box_mask(*_box(size, _random_centers(len(x), generator)))  # (N, 1, 28, 28)
    out = images.masked_fill(mask, background)
    return out.reshape(len(x), SIDE * SIDE), y_onehot  # (N, 1, 28, 28) → (N, 784)


def cutmix(x: torch.Tensor, y: torch.Tensor, *, alpha: float = 1.0, num_classes: int = 10,
           generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """CutMix (Yun et al., 2019) : on colle dans chaque image un rectangle de son partenaire.

    Comme le code des auteurs : λ ~ Beta(α, α) et un seul carré par mini-lot, de côté
    ⌊28 √(1 − λ)⌋ (aire visée 1 − λ), de centre uniforme, rogné aux bords ; partenaire par
    permutation. L'étiquette du partenaire reçoit la fraction d'aire **réellement** collée
    après rognage, a = aire/784 : ỹ = (1 − a) y + a y[perm] (« Dog 0.6, Cat 0.4 »).
    x : (N, 784) ; y : (N,) entiers. Renvoie (x̃ (N, 784), ỹ (N, C)), ỹ de somme 1.
    """
    images = _to_images(x)  # (N, 1, 28, 28)
    _validate.positive(_ALPHA, alpha)
    _validate.generator("generator", generator)
    y_onehot = _one_hot(y, len(x), num_classes, x.dtype)
    lam = _sample_beta(alpha, generator)
    perm = torch.randperm(len(x), generator=generator)
    r0, r1, c0, c1 = _box(int(SIDE * math.sqrt(1 - lam)), _random_centers(1, generator))
    mask = _box_mask(r0, r1, c0, c1)  # (1, 1, 28, 28), le même pour tout le mini-lot
    out = torch.where(mask, images[perm], images)
    a = float((r1 - r0) * (c1 - c0)) / (SIDE * SIDE)  # fraction d'aire collée
    y_soft = (1 - a) * y_onehot + a * y_onehot[perm]
    return out.reshape(len(x), SIDE * SIDE), y_soft  # (N, 1, 28, 28) → (N, 784)


# --- Crochet pour training.train, et réglages du chapitre -----------------------------------

_IMAGE_ONLY = (random_shift, random_rotation, gaussian_noise)
_WITH_LABELS = (mixup, cutout, cutmix)


class Augmentation:
    """Crochet de ``training.train`` qui transforme chaque mini-lot d'apprentissage.

    steps : une ou plusieurs augmentations appliquées dans l'ordre, chacune un couple
    ``(fonction, options)`` : :func:`random_shift`, :func:`random_rotation`,
    :func:`gaussian_noise` (étiquettes inchangées) ou :func:`mixup`, :func:`cutout`,
    :func:`cutmix` (cibles douces (N, C)). Exemple : ``Augmentation((mixup, {"alpha": 0.2}))``.
    Le générateur des tirages est celui de l'apprentissage (graine du run).
    """

    def __init__(self, *steps: tuple[Callable, dict]) -> None:
        if not steps:
            raise ValueError("il faut au moins un couple (fonction, options) (reçu : aucun)")
        for step in steps:
            if not (isinstance(step, tuple) and len(step) == 2 and isinstance(step[1], dict)):
                raise TypeError("chaque étape de Augmentation doit être un couple (fonction, "
                                f"dictionnaire d'options) (reçu : {step!r:.60})")
            fn, options = step
            if fn not in _IMAGE_ONLY + _WITH_LABELS:
                names = ", ".join(f.__name__ for f in _IMAGE_ONLY + _WITH_LABELS)
                raise ValueError(f"fonction d'augmentation inconnue : "
                                 f"{getattr(fn, '__name__', fn)!r} (attendu : {names})")
            allowed = [name for name, param in inspect.signature(fn).parameters.items()
                       if param.kind is inspect.Parameter.KEYWORD_ONLY and name != "generator"]
            unknown = sorted(set(options) - set(allowed))
            if unknown:
                raise TypeError(f"option(s) inconnue(s) pour {fn.__name__} (reçu : "
                                f"{', '.join(unknown)} ; possibles : {', '.join(allowed)})")
        self.steps = steps

    def on_batch(self, x: torch.Tensor, y: torch.Tensor,
                 generator: torch.Generator | None) -> tuple[torch.Tensor, torch.Tensor]:
        """Le mini-lot (x, y) transformé : (x̃, cible) ; la cible peut devenir douce (N, C)."""
        _validate.tensor("y", y)
        for fn, options in self.steps:
            if fn in _WITH_LABELS:
                if y.dim() != 1:
                    raise ValueError(f"{fn.__name__} attend des étiquettes entières y (N,) : "
                                     "placez-la en dernier")
                x, y = fn(x, y, generator=generator, **options)
            else:
                x = fn(x, generator=generator, **options)
        return x, y

    def __repr__(self) -> str:
        parts = [fn.__name__ + "".join(f", {k}={v!r}" for k, v in options.items())
                 for fn, options in self.steps]
        return f"Augmentation({'; '.join(parts)})"


AUGMENTATIONS = MappingProxyType({
    "shift_rotation": Augmentation((random_shift, {"max_shift": 2}),
                                   (random_rotation, {"max_degrees": 15.0})),
    "noise": Augmentation((gaussian_noise, {"std": 0.5})),
    "mixup": Augmentation((mixup, {"alpha": 0.2})),
    "cutout": Augmentation((cutout, {"size": 8})),
    "cutmix": Augmentation((cutmix, {"alpha": 1.0})),
})
"""Les augmentations du chapitre « Régularisation », par nom (réglages fixés d'avance)."""

AUGMENTATION_NAMES = MappingProxyType({
    "shift_rotation": "décalage (±2 px) et rotation (±15°)", "noise": "bruit en entrée (σ = 0,5)",
    "mixup": "Mixup (α = 0,2)", "cutout": "Cutout (carré de 8 px)", "cutmix": "CutMix (α = 1)"})
"""Le nom français de chaque entrée de :data:`AUGMENTATIONS`."""
