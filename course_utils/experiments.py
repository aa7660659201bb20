"""Expériences répétées dans plusieurs chapitres : apprendre un PMC pour une configuration.

Une *configuration* fixe l'architecture, l'activation, l'initialisation et le pas ; tout le
reste (graine, mini-lots, optimiseur SGD) est identique d'une configuration à l'autre, pour
que les comparaisons soient justes. Les balayages longs passent par ``cache.cached``.
"""

import json

import torch

from course_utils.cache import cached
from course_utils.data import MNIST, load_mnist
from course_utils.models import mlp
from course_utils.training import History, train

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def _optimizer_class(name: str) -> type[torch.optim.Optimizer]:
    """La classe d'optimiseur nommée ``name`` : ``torch.optim.SGD`` ou l'un de ceux du cours."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimiseur inconnu : {name!r} (attendu : {', '.join(OPTIMIZERS)})")
    if name == "sgd":
        return torch.optim.SGD
    if name in ("momentum", "nesterov"):
        from course_utils import optim

        return {"momentum": optim.Momentum, "nesterov": optim.Nesterov}[name]
    from course_utils import adaptive

    return {"adagrad": adaptive.AdaGrad, "rmsprop": adaptive.RMSProp, "adam": adaptive.Adam}[name]


def train_mlp(data, *, activation: str = "sigmoid", lr: float = 0.1, epochs: int = 1,
              sizes: tuple[int, ...] = (784, 120, 80, 10), init: str | None = None,
              init_scale: float = 1.0, optimizer: str = "sgd", options: dict | None = None,
              batch_norm: str | None = None, dropout: float = 0.0, penalty=None,
              transform=None,
              batch_size: int = 64, evals_per_epoch: int = 4, seed: int = 0,
              progress: bool | None = None,
              desc: str | None = None) -> tuple[torch.nn.Sequential, History]:
    """Apprend un PMC et renvoie ``(modèle, historique)``.

    data : un objet ``load_mnist`` (ou de même forme) ; activation : une clé de
    ``activations.ACTIVATIONS`` ; init : ``None`` (initialisation par défaut de PyTorch) ou
    un schéma de ``init.initialize_`` multiplié par ``init_scale`` ; optimizer : "sgd"
    (``torch.optim.SGD``), "momentum", "nesterov", "adagrad", "rmsprop" ou "adam" (les
    optimiseurs du cours), avec le pas ``lr`` et les autres hyper-paramètres dans ``options``
    (par exemple ``{"momentum": 0.9}``) ; batch_norm : placement de la normalisation par lots
    (voir ``models.mlp``) ; dropout, penalty, transform : voir ``models.mlp`` et
    ``training.train``. Même ``seed`` : mêmes poids initiaux et même ordre des mini-lots.
    """
    if not lr > 0:
        raise ValueError(f"lr doit être > 0 (reçu : {lr})")
    optimizer_class = _optimizer_class(optimizer)
    model = mlp(list(sizes), activation=activation, seed=seed, batch_norm=batch_norm,
                dropout=dropout)
    if init is not None:
        from course_utils.init import initialize_

        initialize_(model, init, scale=init_scale,
                    generator=torch.Generator().manual_seed(seed))
    optimizer = optimizer_class(model.parameters(), lr=lr, **(options or {}))
    label = desc if desc is not None else f"{activation}, pas {lr:g}"
    history = train(model, data, optimizer=optimizer, epochs=epochs, batch_size=batch_size,
                    evals_per_epoch=evals_per_epoch, seed=seed, progress=progress, desc=label,
                    penalty=penalty, transform=transform)
    return model, history


def validation_split(data, size: int) -> MNIST:
    """Met de côté les ``size`` derniers exemples d'apprentissage comme jeu de validation.

    Renvoie un ``MNIST`` dont ``x_test``/``y_test`` sont ce jeu de validation : on règle les
    hyper-paramètres sur la validation, et le jeu de test ne sert qu'une fois, à la fin.
    """
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size < len(data.x_train):
        raise ValueError(f"size doit être un entier entre 1 et {len(data.x_train) - 1}")
    return MNIST(x_train=data.x_train[:-size], y_train=data.y_train[:-size],
                 x_test=data.x_train[-size:], y_test=data.y_train[-size:])


def sweep(configs: dict[str, dict], *, train_size: int | None = None,
          validation_size: int | None = None, keep_batch_loss: bool = False, **common) -> dict:
    """Apprend une configuration par entrée de ``configs`` ({nom : arguments de train_mlp}).

    train_size : taille du sous-ensemble d'apprentissage de MNIST (``None`` : tout) ;
    validation_size : si donné, les résultats sont mesurés sur un jeu de validation (voir
    ``validation_split``) et non sur le jeu de test ;
    ``common`` : arguments de ``train_mlp`` partagés par toutes les configurations.
    Renvoie un dictionnaire prêt pour ``cached``, qui contient aussi tout ce qu'il faut pour
    refaire chaque calcul : ``{"train_size", "common", "configs", "results"}``, où
    ``results[nom]`` est l'historique (``History.to_dict()``).
    """
    if not isinstance(configs, dict) or not configs:
        raise ValueError("configs doit être un dictionnaire non vide {nom : arguments}")
    data = _data(train_size, validation_size)
    results = {}
    for name, config in configs.items():
        _, history = train_mlp(data, **(common | config), desc=name)
        results[name] = history.to_dict()
        if not keep_batch_loss:
            results[name]["batch_loss"] = []
    return {"train_size": train_size, "validation_size": validation_size, "common": common,
            "configs": configs, "results": results}


def _data(train_size: int | None, validation_size: int | None) -> MNIST:
    data = load_mnist(train_size=train_size)
    return data if validation_size is None else validation_split(data, validation_size)


def rerun(saved: dict, name: str) -> History:
    """Refait le calcul ``name`` d'un balayage enregistré (pour vérifier le cache)."""
    if name not in saved.get("configs", {}):
        raise KeyError(f"configuration inconnue : {name!r}")
    data = _data(saved["train_size"], saved.get("validation_size"))
    _, history = train_mlp(data, **(saved["common"] | saved["configs"][name]), progress=False)
    return history


