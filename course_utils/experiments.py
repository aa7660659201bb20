"""Expériences répétées dans plusieurs chapitres : apprendre un PMC pour une configuration.

Une *configuration* fixe l'architecture, l'activation, l'initialisation et le pas ; tout le
reste (graine, mini-lots, optimiseur SGD) est identique d'une configuration à l'autre, pour
que les comparaisons soient justes. Les balayages longs passent par ``cache.cached``.
"""

import json

import torch

from course_utils.cache import cached
from course_utils.data import load_mnist
from course_utils.models import mlp
from course_utils.training import History, train


def train_mlp(data, *, activation: str = "sigmoid", lr: float = 0.1, epochs: int = 1,
              sizes: tuple[int, ...] = (784, 120, 80, 10), init: str | None = None,
              init_scale: float = 1.0, batch_size: int = 64, evals_per_epoch: int = 4,
              seed: int = 0, progress: bool | None = None,
              desc: str | None = None) -> tuple[torch.nn.Sequential, History]:
    """Apprend un PMC par SGD (pas ``lr``) et renvoie ``(modèle, historique)``.

    data : un objet ``load_mnist`` (ou de même forme) ; activation : une clé de
    ``activations.ACTIVATIONS`` ; init : ``None`` (initialisation par défaut de PyTorch) ou
    un schéma de ``init.initialize_`` multiplié par ``init_scale``. Même ``seed`` : mêmes
    poids initiaux et même ordre des mini-lots.
    """
    if not lr > 0:
        raise ValueError(f"lr doit être > 0 (reçu : {lr})")
    model = mlp(list(sizes), activation=activation, seed=seed)
    if init is not None:
        from course_utils.init import initialize_

        initialize_(model, init, scale=init_scale,
                    generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    label = desc if desc is not None else f"{activation}, pas {lr:g}"
    history = train(model, data, optimizer=optimizer, epochs=epochs, batch_size=batch_size,
                    evals_per_epoch=evals_per_epoch, seed=seed, progress=progress, desc=label)
    return model, history


def sweep(configs: dict[str, dict], *, train_size: int | None = None,
          keep_batch_loss: bool = False, **common) -> dict:
    """Apprend une configuration par entrée de ``configs`` ({nom : arguments de train_mlp}).

    train_size : taille du sous-ensemble d'apprentissage de MNIST (``None`` : tout) ;
    ``common`` : arguments de ``train_mlp`` partagés par toutes les configurations.
    Renvoie un dictionnaire prêt pour ``cached``, qui contient aussi tout ce qu'il faut pour
    refaire chaque calcul : ``{"train_size", "common", "configs", "results"}``, où
    ``results[nom]`` est l'historique (``History.to_dict()``).
    """
    if not isinstance(configs, dict) or not configs:
        raise ValueError("configs doit être un dictionnaire non vide {nom : arguments}")
    data = load_mnist(train_size=train_size)
    results = {}
    for name, config in configs.items():
        _, history = train_mlp(data, **(common | config), desc=name)
        results[name] = history.to_dict()
        if not keep_batch_loss:
            results[name]["batch_loss"] = []
    return {"train_size": train_size, "common": common, "configs": configs, "results": results}


def rerun(saved: dict, name: str) -> History:
    """Refait le calcul ``name`` d'un balayage enregistré (pour vérifier le cache)."""
    if name not in saved.get("configs", {}):
        raise KeyError(f"configuration inconnue : {name!r}")
    data = load_mnist(train_size=saved["train_size"])
    _, history = train_mlp(data, **(saved["common"] | saved["configs"][name]), progress=False)
    return history


def cached_sweep(name: str, configs: dict[str, dict], *, train_size: int | None = None,
                 keep_batch_loss: bool = False, **common) -> dict:
    """``sweep`` enregistré sous ``name`` (voir ``cache.cached``), recalculé si les
    configurations demandées ne sont plus celles du fichier."""
    def compute() -> dict:
        return sweep(configs, train_size=train_size, keep_batch_loss=keep_batch_loss, **common)

    saved = cached(name, compute)
    wanted = json.loads(json.dumps({"train_size": train_size, "common": common,
                                    "configs": configs}))
    if any(saved.get(key) != value for key, value in wanted.items()):
        saved = cached(name, compute, regenerate=True)
    return saved
