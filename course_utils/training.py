"""Boucle d'apprentissage par mini-lots sur des tenseurs en mémoire, évaluation, historique.

Pas de ``DataLoader`` exemple par exemple : à chaque époque, on tire une permutation des
indices et on découpe des mini-lots par indexation (``x[idx]``), ce qui est bien plus
rapide pour des données qui tiennent en mémoire (voir ``benchmarks/bench_training.py``).
"""

import os
import sys
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

# Pas de durée ni de vitesse dans la barre : les sorties enregistrées restent identiques.
_BAR_FORMAT = "{desc} : {percentage:3.0f} % |{bar}| {n_fmt}/{total_fmt} mini-lots"


@dataclass
class History:
    """Historique d'un apprentissage, prêt à tracer (``history.plot()``).

    ``epoch[k]`` est la position (en époques, éventuellement fractionnaire) de la k-ième
    mesure ; ``train_loss``/``train_acc`` sont moyennés sur les mini-lots vus depuis la
    mesure précédente, ``test_loss``/``test_acc`` calculés sur tout le jeu de test.
    ``batch_loss`` garde la perte de chaque mini-lot ; ``elapsed[k]`` la durée cumulée des
    pas d'apprentissage (en secondes, évaluations exclues) au moment de la k-ième mesure.
    """

    epoch: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)
    elapsed: list[float] = field(default_factory=list)

    def plot(self, *, title: str | None = None):
        """Trace les courbes de perte et d'exactitude (apprentissage et test)."""
        from course_utils.plots import plot_history

        return plot_history(self, title=title)

    def to_dict(self, *, digits: int = 5) -> dict:
        """Dictionnaire de listes arrondies (pour l'enregistrer en JSON avec ``cached``)."""
        return {name: [round(v, digits) for v in getattr(self, name)]
                for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, values: dict) -> "History":
        """Inverse de ``to_dict``."""
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"clés inconnues dans l'historique : {sorted(unknown)}")
        return cls(**{name: list(v) for name, v in values.items()})

    def summary(self) -> str:
        """Une ligne lisible : dernières valeurs arrondies."""
        if not self.epoch:
            return "Historique vide."
        return (
            f"époque {self.epoch[-1]:g} : perte apprentissage {self.train_loss[-1]:.3f}, "
            f"perte test {self.test_loss[-1]:.3f}, exactitude test {100 * self.test_acc[-1]:.1f} %"
        )


def _check_data(x: torch.Tensor, y: torch.Tensor, name: str) -> None:
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"{name} : x et y doivent être des torch.Tensor")
    if x.ndim < 2 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{name} : formes attendues x (N, …) et y (N,) avec le même N "
            f"(reçu : x {tuple(x.shape)}, y {tuple(y.shape)})"
        )


def _show_progress(progress: bool | None) -> bool:
    """Par défaut : barre dans un notebook ou un terminal, rien sous pytest ou si COURSE_QUIET=1."""
    if progress is not None:
        return progress
    if os.environ.get("COURSE_QUIET", "0") == "1":
        return False
    return _in_notebook() or sys.stderr.isatty()


def _in_notebook() -> bool:
    """Vrai dans un noyau Jupyter (JupyterLab, nbclient, nbval)."""
    if "IPython" not in sys.modules:
        return False
    shell = sys.modules["IPython"].get_ipython()
    return type(shell).__name__ == "ZMQInteractiveShell"


@torch.no_grad()
def evaluate(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, batch_size: int = 2000, loss_fn=None
) -> tuple[float, float]:
    """Perte moyenne et exactitude du modèle sur (x, y), en mode évaluation.

    x : (N, D) ; y : (N,) entiers. Renvoie ``(perte, exactitude)`` ; l'exactitude est la
    fraction de bonnes réponses, dans [0, 1]. Le mode du modèle est restauré ensuite.
    """
    _check_data(x, y, "evaluate")
    loss_fn = F.cross_entropy if loss_fn is None else loss_fn
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        logits = model(x[i : i + batch_size])
        target = y[i : i + batch_size]
        total_loss += loss_fn(logits, target).item() * len(target)
        correct += (logits.argmax(dim=1) == target).sum().item()
    model.train(was_training)
    return total_loss / len(x), correct / len(x)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, *, batch_size: int = 2000) -> torch.Tensor:
    """Classes prédites (N,) pour les entrées x (N, D), en mode évaluation."""
    was_training = model.training
    model.eval()
    chunks = [model(x[i : i + batch_size]).argmax(dim=1) for i in range(0, len(x), batch_size)]
    pred = torch.cat(chunks)
    model.train(was_training)
    return pred


