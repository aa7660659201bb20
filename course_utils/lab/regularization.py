"""Mesures de la partie « Régularisation » : un PMC qui sur-apprend, et ce qu'y change chaque
méthode.

Le cadre du chapitre : 1 000 images d'apprentissage et 5 000 de test (:data:`DATA`, les
arguments de ``load_mnist``), le réglage :data:`SETTING` (PMC 784-256-256-10 ReLU, momentum
du cours α = 0,9 et ρ = 0,01, mini-lots de 64, 40 époques soit 640 pas, une mesure par
époque). La perte d'apprentissage tombe vers 0 tandis que la perte de test remonte après une
douzaine d'époques. Chaque méthode est un réglage voisin,
``dataclasses.replace(SETTING, penalty="l2", penalty_alpha=1e-3)``, appris par ``runs.run``.

Chaque expérience renvoie des données JSON (pour ``cache.cached``) : des listes
d'enregistrements (:func:`summarize`), chacun avec son réglage, que l'on retrouve par les
champs de ce réglage (:func:`find`), jamais par une clé en texte. Les exactitudes
d'apprentissage y sont mesurées en mode évaluation, sur les images d'origine (sans masque
ni augmentation).
"""

import copy
import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType

import torch
import torch.nn.functional as F
from torch import nn

from course_utils import _validate, regularization
from course_utils.augmentation import AUGMENTATION_NAMES
from course_utils.data import MNIST, Dataset
from course_utils.models import linear_layers
from course_utils.runs import Run, RunConfig, run
from course_utils.training import History, evaluate

SETTING = RunConfig(sizes=(784, 256, 256, 10), activation="relu", optimizer="momentum",
                    lr=0.01, momentum=0.9, epochs=40, evals_per_epoch=1)
"""Le réglage de tout le chapitre, sans régularisation."""

DATA = MappingProxyType({"train_size": 1000, "test_size": 5000})
"""Les données du chapitre (arguments de ``load_mnist``) : 1 000 images d'apprentissage."""

VALIDATION_DATA = MappingProxyType({"train_size": 800, "validation_size": 200,
                                    "test_size": 5000})
"""Les mêmes 1 000 images, dont les 200 dernières mises de côté pour la validation (pour
l'arrêt précoce), et le même test."""

ALPHAS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
DECAYS = (1e-3, 1e-2, 1e-1, 1.0)
HISTOGRAM_RANGE, HISTOGRAM_BINS = 0.2, 80  # poids de la 1re couche rognés dans [−0,2, 0,2]
FIT_LOSS = 0.05  # « appris » : perte d'apprentissage sous ce seuil
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


# --- Enregistrements ------------------------------------------------------------------------


def summarize(result: Run, data: MNIST) -> dict:
    """L'enregistrement JSON d'un run : ``config`` et ``history`` (sans pertes par mini-lot ni
    durées), ``train_acc``/``train_loss`` sur ``data.train`` et ``test_acc``/``test_loss``
    sur ``data.test`` (réseau final, mode évaluation), ``gap`` (exactitude d'apprentissage −
    de test), ``stopped_at`` (époques apprises) et ``epochs`` (époques du réseau gardé : la
    meilleure époque de validation avec l'arrêt précoce, qui recharge ses poids)."""
    if not isinstance(result, Run) or result.model is None:
        raise TypeError("result doit être un Run avec son réseau (renvoyé par runs.run)")
    _validate.instance("data", data, MNIST, "un MNIST (load_mnist(…))")
    train_loss, train_acc = evaluate(result.model, data.train)
    test_loss, test_acc = evaluate(result.model, data.test)
    history = result.history
    curves = {k: v for k, v in history.to_dict().items() if k not in ("batch_loss", "elapsed")}
    kept = (len(history.epoch) if result.config.patience is None
            else history.eval_loss.index(min(history.eval_loss)) + 1)
    return {"config": result.config.to_dict(), "history": curves,
            "train_acc": train_acc, "test_acc": test_acc, "train_loss": round(train_loss, 5),
            "test_loss": round(test_loss, 5), "gap": round(train_acc - test_acc, 5),
            "stopped_at": len(history.epoch), "epochs": kept}