def cached_sweep(name: str, configs: dict[str, dict], *, train_size: int | None = None,
                 validation_size: int | None = None, keep_batch_loss: bool = False,
                 **common) -> dict:
    """``sweep`` enregistré sous ``name`` (voir ``cache.cached``), recalculé si les
    configurations demandées ne sont plus celles du fichier."""
    def compute() -> dict:
        return sweep(configs, train_size=train_size, validation_size=validation_size,
                     keep_batch_loss=keep_batch_loss, **common)

    saved = cached(name, compute)
    wanted = json.loads(json.dumps({"train_size": train_size, "common": common,
                                    "configs": configs}))
    if validation_size is not None:
        wanted["validation_size"] = validation_size
    if any(saved.get(key) != value for key, value in wanted.items()):
        saved = cached(name, compute, regenerate=True)
    return saved


def effective_steps(data, *, optimizer: str, lr: float, record_at: list[int],
                    options: dict | None = None, batch_size: int = 64,
                    seed: int = 0) -> list[list[float]]:
    """Pas effectif des poids de la première couche, pas après pas, pour AdaGrad ou RMSProp.

    Le pas effectif d'un paramètre est ce qui multiplie son gradient : lr / (δ + √r) pour
    AdaGrad, lr / √(δ + r) pour RMSProp. Renvoie, après chacun des pas numérotés dans
    ``record_at`` (croissants, à partir de 1), ses quantiles à 10 %, 50 % et 90 % sur les
    94 080 poids de la couche 784 → 120 du PMC de la Question 1 (ReLU).
    """
    from course_utils import adaptive
    from course_utils.training import _train_step

    if optimizer not in ("adagrad", "rmsprop"):
        raise ValueError(f"optimizer doit valoir « adagrad » ou « rmsprop » (reçu : {optimizer!r})")
    if not record_at or sorted(set(record_at)) != list(record_at) or record_at[0] < 1:
        raise ValueError("record_at doit être une liste croissante d'entiers ≥ 1")
    model = mlp([784, 120, 80, 10], activation="relu", seed=seed)
    opt = _optimizer_class(optimizer)(model.parameters(), lr=lr, **(options or {}))
    weight, eps = model[0].weight, opt.param_groups[0]["eps"]
    generator = torch.Generator().manual_seed(seed)
    quantiles, probs = [], torch.tensor([0.1, 0.5, 0.9])
    for step_number in range(1, record_at[-1] + 1):
        idx = torch.randint(0, len(data.x_train), (batch_size,), generator=generator)
        _train_step(model, opt, torch.nn.functional.cross_entropy,
                    data.x_train[idx], data.y_train[idx])
        if step_number not in record_at:
            continue
        r = opt.state[weight]["state"].r
        step = (adaptive.adagrad_effective_lr(opt.state[weight]["state"], lr=lr, eps=eps)
                if optimizer == "adagrad" else lr / (eps + r) ** 0.5)
        quantiles.append(torch.quantile(step.flatten(), probs).tolist())
    return quantiles


