"""La boucle d'apprentissage du cours : mini-lots, pas d'optimisation, mesures, crochets.

Les données tiennent en mémoire : à chaque époque, on tire une permutation des indices et
on découpe les mini-lots par indexation (``x[idx]``), bien plus vite qu'un ``DataLoader``
exemple par exemple (voir ``benchmarks/bench_training.py``).

Un **crochet** (*hook*) est un objet qui a une ou plusieurs de ces méthodes, appelées par
:func:`train` aux moments indiqués (dans l'ordre de la liste ``hooks``) :

- ``on_batch(x, y, generator) -> (x, cible)`` : transforme le mini-lot d'apprentissage avant
  le pas (augmentation de données, Mixup…) ; x garde sa forme, la cible est en étiquettes
  int64 (N,) ou en distributions (N, C) ;
- ``on_step(model, step, loss)`` : après chaque pas (``step`` compte les pas à partir de 1,
  ``loss`` est la perte du mini-lot) ; pour mesurer sans rien modifier ;
- ``on_epoch(model, history) -> bool`` : après chaque époque ; ``True`` arrête l'apprentissage
  (arrêt précoce), ``False`` ou ``None`` le poursuivent ;
- ``on_end(model, history)`` : une fois, à la fin (par exemple, recharger les meilleurs poids).
"""

import math
import os
import sys
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from course_utils import _training_inputs as _inputs
from course_utils import _validate
from course_utils.data import Dataset
from course_utils.plots import plot_history

HOOK_METHODS = _inputs.HOOK_METHODS
_SERIES = ("epoch", "train_loss", "train_acc", "eval_loss", "eval_acc", "batch_loss", "elapsed")
# Pas de durée ni de vitesse dans la barre : les sorties enregistrées restent identiques.
_BAR_FORMAT = "{desc} : {percentage:3.0f} % |{bar}| {n_fmt}/{total_fmt} mini-lots"


@dataclass
class History:
    """Historique d'un apprentissage, prêt à tracer (``history.plot()``).

    ``epoch[k]`` est la position (en époques, éventuellement fractionnaire) de la k-ième
    mesure ; ``train_loss``/``train_acc`` sont moyennées sur les mini-lots vus depuis la
    mesure précédente (perte : la fonction de coût optimisée) ; ``eval_loss``/``eval_acc``
    (entropie croisée et exactitude) sont mesurées sur tout le jeu d'évaluation, nommé
    ``eval_name`` (« validation » ou « test »), vides s'il n'y en a pas. ``batch_loss``
    garde la perte de chaque mini-lot ; ``elapsed[k]`` la durée cumulée des pas (en secondes,
    évaluations exclues) au moment de la k-ième mesure.

    Chaque série est une liste (ou un tuple) de nombres réels, convertis en ``float`` (un
    tenseur à un élément est accepté) ; nan et ±inf sont acceptés (un apprentissage qui a
    divergé). Les séries peuvent être partielles (``History(epoch=[1.0], eval_acc=[0.9])``) :
    ``summary`` n'affiche que les valeurs présentes, ``plot`` demande une valeur par mesure.
    """

    epoch: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    eval_acc: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)
    elapsed: list[float] = field(default_factory=list)
    eval_name: str = ""

    def __post_init__(self) -> None:
        for name in _SERIES:
            values = getattr(self, name)
            if not isinstance(values, list | tuple):
                raise TypeError(f"{name} doit être une liste de nombres (reçu : "
                                f"{_validate._received(values)})")
            setattr(self, name, [_validate.number(f"{name}[{k}]", v)
                                 for k, v in enumerate(values)])
        _validate.instance("eval_name", self.eval_name, str, "un texte")

    def plot(self, *, title: str | None = None):
        """Trace les courbes de perte et d'exactitude (apprentissage et évaluation) ; un
        historique vide donne des axes vides, un historique incomplet une erreur
        (``plots.plot_history`` vérifie les longueurs)."""
        _validate.instance("title", title, str | None, "un texte ou None")
        return plot_history(self, title=title)

    def to_dict(self, *, digits: int = 5) -> dict:
        """Dictionnaire de listes arrondies à ``digits`` décimales, un entier ≥ 0 (pour
        l'enregistrer en JSON)."""
        digits = _validate.integer("digits", digits, low=0)
        values = {name: [round(v, digits) for v in getattr(self, name)] for name in _SERIES}
        return values | {"eval_name": self.eval_name}

    @classmethod
    def from_dict(cls, values: dict) -> "History":
        """Inverse de :meth:`to_dict` ; une clé absente donne une série vide."""
        _validate.instance("values", values, dict, "un dictionnaire (celui de to_dict())")
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError("clés inconnues dans l'historique : "
                             f"{', '.join(sorted(map(repr, unknown)))}")
        return cls(**values)

    def summary(self) -> str:
        """Une ligne lisible : les dernières valeurs présentes, arrondies."""
        if not self.epoch:
            return "Historique vide."
        parts = [f"perte d'apprentissage {self.train_loss[-1]:.3f}"] if self.train_loss else []
        if self.eval_loss:
            parts.append(f"perte ({self.eval_name}) {self.eval_loss[-1]:.3f}")
        if self.eval_acc:
            parts.append(f"exactitude ({self.eval_name}) {100 * self.eval_acc[-1]:.1f} %")
        return f"époque {self.epoch[-1]:g}" + ("\u00a0: " + ", ".join(parts) if parts else "")


