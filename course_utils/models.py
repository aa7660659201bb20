"""Construction des perceptrons multicouches (PMC) utilisés dans tout le cours."""

import torch
from torch import nn

from course_utils.activations import ACTIVATIONS

BATCH_NORM_PLACEMENTS = ("before", "after", "both")


def mlp(sizes: list[int], *, activation: str = "sigmoid", seed: int | None = None,
        batch_norm: str | None = None, dropout: float = 0.0) -> nn.Sequential:
    """Perceptron multicouche : ``Linear → activation → … → Linear`` (sans softmax final).

    La dernière couche renvoie des *logits* : ``F.cross_entropy`` applique lui-même le
    log-softmax. Exemple, le réseau de la Question 1 : ``mlp([784, 120, 80, 10])``.

    Paramètres
    ----------
    sizes : tailles des couches, entrée comprise (au moins deux entiers ≥ 1).
    activation : clé de ``activations.ACTIVATIONS`` (``"sigmoid"``, ``"tanh"``, ``"relu"``,
        ``"leaky_relu"``, ``"gelu"``…) : la fonction d'activation des couches cachées.
    seed : si donnée, les poids sont tirés avec cette graine (sans toucher au générateur
        global) : deux appels avec la même graine donnent le même réseau.
    batch_norm : normalisation par lots (``nn.BatchNorm1d``) dans chaque couche cachée :
        ``None`` (aucune), ``"before"`` (Linear → BN → activation), ``"after"``
        (Linear → activation → BN) ou ``"both"`` (Linear → BN → activation → BN).
    dropout : probabilité d'**éteindre** chaque unité cachée (``nn.Dropout(p)`` après chaque
        activation) ; 0 : pas de dropout.
    """
    if not isinstance(sizes, list | tuple) or len(sizes) < 2:
        raise ValueError(f"sizes doit être une liste d'au moins deux tailles (reçu : {sizes!r})")
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes):
        raise ValueError(f"les tailles doivent être des entiers ≥ 1 (reçu : {sizes!r})")
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation inconnue : {activation!r} (attendu : {', '.join(ACTIVATIONS)})"
        )
    if batch_norm is not None and batch_norm not in BATCH_NORM_PLACEMENTS:
        raise ValueError(f"batch_norm inconnu : {batch_norm!r} (attendu : None, "
                         f"{', '.join(BATCH_NORM_PLACEMENTS)})")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout doit être dans [0, 1[ (reçu : {dropout!r})")
    if seed is None:
        return _build(sizes, activation, batch_norm, dropout)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _build(sizes, activation, batch_norm, dropout)


def _build(sizes: list[int], activation: str, batch_norm: str | None,
           dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i == len(sizes) - 2:  # pas d'activation après la couche de sortie
            break
        if batch_norm in ("before", "both"):
            layers.append(nn.BatchNorm1d(n_out))
        layers.append(ACTIVATIONS[activation].module())
        if batch_norm in ("after", "both"):
            layers.append(nn.BatchNorm1d(n_out))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """Les couches ``nn.Linear`` d'un modèle, de l'entrée vers la sortie."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]
