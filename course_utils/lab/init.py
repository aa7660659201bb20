"""Initialisation des poids : ce que le chapitre 03 mesure.

- la symétrie : deux neurones cachés identiques reçoivent le même gradient et le restent ;
- la variance de couche en couche : dans un réseau linéaire (activation identité, biais
  nuls), poids et entrées indépendants et centrés, chaque couche multiplie la variance des
  pré-activations par n · Var(w) (n entrées par neurone), d'où
  Var(z_k) = (n · Var(w))^k · Var(x) ; prédite par :func:`predicted_variances` et mesurée
  par simulation avec :func:`measured_variances` ;
- l'écart-type des activations de chaque couche cachée d'un PMC (:func:`activation_stds`).
"""

import math

import torch
from torch import nn

from course_utils import _validate
from course_utils.data import Dataset
from course_utils.lab.gradients import layer_outputs
from course_utils.models import mlp
from course_utils.training import train


def predicted_variances(var_x: float, var_w: float, n: int, depth: int) -> list[float]:
    """Var(z_k) = (n · var_w)^k · var_x pour k = 1, …, depth.

    Réseau linéaire profond (activation identité, biais nuls) de ``depth`` couches à ``n``
    entrées par neurone, poids de variance ``var_w`` et entrées de variance ``var_x``,
    indépendants et centrés : z = Σ_i w_i x_i somme n termes de variance var_w · Var(x),
    donc chaque couche multiplie la variance par n · var_w. Renvoie ``depth`` nombres.
    """
    var_x = _validate.nonnegative("var_x", var_x)
    var_w = _validate.nonnegative("var_w", var_w)
    n = _validate.integer("n", n, low=1)
    depth = _validate.integer("depth", depth, low=1)
    return [(n * var_w) ** k * var_x for k in range(1, depth + 1)]


def measured_variances(var_x: float, var_w: float, n: int, depth: int, *,
                       samples: int = 4000, seed: int = 0) -> list[float]:
    """Les variances de :func:`predicted_variances`, mesurées par simulation.

    ``samples`` entrées x ∼ N(0, var_x) de dimension n traversent ``depth`` couches
    linéaires n → n de poids W ∼ N(0, var_w) (h ← h Wᵀ, sans biais) ; renvoie la variance
    empirique des valeurs de chaque couche. Tirages avec un générateur de graine ``seed``.
    """
    var_x = _validate.nonnegative("var_x", var_x)
    var_w = _validate.nonnegative("var_w", var_w)
    n = _validate.integer("n", n, low=1)
    depth = _validate.integer("depth", depth, low=1)
    samples = _validate.integer("samples", samples, low=2)
    generator = torch.Generator().manual_seed(_validate.integer("seed", seed, low=0))
    h = math.sqrt(var_x) * torch.randn(samples, n, generator=generator)  # (samples, n)
    measured = []
    for _ in range(depth):
        weight = math.sqrt(var_w) * torch.randn(n, n, generator=generator)  # (m, n) = (n, n)
        h = h @ weight.T
        measured.append(h.var().item())
    return measured


def activation_stds(model: nn.Sequential, x: torch.Tensor) -> list[float]:
    """Écart-type des sorties de chaque couche cachée d'un PMC séquentiel (toutes les
    unités et tous les exemples de x (N, D) confondus), de l'entrée vers la sortie."""
    return [h.std().item() for h in layer_outputs(model, x)]


class _TwinGap:
    """Crochet d'apprentissage : le plus grand écart entre les gradients des poids d'entrée
    des neurones 0 et 1 de la première couche, sur tous les pas."""

    def __init__(self) -> None:
        self.largest = 0.0

    def on_step(self, model: nn.Module, step: int, loss: float) -> None:
        grad = model[0].weight.grad  # (2, D) : une ligne par neurone caché
        self.largest = max(self.largest, (grad[0] - grad[1]).abs().max().item())


def twin_neurons(data: Dataset, *, lr: float = 0.1, seed: int = 0) -> tuple[float, bool]:
    """Deux neurones cachés identiques le restent-ils ?

    Un PMC D → 2 → C (tanh, D et C lus dans ``data``) dont les deux neurones cachés ont
    les mêmes poids d'entrée, le même biais et les mêmes poids de sortie apprend une époque
    sur ``data`` (SGD de pas ``lr``, mini-lots de 64). Renvoie ``(écart, identiques)`` :
    le plus grand écart observé entre les gradients de leurs poids d'entrée, et si ces
    poids sont encore égaux à la fin. La symétrie n'est jamais brisée : (0.0, True).
    """
    if len(_validate.instance("data", data, Dataset, "un Dataset")) == 0:
        raise ValueError("data doit contenir au moins un exemple (reçu : un jeu vide)")
    _validate.positive("lr", lr)
    model = mlp([data.x.shape[1], 2, int(data.y.max()) + 1], activation="tanh", seed=seed)
    with torch.no_grad():  # le neurone 1 devient une copie du neurone 0
        model[0].weight[1], model[0].bias[1] = model[0].weight[0], model[0].bias[0]
        model[2].weight[:, 1] = model[2].weight[:, 0]
    gap = _TwinGap()
    train(model, data, torch.optim.SGD(model.parameters(), lr=lr), hooks=[gap], seed=seed,
          progress=None)
    return gap.largest, torch.equal(model[0].weight[0], model[0].weight[1])