def evaluate(model: nn.Module, data: Dataset, *, batch_size: int = 2000) -> tuple[float, float]:
    """Entropie croisée moyenne et exactitude (fraction dans [0, 1]) du modèle sur ``data``,
    en mode évaluation ; le mode du modèle est rétabli ensuite. ``data`` doit convenir au
    modèle (type, largeur, étiquettes < nombre de sorties) ; un modèle aux poids non finis
    (apprentissage divergé) donne une perte nan."""
    _inputs.check_outputs(model, "data", data)
    return _evaluate(model, data, _validate.integer("batch_size", batch_size, low=1))


@torch.no_grad()
def _evaluate(model: nn.Module, data: Dataset, batch_size: int) -> tuple[float, float]:
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    for x, y in zip(data.x.split(batch_size), data.y.split(batch_size), strict=True):
        logits = model(x)
        total_loss += F.cross_entropy(logits, y).item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
    model.train(was_training)
    return total_loss / len(data), correct / len(data)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, *, batch_size: int = 2000) -> torch.Tensor:
    """Classes prédites (N,) pour les entrées x (N, D), sans nan ni inf, en mode évaluation ;
    x vide (0, D) donne un tenseur vide."""
    _inputs.check_inputs(model, "x", x)
    batch_size = _validate.integer("batch_size", batch_size, low=1)
    if not len(x):
        return torch.zeros(0, dtype=torch.long)
    was_training = model.training
    model.eval()
    pred = torch.cat([model(chunk).argmax(dim=1) for chunk in x.split(batch_size)])
    model.train(was_training)
    return pred


