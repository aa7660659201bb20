"""Chapitre 07 : la régularisation, mesurée là où un PMC sur-apprend.

Cadre commun (``SETTINGS``) : 1 000 images d'apprentissage et 5 000 de test
(``overfit_data``), PMC 784-256-256-10 ReLU, momentum du cours (α = 0,9, ρ = 0,01),
mini-lots de 64, 40 époques (640 pas), une mesure par époque. La perte d'apprentissage
tombe vers 0 tandis que la perte de test remonte après une douzaine d'époques.

1. ``overfit_run`` ; 2. ``penalty_sweep``, ``adam_l2_vs_adamw`` ; 3. ``dropout_runs``,
``mc_dropout_gap`` (« Et en test ? ») ; 4. ``ensemble_run``, ``regularization_table`` ;
5. figures. Chaque expérience renvoie un dictionnaire sérialisable en JSON (pour
``cache.cached``), durée comprise (``seconds``) ; les exactitudes d'apprentissage sont
mesurées en mode évaluation, sur les images d'origine (sans masque ni augmentation).
"""

import copy
import time
from types import MappingProxyType

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import regularization
from course_utils.data import MNIST_MEAN, MNIST_STD, load_mnist
from course_utils.experiments import validation_split
from course_utils.models import linear_layers, mlp
from course_utils.optim import Momentum
from course_utils.plots import COLORS
from course_utils.training import History, evaluate, train

SETTINGS = MappingProxyType({"train_size": 1000, "test_size": 5000, "validation_size": 200,
                             "sizes": (784, 256, 256, 10), "lr": 0.01, "momentum": 0.9,
                             "batch_size": 64, "epochs": 40})
TRANSFORMS = MappingProxyType({
    "shift_rotation": "décalage (±2 px) et rotation (±15°)", "noise": "bruit en entrée (σ = 0,5)",
    "mixup": "Mixup (α = 0,2)", "cutout": "Cutout (carré de 8 px)", "cutmix": "CutMix (α = 1)"})
OPTIMIZERS = ("momentum", "adam", "adamw")
ALPHAS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
HISTOGRAM_RANGE, HISTOGRAM_BINS = 0.2, 80  # poids de la 1re couche rognés dans [−0,2, 0,2]
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def overfit_data(*, seed: int = 0):
    """Le petit jeu du chapitre : 1 000 images d'apprentissage, 5 000 de test (``load_mnist``)."""
    return load_mnist(train_size=SETTINGS["train_size"], test_size=SETTINGS["test_size"],
                      seed=seed)


def network(*, dropout: float = 0.0, seed: int = 0) -> nn.Sequential:
    """Le PMC du chapitre (``models.mlp``, ReLU), dropout de probabilité ``dropout`` après
    chaque couche cachée : des ``regularization.Dropout`` qui tirent leurs masques avec un
    générateur local de graine ``seed`` (``nn.Dropout`` tirerait avec le générateur global)."""
    model = mlp(list(SETTINGS["sizes"]), activation="relu", seed=seed, dropout=dropout)
    generator = torch.Generator().manual_seed(seed)
    for i, layer in enumerate(model):
        if isinstance(layer, nn.Dropout):
            model[i] = regularization.Dropout(dropout, generator=generator)
    return model


def make_transform(name: str | None):
    """``transform(x, y, generator)`` pour ``train``, d'après son nom dans ``TRANSFORMS``."""
    if name is None:
        return None
    if name not in TRANSFORMS:
        raise ValueError(f"transformation inconnue : {name!r} (attendu : {', '.join(TRANSFORMS)})")
    if name == "shift_rotation":
        return _shift_rotation
    fn, options = {"noise": (regularization.gaussian_noise, {"std": 0.5}),
                   "mixup": (regularization.mixup, {"alpha": 0.2}),
                   "cutout": (regularization.cutout, {"size": 8}),
                   "cutmix": (regularization.cutmix, {"alpha": 1.0})}[name]
    return regularization.as_transform(fn, **options)