def train(
    model: nn.Module,
    data,
    *,
    optimizer: torch.optim.Optimizer,
    epochs: int = 1,
    batch_size: int = 64,
    loss_fn=None,
    evals_per_epoch: int = 1,
    seed: int = 0,
    progress: bool | None = None,
    desc: str = "Apprentissage",
    penalty=None,
    transform=None,
) -> History:
    """Apprend ``model`` par descente de gradient par mini-lots et renvoie l'historique.

    data : un objet avec ``x_train, y_train, x_test, y_test`` (par exemple ``load_mnist()``),
        x : (N, D) float, y : (N,) int64.
    optimizer : un ``torch.optim.Optimizer`` déjà construit sur ``model.parameters()``.
    epochs : nombre d'époques (passages complets sur le jeu d'apprentissage).
    evals_per_epoch : nombre de mesures (perte et exactitude) par époque.
    seed : graine de l'ordre des mini-lots (générateur local : rien de global n'est modifié).
    progress : barre de progression (``None`` : affichée sauf sous pytest ou ``COURSE_QUIET=1``).
    penalty : ``penalty(model) -> tenseur 0-d`` ajouté à la perte de chaque mini-lot (par
        exemple la pénalisation α Ω(θ) du chapitre 7) ; la perte enregistrée l'inclut.
    transform : ``transform(x, y, generator) -> (x, cible)`` appliqué à chaque mini-lot
        d'apprentissage (augmentation de données, Mixup…) ; la cible peut être une
        distribution (N, C) : ``F.cross_entropy`` l'accepte. ``generator`` est le générateur
        local de l'apprentissage.
    """
    _check_data(data.x_train, data.y_train, "train (apprentissage)")
    _check_data(data.x_test, data.y_test, "train (test)")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} doit être un entier ≥ 1 (reçu : {value!r})")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError("optimizer doit être un torch.optim.Optimizer (ex. torch.optim.SGD)")
    loss_fn = F.cross_entropy if loss_fn is None else loss_fn
    x, y = data.x_train, data.y_train
    n = len(x)
    n_batches = (n + batch_size - 1) // batch_size
    if not isinstance(evals_per_epoch, int) or not 1 <= evals_per_epoch <= n_batches:
        raise ValueError(
            f"evals_per_epoch doit être un entier entre 1 et {n_batches} "
            f"(reçu : {evals_per_epoch!r})"
        )
    eval_at = {round(k * n_batches / evals_per_epoch) for k in range(1, evals_per_epoch + 1)}
    generator = torch.Generator().manual_seed(seed)
    history = History()
    bar = tqdm(total=epochs * n_batches, desc=desc, bar_format=_BAR_FORMAT,
               disable=not _show_progress(progress), leave=True)
    model.train()
    elapsed = 0.0
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=generator)
        window_loss, window_correct, window_n = 0.0, 0, 0
        for b in range(n_batches):
            idx = perm[b * batch_size : (b + 1) * batch_size]
            start = time.perf_counter()
            xb, yb = x[idx], y[idx]
            if transform is not None:
                xb, yb = transform(xb, yb, generator)
            loss_value, correct = _train_step(model, optimizer, loss_fn, xb, yb, penalty)
            elapsed += time.perf_counter() - start
            history.batch_loss.append(loss_value)
            window_loss += loss_value * len(idx)
            window_correct += correct
            window_n += len(idx)
            bar.update(1)
            if b + 1 in eval_at:
                history.elapsed.append(elapsed)
                _record(history, model, data, epoch + (b + 1) / n_batches,
                        window_loss / window_n, window_correct / window_n, loss_fn)
                window_loss, window_correct, window_n = 0.0, 0, 0
    bar.close()
    return history


def _train_step(model, optimizer, loss_fn, xb, yb, penalty=None) -> tuple[float, int]:
    """Un pas d'optimisation sur le mini-lot (xb, yb) ; renvoie (perte, bonnes réponses).

    Le calcul passe par une *closure*, comme le demande ``torch.optim`` : certains
    optimiseurs (Nesterov tel que sur les transparents) évaluent le gradient ailleurs qu'au
    point courant et ont besoin de refaire ce calcul eux-mêmes.
    """
    seen = {}

    def closure():
        optimizer.zero_grad(set_to_none=True)
        logits = model(xb)
        loss = loss_fn(logits, yb)
        if penalty is not None:
            loss = loss + penalty(model)
        loss.backward()
        seen["logits"], seen["loss"] = logits, loss
        return loss

    optimizer.step(closure)
    labels = yb if yb.ndim == 1 else yb.argmax(dim=1)  # cible douce : sa classe dominante
    correct = (seen["logits"].argmax(dim=1) == labels).sum().item()
    return seen["loss"].item(), correct


def _record(history, model, data, position, train_loss, train_acc, loss_fn) -> None:
    test_loss, test_acc = evaluate(model, data.x_test, data.y_test, loss_fn=loss_fn)
    model.train()
    history.epoch.append(round(position, 6))
    history.train_loss.append(train_loss)
    history.train_acc.append(train_acc)
    history.test_loss.append(test_loss)
    history.test_acc.append(test_acc)