def find(records: list[dict], **fields) -> dict:
    """L'enregistrement dont le réglage a ces valeurs, par ex. ``find(sweep["runs"],
    penalty="l2", penalty_alpha=1e-3)`` ; erreur s'il n'y en a pas exactement un."""
    for name in fields:
        _validate.choice("champ", name, RunConfig.__dataclass_fields__)
    if not isinstance(records, list | tuple) or not all(
            isinstance(r, dict) and isinstance(r.get("config"), dict) for r in records):
        raise TypeError("records doit être une liste d'enregistrements (dictionnaires avec la "
                        f"clé « config », voir summarize) (reçu : {records!r:.60})")
    found = [r for r in records if all(r["config"].get(k, find) == v for k, v in fields.items())]
    if len(found) != 1:
        wanted = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        raise KeyError(f"{len(found)} enregistrements avec {wanted} : il en faut exactement un "
                       "(vérifiez les valeurs demandées)")
    return found[0]


def history_of(record: dict) -> History:
    """L'historique d'un enregistrement, prêt à tracer."""
    if not isinstance(record, dict) or not isinstance(record.get("history"), dict):
        raise TypeError("record doit être un enregistrement (dictionnaire avec la clé "
                        f"« history », voir summarize) (reçu : {record!r:.60})")
    return History.from_dict(record["history"])


def alpha_label(alpha: float) -> str:
    """α lisible : 3e-4 → « 3·10⁻⁴ », 1e-5 → « 10⁻⁵ », 0 → « 0 »."""
    if _validate.nonnegative("alpha", alpha) == 0:
        return "0"
    mantissa, exponent = f"{alpha:.0e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPTS)
    return power if mantissa == "1" else f"{mantissa}·{power}"


# --- Pénalisation de la norme des paramètres ----------------------------------------------


def _with_weights(result: Run, data: MNIST) -> dict:
    """:func:`summarize` plus la parcimonie (|w| < 10⁻³, 1re couche puis toutes), la norme
    des poids et l'histogramme ``counts`` des poids de la 1re couche (bords inclus)."""
    first = linear_layers(result.model)[0]
    w = first.weight.detach().flatten().clamp(-HISTOGRAM_RANGE, HISTOGRAM_RANGE)
    counts = torch.histc(w, bins=HISTOGRAM_BINS, min=-HISTOGRAM_RANGE, max=HISTOGRAM_RANGE)
    return summarize(result, data) | {
        "sparsity_first": regularization.sparsity(first),
        "sparsity": regularization.sparsity(result.model),
        "weight_norm": regularization.weight_norm(result.model),
        "counts": counts.int().tolist()}


def penalty_sweep(data: MNIST, *, base: RunConfig = SETTING, kinds=("l1", "l2"),
                  alphas=ALPHAS) -> dict:
    """``base`` sans pénalisation, puis pour chaque pénalisation de ``kinds`` et chaque α de
    ``alphas`` (mesures sur le test). Renvoie ``{"kinds", "alphas", "edges", "runs"}`` :
    ``runs``, des enregistrements avec ``sparsity_first``, ``sparsity``, ``weight_norm`` et
    ``counts`` (histogramme de la 1re couche, bords ``edges``) ; ``find(runs, penalty=None)``
    est la référence."""
    if isinstance(kinds, str) or not isinstance(kinds, list | tuple):
        raise TypeError(f"kinds doit être une liste de pénalisations (reçu : {kinds!r:.60})")
    for kind in kinds:
        _validate.choice("chaque valeur de kinds", kind, ("l1", "l2"))
    _validate.positives("alphas", alphas)
    configs = [dataclasses.replace(_base(base), penalty=None, penalty_alpha=0.0)] + [
        dataclasses.replace(base, penalty=kind, penalty_alpha=alpha)
        for kind in kinds for alpha in alphas]
    edges = torch.linspace(-HISTOGRAM_RANGE, HISTOGRAM_RANGE, HISTOGRAM_BINS + 1)
    return {"kinds": list(kinds), "alphas": list(alphas), "edges": edges.tolist(),
            "runs": [_with_weights(run(c, data, eval_on="test"), data) for c in configs]}