def _shift_rotation(x, y, generator):
    x = regularization.random_shift(x, max_shift=2, generator=generator)
    return regularization.random_rotation(x, max_degrees=15.0, generator=generator), y


def _optimizer(model: nn.Module, name: str, lr: float, weight_decay: float):
    """Momentum du cours, ``torch.optim.Adam`` ou ``torch.optim.AdamW`` (décroissance
    découplée θ ← θ − ρλθ sur les poids seulement, comme nos pénalisations)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimiseur inconnu : {name!r} (attendu : {', '.join(OPTIMIZERS)})")
    if weight_decay and name != "adamw":
        raise ValueError("weight_decay ne sert qu'avec optimizer=« adamw » (pour Adam, "
                         "pénaliser la perte : penalty=« l2 », alpha=λ/2)")
    if name == "momentum":
        return Momentum(model.parameters(), lr=lr, momentum=SETTINGS["momentum"])
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    weights = [layer.weight for layer in linear_layers(model)]
    biases = [layer.bias for layer in linear_layers(model)]
    return torch.optim.AdamW([{"params": weights, "weight_decay": weight_decay},
                              {"params": biases, "weight_decay": 0.0}], lr=lr)


# 1. Le cadre où le réseau sur-apprend
def train_overfit(data, *, penalty: str | None = None, alpha: float = 0.0, dropout: float = 0.0,
                  transform: str | None = None, patience: int | None = None,
                  optimizer: str = "momentum", weight_decay: float = 0.0,
                  lr: float = SETTINGS["lr"], epochs: int = SETTINGS["epochs"], seed: int = 0,
                  progress: bool | None = False) -> tuple[nn.Sequential, dict]:
    """Apprend ``network(dropout=dropout, seed=seed)`` sur ``data`` ; renvoie ``(modèle, résumé)``.

    penalty, alpha : pénalisation α Ω(θ) ajoutée à la perte (« l1 », « l2 » ou None) ;
    transform : une clé de ``TRANSFORMS`` (ou None) ; patience : arrêt précoce (None : aucun)
    sur les 200 dernières images d'apprentissage mises de côté en validation : le jeu de test
    ne sert pas au choix ; optimizer : « momentum » (ρ = lr, α = 0,9), « adam » ou « adamw »
    (``weight_decay`` = λ). Résumé : exactitudes et pertes finales (``train_*`` sur les images
    apprises, en mode évaluation), ``gap`` (exactitude d'apprentissage − de test), ``epochs``,
    ``history`` (``History.to_dict()`` sans ``batch_loss``), ``options`` et ``seconds``.
    """
    if penalty is None and alpha != 0:
        raise ValueError(f"alpha = {alpha} sans penalty : choisissez « l1 » ou « l2 »")
    start = time.perf_counter()
    model = network(dropout=dropout, seed=seed)
    step = {"optimizer": _optimizer(model, optimizer, lr, weight_decay),
            "batch_size": SETTINGS["batch_size"], "progress": progress, "desc": "Apprentissage",
            "penalty": None if penalty is None else regularization.penalty(penalty, alpha=alpha),
            "transform": make_transform(transform)}
    if patience is None:
        history, learned, extra = train(model, data, epochs=epochs, seed=seed, **step), data, {}
    else:
        learned = validation_split(data, SETTINGS["validation_size"])
        history, extra = _early_stopping(model, learned, patience, epochs, seed, step)
    options = {"penalty": penalty, "alpha": alpha, "dropout": dropout, "transform": transform,
               "patience": patience, "optimizer": optimizer, "weight_decay": weight_decay,
               "lr": lr, "epochs": epochs, "seed": seed}
    summary = _summary(model, learned, data, history) | {"epochs": epochs} | extra
    return model, summary | {"options": options, "seconds": _since(start)}


def overfit_run(data, *, penalty: str | None = None, alpha: float = 0.0, dropout: float = 0.0,
                transform: str | None = None, patience: int | None = None,
                optimizer: str = "momentum", weight_decay: float = 0.0,
                lr: float = SETTINGS["lr"], epochs: int = SETTINGS["epochs"], seed: int = 0,
                progress: bool | None = False) -> dict:
    """Le résumé de ``train_overfit`` (mêmes arguments), sans le modèle : prêt pour ``cached``."""
    return train_overfit(data, penalty=penalty, alpha=alpha, dropout=dropout,
                         transform=transform, patience=patience, optimizer=optimizer,
                         weight_decay=weight_decay, lr=lr, epochs=epochs, seed=seed,
                         progress=progress)[1]


def _early_stopping(model, split, patience, epochs, seed, step) -> tuple[History, dict]:
    """Une époque à la fois sur ``split`` (son ``x_test`` est la validation) ; arrêt quand la
    perte de validation n'a pas baissé depuis ``patience`` époques, meilleurs poids rechargés."""
    stopper, history = regularization.EarlyStopping(patience), History()
    for epoch in range(epochs):
        part = train(model, split, epochs=1, seed=1000 * seed + epoch, **step)
        for name in ("train_loss", "train_acc", "test_loss", "test_acc"):
            getattr(history, name).extend(getattr(part, name))
        history.epoch.append(epoch + 1)
        if stopper.step(part.test_loss[-1], model):
            break
    stopper.restore_best(model)
    return history, {"epochs": stopper.best_epoch + 1, "stopped_at": epoch + 1,
                     "curves": "validation"}


def _summary(model, learned, data, history: History) -> dict:
    train_loss, train_acc = evaluate(model, learned.x_train, learned.y_train)
    test_loss, test_acc = evaluate(model, data.x_test, data.y_test)
    curves = {key: values for key, values in history.to_dict().items()
              if key not in ("batch_loss", "elapsed")}
    return {"train_acc": train_acc, "test_acc": test_acc, "train_loss": round(train_loss, 5),
            "test_loss": round(test_loss, 5), "gap": round(train_acc - test_acc, 5),
            "history": curves}


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 2)