def adam_bias_trace(grads: torch.Tensor, *, lr: float = 0.001,
                    betas: tuple[float, float] = (0.9, 0.999)) -> dict[str, list[float]]:
    """Adam sur un seul paramètre recevant les gradients ``grads`` (1-D), pas après pas.

    Renvoie les moments s, ŝ, √r, √r̂ (avec correction du biais) et la taille des pas |Δθ|
    avec et sans correction : ``{nom : liste de valeurs, une par pas}``.
    """
    from course_utils.adaptive import adam_step

    if not isinstance(grads, torch.Tensor) or grads.ndim != 1 or len(grads) == 0:
        raise ValueError("grads doit être un tenseur 1-D non vide")
    rho1, rho2 = betas
    trace = {"s": [], "ŝ": [], "√r": [], "√r̂": [], "pas avec correction": [],
             "pas sans correction": []}
    for correct in (True, False):
        theta, state = grads.new_zeros(()), None
        for g in grads:
            new_theta, state = adam_step(theta, g, state, lr=lr, betas=betas,
                                         bias_correction=correct)
            trace["pas avec correction" if correct else "pas sans correction"].append(
                abs(new_theta - theta).item())
            theta = new_theta
            if correct:
                trace["s"].append(state.s.item())
                trace["ŝ"].append((state.s / (1 - rho1**state.t)).item())
                trace["√r"].append((state.r**0.5).item())
                trace["√r̂"].append(((state.r / (1 - rho2**state.t)) ** 0.5).item())
    return trace


def sample_configs(space: dict[str, list], n: int, *, seed: int = 0) -> dict[str, dict]:
    """Recherche aléatoire : ``n`` configurations distinctes tirées dans ``space``.

    space : ``{argument de train_mlp : liste de valeurs}`` ; la clé spéciale ``"optimizer"``
    prend des paires (nom, pas) (momentum 0,9 pour « momentum » et « nesterov »).
    Renvoie ``{nom lisible : arguments de train_mlp}``.
    """
    import itertools
    import random

    keys = list(space)
    grid = list(itertools.product(*(space[k] for k in keys)))
    if not 1 <= n <= len(grid):
        raise ValueError(f"n doit être entre 1 et {len(grid)} (reçu : {n})")
    chosen = random.Random(seed).sample(grid, n)
    configs = {}
    for values in chosen:
        config = dict(zip(keys, values, strict=True))
        if "optimizer" in config:
            config["optimizer"], config["lr"] = config["optimizer"]
            if config["optimizer"] in ("momentum", "nesterov"):
                config["options"] = {"momentum": 0.9}
        configs[_config_name(config)] = config
    return configs


def _config_name(config: dict) -> str:
    parts = [config.get("activation", "sigmoid"), config.get("init") or "init. PyTorch",
             f"{config.get('optimizer', 'sgd')} {config.get('lr', 0.1):g}",
             "BN" if config.get("batch_norm") else "sans BN",
             f"dropout {config['dropout']:g}" if config.get("dropout") else "sans dropout"]
    return " | ".join(parts)
