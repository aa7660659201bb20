"""Reproductibilité : mêmes graines, même nombre de fils, mêmes sorties à chaque exécution.

Chaque notebook appelle ``setup(seed=0, threads=1)`` une seule fois, dans sa première
cellule de code : les sorties enregistrées (validées par nbval) sont alors identiques
d'une exécution à l'autre sur une même machine.
"""

import os
import random

import matplotlib
import numpy as np
import torch

from course_utils import _validate


def setup(seed: int = 0, threads: int = 1) -> None:
    """Fixe les graines de Python, NumPy et PyTorch et le nombre de fils de calcul.

    Paramètres
    ----------
    seed : graine commune (entier ≥ 0).
    threads : nombre de fils utilisés par PyTorch sur le CPU (entier ≥ 1). Un seul fil
        rend les sommes en virgule flottante indépendantes de l'ordonnancement.
    """
    _validate.integer("seed", seed, low=0, high=2**32 - 1)  # la limite de NumPy
    _validate.integer("threads", threads, low=1, high=256)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    _set_plot_defaults()


def _set_plot_defaults() -> None:
    """Réglages matplotlib stables pour des figures reproductibles (appelé par ``setup``)."""
    matplotlib.rcParams["figure.dpi"] = 80
    matplotlib.rcParams["savefig.dpi"] = 80
    matplotlib.rcParams["svg.hashsalt"] = "cours"
    matplotlib.rcParams["axes.grid"] = True
    matplotlib.rcParams["grid.alpha"] = 0.3
