"""Mesures de la partie « Normalisation par lots » (BN), sur un PMC et MNIST.

1. :func:`batch_stat_noise` : le bruit des statistiques d'un mini-lot selon sa taille ;
2. :func:`small_data_failure` : peu d'images et peu de pas, les statistiques courantes n'ont
   pas convergé et le mode évaluation se trompe sur les images mêmes de l'apprentissage ;
   puis les remèdes, chacun mesuré ; :func:`train_with_trace` suit les statistiques pas à pas ;
3. :func:`shifted` et :func:`adabn_gain` : données décalées au test, et AdaBN (Li et al.,
   2017) : réestimer les statistiques de BN sur les données cibles, sans leurs étiquettes ;
4. :func:`smoothness_profile` : régularité de la perte le long du gradient, avec et sans BN
   (Santurkar et al., 2018, « How does batch normalization help optimization? »).

Les apprentissages passent tous par ``training.train`` ; les mesures faites pendant
l'apprentissage sont des crochets ``on_step``. Rappel (``nn.BatchNorm1d``) : en
apprentissage, BN normalise avec μ_B et σ²_B du mini-lot et met à jour des statistiques
courantes μ̂ ← (1 − m)·μ̂ + m·μ_B, σ̂² ← (1 − m)·σ̂² + m·σ²_B (m = ``momentum`` = 0,1 ; σ²_B
non biaisée ici), parties de μ̂ = 0 et σ̂² = 1 ; en évaluation, seules μ̂ et σ̂² servent.
Remarque : ``momentum=None`` donne une moyenne cumulée (le t-ième lot pèse 1/t) ; le
momentum 0,99 de Keras correspond à m = 0,01 ici. Chaque fonction renvoie des nombres et des
listes (sérialisables en JSON).
"""

import copy
import dataclasses
import math
from types import MappingProxyType

import torch
import torch.nn.functional as F
from torch import nn

from course_utils import _validate
from course_utils.batchnorm import recompute_statistics_
from course_utils.data import MNIST, Dataset, denormalize, normalize
from course_utils.models import mlp
from course_utils.runs import RunConfig, build_model, build_optimizer, training_loss
from course_utils.training import evaluate, train

SHIFTS = MappingProxyType({"invert": "inversion (blanc ↔ noir)",
                           "brighten": "luminosité (0,5·p + 0,5)",
                           "noise": "bruit (p + 0,5·ε, ramené dans [0, 1])"})
FIXES = MappingProxyType({"batch_norm": "BN, momentum 0,1", "no_batch_norm": "sans BN",
                          "more_epochs": "plus d'époques",
                          "cumulative": "momentum=None (moyenne cumulée)",
                          "recomputed": "statistiques recalculées"})
SMALL_DATA = RunConfig(sizes=(784, 120, 80, 10), activation="sigmoid", batch_norm="after",
                       lr=0.3, epochs=4, batch_size=128, evals_per_epoch=1)
"""Le réglage du piège des petits jeux : BN après la sigmoïde, lots de 128, 4 époques, pas 0,3."""


def _norms(model: nn.Module) -> list[nn.BatchNorm1d]:
    return [m for m in model.modules() if isinstance(m, nn.BatchNorm1d)]