# 2. Pénalisation de la norme des paramètres
def alpha_label(alpha: float) -> str:
    """α lisible : 3e-4 → « 3·10⁻⁴ », 1e-5 → « 10⁻⁵ », 0 → « 0 »."""
    if alpha == 0:
        return "0"
    mantissa, exponent = f"{alpha:.0e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPTS)
    return power if mantissa == "1" else f"{mantissa}·{power}"


def penalty_key(kind: str, alpha: float) -> str:
    """Clé d'un run de ``penalty_sweep`` : ``f"{kind}|{alpha:g}"``, par exemple « l2|0.001 »."""
    return f"{kind}|{alpha:g}"


def _weights_summary(model: nn.Sequential, summary: dict) -> dict:
    """Ajoute la parcimonie (|w| < 10⁻³), la norme des poids et l'histogramme des poids de la
    première couche (``HISTOGRAM_BINS`` classes sur ±``HISTOGRAM_RANGE``, bords inclus)."""
    first = linear_layers(model)[0]
    w = first.weight.detach().flatten().clamp(-HISTOGRAM_RANGE, HISTOGRAM_RANGE)
    counts = torch.histc(w, bins=HISTOGRAM_BINS, min=-HISTOGRAM_RANGE, max=HISTOGRAM_RANGE)
    return {key: value for key, value in summary.items() if key != "history"} | {
        "sparsity_first": regularization.sparsity(first),
        "sparsity": regularization.sparsity(model),
        "weight_norm": regularization.weight_norm(model),
        "counts": counts.int().tolist()}