def adam_l2_vs_adamw(data: MNIST, *, base: RunConfig = SETTING, decays=DECAYS,
                     lr: float = 1e-3) -> dict:
    """Adam avec L2 dans la perte contre AdamW, au même coefficient λ (``decays``).

    Adam + L2 : ``torch_adam`` et (λ/2) Σ w² ajouté à la perte (``penalty_alpha`` = λ/2,
    biais exclus), soit ``torch.optim.Adam(weight_decay=λ)`` limité aux poids : son gradient
    λw passe par les moments et se retrouve divisé par √r̂ + δ. AdamW : ``adamw``,
    θ ← θ − ρλθ découplé des moments (``weight_decay`` = λ, poids seulement). Plus Adam sans
    régularisation. Renvoie ``{"decays", "lr", "runs"}``, enregistrements comme
    :func:`penalty_sweep`.
    """
    _validate.positives("decays", decays)
    adam = dataclasses.replace(_base(base), optimizer="torch_adam", lr=lr, momentum=None)
    configs = [adam] + [config for decay in decays for config in (
        dataclasses.replace(adam, penalty="l2", penalty_alpha=decay / 2),
        dataclasses.replace(adam, optimizer="adamw", weight_decay=decay))]
    return {"decays": list(decays), "lr": lr,
            "runs": [_with_weights(run(c, data, eval_on="test"), data) for c in configs]}


# --- Dropout ------------------------------------------------------------------------------


def epochs_to_fit(history: History, *, threshold: float = FIT_LOSS) -> int | None:
    """La première époque où la perte d'apprentissage (moyenne des mini-lots, masques actifs)
    passe sous ``threshold`` ; None si elle n'y passe jamais."""
    _validate.positive("threshold", threshold)
    _validate.instance("history", history, History, "un History (historique de train)")
    return next((round(e) for e, loss in zip(history.epoch, history.train_loss, strict=True)
                 if loss < threshold), None)


def dropout_runs(data: MNIST, *, base: RunConfig = SETTING, rates=(0.0, 0.2, 0.5),
                 samples=(1, 10, 100)) -> dict:
    """``base`` pour chaque probabilité d'éteindre p de ``rates`` (mesures sur le test), puis
    :func:`mc_dropout_gap` sur le test pour le réseau au plus grand p. Renvoie
    ``{"rates", "runs", "mc"}`` ; chaque enregistrement a aussi ``epochs_to_fit``."""
    if not isinstance(rates, list | tuple) or not rates:
        raise ValueError(f"rates doit être une liste non vide de probabilités (reçu : "
                         f"{rates!r:.60})")
    configs = [dataclasses.replace(_base(base), dropout=_validate.rate("chaque valeur de rates",
                                                                       p)) for p in rates]
    _samples(samples)  # avant les apprentissages
    results = [run(config, data, eval_on="test") for config in configs]
    records = [summarize(r, data) | {"epochs_to_fit": epochs_to_fit(r.history)}
               for r in results]
    last = max(results, key=lambda r: r.config.dropout)
    mc = mc_dropout_gap(last.model, data.test, samples=samples, seed=base.seed)
    return {"rates": list(rates), "runs": records, "mc": mc | {"p": last.config.dropout}}


