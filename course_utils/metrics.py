"""Métriques d'évaluation : exactitude et matrice de confusion."""

from __future__ import annotations

import torch

__all__ = ["accuracy", "confusion_matrix"]


def _predicted_labels(logits: object) -> torch.Tensor:
    """Étiquettes prédites (N,) à partir de logits (N, C) ou d'étiquettes (N,)."""
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits doit être un torch.Tensor (reçu : {type(logits).__name__})")
    if logits.dim() == 2:
        return logits.argmax(dim=1)
    if logits.dim() == 1 and not logits.is_floating_point():
        return logits
    raise ValueError(
        "logits doit être de forme (N, C) ou des étiquettes entières (N,) "
        f"(reçu : {tuple(logits.shape)}, {logits.dtype})"
    )


def _check_same_length(pred: torch.Tensor, y: object) -> torch.Tensor:
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y doit être un torch.Tensor (reçu : {type(y).__name__})")
    if y.dim() != 1 or y.shape[0] != pred.shape[0]:
        raise ValueError(
            f"y doit être de forme (N,) = ({pred.shape[0]},) (reçu : {tuple(y.shape)})"
        )
    return y


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Exactitude : proportion d'exemples bien classés, (1/N) Σ_n 1[argmax_j o_{n,j} = y_n].

    Paramètres
    ----------
    logits : (N, C) flottant, ou étiquettes prédites (N,) entières
    y : (N,) int64, étiquettes vraies

    Renvoie
    -------
    float dans [0, 1] (un nombre Python, pas un tenseur).
    """
    pred = _predicted_labels(logits)
    y = _check_same_length(pred, y)
    if pred.shape[0] == 0:
        raise ValueError("le lot est vide (N = 0) : l'exactitude n'est pas définie")
    return (pred == y).double().mean().item()


def confusion_matrix(
    pred: torch.Tensor, y: torch.Tensor, *, num_classes: int = 10
) -> torch.Tensor:
    """Matrice de confusion M : M[i, j] = nombre d'exemples de classe vraie i prédits j.

    Les lignes correspondent à la classe vraie, les colonnes à la classe prédite :
    la diagonale compte les bonnes réponses et Σ_{i,j} M[i, j] = N.

    Paramètres
    ----------
    pred : (N, C) logits flottants, ou (N,) étiquettes prédites entières
    y : (N,) int64, étiquettes vraies dans [0, C − 1]
    num_classes : int
        Nombre de classes C.

    Renvoie
    -------
    M : (C, C) int64.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes doit être un entier ≥ 1 (reçu : {num_classes!r})")
    p = _predicted_labels(pred).long()
    y = _check_same_length(p, y).long()
    for name, t in (("pred", p), ("y", y)):
        if t.numel() > 0 and (int(t.min()) < 0 or int(t.max()) >= num_classes):
            raise ValueError(f"les étiquettes de {name} doivent être dans [0, {num_classes - 1}]")
    flat = torch.bincount(y * num_classes + p, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)