# 1. Bruit des statistiques d'un mini-lot
@torch.no_grad()
def batch_stat_noise(data: Dataset, *, batch_sizes=(2, 4, 8, 16, 32, 64, 128, 256, 512),
                     n_batches: int = 50, seed: int = 0) -> dict:
    """Écart-type, d'un mini-lot à l'autre, de la moyenne μ_B et de la variance σ²_B.

    Pré-activations z = Wx + b (N, 120) de la première couche du PMC 784-120-80-10
    ``mlp(..., seed=seed)`` sur ``data.x`` ; pour chaque taille B, ``n_batches`` lots tirés
    sans remise (générateur de graine ``seed``) ; μ_B et σ²_B (biaisée, celle qui normalise)
    par unité, leur écart-type entre lots, moyenné sur les 120 unités.
    Renvoie ``{"batch_size", "mean_noise", "var_noise", "mean_theory"}`` (une valeur par
    taille ; ``mean_theory`` : σ/√B moyen) et ``feature_std``, ``feature_var`` (σ, σ² moyens).
    """
    _validate.integer("n_batches", n_batches, low=2)
    _validate.integer("seed", seed, low=0)
    for b in _validate.positives("batch_sizes", batch_sizes, integer_low=2):
        _validate.integer("chaque taille de lot de batch_sizes", b, low=2,
                          high=len(_validate.instance("data", data, Dataset, "un Dataset")))
    first = mlp([784, 120, 80, 10], seed=seed)[0]
    z = first(_validate.model_input("data.x", data.x, nn.Sequential(first)))  # (N, 120)
    std = z.std(dim=0, unbiased=False)  # (120,)
    generator = torch.Generator().manual_seed(seed)
    result = {"batch_size": list(batch_sizes), "mean_noise": [], "var_noise": [],
              "mean_theory": [(std / b**0.5).mean().item() for b in batch_sizes],
              "feature_std": std.mean().item(), "feature_var": (std**2).mean().item()}
    for b in batch_sizes:
        idx = torch.stack([torch.randperm(len(z), generator=generator)[:b]
                           for _ in range(n_batches)])  # (n_batches, B)
        zb = z[idx]  # (n_batches, B, 120)
        result["mean_noise"].append(zb.mean(dim=1).std(dim=0).mean().item())
        result["var_noise"].append(zb.var(dim=1, unbiased=False).std(dim=0).mean().item())
    return result


# 2. Peu de données : statistiques courantes pas encore convergées
_TRACE = ("running_mean", "true_mean", "running_var", "true_var", "mean_gap")


class RunningStatsTrace:
    """Crochet ``on_step`` : après chaque pas, les statistiques courantes de la couche
    ``norm`` de ``model`` et les vraies statistiques de son entrée sur tout x (N, 784).

    ``trace`` : moyennes sur les unités de μ̂ (``running_mean``), de la vraie moyenne
    (``true_mean``), de σ̂² (``running_var``), de la vraie variance (biaisée, ``true_var``) et
    ``mean_gap`` = |μ̂ − μ|/σ : l'erreur de centrage du mode évaluation, en écarts-types.
    :meth:`record` ajoute une mesure (à appeler une fois avant le premier pas).
    """

    def __init__(self, model: nn.Sequential, norm: nn.BatchNorm1d, x: torch.Tensor) -> None:
        _validate.model_input("x", x, _validate.instance("model", model, nn.Sequential,
                                                         "un nn.Sequential (models.mlp)"))
        if not any(module is norm for module in model):
            raise ValueError("norm doit être l'une des couches de model (une BatchNorm1d)")
        self.model, self.norm, self.x = model, norm, x
        self.trace = {key: [] for key in _TRACE}

    @torch.no_grad()
    def _input(self) -> torch.Tensor:
        """Entrée (N, D) de la couche suivie quand x forme un seul lot : les BN précédentes
        normalisent avec les statistiques de tout x, sans toucher à leurs statistiques."""
        h = self.x
        for module in self.model:
            if module is self.norm:
                return h
            if isinstance(module, nn.BatchNorm1d):
                h = F.batch_norm(h, None, None, module.weight, module.bias, training=True,
                                 eps=module.eps)
            else:
                h = module(h)
        raise AssertionError("la couche suivie n'appartient pas au modèle")

    def record(self) -> None:
        h = self._input()
        mean, var = h.mean(dim=0), h.var(dim=0, unbiased=False)  # vraies statistiques, (D,)
        norm, trace = self.norm, self.trace
        trace["running_mean"].append(norm.running_mean.mean().item())
        trace["true_mean"].append(mean.mean().item())
        trace["running_var"].append(norm.running_var.mean().item())
        trace["true_var"].append(var.mean().item())
        gap = (norm.running_mean - mean).abs() / (var + norm.eps).sqrt()
        trace["mean_gap"].append(gap.mean().item())

    def on_step(self, model, step, loss) -> None:
        self.record()


