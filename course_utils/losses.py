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

__all__ = ["one_hot", "softmax", "log_softmax", "cross_entropy", "cross_entropy_grad"]


def _check_tensor(name: str, t: object) -> torch.Tensor:
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} doit être un torch.Tensor (reçu : {type(t).__name__})")
    return t


def _check_logits(o: object) -> torch.Tensor:
    o = _check_tensor("o", o)
    if o.dim() != 2:
        raise ValueError(f"o doit être de dimension 2 (N, C) (reçu : {tuple(o.shape)})")
    if not o.is_floating_point():
        raise TypeError(f"o doit être un tenseur flottant (reçu : {o.dtype})")
    return o


def _check_labels(y: object, num_classes: int) -> torch.Tensor:
    y = _check_tensor("y", y)
    if y.dim() != 1:
        raise ValueError(f"y doit être de dimension 1 (N,) (reçu : {tuple(y.shape)})")
    if y.dtype != torch.int64:
        raise TypeError(f"y doit contenir des entiers int64 (reçu : {y.dtype})")
    if y.numel() > 0 and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise ValueError(
            f"les étiquettes de y doivent être dans [0, {num_classes - 1}] "
            f"(reçu : min {int(y.min())}, max {int(y.max())})"
        )
    return y


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
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes doit être un entier ≥ 1 (reçu : {num_classes!r})")
    y = _check_labels(y, num_classes)
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
    """
    o = _check_tensor("o", o)
    if not o.is_floating_point():
        raise TypeError(f"o doit être un tenseur flottant (reçu : {o.dtype})")
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
    log ŷ : même forme que o, valeurs ≤ 0.
    """
    o = _check_tensor("o", o)
    if not o.is_floating_point():
        raise TypeError(f"o doit être un tenseur flottant (reçu : {o.dtype})")
    shifted = o - o.amax(dim=dim, keepdim=True)
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))


def _targets(o: torch.Tensor, y: object) -> torch.Tensor:
    """Renvoie y* (N, C) à partir d'étiquettes (N,) ou de cibles (N, C)."""
    y = _check_tensor("y", y)
    n, c = o.shape
    if y.dim() == 1:
        if y.shape[0] != n:
            raise ValueError(f"y doit avoir N = {n} éléments (reçu : {tuple(y.shape)})")
        return one_hot(y, c, dtype=o.dtype)
    if y.dim() == 2 and tuple(y.shape) == (n, c) and y.is_floating_point():
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
    """
    o = _check_logits(o)
    target = _targets(o, y)
    if o.shape[0] == 0:
        raise ValueError("le lot est vide (N = 0) : la moyenne n'est pas définie")
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
    """
    o = _check_logits(o)
    target = _targets(o, y)
    if o.shape[0] == 0:
        raise ValueError("le lot est vide (N = 0) : la moyenne n'est pas définie")
    return (softmax(o, dim=1) - target) / o.shape[0]
