"""Chapitre 06 : ce que change la normalisation par lots (BN), mesuré sur un PMC et MNIST.

1. ``batch_stat_noise`` : le bruit des statistiques d'un mini-lot selon sa taille ;
2. ``small_data_failure`` : peu d'images et peu de pas, les statistiques courantes n'ont pas
   convergé et le mode évaluation se trompe sur les images mêmes de l'apprentissage ; puis
   les remèdes, chacun mesuré ;
3. ``shifted`` et ``adabn_gain`` : données décalées au test, et AdaBN (Li et al., 2017) :
   ré-estimer les statistiques de BN sur les données cibles, sans leurs étiquettes ;
4. ``smoothness_profile`` : régularité de la perte le long du gradient, avec et sans BN
   (Santurkar et al., 2018, « How does batch normalization help optimization? »).

Rappel (``nn.BatchNorm1d``) : en apprentissage, BN normalise avec μ_B et σ²_B du mini-lot et
met à jour des statistiques courantes μ̂ ← (1 − m)·μ̂ + m·μ_B, σ̂² ← (1 − m)·σ̂² + m·σ²_B
(m = ``momentum`` = 0,1 ; σ²_B non biaisée ici), parties de μ̂ = 0 et σ̂² = 1 ; en
évaluation, seules μ̂ et σ̂² servent. Remarque : ``momentum=None`` donne une moyenne cumulée
(le t-ième lot pèse 1/t) ; le momentum 0,99 de Keras correspond à m = 0,01 ici.
Chaque fonction renvoie un dictionnaire de nombres et de listes (sérialisable en JSON).
"""

import copy
import math
from types import MappingProxyType

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.batchnorm import recompute_statistics_
from course_utils.data import MNIST_MEAN, MNIST_STD
from course_utils.models import mlp
from course_utils.training import evaluate

PLACEMENTS = MappingProxyType({"none": "aucune", "before": "avant l'activation",
                               "after": "après l'activation", "both": "avant et après"})
SHIFTS = MappingProxyType({"invert": "inversion (blanc ↔ noir)",
                           "brighten": "luminosité (0,5·p + 0,5)",
                           "noise": "bruit (p + 0,5·ε, ramené dans [0, 1])"})
FIXES = MappingProxyType({"batch_norm": "BN, momentum 0,1", "no_batch_norm": "sans BN",
         "more_epochs": "plus d'époques", "cumulative": "momentum=None (moyenne cumulée)",
         "recomputed": "statistiques recalculées"})


def _check_int(value, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} doit être un entier ≥ {minimum} (reçu : {value!r})")


def _norms(model: nn.Module) -> list[nn.BatchNorm1d]:
    return [m for m in model.modules() if isinstance(m, nn.BatchNorm1d)]


# 1. Bruit des statistiques d'un mini-lot
@torch.no_grad()
def batch_stat_noise(data, *, batch_sizes=(2, 4, 8, 16, 32, 64, 128, 256, 512),
                     n_batches: int = 50, seed: int = 0) -> dict:
    """Écart-type, d'un mini-lot à l'autre, de la moyenne μ_B et de la variance σ²_B.

    Pré-activations z = Wx + b (N, 120) de la première couche du PMC 784-120-80-10
    ``mlp(..., seed=seed)`` sur ``data.x_train`` ; pour chaque taille B, ``n_batches`` lots
    tirés sans remise (générateur de graine ``seed``) ; μ_B et σ²_B (biaisée, celle qui
    normalise) par unité, leur écart-type entre lots, moyenné sur les 120 unités.
    Renvoie ``{"batch_size", "mean_noise", "var_noise", "mean_theory"}`` (une valeur par
    taille ; ``mean_theory`` : σ/√B moyen) et ``feature_std``, ``feature_var`` (σ, σ² moyens).
    """
    _check_int(n_batches, "n_batches", 2)
    for b in batch_sizes:
        _check_int(b, "chaque taille de lot", 2)
        if b > len(data.x_train):
            raise ValueError(f"taille de lot {b} > nombre d'images ({len(data.x_train)})")
    z = mlp([784, 120, 80, 10], seed=seed)[0](data.x_train)  # (N, 120)
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