def train_with_trace(config: RunConfig, data: Dataset, *, momentum: float | None = 0.1,
                     layer: int = 0) -> tuple[nn.Sequential, dict]:
    """Apprend le PMC de ``config`` (``training.train``) sur ``data`` en suivant la couche BN
    n° ``layer`` pas à pas ; momentum : celui de toutes les couches BN (None : cumulé).

    Renvoie ``(modèle, trace)`` ; trace (:class:`RunningStatsTrace`) : avant le premier pas
    puis après chacun ; ses listes sont vides si le réseau n'a pas de BN.
    """
    if not isinstance(config, RunConfig):
        raise TypeError(f"config doit être un RunConfig (reçu : {type(config).__name__})")
    if momentum is not None:
        _validate.probability("momentum", momentum)
    if len(_validate.instance("data", data, Dataset, "un Dataset")) % config.batch_size == 1:
        raise ValueError("un mini-lot d'une seule image : BN ne peut pas le normaliser "
                         f"({len(data)} images, batch_size = {config.batch_size})")
    model = build_model(config)
    norms = _norms(model)
    for norm in norms:
        norm.momentum = momentum
    if norms:
        _validate.integer("layer", layer, low=-len(norms), high=len(norms) - 1)
    hooks = [RunningStatsTrace(model, norms[layer], data.x)] if norms else []
    for hook in hooks:
        hook.record()  # avant le premier pas
    train(model, data, build_optimizer(config, model), epochs=config.epochs,
          batch_size=config.batch_size, loss_fn=training_loss(config, model), hooks=hooks,
          seed=config.seed, progress=None)
    return model, hooks[0].trace if hooks else {key: [] for key in _TRACE}


@torch.no_grad()
def accuracies(model: nn.Module, data: MNIST, *, batch_size: int) -> dict:
    """Exactitudes : en mode apprentissage sur les images d'apprentissage (lots successifs
    de ``batch_size``, sur une copie : les statistiques courantes ne bougent pas), puis en
    mode évaluation sur ces mêmes images et sur le test."""
    _validate.integer("batch_size", batch_size, low=1)
    data = _validate.instance("data", data, MNIST, "un MNIST (load_mnist(…))")
    _validate.model_input("data.train.x", data.train.x, model)
    trained = copy.deepcopy(model).train()
    batches = zip(data.train.x.split(batch_size), data.train.y.split(batch_size), strict=True)
    correct = sum((trained(xb).argmax(dim=1) == yb).sum().item() for xb, yb in batches)
    return {"train_mode": correct / len(data.train),
            "eval_train": evaluate(model, data.train)[1],
            "eval_test": evaluate(model, data.test)[1]}


def small_data_failure(data: MNIST, *, config: RunConfig = SMALL_DATA, more: int = 4) -> dict:
    """L'échec en évaluation sur peu de données (``data.train`` : quelques centaines
    d'images), et quatre remèdes : sans BN, ``more`` fois plus d'époques, ``momentum=None``,
    statistiques recalculées sur tout l'apprentissage après coup (``recompute_statistics_``).

    Par défaut (:data:`SMALL_DATA`) : 784-120-80-10, BN après la sigmoïde, 4 époques de 2 lots
    (8 pas, pas 0,3) sur 256 images ; l'entrée de ces BN (des sorties de sigmoïdes) a une
    moyenne ≈ 0,5 et une variance ≈ 0,03, loin des valeurs initiales 0 et 1 des statistiques.
    Renvoie ``{"settings", "runs", "traces"}`` : ``runs[clé de FIXES]`` = ``accuracies`` et
    le nombre de pas ``steps`` ; ``traces`` : la trace (``train_with_trace``) de chaque run
    avec BN.
    """
    _validate.integer("more", more, low=2)
    _validate.instance("data", data, MNIST, "un MNIST (load_mnist(…))")
    if not isinstance(config, RunConfig) or config.batch_norm is None:
        raise ValueError("config doit être un RunConfig avec normalisation par lots "
                         "(batch_norm ≠ None)")
    variants = {"batch_norm": (config, 0.1),
                "no_batch_norm": (dataclasses.replace(config, batch_norm=None), 0.1),
                "more_epochs": (dataclasses.replace(config, epochs=more * config.epochs), 0.1),
                "cumulative": (config, None)}
    runs, traces = {}, {}
    for name, (variant, momentum) in variants.items():
        model, trace = train_with_trace(variant, data.train, momentum=momentum)
        steps = variant.epochs * math.ceil(len(data.train) / config.batch_size)
        runs[name] = accuracies(model, data, batch_size=config.batch_size) | {"steps": steps}
        if trace["true_mean"]:
            traces[name] = trace
        if name == "batch_norm":
            recompute_statistics_(model, data.train.x)
            runs["recomputed"] = accuracies(model, data, batch_size=config.batch_size) | {
                "steps": steps}
    return {"settings": {"config": config.to_dict(), "n_train": len(data.train), "more": more},
            "runs": runs, "traces": traces}


