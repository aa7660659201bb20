"""Une expérience = un réglage (:class:`RunConfig`) + des données → un :class:`Run`.

Tous les chapitres décrivent leurs expériences de la même façon : un ``RunConfig`` fixe
l'architecture, l'initialisation, l'optimiseur et ses hyper-paramètres, la régularisation,
les mini-lots et la graine ; :func:`run` construit le réseau et l'optimiseur, appelle
``training.train`` et renvoie ``Run(config, history, model)``. Deux réglages qui ne
diffèrent que par un champ donnent une comparaison juste : même graine, mêmes poids
initiaux, même ordre des mini-lots. Les balayages (plusieurs réglages) sont dans
:mod:`course_utils.sweeps`.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_utils import _validate, adaptive, optim, regularization
from course_utils.activations import ACTIVATIONS
from course_utils.augmentation import AUGMENTATIONS
from course_utils.data import MNIST
from course_utils.init import INITIALIZERS, SCHEME_NAMES, initialize_
from course_utils.models import BATCH_NORM_PLACEMENTS, MASK_SEED_SHIFT, mlp
from course_utils.training import History, train


@dataclass(frozen=True)
class OptimizerSpec:
    """Un optimiseur du registre :data:`OPTIMIZERS`.

    label : nom affiché ; build : ``build(params, config) -> torch.optim.Optimizer`` ;
    update : pour les surfaces 2D, ``update(theta, grad_fn, state, **hyper) -> (theta, state)``
    (la fonction sans état du cours ; None pour un optimiseur de ``torch.optim``) ;
    hyperparameters : les noms des arguments de ``update`` après le pas ``lr``.
    """

    label: str
    build: Callable[..., torch.optim.Optimizer]
    update: Callable | None
    hyperparameters: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label:
            raise TypeError(f"label doit être un texte non vide (reçu : {self.label!r:.60})")
        _validate.function("build", self.build)
        if self.update is not None:
            _validate.function("update", self.update)
        if not isinstance(self.hyperparameters, tuple) or not all(
                isinstance(h, str) for h in self.hyperparameters):
            raise TypeError("hyperparameters doit être un tuple de noms, par ex. (\"momentum\",) "
                            f"(reçu : {self.hyperparameters!r:.60})")


def _with_gradient(step: Callable) -> Callable:
    """Adapte ``step(theta, g, state, **hyper)`` à ``update(theta, grad_fn, state, **hyper)``."""
    return lambda theta, grad_fn, state, **hyper: step(theta, grad_fn(theta), state, **hyper)


def _gd_update(theta, grad_fn, state, *, lr):
    return optim.gd_step(theta, grad_fn(theta), lr=lr), None


def _decoupled_adamw(params, config):
    """AdamW : décroissance θ ← θ − ρλθ découplée des moments, sur les poids seulement
    (les biais, vecteurs 1-D, sont exclus, comme dans nos pénalisations)."""
    params = list(params)
    return torch.optim.AdamW([
        {"params": [p for p in params if p.dim() > 1], "weight_decay": config.weight_decay},
        {"params": [p for p in params if p.dim() <= 1], "weight_decay": 0.0}], lr=config.lr)


OPTIMIZERS = MappingProxyType({
    "sgd": OptimizerSpec("SGD", lambda p, c: torch.optim.SGD(p, lr=c.lr), _gd_update),
    "momentum": OptimizerSpec(
        "momentum", lambda p, c: optim.Momentum(p, lr=c.lr, momentum=c.momentum),
        _with_gradient(optim.momentum_step), ("momentum",)),
    "nesterov": OptimizerSpec(
        "Nesterov", lambda p, c: optim.Nesterov(p, lr=c.lr, momentum=c.momentum),
        optim.nesterov_step, ("momentum",)),
    "adagrad": OptimizerSpec("AdaGrad", lambda p, c: adaptive.AdaGrad(p, lr=c.lr),
                             _with_gradient(adaptive.adagrad_step), ("eps",)),
    "rmsprop": OptimizerSpec("RMSProp", lambda p, c: adaptive.RMSProp(p, lr=c.lr),
                             _with_gradient(adaptive.rmsprop_step), ("rho", "eps")),
    "adam": OptimizerSpec("Adam", lambda p, c: adaptive.Adam(p, lr=c.lr),
                          _with_gradient(adaptive.adam_step), ("betas", "eps")),
    "torch_adam": OptimizerSpec("Adam (torch.optim)",
                                lambda p, c: torch.optim.Adam(p, lr=c.lr), None),
    "adamw": OptimizerSpec("AdamW (torch.optim)", _decoupled_adamw, None),
})
"""Le registre des optimiseurs, un nom chacun : ceux du cours (``optim.py``, ``adaptive.py``,
δ placé comme sur les transparents) et deux de ``torch.optim`` (Adam, δ après la racine, et
AdamW) ; ``sgd`` est ``torch.optim.SGD`` sans momentum."""

_NEEDS_MOMENTUM = ("momentum", "nesterov")


@dataclass(frozen=True)
class RunConfig:
    """Le réglage complet d'une expérience sur un PMC ; validé à la construction.

    ``dataclasses.replace(config, lr=0.3)`` donne un réglage voisin. Un réglage sans effet est
    refusé : ``init_scale`` ≠ 1 sans ``init``, ``penalty`` sans ``penalty_alpha`` > 0 (et
    l'inverse), ``momentum`` ou ``weight_decay`` pour un optimiseur qui ne s'en sert pas.
    ``weight_decay = 0`` avec « adamw » est accepté : c'est Adam de ``torch.optim``, témoin
    sans décroissance.
    """

    sizes: tuple[int, ...] = (784, 120, 80, 10)  # tailles des couches, entrée comprise
    activation: str = "sigmoid"  # une clé de activations.ACTIVATIONS
    init: str | None = None  # un schéma de init.INITIALIZERS ; None : celle de PyTorch
    init_scale: float = 1.0  # multiplie la borne ou l'écart-type du schéma
    batch_norm: str | None = None  # placement, une clé de models.BATCH_NORM_PLACEMENTS
    dropout: float = 0.0  # probabilité d'éteindre chaque unité cachée
    optimizer: str = "sgd"  # une clé de OPTIMIZERS
    lr: float = 0.1  # le pas d'apprentissage (ρ, ou ε des méthodes adaptatives)
    momentum: float | None = None  # α, pour « momentum » et « nesterov » seulement
    weight_decay: float = 0.0  # λ de la décroissance découplée, pour « adamw » seulement
    penalty: str | None = None  # pénalisation α Ω(θ) ajoutée à la perte : « l1 », « l2 »
    penalty_alpha: float = 0.0  # son α (par mini-lot)
    augmentation: str | None = None  # une clé de augmentation.AUGMENTATIONS
    batch_size: int = 64
    epochs: int = 1
    evals_per_epoch: int = 4  # mesures sur le jeu d'évaluation à chaque époque
    patience: int | None = None  # arrêt précoce sur la perte de validation ; None : aucun
    seed: int = 0  # poids initiaux, ordre des mini-lots, masques et augmentations

    def __post_init__(self) -> None:
        if not isinstance(self.sizes, list | tuple):
            raise TypeError(f"sizes doit être une liste d'au moins deux tailles "
                            f"(reçu : {_validate._received(self.sizes)})")
        if len(self.sizes) < 2:
            raise ValueError(f"sizes doit être une liste d'au moins deux tailles "
                             f"(reçu : {self.sizes!r})")
        sizes = tuple(_validate.integer("chaque taille de sizes", n, low=1) for n in self.sizes)
        object.__setattr__(self, "sizes", sizes)
        _validate.choice("activation", self.activation, ACTIVATIONS)
        if self.init is not None:
            _validate.choice("init", self.init, INITIALIZERS)
        _validate.nonnegative("init_scale", self.init_scale)
        if self.init is None and self.init_scale != 1:
            raise ValueError(f"init_scale = {self.init_scale} sans init : l'échelle multiplie un "
                             "schéma d'initialisation (par ex. init=« kaiming_normal ») ; avec "
                             "init=None (celle de PyTorch), laissez init_scale = 1")
        _validate.choice("batch_norm", self.batch_norm, BATCH_NORM_PLACEMENTS)
        _validate.rate("dropout", self.dropout)
        _validate.choice("optimizer", self.optimizer, OPTIMIZERS)
        _validate.positive("lr", self.lr)
        self._check_optimizer_options()
        _validate.choice("penalty", self.penalty, (None, "l1", "l2"))
        _validate.nonnegative("penalty_alpha", self.penalty_alpha)
        if self.penalty is None and self.penalty_alpha != 0:
            raise ValueError(f"penalty_alpha = {self.penalty_alpha} sans penalty : "
                             "choisissez « l1 » ou « l2 » (reçu : penalty=None)")
        if self.penalty is not None and self.penalty_alpha == 0:
            raise ValueError(f"penalty = « {self.penalty} » avec penalty_alpha = 0 : la "
                             "pénalisation ne ferait rien ; donnez penalty_alpha > 0 ou "
                             "penalty=None")
        if self.augmentation is not None:
            _validate.choice("augmentation", self.augmentation, AUGMENTATIONS)
        for name in ("batch_size", "epochs", "evals_per_epoch"):
            _validate.integer(name, getattr(self, name), low=1)
        if self.patience is not None:
            _validate.integer("patience", self.patience, low=1)
        if _validate.integer("seed", self.seed, low=0) >= 2**64 - MASK_SEED_SHIFT:  # models.mlp
            raise ValueError(f"seed doit être un entier ≥ 0 et < 2⁶⁴ − {MASK_SEED_SHIFT} (reçu : "
                             f"{self.seed})")

    def _check_optimizer_options(self) -> None:
        if self.optimizer in _NEEDS_MOMENTUM:
            if self.momentum is None:
                raise ValueError(f"l'optimiseur « {self.optimizer} » demande un momentum, "
                                 "par ex. momentum=0.9 (reçu : momentum=None)")
            _validate.rate("momentum", self.momentum)
        elif self.momentum is not None:
            raise ValueError(f"momentum ne sert qu'avec « momentum » ou « nesterov » (reçu : "
                             f"optimizer={self.optimizer!r}, momentum={self.momentum})")
        _validate.nonnegative("weight_decay", self.weight_decay)
        if self.weight_decay and self.optimizer != "adamw":
            raise ValueError("weight_decay ne sert qu'avec optimizer=« adamw » (pour une "
                             "pénalisation dans la perte : penalty=« l2 », penalty_alpha=λ/2)")

    def to_dict(self) -> dict:
        """Les champs, prêts pour JSON (``sizes`` en liste)."""
        return dataclasses.asdict(self) | {"sizes": list(self.sizes)}

    @classmethod
    def from_dict(cls, values: dict) -> "RunConfig":
        """Inverse de :meth:`to_dict` ; un champ absent prend sa valeur par défaut."""
        _validate.instance("values", values, dict, "un dictionnaire (celui de to_dict())")
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError("champs inconnus dans le réglage : "
                             f"{', '.join(sorted(map(repr, unknown)))}")
        return cls(**values)

    def describe(self, *fields: str) -> str:
        """Les champs demandés en français, par ex. « ReLU, Adam (pas 0,002), sans BN » ;
        sans champ, une chaîne vide."""
        for name in fields:
            if not isinstance(name, str) or name not in self.__dataclass_fields__:
                raise ValueError(f"fields : champ inconnu {_validate._received(name)} (attendu : "
                                 f"{', '.join(self.__dataclass_fields__)})")
        return ", ".join(_describe(self, name) for name in fields)


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _describe(config: RunConfig, name: str) -> str:
    value = getattr(config, name)
    if name == "activation":
        return ACTIVATIONS[value].name
    if name == "optimizer":
        text = f"{OPTIMIZERS[value].label} (pas {_number(config.lr)}"
        return text + ("" if config.momentum is None else
                       f", momentum {_number(config.momentum)}") + ")"
    if name == "batch_norm":
        return BATCH_NORM_PLACEMENTS[value]
    if name == "init":
        return "init. PyTorch" if value is None else SCHEME_NAMES[value]
    if name == "dropout":
        return f"dropout {_number(value)}" if value else "sans dropout"
    if name == "sizes":
        return "couches " + "-".join(map(str, value))
    return f"{name} {value if isinstance(value, str | None) else _number(value)}"


@dataclass(eq=False)
class Run:
    """Le résultat d'une expérience : son réglage, son historique et le réseau appris
    (``model`` n'est pas enregistré dans les fichiers de résultats : None une fois relu)."""

    config: RunConfig
    history: History
    model: nn.Module | None = None

    def __post_init__(self) -> None:
        _validate.instance("config", self.config, RunConfig, "un RunConfig")
        _validate.instance("history", self.history, History, "un History (training.History)")
        if self.model is not None:
            _validate.module("model", self.model)

    def __repr__(self) -> str:
        return f"Run({self.config!r}, {self.history.summary()})"


def build_model(config: RunConfig) -> nn.Sequential:
    """Le PMC du réglage : architecture, placement de BN, dropout, puis initialisation."""
    _validate.instance("config", config, RunConfig, "un RunConfig")
    model = mlp(config.sizes, activation=config.activation, batch_norm=config.batch_norm,
                dropout=config.dropout, seed=config.seed)
    if config.init is not None:
        initialize_(model, config.init, scale=config.init_scale,
                    generator=torch.Generator().manual_seed(config.seed))
    return model


def build_optimizer(config: RunConfig, model: nn.Module) -> torch.optim.Optimizer:
    """L'optimiseur du réglage (registre :data:`OPTIMIZERS`) sur les paramètres du modèle."""
    _validate.instance("config", config, RunConfig, "un RunConfig")
    params = list(_validate.module("model", model).parameters())
    if not params:
        raise ValueError("model n'a aucun paramètre à apprendre : l'optimiseur n'aurait rien "
                         "à mettre à jour")
    return OPTIMIZERS[config.optimizer].build(params, config)


def training_loss(config: RunConfig, model: nn.Module) -> Callable:
    """La fonction de coût optimisée : l'entropie croisée, plus α Ω(θ) si ``config.penalty``."""
    _validate.instance("config", config, RunConfig, "un RunConfig")
    _validate.module("model", model)
    if config.penalty is None:
        return F.cross_entropy
    penalty = regularization.penalty(config.penalty, alpha=config.penalty_alpha)
    with torch.no_grad():
        penalty(model)  # vérifiée tout de suite : model doit avoir une couche nn.Linear
    return lambda logits, target: F.cross_entropy(logits, target) + penalty(model)


def run(config: RunConfig, data: MNIST, *, eval_on: str = "validation",
        progress: str | None = None) -> Run:
    """Apprend le réseau de ``config`` sur ``data.train`` et le mesure sur ``data.validation``
    (``eval_on="validation"``) ou sur ``data.test`` (``eval_on="test"``, pour une mesure
    finale) ; progress : étiquette de la barre (par défaut, une description du réglage)."""
    if not isinstance(config, RunConfig):
        raise TypeError(f"config doit être un RunConfig (reçu : {type(config).__name__})")
    _validate.instance("progress", progress, str | None, "un texte (l'étiquette de la barre) "
                       "ou None")
    eval_data = evaluation_data(data, eval_on)
    if config.patience is not None and eval_on != "validation":
        raise ValueError("l'arrêt précoce (patience) se règle sur la validation : "
                         "eval_on doit valoir « validation »")
    model = build_model(config)
    hooks = [] if config.augmentation is None else [AUGMENTATIONS[config.augmentation]]
    if config.patience is not None:
        hooks.append(regularization.EarlyStopping(config.patience))
    label = progress or config.describe("activation", "optimizer")
    history = train(model, data.train, build_optimizer(config, model), epochs=config.epochs,
                    batch_size=config.batch_size, eval_data=eval_data,
                    evals_per_epoch=config.evals_per_epoch,
                    loss_fn=training_loss(config, model), hooks=hooks, seed=config.seed,
                    progress=label)
    return Run(config, history, model)


def evaluation_data(data: MNIST, eval_on: str):
    """Le jeu d'évaluation de ``data`` : sa validation ou son test."""
    if not isinstance(data, MNIST):
        raise TypeError(f"data doit être un MNIST (load_mnist(…)) (reçu : {type(data).__name__})")
    _validate.choice("eval_on", eval_on, ("validation", "test"))
    if eval_on == "validation" and data.validation is None:
        raise ValueError("ces données n'ont pas de jeu de validation : chargez-les avec "
                         "load_mnist(validation_size=…), ou mesurez sur le test (eval_on=« test »)")
    return data.validation if eval_on == "validation" else data.test


def checked_run(name: str, value: Any, needs: str = "eval_acc") -> Run:
    """``value`` si c'est un :class:`Run` dont l'historique a au moins une mesure de la série
    ``needs`` (pour les figures) ; sinon une erreur en français."""
    _validate.instance(name, value, Run, "un Run (runs.run, ou un élément d'un Runs)")
    if not value.history.epoch or not getattr(value.history, needs):
        raise ValueError(f"{name} doit avoir un historique avec au moins une mesure de {needs} "
                         f"(reçu : epoch {len(value.history.epoch)}, "
                         f"{needs} {len(getattr(value.history, needs))})")
    return value