# 2. Peu de données : statistiques courantes pas encore convergées
_TRACE = ("running_mean", "true_mean", "running_var", "true_var", "mean_gap")


@torch.no_grad()
def _bn_input(model: nn.Sequential, norm: nn.BatchNorm1d, x: torch.Tensor) -> torch.Tensor:
    """Entrée (N, D) de ``norm`` quand x forme un seul lot : les BN précédentes normalisent
    avec les statistiques de tout x, sans toucher à leurs statistiques courantes."""
    h = x
    for module in model:
        if module is norm:
            return h
        if isinstance(module, nn.BatchNorm1d):
            h = F.batch_norm(h, None, None, module.weight, module.bias, training=True,
                             eps=module.eps)
        else:
            h = module(h)
    raise AssertionError("norm n'appartient pas au modèle")


def _record(trace: dict, norm: nn.BatchNorm1d | None, model, x) -> None:
    if norm is None:
        return
    h = _bn_input(model, norm, x)
    mean, var = h.mean(dim=0), h.var(dim=0, unbiased=False)  # vraies statistiques, (D,)
    trace["running_mean"].append(norm.running_mean.mean().item())
    trace["true_mean"].append(mean.mean().item())
    trace["running_var"].append(norm.running_var.mean().item())
    trace["true_var"].append(var.mean().item())
    gap = (norm.running_mean - mean).abs() / (var + norm.eps).sqrt()
    trace["mean_gap"].append(gap.mean().item())


def train_small(data, *, batch_norm: str | None = "after", activation: str = "sigmoid",
                momentum: float | None = 0.1, lr: float = 0.3, epochs: int = 4,
                batch_size: int = 128, sizes=(784, 120, 80, 10), layer: int = 0,
                seed: int = 0) -> tuple[nn.Sequential, dict]:
    """Apprend un PMC (SGD) sur tout ``data.x_train`` et suit une couche BN pas à pas.

    Renvoie ``(modèle, trace)`` ; trace : après chaque pas (et avant le premier), moyennes
    sur les unités de la couche BN n° ``layer`` de μ̂ (``running_mean``), de la vraie
    moyenne de son entrée sur tout x (``true_mean``), de σ̂² et de la vraie variance, et
    ``mean_gap`` = |μ̂ − μ| / σ moyen : l'erreur de centrage du mode évaluation, en écarts-types.
    """
    if not lr > 0:
        raise ValueError(f"lr doit être > 0 (reçu : {lr})")
    _check_int(epochs, "epochs", 1)
    _check_int(batch_size, "batch_size", 2)
    if len(data.x_train) % batch_size == 1:
        raise ValueError("un mini-lot d'une seule image : BN ne peut pas le normaliser")
    model = mlp(list(sizes), activation=activation, seed=seed, batch_norm=batch_norm)
    norms = _norms(model)
    for norm in norms:
        norm.momentum = momentum
    if norms and not -len(norms) <= layer < len(norms):
        raise ValueError(f"layer doit désigner une des {len(norms)} couches BN (reçu : {layer})")
    watched = norms[layer] if norms else None
    x, y = data.x_train, data.y_train
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    trace = {key: [] for key in _TRACE}
    _record(trace, watched, model, x)
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=generator).split(batch_size):
            optimizer.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            optimizer.step()
            _record(trace, watched, model, x)
    return model, trace


@torch.no_grad()
def accuracies(model: nn.Module, data, *, batch_size: int) -> dict:
    """Exactitudes : en mode apprentissage sur les images d'apprentissage (lots successifs
    de ``batch_size``, sur une copie : les statistiques courantes ne bougent pas), puis en
    mode évaluation sur ces mêmes images et sur le test."""
    trained = copy.deepcopy(model).train()
    batches = zip(data.x_train.split(batch_size), data.y_train.split(batch_size), strict=True)
    correct = sum((trained(xb).argmax(dim=1) == yb).sum().item() for xb, yb in batches)
    return {"train_mode": correct / len(data.x_train),
            "eval_train": evaluate(model, data.x_train, data.y_train)[1],
            "eval_test": evaluate(model, data.x_test, data.y_test)[1]}