def penalty_sweep(data, *, kinds=("l1", "l2"), alphas=ALPHAS, epochs: int = SETTINGS["epochs"],
                  seed: int = 0, progress: bool | None = False) -> dict:
    """Le cadre du chapitre pour chaque pénalisation ``kind`` et chaque ``alpha``, et sans
    pénalisation (clé « none »). ``runs[penalty_key(kind, alpha)]`` : résumé de
    ``train_overfit`` sans historique, plus ``sparsity_first`` (fraction des poids de la 1re
    couche avec |w| < 10⁻³), ``sparsity`` (idem, poids de toutes les couches, biais exclus),
    ``weight_norm`` (√Σ w², biais exclus), ``counts`` (histogramme de la 1re couche, ``edges``)."""
    start, runs = time.perf_counter(), {}
    configs = [(None, 0.0)] + [(kind, alpha) for kind in kinds for alpha in alphas]
    for kind, alpha in configs:
        model, summary = train_overfit(data, penalty=kind, alpha=alpha, epochs=epochs,
                                       seed=seed, progress=progress)
        runs["none" if kind is None else penalty_key(kind, alpha)] = _weights_summary(
            model, summary)
    edges = torch.linspace(-HISTOGRAM_RANGE, HISTOGRAM_RANGE, HISTOGRAM_BINS + 1)
    return {"kinds": list(kinds), "alphas": list(alphas), "edges": edges.tolist(), "runs": runs,
            "seconds": _since(start)}


def adam_l2_vs_adamw(data, *, decays=(1e-3, 1e-2, 1e-1, 1.0), lr: float = 1e-3,
                     epochs: int = SETTINGS["epochs"], seed: int = 0,
                     progress: bool | None = False) -> dict:
    """Adam avec L2 dans la perte contre AdamW, au même coefficient λ (``decays``).

    « adam_l2|λ » : ``torch.optim.Adam`` et (λ/2) Σ w² ajouté à la perte (biais exclus),
    soit exactement ``Adam(weight_decay=λ)`` limité aux poids : son gradient λw passe par les
    moments et se retrouve divisé par √r̂ + δ. « adamw|λ » : ``torch.optim.AdamW``, θ ← θ − ρλθ
    découplé des moments (poids seulement). « adam » : sans régularisation. Résumés comme
    ``penalty_sweep`` (norme et parcimonie des poids comprises).
    """
    start = time.perf_counter()
    runs = {"adam": _weights_summary(*train_overfit(data, optimizer="adam", lr=lr, epochs=epochs,
                                                    seed=seed, progress=progress))}
    for decay in decays:
        runs[f"adam_l2|{decay:g}"] = _weights_summary(*train_overfit(
            data, optimizer="adam", penalty="l2", alpha=decay / 2, lr=lr, epochs=epochs,
            seed=seed, progress=progress))
        runs[f"adamw|{decay:g}"] = _weights_summary(*train_overfit(
            data, optimizer="adamw", weight_decay=decay, lr=lr, epochs=epochs, seed=seed,
            progress=progress))
    return {"decays": list(decays), "lr": lr, "runs": runs, "seconds": _since(start)}


# 3. Dropout
def dropout_runs(data, *, rates=(0.0, 0.2, 0.5), samples=(1, 10, 100),
                 epochs: int = SETTINGS["epochs"], seed: int = 0,
                 progress: bool | None = False) -> dict:
    """Le cadre du chapitre pour chaque probabilité d'éteindre p de ``rates``, puis
    ``mc_dropout_gap`` sur le test pour le réseau au plus grand p.

    ``runs[f"{p:g}"]`` : le résumé de ``train_overfit`` et ``epochs_to_fit``, la première
    époque où la perte d'apprentissage (moyenne des mini-lots, masques actifs) passe sous 0,05.
    """
    start, runs, models = time.perf_counter(), {}, {}
    for p in rates:
        models[p], runs[f"{p:g}"] = train_overfit(data, dropout=p, epochs=epochs, seed=seed,
                                                  progress=progress)
        history = runs[f"{p:g}"]["history"]
        runs[f"{p:g}"]["epochs_to_fit"] = next((round(e) for e, loss in zip(
            history["epoch"], history["train_loss"], strict=True) if loss < 0.05), None)
    mc = mc_dropout_gap(models[max(rates)], data.x_test, data.y_test, samples=samples, seed=seed)
    return {"rates": list(rates), "runs": runs, "mc": mc | {"p": max(rates)},
            "seconds": _since(start)}


