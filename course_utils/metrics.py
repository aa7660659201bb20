"""Métriques d'évaluation : exactitude et matrice de confusion."""

from __future__ import annotations

import torch

from course_utils import _validate

__all__ = ["accuracy", "confusion_matrix"]


def _predicted_labels(logits: torch.Tensor, name: str = "logits") -> torch.Tensor:
    """Étiquettes prédites (N,) à partir de logits (N, C) flottants ou d'étiquettes (N,)
    entières ; ``name`` : le nom de l'argument, pour les messages."""
    _validate.tensor(name, logits)
    if logits.dim() == 2 and logits.is_floating_point():
        if not torch.isfinite(logits).all():
            raise ValueError(f"{name} contient des valeurs non finies (nan ou inf) : "
                             "l'apprentissage a sans doute divergé (essayez un pas plus petit)")
        if logits.shape[1] == 0:
            raise ValueError(f"{name} doit avoir au moins une classe (reçu : forme "
                             f"{tuple(logits.shape)})")
        return logits.argmax(dim=1)
    if logits.dim() == 1 and not (logits.is_floating_point() or logits.is_complex()
                                  or logits.dtype == torch.bool):
        return logits
    raise ValueError(
        f"{name} doit être des logits flottants (N, C) ou des étiquettes entières (N,) "
        f"(reçu : {tuple(logits.shape)}, {logits.dtype})"
    )


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
    _validate.shape("y", _validate.tensor("y", y, integer=True), (len(pred),))
    classes = logits.shape[1] if logits.dim() == 2 else None  # des logits : C est connu
    _validate.labels("y", y.long(), classes=classes)
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
    num_classes = _validate.integer("num_classes", num_classes, low=1)
    p = _predicted_labels(pred, "pred").long()
    y = _validate.shape("y", _validate.tensor("y", y, integer=True), (len(p),)).long()
    for name, t in (("pred", p), ("y", y)):
        if t.numel() > 0 and (int(t.min()) < 0 or int(t.max()) >= num_classes):
            raise ValueError(f"les étiquettes de {name} doivent être dans [0, {num_classes - 1}]")
    flat = torch.bincount(y * num_classes + p, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)
