"""Mesures du chapitre sur le pas adaptatif : pas effectifs d'AdaGrad et de RMSProp pendant
un apprentissage, et biais des moments d'Adam au fil des pas.

Le pas effectif d'un paramètre est ce qui multiplie son gradient dans la mise à jour :
ε/(δ + √r) pour AdaGrad, ε/√(δ + r) pour RMSProp (ε/(√r + δ) avec ``eps_inside_sqrt=False``).
:class:`EffectiveSteps` est un crochet de ``training.train`` qui en relève les quantiles ;
:func:`effective_steps` l'utilise sur un réglage complet (``RunConfig``).
"""

import torch

from course_utils import _validate, adaptive
from course_utils.data import Dataset
from course_utils.runs import RunConfig, build_model, build_optimizer
from course_utils.training import train

QUANTILES = (0.1, 0.5, 0.9)


def _effective_step(optimizer: torch.optim.Optimizer, parameter: torch.Tensor) -> torch.Tensor:
    """Pas effectif actuel de chaque élément de ``parameter`` (même forme)."""
    group = next(g for g in optimizer.param_groups if any(p is parameter for p in g["params"]))
    state, lr, delta = optimizer.state[parameter]["state"], group["lr"], group["eps"]
    if isinstance(optimizer, adaptive.AdaGrad):
        return adaptive.adagrad_effective_lr(state, lr=lr, eps=delta)
    if group["eps_inside_sqrt"]:  # RMSProp, comme au cours
        return lr / (delta + state.r) ** 0.5
    return lr / (state.r**0.5 + delta)


def _record_at(record_at: list[int]) -> list[int]:
    """Une liste (ou un tuple) croissante d'entiers ≥ 1."""
    if not isinstance(record_at, list | tuple):
        raise TypeError(f"record_at doit être une liste d'entiers (reçu : {record_at!r:.60})")
    record_at = [_validate.integer("chaque pas de record_at", t, low=1) for t in record_at]
    if not record_at or sorted(set(record_at)) != record_at:
        raise ValueError(f"record_at doit être une liste croissante d'entiers ≥ 1 "
                         f"(reçu : {record_at!r})")
    return record_at


class EffectiveSteps:
    """Crochet de ``training.train`` : quantiles du pas effectif des éléments de ``parameter``
    après chacun des pas numérotés ``record_at`` (croissants, à partir de 1).

    optimizer : un ``adaptive.AdaGrad`` ou un ``adaptive.RMSProp`` (celui que reçoit
    ``train``) ; parameter : l'un de ses paramètres (par ex. ``model[0].weight``) ;
    levels : les niveaux des quantiles. Après l'apprentissage, ``self.quantiles[t]`` est la
    liste des quantiles au pas ``t``, pour chaque pas ``t`` de ``record_at`` atteint ;
    l'apprentissage s'arrête à la fin de l'époque où le dernier relevé est fait.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, parameter: torch.Tensor, *,
                 record_at: list[int], levels: tuple[float, ...] = QUANTILES) -> None:
        if not isinstance(optimizer, adaptive.AdaGrad | adaptive.RMSProp):
            raise TypeError("optimizer doit être un adaptive.AdaGrad ou un adaptive.RMSProp "
                            f"(reçu : {type(optimizer).__name__})")
        if not any(p is parameter for g in optimizer.param_groups for p in g["params"]):
            raise ValueError("parameter doit être l'un des paramètres de optimizer")
        record_at = _record_at(record_at)
        if not isinstance(levels, list | tuple) or not levels:
            raise TypeError(f"levels doit être une liste non vide de niveaux (reçu : {levels!r})")
        self.levels = torch.tensor([_validate.probability("levels", q) for q in levels])
        self.optimizer, self.parameter, self.record_at = optimizer, parameter, record_at
        self.quantiles: dict[int, list[float]] = {}

    def on_step(self, model, step: int, loss: float) -> None:
        if step in self.record_at:
            step_sizes = _effective_step(self.optimizer, self.parameter).flatten()
            self.quantiles[step] = torch.quantile(step_sizes, self.levels).tolist()

    def on_epoch(self, model, history) -> bool:
        return len(self.quantiles) == len(self.record_at)  # tout est relevé : on s'arrête


def effective_steps(config: RunConfig, data: Dataset, *,
                    record_at: list[int]) -> dict[int, list[float]]:
    """Pas effectif des poids de la première couche, pas après pas, pour AdaGrad ou RMSProp.

    Apprend le réseau de ``config`` (``config.optimizer`` : « adagrad » ou « rmsprop ») sur
    ``data`` et renvoie ``{t : quantiles}`` : après chacun des pas ``t`` de ``record_at``
    (croissants, à partir de 1), les quantiles à 10 %, 50 % et 90 % du pas effectif des
    poids de la première couche (94 080 pour un PMC 784-120-…). Il faut ``record_at[-1]`` ≤
    ``config.epochs`` × ⌈N / ``config.batch_size``⌉ ; l'apprentissage s'arrête à la fin de
    l'époque du dernier relevé.
    """
    if not isinstance(config, RunConfig):
        raise TypeError(f"config doit être un RunConfig (reçu : {type(config).__name__})")
    _validate.choice("config.optimizer", config.optimizer, ("adagrad", "rmsprop"))
    if not isinstance(data, Dataset):
        raise TypeError(f"data doit être un Dataset (reçu : {type(data).__name__})")
    record_at = _record_at(record_at)
    available = config.epochs * -(-len(data) // config.batch_size)
    if record_at[-1] > available:
        raise ValueError(f"record_at va jusqu'au pas {record_at[-1]}, mais {config.epochs} "
                         f"époque(s) n'en font que {available} : augmentez config.epochs")
    model = build_model(config)
    optimizer = build_optimizer(config, model)
    hook = EffectiveSteps(optimizer, model[0].weight, record_at=record_at)
    train(model, data, optimizer, epochs=config.epochs, batch_size=config.batch_size,
          hooks=[hook], seed=config.seed, progress=None)
    return hook.quantiles


def adam_bias_trace(grads: torch.Tensor, *, lr: float = 0.001,
                    betas: tuple[float, float] = (0.9, 0.999)) -> dict[str, list[float]]:
    """Adam sur un seul paramètre recevant les gradients ``grads`` (1-D), pas après pas.

    Renvoie les moments s, ŝ, √r, √r̂ (avec correction du biais) et la taille des pas |Δθ|
    avec et sans correction : ``{nom : liste de valeurs, une par pas}``.
    """
    _validate.finite("grads", _validate.tensor("grads", grads, floating=True, ndim=1))
    if len(grads) == 0:
        raise ValueError("grads doit contenir au moins un gradient")
    trace = {"s": [], "ŝ": [], "√r": [], "√r̂": [], "pas avec correction": [],
             "pas sans correction": []}
    for correct in (True, False):
        theta, state = grads.new_zeros(()), None
        for g in grads:
            new_theta, state = adaptive.adam_step(theta, g, state, lr=lr, betas=betas,
                                                  bias_correction=correct)
            trace["pas avec correction" if correct else "pas sans correction"].append(
                abs(new_theta - theta).item())
            theta = new_theta
            if correct:
                rho1, rho2 = betas
                trace["s"].append(state.s.item())
                trace["ŝ"].append((state.s / (1 - rho1**state.t)).item())
                trace["√r"].append((state.r**0.5).item())
                trace["√r̂"].append(((state.r / (1 - rho2**state.t)) ** 0.5).item())
    return trace