def small_data_failure(data, *, lr: float = 0.3, epochs: int = 4, batch_size: int = 128,
                       activation: str = "sigmoid", batch_norm: str = "after",
                       more: int = 4, seed: int = 0) -> dict:
    """L'échec en évaluation sur peu de données (``data.x_train`` : quelques centaines
    d'images), et quatre remèdes : sans BN, ``more`` fois plus d'époques, ``momentum=None``,
    statistiques recalculées sur tout l'apprentissage après coup (``recompute_statistics_``).

    Par défaut : 784-120-80-10, BN après la sigmoïde, 4 époques de 2 lots (8 pas, pas 0,3) ;
    l'entrée de ces BN (des sorties de sigmoïdes) a une moyenne ≈ 0,5 et une variance ≈ 0,03,
    loin des valeurs initiales 0 et 1 des statistiques courantes.
    Renvoie ``{"settings", "runs", "traces"}`` : ``runs[clé de FIXES]`` = ``accuracies`` et
    le nombre de pas ``steps`` ; ``traces`` : la trace (``train_small``) de chaque run avec BN.
    """
    _check_int(more, "more", 2)
    settings = {"lr": lr, "epochs": epochs, "batch_size": batch_size, "activation": activation,
                "batch_norm": batch_norm, "seed": seed}
    variants = {"batch_norm": {}, "no_batch_norm": {"batch_norm": None},
                "more_epochs": {"epochs": more * epochs}, "cumulative": {"momentum": None}}
    runs, traces = {}, {}
    for name, change in variants.items():
        model, trace = train_small(data, **(settings | change))
        steps = (settings | change)["epochs"] * math.ceil(len(data.x_train) / batch_size)
        runs[name] = accuracies(model, data, batch_size=batch_size) | {"steps": steps}
        if trace["true_mean"]:
            traces[name] = trace
        if name == "batch_norm":
            recompute_statistics_(model, data.x_train)
            runs["recomputed"] = accuracies(model, data, batch_size=batch_size) | {"steps": steps}
    return {"settings": settings | {"n_train": len(data.x_train), "more": more},
            "runs": runs, "traces": traces}


# 3. Décalage des données au test et AdaBN
def shifted(x: torch.Tensor, kind: str, *, seed: int = 0) -> torch.Tensor:
    """Images x (N, 784) normalisées comme ``load_mnist`` → images décalées, même forme.

    Pixels p = x·σ + μ dans [0, 1] ; ``"invert"`` : 1 − p (blanc ↔ noir) ; ``"brighten"`` :
    0,5·p + 0,5 (plus clair, moins contrasté) ; ``"noise"`` : p + 0,5·ε, ε ~ N(0, 1) tiré
    avec la graine ``seed``, ramené dans [0, 1] ; puis renormalisées avec les mêmes μ et σ.
    """
    if kind not in SHIFTS:
        raise ValueError(f"décalage inconnu : {kind!r} (attendu : {', '.join(SHIFTS)})")
    p = x * MNIST_STD + MNIST_MEAN  # pixels dans [0, 1]
    if kind == "invert":
        p = 1 - p
    elif kind == "brighten":
        p = 0.5 * p + 0.5
    else:
        eps = torch.randn(p.shape, generator=torch.Generator().manual_seed(seed))
        p = (p + 0.5 * eps).clamp(0, 1)
    return (p - MNIST_MEAN) / MNIST_STD


def adabn_gain(model: nn.Module, x_target: torch.Tensor, y_target: torch.Tensor, *,
               batch_size: int | None = 500) -> dict:
    """Exactitude sur (x_target, y_target) avant et après AdaBN : ``{"before", "after"}``.

    AdaBN ré-estime les statistiques de chaque BN sur les images cibles x_target, sans
    étiquettes (``recompute_statistics_``, lots de ``batch_size``), sur une copie du modèle :
    celui de l'appelant n'est pas modifié.
    """
    adapted = copy.deepcopy(model)
    recompute_statistics_(adapted, x_target, batch_size=batch_size)
    return {"before": evaluate(model, x_target, y_target)[1],
            "after": evaluate(adapted, x_target, y_target)[1]}