@torch.no_grad()
def mc_dropout_gap(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, samples=(1, 10, 100),
                   seed: int = 0) -> dict:
    """« Et en test ? » : le réseau unique du mode évaluation (dropout inversé) contre la
    moyenne des softmax sur S masques (``regularization.mc_dropout_predict``), S dans ``samples``.

    x : (N, D) ; y : (N,). Renvoie ``eval_acc`` et, pour chaque S, ``mc_acc`` (exactitude de la
    moyenne), ``distance`` (½ Σ_k |p_k − q_k| moyen, entre les probabilités p du mode évaluation
    et q de la moyenne, dans [0, 1]) et ``agreement`` (fraction de mêmes classes prédites).
    Les masques sont tirés sous la graine ``seed`` (sur une copie : ``model`` ne change pas).
    """
    if not samples or any(isinstance(s, bool) or not isinstance(s, int) or s < 1
                          for s in samples):
        raise ValueError(f"samples doit être une liste d'entiers ≥ 1 (reçu : {samples!r})")
    model = copy.deepcopy(model).eval()
    for layer in model.modules():
        if isinstance(layer, regularization.Dropout):
            layer.generator = None  # masques tirés par mc_dropout_predict, sous la graine
    p = F.softmax(model(x), dim=1)  # (N, C)
    result = {"eval_acc": (p.argmax(dim=1) == y).float().mean().item(), "samples": list(samples),
              "mc_acc": [], "distance": [], "agreement": []}
    for s in samples:
        q = regularization.mc_dropout_predict(model, x, samples=s,
                                              generator=torch.Generator().manual_seed(seed))
        result["mc_acc"].append((q.argmax(dim=1) == y).float().mean().item())
        result["distance"].append(0.5 * (p - q).abs().sum(dim=1).mean().item())
        result["agreement"].append((q.argmax(dim=1) == p.argmax(dim=1)).float().mean().item())
    return result


# 4. Les autres méthodes, dans le même cadre
def ensemble_run(data, *, members: int = 5, epochs: int = SETTINGS["epochs"], seed: int = 0,
                 progress: bool | None = False) -> dict:
    """Méthode d'ensemble : ``members`` réseaux du cadre, graines seed, seed + 1…, dont on
    moyenne les softmax. Renvoie exactitudes et pertes de l'ensemble, ``member_test_acc``,
    ``mean_member_acc`` et ``epochs`` (époques cumulées : members × epochs)."""
    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        raise ValueError(f"members doit être un entier ≥ 1 (reçu : {members!r})")
    start, accuracies = time.perf_counter(), []
    probs = {"train": 0.0, "test": 0.0}  # moyennes des softmax, (N, C) après le premier réseau
    for k in range(members):
        model, summary = train_overfit(data, epochs=epochs, seed=seed + k, progress=progress)
        accuracies.append(summary["test_acc"])
        with torch.no_grad():
            model.eval()
            for split in probs:
                probs[split] = probs[split] + F.softmax(model(getattr(data, f"x_{split}")), 1)
    result = {"member_test_acc": accuracies, "mean_member_acc": sum(accuracies) / members,
              "members": members, "epochs": members * epochs}
    for split, total in probs.items():
        q, y = total / members, getattr(data, f"y_{split}")
        result[f"{split}_acc"] = (q.argmax(dim=1) == y).float().mean().item()
        result[f"{split}_loss"] = round(F.nll_loss(q.clamp_min(1e-12).log(), y).item(), 5)
    result["gap"] = round(result["train_acc"] - result["test_acc"], 5)
    return result | {"seconds": _since(start)}


METHODS = MappingProxyType({
    "none": ("aucune", {}),
    "l2": ("pénalisation L2 (α = 3·10⁻³)", {"penalty": "l2", "alpha": 3e-3}),
    "l1": ("pénalisation L1 (α = 10⁻⁴)", {"penalty": "l1", "alpha": 1e-4}),
    "dropout": ("dropout (p = 0,5)", {"dropout": 0.5}),
    "early_stopping": ("arrêt précoce (patience 5)", {"patience": 5}),
    **{name: (label, {"transform": name}) for name, label in TRANSFORMS.items()},
    "ensemble": ("ensemble de 5 réseaux", None),
})


