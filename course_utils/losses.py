"""Implémentations de référence de softmax et de l'entropie croisée.

Notations du cours : o ∈ ℝ^{N×C} sont les logits (sorties du réseau avant softmax),
y ∈ {0, …, C−1}^N les étiquettes, y* leur codage one-hot et ŷ = softmax(o) les
probabilités prédites.

Ces fonctions servent de référence aux vérificateurs d'exercices
(:mod:`course_utils.checks`) : elles sont écrites en PyTorch « à la main », sans
``torch.nn.functional``, pour rester lisibles.
"""

from __future__ import annotations

import torch

from course_utils import _validate

__all__ = ["one_hot", "softmax", "log_softmax", "cross_entropy", "cross_entropy_grad"]


def one_hot(
    y: torch.Tensor, num_classes: int, *, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Codage one-hot des étiquettes : y*_{n,i} = 1 si i = y_n, 0 sinon.

    Paramètres
    ----------
    y : (N,) int64
        Étiquettes dans [0, C − 1].
    num_classes : int
        Nombre de classes C (≥ 1).
    dtype : torch.dtype
        Type flottant du résultat (float32 par défaut).

    Renvoie
    -------
    y* : (N, C) de type ``dtype``, chaque ligne contient un seul 1.
    """
    num_classes = _validate.integer("num_classes", num_classes, low=1)
    _validate.tensor("y", y, ndim=1, dtype=torch.int64)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype doit être un type flottant de torch, par ex. torch.float32 "
                        f"(reçu : {dtype!r})")
    if y.numel() > 0 and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise ValueError(f"les étiquettes de y doivent être dans [0, {num_classes - 1}] "
                         f"(reçu : min {int(y.min())}, max {int(y.max())})")
    out = torch.zeros(y.shape[0], num_classes, dtype=dtype, device=y.device)
    out[torch.arange(y.shape[0], device=y.device), y] = 1
    return out


def softmax(o: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax numériquement stable : y_j = e^{o_j} / Σ_k e^{o_k}.

    On soustrait d'abord le maximum m = max_k o_k de chaque ligne : le résultat
    est inchangé (e^{o_j − m} / Σ_k e^{o_k − m}) mais exp ne déborde plus,
    même pour des logits de l'ordre de ±1000.

    Paramètres
    ----------
    o : (N, C) (ou toute forme) flottant
        Logits.
    dim : int
        Dimension normalisée (les classes ; la dernière par défaut).

    Renvoie
    -------
    ŷ : même forme que o, positif, de somme 1 selon ``dim``.

    Valeurs non finies, comme ``torch.softmax`` : un logit −inf donne une probabilité 0 (un
    masque) ; une ligne qui contient nan ou +inf donne une ligne de nan.
    """
    _check_logits(o, dim)
    shifted = o - o.amax(dim=dim, keepdim=True)
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(o: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Log-softmax par l'astuce log-sum-exp : log y_j = o_j − m − log Σ_k e^{o_k − m}.

    Avec m = max_k o_k : aucun exp ne déborde et on n'évalue jamais log(0),
    contrairement à ``torch.log(softmax(o))`` pour des logits extrêmes.

    Paramètres
    ----------
    o : (N, C) (ou toute forme) flottant
        Logits.
    dim : int
        Dimension des classes (la dernière par défaut).

    Renvoie
    -------
    log ŷ : même forme que o, valeurs ≤ 0 ; −inf pour un logit −inf, une ligne de nan si la
    ligne contient nan ou +inf (comme :func:`softmax`).
    """
    _check_logits(o, dim)
    shifted = o - o.amax(dim=dim, keepdim=True)
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))


def _check_logits(o: torch.Tensor, dim: int) -> None:
    """o flottant, ``dim`` l'une de ses dimensions, non vide (au moins une classe)."""
    _validate.tensor("o", o, floating=True)
    dim = _validate.dim("dim", dim, o)
    if o.dim() and o.shape[dim] == 0:
        raise ValueError(f"o doit avoir au moins une classe selon dim = {dim} "
                         f"(reçu : forme {tuple(o.shape)})")


def _batch_logits(o: torch.Tensor) -> None:
    """o (N, C) flottant et fini, N ≥ 1 et C ≥ 1 : la moyenne sur le lot est définie."""
    _validate.finite("o (logits)", _validate.tensor("o", o, floating=True, ndim=2))
    if 0 in o.shape:
        raise ValueError(f"le lot est vide ou sans classe : o doit être de forme (N, C) avec "
                         f"N ≥ 1 et C ≥ 1 (reçu : {tuple(o.shape)})")


def _targets(o: torch.Tensor, y: object) -> torch.Tensor:
    """Renvoie y* (N, C) à partir d'étiquettes (N,) ou de cibles (N, C)."""
    _validate.tensor("y", y)
    n, c = o.shape
    if y.dim() == 1:
        if y.shape[0] != n:
            raise ValueError(f"y doit avoir N = {n} éléments (reçu : {tuple(y.shape)})")
        return one_hot(y, c, dtype=o.dtype)
    if y.dim() == 2 and tuple(y.shape) == (n, c) and y.is_floating_point():
        _validate.finite("y", y)
        if n and (bool((y < 0).any()) or not torch.allclose(y.sum(dim=1).double(),
                                                             torch.ones(n, dtype=torch.float64),
                                                             atol=1e-3)):
            raise ValueError("y (cibles y*) doit avoir des lignes de probabilités : valeurs ≥ 0 "
                             "et de somme 1 (reçu : des valeurs < 0 ou une autre somme)")
        return y.to(o.dtype)
    raise ValueError(
        f"y doit être de forme (N,) entière ou (N, C) = ({n}, {c}) flottante "
        f"(reçu : {tuple(y.shape)}, {y.dtype})"
    )


def cross_entropy(o: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Entropie croisée moyenne sur le lot, calculée à partir des logits.

    L = (1/N) Σ_n l_CE(ŷ_n, y*_n), avec l_CE(ŷ, y*) = −Σ_i y*_i log ŷ_i et
    log ŷ = log_softmax(o) (stable, voir :func:`log_softmax`).

    Paramètres
    ----------
    o : (N, C) flottant
        Logits.
    y : (N,) int64 ou (N, C) flottant
        Étiquettes, ou cibles y* (one-hot ou probabilités, lignes de somme 1).

    Renvoie
    -------
    L : tenseur à 0 dimension (scalaire), ≥ 0, du type de o.
    Les logits doivent être finis (nan ou inf : l'apprentissage a divergé).
    """
    _batch_logits(o)
    target = _targets(o, y)
    return -(target * log_softmax(o, dim=1)).sum(dim=1).mean()


def cross_entropy_grad(o: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient analytique de l'entropie croisée moyenne par rapport aux logits.

    Pour un exemple, ∂l/∂o = ŷ − y* ; pour la moyenne sur le lot,
    ∂L/∂o = (softmax(o) − y*) / N.

    Paramètres
    ----------
    o : (N, C) flottant
        Logits.
    y : (N,) int64 ou (N, C) flottant
        Étiquettes, ou cibles y* (lignes de somme 1).

    Renvoie
    -------
    ∂L/∂o : (N, C), du type de o ; chaque ligne est de somme nulle.
    Les logits doivent être finis (nan ou inf : l'apprentissage a divergé).
    """
    _batch_logits(o)
    target = _targets(o, y)
    return (softmax(o, dim=1) - target) / o.shape[0]