def adabn_table(model: nn.Module, data, *, batch_size: int | None = 500) -> dict:
    """``adabn_gain`` sur le test propre (``"clean"``, témoin) et sur chaque décalage."""
    table = {"clean": adabn_gain(model, data.x_test, data.y_test, batch_size=batch_size)}
    for kind in SHIFTS:
        table[kind] = adabn_gain(model, shifted(data.x_test, kind), data.y_test,
                                 batch_size=batch_size)
    return table


# 4. Régularité de la perte le long du gradient (Santurkar et al., 2018)
def _loss_and_grad(model, xb, yb) -> tuple[float, torch.Tensor]:
    model.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(xb), yb)
    loss.backward()
    return loss.item(), torch.cat([p.grad.flatten() for p in model.parameters()])


def _probe(model, xb, yb, distances) -> tuple[float, float, float, float]:
    """Depuis θ, pas θ − η·g pour chaque η : (perte en θ, max − min de la perte, max de
    ‖∇L(θ − ηg) − ∇L(θ)‖, max de ce même écart / ‖ηg‖) ; θ et les tampons sont rétablis."""
    saved = copy.deepcopy(model.state_dict())
    loss0, g = _loss_and_grad(model, xb, yb)
    losses, changes, betas = [loss0], [], []
    for eta in distances:
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(
                torch.nn.utils.parameters_to_vector(model.parameters()) - eta * g,
                model.parameters())
        loss, g_eta = _loss_and_grad(model, xb, yb)
        losses.append(loss)
        changes.append((g_eta - g).norm().item())
        betas.append(changes[-1] / (eta * g.norm().item()))
        model.load_state_dict(saved)
    return loss0, max(losses) - min(losses), max(changes), max(betas)


def smoothness_profile(data, *, batch_norm: str | None, activation: str = "relu",
                       lr: float = 0.1, steps: int = 300, every: int = 25,
                       distances=(0.05, 0.1, 0.2, 0.4), sizes=(784, 100, 100, 100, 10),
                       batch_size: int = 64, probe_size: int = 500, seed: int = 0) -> dict:
    """Régularité de la perte le long de l'apprentissage (SGD, pas ``lr``), avec ou sans BN.

    Tous les ``every`` pas (et au pas 0), depuis θ, on avance de η·g (g = ∇L(θ)) pour chaque
    η de ``distances`` et on mesure, sur un lot fixe de ``probe_size`` images (mode
    apprentissage) : la variation de la perte (max − min sur θ et les θ − ηg,
    ``loss_range``), le plus grand ‖∇L(θ − ηg) − ∇L(θ)‖ (``grad_change``) et le plus grand
    ‖∇L(θ − ηg) − ∇L(θ)‖ / ‖ηg‖ (``beta`` : la « β-régularité effective » de l'article).
    Ces mesures ne modifient pas l'apprentissage. Renvoie ``{"step", "loss", "loss_range",
    "grad_change", "beta"}`` (une valeur par mesure) et ``settings``.
    """
    if not lr > 0:
        raise ValueError(f"lr doit être > 0 (reçu : {lr})")
    _check_int(steps, "steps", 1)
    _check_int(every, "every", 1)
    if not distances or any(not eta > 0 for eta in distances):
        raise ValueError(f"distances doit être une liste non vide de pas > 0 "
                         f"(reçu : {distances!r})")
    model = mlp(list(sizes), activation=activation, seed=seed, batch_norm=batch_norm)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    probe = torch.randperm(len(data.x_train), generator=generator)[:probe_size]
    xp, yp = data.x_train[probe], data.y_train[probe]
    profile = {key: [] for key in ("step", "loss", "loss_range", "grad_change", "beta")}
    for step in range(steps + 1):
        if step % every == 0:
            values = _probe(model, xp, yp, distances)
            for key, value in zip(list(profile)[1:], values, strict=True):
                profile[key].append(value)
            profile["step"].append(step)
        if step < steps:
            idx = torch.randint(0, len(data.x_train), (batch_size,), generator=generator)
            optimizer.zero_grad()
            F.cross_entropy(model(data.x_train[idx]), data.y_train[idx]).backward()
            optimizer.step()
    profile["settings"] = {"batch_norm": batch_norm, "activation": activation, "lr": lr,
                           "sizes": list(sizes), "distances": list(distances), "seed": seed}
    return profile