@torch.no_grad()
def mc_dropout_gap(model: nn.Module, data: Dataset, *, samples=(1, 10, 100),
                   seed: int = 0) -> dict:
    """« Et en test ? » : le réseau unique du mode évaluation (dropout inversé) contre la
    moyenne des softmax sur S masques (``regularization.mc_dropout_predict``), S dans
    ``samples``.

    Renvoie ``eval_acc`` et, pour chaque S, ``mc_acc`` (exactitude de la moyenne),
    ``distance`` (½ Σ_k |p_k − q_k| moyen entre les probabilités p du mode évaluation et q de
    la moyenne, dans [0, 1]) et ``agreement`` (fraction de mêmes classes prédites). Les
    masques sont tirés sous la graine ``seed``, sur une copie : ``model`` ne change pas.
    """
    _samples(samples)
    _validate.integer("seed", seed, low=0)
    _validate.instance("data", data, Dataset, "un Dataset")
    model = copy.deepcopy(_validate.module("model", model)).eval()
    _validate.model_input("data.x", data.x, model)
    for layer in model.modules():
        if isinstance(layer, regularization.Dropout):
            layer.generator = None  # masques tirés par mc_dropout_predict, sous la graine
    p = F.softmax(model(data.x), dim=1)  # (N, C)
    result = {"eval_acc": (p.argmax(dim=1) == data.y).float().mean().item(),
              "samples": list(samples), "mc_acc": [], "distance": [], "agreement": []}
    for s in samples:
        q = regularization.mc_dropout_predict(model, data.x, samples=s,
                                              generator=torch.Generator().manual_seed(seed))
        result["mc_acc"].append((q.argmax(dim=1) == data.y).float().mean().item())
        result["distance"].append(0.5 * (p - q).abs().sum(dim=1).mean().item())
        result["agreement"].append((q.argmax(dim=1) == p.argmax(dim=1)).float().mean().item())
    return result


# --- Les autres méthodes, dans le même cadre ------------------------------------------------


def _samples(samples) -> None:
    if not isinstance(samples, list | tuple) or not samples or any(
            isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in samples):
        raise ValueError(f"samples doit être une liste d'entiers ≥ 1 (reçu : {samples!r:.60})")


def _base(base: RunConfig) -> RunConfig:
    return _validate.instance("base", base, RunConfig, "un RunConfig")


def ensemble_run(data: MNIST, *, base: RunConfig = SETTING, members: int = 5) -> dict:
    """Méthode d'ensemble : ``members`` réseaux de ``base``, graines seed, seed + 1…, dont on
    moyenne les softmax. Renvoie un enregistrement (``config`` : celui du premier membre)
    avec les exactitudes et pertes de l'ensemble, ``member_test_acc``, ``mean_member_acc``
    et ``epochs`` (époques cumulées : members × epochs)."""
    members = _validate.integer("members", members, low=1)
    _base(base)
    probs = {"train": 0.0, "test": 0.0}  # sommes des softmax, (N, C) après le premier réseau
    accuracies = []
    for k in range(members):
        member = run(dataclasses.replace(base, seed=base.seed + k), data, eval_on="test")
        accuracies.append(evaluate(member.model, data.test)[1])
        with torch.no_grad():
            member.model.eval()
            for split in probs:
                probs[split] = probs[split] + F.softmax(member.model(getattr(data, split).x), 1)
    record = {"config": base.to_dict(), "members": members, "member_test_acc": accuracies,
              "mean_member_acc": sum(accuracies) / members, "epochs": members * base.epochs,
              "stopped_at": base.epochs}
    for split, total in probs.items():
        q, y = total / members, getattr(data, split).y
        record[f"{split}_acc"] = (q.argmax(dim=1) == y).float().mean().item()
        record[f"{split}_loss"] = round(F.nll_loss(q.clamp_min(1e-12).log(), y).item(), 5)
    return record | {"gap": round(record["train_acc"] - record["test_acc"], 5)}