def train(model: nn.Module, data: Dataset, optimizer: torch.optim.Optimizer, *,
          epochs: int = 1, batch_size: int = 64, eval_data: Dataset | None = None,
          evals_per_epoch: int = 1, loss_fn=None, hooks=(), seed: int = 0,
          progress: str | None = "Apprentissage") -> History:
    """Apprend ``model`` par descente de gradient par mini-lots et renvoie l'historique.

    data : le jeu d'apprentissage (x (N, D), y (N,)) ; optimizer : un ``torch.optim.Optimizer``
    déjà construit sur ``model.parameters()`` ; epochs : nombre de passages sur ``data`` ;
    eval_data : jeu mesuré ``evals_per_epoch`` fois par époque (validation, ou test pour une
    mesure finale ; None : aucune mesure) ; loss_fn : ``loss_fn(logits, cible)``, la fonction
    de coût optimisée (entropie croisée par défaut) ; hooks : crochets (docstring du module) ;
    seed : graine de l'ordre des mini-lots (générateur local, rien de global ne change) ;
    progress : étiquette de la barre de progression (None : pas de barre).

    Avant le premier mini-lot, les incompatibilités sont dites en français : optimiseur d'un
    autre modèle, pas ``lr`` négatif ou non fini dans ``optimizer.param_groups`` (un pas nul
    est accepté), données d'un autre type ou d'une autre largeur que le modèle, étiquettes
    hors de ses sorties, mini-lot d'un seul exemple avec la normalisation par lots ; au
    premier pas, une perte qui n'est pas un tenseur à un élément relié aux paramètres.
    ``batch_size`` peut dépasser ``len(data)`` : un seul mini-lot par époque.

    Si la perte d'un mini-lot n'est pas finie (nan ou inf : le pas est trop grand, en
    général), l'apprentissage s'arrête là : une ligne en français nomme le mini-lot, une
    dernière mesure est enregistrée (``history.batch_loss[-1]`` est alors non fini) et les
    crochets ``on_end`` sont appelés. Un Ctrl-C arrête aussi l'apprentissage et renvoie
    l'historique partiel.

    ``COURSE_SHRINK=1`` (intégration continue seulement) réduit l'apprentissage à une époque
    sur 2 000 exemples au plus, mesurée sur 1 000 : les résultats n'ont alors plus de sens.
    """
    _validate.module("model", model)
    _inputs.check_dataset("data", data)
    if eval_data is not None:
        _inputs.check_dataset("eval_data", eval_data)
    _inputs.check_optimizer(optimizer, model)
    epochs = _validate.integer("epochs", epochs, low=1)
    batch_size = _validate.integer("batch_size", batch_size, low=1)
    if os.environ.get("COURSE_SHRINK", "0") == "1":
        data, eval_data, epochs, evals_per_epoch = _inputs.shrink(data, eval_data, evals_per_epoch,
                                                           batch_size)
    n_batches = -(-len(data) // batch_size)  # ⌈N / batch_size⌉
    evals = _validate.integer("evals_per_epoch", evals_per_epoch, low=1, high=n_batches)
    eval_at = {round(k * n_batches / evals) for k in range(1, evals + 1)}  # mini-lots n°
    loss_fn = _inputs.check_loss_fn(loss_fn)
    hooks = _inputs.check_hooks(hooks)
    if _validate.integer("seed", seed, low=0) >= 2**64:  # la limite de torch.manual_seed
        raise ValueError(f"seed doit être un entier ≥ 0 et < 2⁶⁴ (reçu : {seed})")
    generator = torch.Generator().manual_seed(seed)
    _validate.instance("progress", progress, str | None, "un texte (l'étiquette de la barre) "
                       "ou None")
    _inputs.check_compatible(model, optimizer, data, eval_data, batch_size)
    history = History(eval_name="" if eval_data is None else eval_data.name)
    bar = tqdm(total=epochs * n_batches, desc=progress, bar_format=_BAR_FORMAT, leave=True,
               disable=progress is None or not _show_progress())
    was_training = model.training
    try:
        _epochs(model, data, optimizer, epochs, batch_size, eval_data, eval_at, loss_fn, hooks,
                generator, history, bar)
    except KeyboardInterrupt:  # Ctrl-C : on garde ce qui est appris et mesuré
        model.train(was_training)
        bar.close()
        print(f"⏹ Apprentissage interrompu après {len(history.batch_loss)} mini-lots : "
              "l'historique partiel est renvoyé.")
        return history
    bar.close()
    return history


def _epochs(model, data, optimizer, epochs, batch_size, eval_data, eval_at, loss_fn, hooks,
            generator, history, bar) -> None:
    """Les époques de :func:`train` ; ``history`` est rempli au fur et à mesure."""
    n_batches = -(-len(data) // batch_size)
    model.train()
    step, elapsed = 0, 0.0
    for epoch in range(epochs):
        order = torch.randperm(len(data), generator=generator)  # un nouvel ordre par époque
        seen, total_loss, correct = 0, 0.0, 0  # depuis la dernière mesure
        for b, idx in enumerate(order.split(batch_size), start=1):
            start = time.perf_counter()
            x, target = data.x[idx], data.y[idx]
            for hook in hooks["on_batch"]:
                x, target = _inputs.check_batch(hook, hook.on_batch(x, target, generator), x)
            loss, n_correct = _step(model, optimizer, loss_fn, x, target)
            elapsed += time.perf_counter() - start
            step += 1
            history.batch_loss.append(loss)
            seen, total_loss, correct = seen + len(idx), total_loss + loss * len(idx), \
                correct + n_correct
            bar.update(1)
            if not math.isfinite(loss):
                _record(history, model, eval_data, epoch + b / n_batches, total_loss / seen,
                        correct / seen, elapsed)
                _diverged(loss, step, optimizer, bar)
                break
            for hook in hooks["on_step"]:
                hook.on_step(model, step, loss)
            if b in eval_at:
                _record(history, model, eval_data, epoch + b / n_batches, total_loss / seen,
                        correct / seen, elapsed)
                seen, total_loss, correct = 0, 0.0, 0
        else:  # l'époque est allée à son terme
            stops = [_inputs.check_stop(hook, hook.on_epoch(model, history))
                     for hook in hooks["on_epoch"]]
            if not any(stops):
                continue
        break
    for hook in hooks["on_end"]:
        hook.on_end(model, history)


def _step(model, optimizer, loss_fn, x, target) -> tuple[float, int]:
    """Un pas d'optimisation sur le mini-lot ; renvoie (perte, nombre de bonnes réponses).

    Le calcul passe par une *closure*, comme le demande ``torch.optim`` : un optimiseur
    (Nesterov tel que sur les transparents) peut évaluer le gradient ailleurs qu'au point
    courant et refaire ce calcul lui-même.
    """
    seen = {}

    def closure():
        optimizer.zero_grad(set_to_none=True)
        logits = model(x)
        loss = _inputs.check_loss(loss_fn(logits, target))
        loss.backward()
        seen["logits"], seen["loss"] = logits, loss
        return loss

    optimizer.step(closure)
    labels = target if target.dim() == 1 else target.argmax(dim=1)  # cible douce : sa classe
    correct = (seen["logits"].argmax(dim=1) == labels).sum().item()
    return seen["loss"].item(), correct


def _diverged(loss: float, step: int, optimizer, bar) -> None:
    """Perte non finie au pas ``step`` : la barre se ferme, une ligne en français."""
    bar.close()
    rates = {group["lr"] for group in optimizer.param_groups if "lr" in group}
    rate = f" (lr = {min(rates):g})" if len(rates) == 1 else ""
    print(f"⚠ Perte non finie ({loss}) au mini-lot {step} : apprentissage arrêté. Le pas est "
          f"sans doute trop grand{rate} : essayez-en un plus petit.")


def _record(history: History, model, eval_data, position, train_loss, train_acc,
            elapsed) -> None:
    history.epoch.append(round(position, 6))
    history.train_loss.append(train_loss)
    history.train_acc.append(train_acc)
    history.elapsed.append(elapsed)
    if eval_data is not None:
        eval_loss, eval_acc = _evaluate(model, eval_data, 2000)
        history.eval_loss.append(eval_loss)
        history.eval_acc.append(eval_acc)
    model.train()


def _show_progress() -> bool:
    """Barre dans un notebook ou un terminal ; rien sous pytest ou si COURSE_QUIET=1."""
    if os.environ.get("COURSE_QUIET", "0") == "1":
        return False
    return _in_notebook() or sys.stderr.isatty()


def _in_notebook() -> bool:
    """Vrai dans un noyau Jupyter (JupyterLab, nbclient, nbval)."""
    if "IPython" not in sys.modules:
        return False
    shell = sys.modules["IPython"].get_ipython()
    return type(shell).__name__ == "ZMQInteractiveShell"