# 3. Décalage des données au test et AdaBN
def shifted(x: torch.Tensor, kind: str, *, seed: int = 0) -> torch.Tensor:
    """Images x (N, 784) normalisées comme ``load_mnist`` → images décalées, même forme.

    Pixels p = ``denormalize(x)`` dans [0, 1] ; ``"invert"`` : 1 − p (blanc ↔ noir) ;
    ``"brighten"`` : 0,5·p + 0,5 (plus clair, moins contrasté) ; ``"noise"`` : p + 0,5·ε,
    ε ~ N(0, 1) tiré avec la graine ``seed``, ramené dans [0, 1] ; puis ``normalize``.
    """
    _validate.tensor("x", x, floating=True)
    _validate.choice("kind", kind, SHIFTS)
    _validate.integer("seed", seed, low=0)
    p = denormalize(x)  # pixels dans [0, 1]
    if kind == "invert":
        p = 1 - p
    elif kind == "brighten":
        p = 0.5 * p + 0.5
    else:
        eps = torch.randn(p.shape, generator=torch.Generator().manual_seed(seed))
        p = (p + 0.5 * eps).clamp(0, 1)
    return normalize(p)


def adabn_gain(model: nn.Module, target: Dataset, *, batch_size: int | None = 500) -> dict:
    """Exactitude sur ``target`` avant et après AdaBN : ``{"before", "after"}``.

    AdaBN réestime les statistiques de chaque BN sur les images cibles ``target.x``, sans
    étiquettes (``recompute_statistics_``, lots de ``batch_size``), sur une copie du modèle :
    celui de l'appelant n'est pas modifié.
    """
    target = _validate.instance("target", target, Dataset, "un Dataset")
    _validate.model_input("target.x", target.x, model)
    adapted = recompute_statistics_(copy.deepcopy(_validate.module("model", model)), target.x,
                                    batch_size=batch_size)
    return {"before": evaluate(model, target)[1], "after": evaluate(adapted, target)[1]}


def adabn_table(model: nn.Module, data: MNIST, *, batch_size: int | None = 500) -> dict:
    """``adabn_gain`` sur le test propre (``"clean"``, témoin) et sur chaque décalage de
    :data:`SHIFTS` (clés ``"invert"``, ``"brighten"``, ``"noise"``)."""
    _validate.instance("data", data, MNIST, "un MNIST (load_mnist(…))")
    table = {"clean": adabn_gain(model, data.test, batch_size=batch_size)}
    for kind, name in SHIFTS.items():
        target = Dataset(shifted(data.test.x, kind), data.test.y, f"test, {name}")
        table[kind] = adabn_gain(model, target, batch_size=batch_size)
    return table


# 4. Régularité de la perte le long du gradient (Santurkar et al., 2018)
def _loss_and_grad(model, xb, yb) -> tuple[float, torch.Tensor]:
    model.zero_grad(set_to_none=True)
    logits = model(_validate.model_input("x", xb, model))
    loss = F.cross_entropy(logits, _validate.labels("y", yb, classes=logits.shape[1]))
    loss.backward()
    return loss.item(), torch.cat([p.grad.flatten() for p in model.parameters()])