def regularization_table(data, *, methods=tuple(METHODS), epochs: int = SETTINGS["epochs"],
                         seed: int = 0, progress: bool | None = False) -> dict:
    """Chaque méthode de ``METHODS`` dans le cadre du chapitre : ``{"rows", "seconds"}``,
    ``rows[clé]`` = résumé de ``train_overfit`` (ou de ``ensemble_run``) et son ``label``.

    Les hyper-paramètres de ``METHODS`` sont fixés d'avance et non réglés sur le test ;
    l'arrêt précoce apprend sur 800 images et choisit son époque sur les 200 autres.
    """
    unknown = [key for key in methods if key not in METHODS]
    if unknown:
        raise ValueError(f"méthodes inconnues : {unknown} (attendu : {', '.join(METHODS)})")
    start, rows = time.perf_counter(), {}
    for key in methods:
        label, options = METHODS[key]
        if options is None:
            row = ensemble_run(data, epochs=epochs, seed=seed, progress=progress)
        else:
            row = overfit_run(data, **options, epochs=epochs, seed=seed, progress=progress)
        rows[key] = row | {"label": label}
    return {"rows": rows, "seconds": _since(start)}


def format_table(table: dict) -> str:
    """Le tableau de ``regularization_table``, une ligne par méthode, exactitudes en %, de la
    meilleure exactitude de test à la moins bonne."""
    lines = [f"{'méthode':<38} {'app.':>6} {'test':>6} {'perte test':>10} {'époques':>8}"]
    for row in sorted(table["rows"].values(), key=lambda row: -row["test_acc"]):
        lines.append(f"{row['label']:<38} {100 * row['train_acc']:5.1f} % "
                     f"{100 * row['test_acc']:5.1f} % {row['test_loss']:10.3f} {row['epochs']:8d}")
    return "\n".join(lines)


# 5. Figures
def _decimal(value: float) -> str:
    """« 0,63 » (virgule décimale, deux chiffres), « 1 » au-delà de 0,995."""
    return "1" if value > 0.995 else f"{value:.2f}".replace(".", ",")


def _soft_title(target: torch.Tensor) -> str:
    """Cible douce (C,) → « 7 : 0,63 / 1 : 0,37 », classes de poids > 0,005, la plus lourde
    d'abord."""
    order = target.argsort(descending=True).tolist()
    return " / ".join(f"{k} : {_decimal(float(target[k]))}" for k in order if target[k] > 0.005)