@dataclass(frozen=True)
class Method:
    """Une ligne du tableau des méthodes : son nom, les champs de ``RunConfig`` qu'elle
    change, et le nombre de réseaux moyennés (plus d'un : un ensemble)."""

    label: str
    changes: dict = field(default_factory=dict)
    members: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not isinstance(self.changes, dict):
            raise TypeError("Method attend un texte label et un dictionnaire changes "
                            f"(reçu : {self.label!r:.30}, {self.changes!r:.30})")
        for name in self.changes:
            _validate.choice("chaque clé de changes", name, RunConfig.__dataclass_fields__)
        _validate.integer("members", self.members, low=1)


METHODS = MappingProxyType({
    "none": Method("aucune"),
    "l2": Method("pénalisation L2 (α = 3·10⁻³)", {"penalty": "l2", "penalty_alpha": 3e-3}),
    "l1": Method("pénalisation L1 (α = 10⁻⁴)", {"penalty": "l1", "penalty_alpha": 1e-4}),
    "dropout": Method("dropout (p = 0,5)", {"dropout": 0.5}),
    "early_stopping": Method("arrêt précoce (patience 5)", {"patience": 5}),
    **{name: Method(label, {"augmentation": name}) for name, label in AUGMENTATION_NAMES.items()},
    "ensemble": Method("ensemble de 5 réseaux", members=5),
})
"""Les méthodes du tableau du chapitre, réglages fixés d'avance (pas réglés sur le test)."""


def regularization_table(data: MNIST, validation_data: MNIST, *, base: RunConfig = SETTING,
                         methods=tuple(METHODS)) -> dict:
    """Chaque méthode de ``METHODS`` dans le cadre ``base`` : ``{"rows": [...]}``, une ligne
    par méthode (enregistrement de :func:`summarize` ou de :func:`ensemble_run`, plus
    ``method`` et ``label``).

    L'arrêt précoce apprend sur ``validation_data.train`` et choisit son époque sur
    ``validation_data.validation`` (:data:`VALIDATION_DATA` : 800 + 200 des mêmes 1 000
    images) ; les autres apprennent sur ``data.train`` ; toutes sont mesurées sur le test.
    """
    for name, value in (("data", data), ("validation_data", validation_data)):
        _validate.instance(name, value, MNIST, "un MNIST (load_mnist(…))")
    if isinstance(methods, str) or not isinstance(methods, list | tuple):
        raise TypeError(f"methods doit être une liste de clés de METHODS (reçu : {methods!r:.60})")
    _base(base)
    for key in methods:  # avant les apprentissages
        _validate.choice("methods", key, METHODS)
    rows = []
    for key in methods:
        method = METHODS[key]
        config = dataclasses.replace(base, **method.changes)
        if method.members > 1:
            row = ensemble_run(data, base=config, members=method.members)
        elif config.patience is not None:
            row = summarize(run(config, validation_data, eval_on="validation"), validation_data)
        else:
            row = summarize(run(config, data, eval_on="test"), data)
        rows.append({"method": key, "label": method.label} | row)
    return {"rows": rows}


def format_table(table: dict) -> str:
    """Le tableau de :func:`regularization_table`, une ligne par méthode, exactitudes en %,
    de la meilleure exactitude de test à la moins bonne."""
    keys = {"label", "train_acc", "test_acc", "test_loss", "epochs"}
    if not isinstance(table, dict) or not isinstance(table.get("rows"), list) or not all(
            isinstance(row, dict) and keys <= set(row) for row in table["rows"]):
        raise TypeError("table doit être le résultat de regularization_table, {\"rows\": [...]} "
                        f"avec les clés {sorted(keys)} (reçu : {table!r:.60})")
    lines = [f"{'méthode':<38} {'app.':>6} {'test':>6} {'perte test':>10} {'époques':>8}"]
    for row in sorted(table["rows"], key=lambda row: -row["test_acc"]):
        lines.append(f"{row['label']:<38} {100 * row['train_acc']:5.1f} % "
                     f"{100 * row['test_acc']:5.1f} % {row['test_loss']:10.3f} {row['epochs']:8d}")
    return "\n".join(lines)