class SmoothnessProbe:
    """Crochet ``on_step`` : tous les ``every`` pas jusqu'au pas ``steps`` (et au pas 0 par
    :meth:`probe`), depuis θ, un pas θ − η·g (g = ∇L(θ)) pour chaque η de ``distances`` ;
    sur le lot fixe (x, y), en mode apprentissage. θ et les tampons sont rétablis ensuite :
    mesurer ne change rien à l'apprentissage. ``profile`` : une valeur par mesure."""

    def __init__(self, x, y, *, distances, every: int, steps: int) -> None:
        _validate.tensor("x", x, floating=True, ndim=2)
        _validate.labels("y", y, n=len(x))
        distances = tuple(_validate.positives("distances", distances))
        every, steps = _validate.integer("every", every, low=1), _validate.integer(
            "steps", steps, low=1)
        self.x, self.y, self.distances, self.every, self.steps = x, y, distances, every, steps
        self.profile = {key: [] for key in ("step", "loss", "loss_range", "grad_change",
                                            "beta")}

    def probe(self, model: nn.Module, step: int) -> None:
        saved = copy.deepcopy(model.state_dict())
        loss0, g = _loss_and_grad(model, self.x, self.y)
        losses, changes, betas = [loss0], [], []
        for eta in self.distances:
            with torch.no_grad():
                theta = torch.nn.utils.parameters_to_vector(model.parameters())
                torch.nn.utils.vector_to_parameters(theta - eta * g, model.parameters())
            loss, g_eta = _loss_and_grad(model, self.x, self.y)
            losses.append(loss)
            changes.append((g_eta - g).norm().item())
            betas.append(changes[-1] / (eta * g.norm().item()))
            model.load_state_dict(saved)
        values = (step, loss0, max(losses) - min(losses), max(changes), max(betas))
        for key, value in zip(self.profile, values, strict=True):
            self.profile[key].append(value)

    def on_step(self, model, step, loss) -> None:
        if step % self.every == 0 and step <= self.steps:
            self.probe(model, step)


def smoothness_profile(config: RunConfig, data: Dataset, *, steps: int = 300, every: int = 25,
                       distances=(0.05, 0.1, 0.2, 0.4), probe_size: int = 500) -> dict:
    """Régularité de la perte au fil de l'apprentissage du réglage ``config`` sur ``data``.

    Tous les ``every`` pas (et au pas 0), jusqu'au pas ``steps`` (:class:`SmoothnessProbe`,
    sur ``probe_size`` images tirées avec la graine ``config.seed``) : la variation de la
    perte (max − min sur θ et les θ − ηg, ``loss_range``), le plus grand ‖∇L(θ − ηg) − ∇L(θ)‖
    (``grad_change``) et le plus grand ‖∇L(θ − ηg) − ∇L(θ)‖ / ‖ηg‖ (``beta`` : la
    « β-régularité effective » de l'article). L'apprentissage (``training.train``) va
    jusqu'au bout de l'époque où tombe le pas ``steps``. Renvoie ``{"step", "loss",
    "loss_range", "grad_change", "beta"}`` (une valeur par mesure) et ``settings``.
    """
    if not isinstance(config, RunConfig):
        raise TypeError(f"config doit être un RunConfig (reçu : {type(config).__name__})")
    _validate.integer("steps", steps, low=1)
    _validate.integer("every", every, low=1)
    _validate.integer("probe_size", probe_size, low=2,
                      high=len(_validate.instance("data", data, Dataset, "un Dataset")))
    _validate.positives("distances", distances)
    model = build_model(config)
    chosen = torch.randperm(len(data), generator=torch.Generator().manual_seed(config.seed))
    chosen = chosen[:probe_size]
    hook = SmoothnessProbe(data.x[chosen], data.y[chosen], distances=tuple(distances),
                           every=every, steps=steps)
    hook.probe(model, 0)
    epochs = math.ceil(steps / math.ceil(len(data) / config.batch_size))
    train(model, data, build_optimizer(config, model), epochs=epochs,
          batch_size=config.batch_size, loss_fn=training_loss(config, model), hooks=[hook],
          seed=config.seed, progress=None)
    settings = config.to_dict() | {"steps": steps, "every": every,
                                   "distances": list(distances), "probe_size": probe_size}
    return hook.profile | {"settings": settings}