def plot_mixing_examples(x: torch.Tensor, y: torch.Tensor, *, n: int = 6, alpha: float = 1.0,
                         seed: int = 0):
    """Les n premières images de x (N, 784), puis Mixup, Cutout et CutMix sur ces mêmes images,
    chacune titrée par sa cible douce (« 7 : 0,6 / 1 : 0,4 »). alpha : λ ~ Beta(α, α) de
    Mixup et CutMix (1 : λ uniforme, mélanges bien visibles ; le chapitre apprend avec 0,2
    pour Mixup). Tirages sous la graine ``seed``."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(x):
        raise ValueError(f"n doit être un entier entre 1 et {len(x)} (reçu : {n!r})")
    x, y, generator = x[:n], y[:n], torch.Generator().manual_seed(seed)
    rows = {"origine": (x, F.one_hot(y, 10).float()),
            "Mixup": regularization.mixup(x, y, alpha=alpha, generator=generator),
            "Cutout": regularization.cutout(x, y, size=8, generator=generator),
            "CutMix": regularization.cutmix(x, y, alpha=alpha, generator=generator)}
    fig, axes = plt.subplots(len(rows), n, figsize=(1.6 * n, 1.8 * len(rows)), squeeze=False)
    for axes_row, (name, (images, targets)) in zip(axes, rows.items(), strict=True):
        pixels = (images * MNIST_STD + MNIST_MEAN).clamp(0, 1).reshape(n, 28, 28)  # dans [0, 1]
        for ax, image, target in zip(axes_row, pixels, targets, strict=True):
            ax.imshow(image.numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.set(xticks=[], yticks=[], title=_soft_title(target))
            ax.title.set_fontsize(8)
            ax.grid(False)
        axes_row[0].set_ylabel(name)
    fig.tight_layout()
    return fig


def plot_penalty(sweep: dict, kind: str, alpha: float):
    """Résultats de ``penalty_sweep`` pour (kind, alpha) : à gauche, l'histogramme des poids
    de la première couche (échelle log, en gris sans pénalisation) ; à droite, les exactitudes
    d'apprentissage et de test selon α pour ``kind`` (pointillés : sans pénalisation)."""
    runs, name = sweep["runs"], kind.upper()
    run, reference = runs[penalty_key(kind, alpha)], runs["none"]
    fig, (ax_hist, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax_hist.stairs(reference["counts"], sweep["edges"], color="gray", ls="--",
                   label="sans pénalisation")
    ax_hist.stairs(run["counts"], sweep["edges"], color="tab:blue",
                   label=f"{name}, α = {alpha_label(alpha)}")
    ax_hist.set(yscale="log", xlabel="poids w de la première couche", ylabel="nombre de poids",
                title=f"{100 * run['sparsity_first']:.0f} % des poids avec |w| < 10⁻³")
    for split, label in (("train", "apprentissage"), ("test", "test")):
        accuracies = [100 * runs[penalty_key(kind, a)][f"{split}_acc"] for a in sweep["alphas"]]
        ax_acc.plot(sweep["alphas"], accuracies, "o-", ms=3, color=COLORS[label], label=label)
        ax_acc.axhline(100 * reference[f"{split}_acc"], color=COLORS[label], ls=":", lw=1)
    ax_acc.axvline(alpha, color="black", lw=0.8)
    ax_acc.set(xscale="log", xlabel=f"α ({name})", ylabel="exactitude (%)",
               title=f"Écart apprentissage − test : {100 * run['gap']:.1f} points "
                     f"(perte : {run['test_loss'] - run['train_loss']:.3f})")
    for ax in (ax_hist, ax_acc):
        ax.legend(fontsize=8)
    fig.suptitle(f"Pénalisation {name}, α = {alpha_label(alpha)}")
    fig.tight_layout()
    return fig


def plot_dropout(results: dict, p: float):
    """Résultats de ``dropout_runs`` pour le dropout p : pertes d'apprentissage et de test (à
    gauche), exactitude de test (à droite) au fil des époques ; en gris, sans dropout."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    shown = [f"{p:g}"] + (["0"] if p != 0 and "0" in results["runs"] else [])
    for key in shown:
        run, tag = results["runs"][key], "p = " + key.replace(".", ",")
        grey = key != f"{p:g}"  # la référence sans dropout
        for split, label in (("train", "apprentissage"), ("test", "test")):
            ax_loss.plot(run["history"]["epoch"], run["history"][f"{split}_loss"],
                         color="gray" if grey else COLORS[label], label=f"{label}, {tag}",
                         ls={"train": ":", "test": "--"}[split] if grey else "-")
        ax_acc.plot(run["history"]["epoch"], [100 * a for a in run["history"]["test_acc"]],
                    color="gray" if grey else COLORS["test"], ls="--" if grey else "-",
                    label=f"{tag} : {100 * run['test_acc']:.1f} %")
    ax_loss.set(xlabel="époque", ylabel="perte (entropie croisée)", yscale="log", title="Perte")
    ax_acc.set(xlabel="époque", ylabel="exactitude (%)", title="Exactitude de test")
    for ax in (ax_loss, ax_acc):
        ax.legend(fontsize=8)
    fit = results["runs"][f"{p:g}"].get("epochs_to_fit")
    fig.suptitle("Dropout p = " + f"{p:g}".replace(".", ",") + " : perte d'apprentissage < 0,05 "
                 + ("jamais atteinte" if fit is None else f"à l'époque {fit}"))
    fig.tight_layout()
    return fig