# 5. Figures
def _finish(fig, title: str | None):
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_running_statistics(trace: dict, *, title: str | None = None):
    """Statistiques courantes μ̂, σ̂² d'une couche BN et vraies statistiques, pas à pas."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    steps = range(len(trace["true_mean"]))
    panels = (("mean", "moyenne", "μ"), ("var", "variance", "σ²"))
    for ax, (stat, name, symbol) in zip(axes, panels, strict=True):
        ax.plot(steps, trace[f"running_{stat}"], "o-", ms=3, label=f"{name} courante (BN)")
        ax.plot(steps, trace[f"true_{stat}"], "s--", ms=3, color="black",
                label=f"vraie {name} (tout le jeu)")
        ax.set(xlabel="pas d'apprentissage", ylabel=f"{symbol} (moyenne sur les unités)",
               title=name.capitalize(), yscale="linear" if stat == "mean" else "log")
        ax.legend(fontsize=8)
    return _finish(fig, title)


def plot_smoothness(profiles: dict, *, title: str | None = None):
    """Variation de la perte et du gradient le long de g, ``{nom : smoothness_profile}``."""
    if not isinstance(profiles, dict) or not profiles:
        raise ValueError("profiles doit être un dictionnaire non vide {nom : profil}")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    panels = (("loss_range", "max − min de la perte", "Paysage de perte"),
              ("grad_change", "max ‖∇L(θ − ηg) − ∇L(θ)‖", "Variation du gradient"))
    for ax, (key, ylabel, name) in zip(axes, panels, strict=True):
        for label, profile in profiles.items():
            ax.plot(profile["step"], profile[key], "o-", ms=3, label=str(label))
        ax.set(xlabel="pas d'apprentissage", ylabel=ylabel, title=name, yscale="log")
        ax.legend(fontsize=8)
    return _finish(fig, title)


def placement_key(placement: str, activation: str, lr: float) -> str:
    """Clé d'un run du balayage des placements : ``f"{placement}|{activation}|{lr:g}"``,
    placement dans ``PLACEMENTS`` (``"none"``, ``"before"``, ``"after"``, ``"both"``)."""
    return f"{placement}|{activation}|{lr:g}"


def placement_configs(*, activations=("sigmoid", "relu"), rates=(0.01, 0.1, 1.0)) -> dict:
    """Configurations de ``experiments.cached_sweep`` pour ``bn_placement_explorer`` :
    ``{placement_key(...) : arguments de train_mlp}``, tous placements × activations × pas."""
    return {placement_key(p, a, lr): {"batch_norm": None if p == "none" else p,
                                      "activation": a, "lr": lr}
            for p in PLACEMENTS for a in activations for lr in rates}


def plot_placement(run: dict, reference: dict | None, *, label: str, smooth: int = 20,
                   title: str | None = None):
    """Perte par mini-lot (moyenne glissante sur ``smooth``) et exactitude de test d'un run
    (``History.to_dict()``), et en gris la référence sans BN (``None`` : aucune)."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    curves = [(run, label, {"color": "tab:blue", "ls": "-"})]
    if reference is not None:
        curves.append((reference, "référence sans BN", {"color": "gray", "ls": "--"}))
    for history, name, style in curves:
        loss = torch.as_tensor(history["batch_loss"], dtype=torch.float64)
        if not torch.isfinite(loss).all():
            name += " (divergence)"
        width = smooth if len(loss) >= smooth else 1
        loss = loss.unfold(0, width, 1).mean(dim=1)  # moyenne glissante, (n − width + 1,)
        ax_loss.plot(range(width, width + len(loss)), loss, label=name, **style)
        ax_acc.plot(history["epoch"], [100 * a for a in history["test_acc"]], marker="o", ms=3,
                    label=f"{name} : {100 * history['test_acc'][-1]:.1f} %", **style)
    ax_loss.set(xlabel="mini-lot", ylabel=f"perte (moyenne glissante sur {smooth})",
                title="Perte d'apprentissage")
    ax_acc.set(xlabel="époque", ylabel="exactitude (%)", title="Exactitude de test")
    for ax in (ax_loss, ax_acc):
        ax.legend(fontsize=8)
    return _finish(fig, title)
