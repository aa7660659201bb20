"""Balayages : plusieurs réglages appris sur les mêmes données, et leurs résultats enregistrés.

:func:`sweep` renvoie des :class:`Runs` (une liste de ``Run``), que l'on interroge par les
champs des réglages, jamais par des clés en texte : ``runs.get(activation="relu", lr=0.1)``.
Un balayage trop long pour un notebook passe par :func:`cached_sweep` : calculé une fois,
enregistré dans ``notebooks/resultats/<nom>.json`` (réglages et historiques, en données),
puis relu ; ``COURSE_REGENERATE=1 make notebooks`` le recalcule.
"""

import dataclasses
import inspect
import itertools
import random
from collections.abc import Iterable, Iterator
from types import MappingProxyType

from course_utils import _validate
from course_utils.cache import cached, load_results
from course_utils.data import load_mnist
from course_utils.runs import Run, RunConfig, evaluation_data, run
from course_utils.training import History

_LOAD_MNIST_OPTIONS = tuple(inspect.signature(load_mnist).parameters)


class Runs:
    """Une suite de :class:`~course_utils.runs.Run`, dans l'ordre des réglages.

    ``runs.get(**champs)`` : le seul run dont le réglage a ces valeurs ; ``runs.where(...)``
    : ceux qui les ont ; ``runs.values("lr")`` : les valeurs distinctes d'un champ.
    """

    def __init__(self, runs: Iterable[Run]) -> None:
        self._runs = tuple(_runs("runs", runs, empty_ok=True))

    def __iter__(self) -> Iterator[Run]:
        return iter(self._runs)

    def __len__(self) -> int:
        return len(self._runs)

    def __getitem__(self, index: int) -> Run:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index doit être un entier (reçu : {type(index).__name__})")
        if not -len(self) <= index < len(self):
            raise IndexError(f"index doit être entre {-len(self)} et {len(self) - 1} "
                             f"(reçu : {index})")
        return self._runs[index]

    def __repr__(self) -> str:
        return f"Runs({len(self)} runs)"

    def where(self, **fields) -> "Runs":
        """Les runs dont le réglage a les valeurs données (``lr=0.1``, ``batch_norm=None``…)."""
        for name in fields:
            _validate.choice("champ", name, RunConfig.__dataclass_fields__)
        return Runs(r for r in self if all(getattr(r.config, name) == value
                                           for name, value in fields.items()))

    def get(self, **fields) -> Run:
        """Le run dont le réglage a les valeurs données ; erreur s'il n'y en a pas exactement un."""
        found = self.where(**fields)
        if len(found) != 1:
            wanted = ", ".join(f"{k}={v!r}" for k, v in fields.items())
            raise KeyError(f"{len(found)} runs avec {wanted} : il en faut exactement un "
                           "(vérifiez les valeurs demandées)")
        return found[0]

    def values(self, field: str) -> list:
        """Les valeurs distinctes du champ ``field``, dans l'ordre des runs."""
        _validate.choice("field", field, RunConfig.__dataclass_fields__)
        return list(dict.fromkeys(getattr(r.config, field) for r in self))

    def to_dict(self, *, keep_batch_loss: bool = True) -> list[dict]:
        """Les runs en données JSON : ``[{"config": …, "history": …}, …]``."""
        saved = []
        for r in self:
            history = r.history.to_dict()
            if not keep_batch_loss:
                history["batch_loss"] = []
            saved.append({"config": r.config.to_dict(), "history": history})
        return saved

    @classmethod
    def from_dict(cls, saved: list[dict]) -> "Runs":
        """Inverse de :meth:`to_dict` (les réseaux appris ne sont pas relus)."""
        return cls(Run(RunConfig.from_dict(item["config"]), History.from_dict(item["history"]))
                   for item in saved)


def _runs(name: str, values, *, empty_ok: bool = False) -> list[Run]:
    """Une suite de Run (résultats de runs.run), vérifiée ; vide seulement si ``empty_ok``."""
    if isinstance(values, str | Run) or not isinstance(values, Iterable):
        raise TypeError(f"{name} doit être une liste de Run (reçu : {type(values).__name__})")
    values = list(values)
    if not empty_ok and not values:
        raise ValueError(f"{name} ne doit pas être vide")
    for value in values:
        if not isinstance(value, Run):
            raise TypeError(f"{name} doit contenir des Run, résultats de runs.run (reçu : "
                            f"{type(value).__name__})")
    return values


def _configs(configs) -> list[RunConfig]:
    """Une liste non vide de RunConfig, vérifiée avant le moindre apprentissage."""
    if isinstance(configs, str | RunConfig) or not isinstance(configs, Iterable):
        raise TypeError(f"configs doit être une liste de RunConfig (reçu : "
                        f"{type(configs).__name__})")
    configs = list(configs)
    if not configs:
        raise ValueError("configs doit contenir au moins un RunConfig")
    for config in configs:
        if not isinstance(config, RunConfig):
            raise TypeError(f"configs doit contenir des RunConfig (reçu : "
                            f"{type(config).__name__})")
    return configs


def sweep(configs: Iterable[RunConfig], data, *, eval_on: str = "validation") -> Runs:
    """Apprend chaque réglage de ``configs`` sur ``data`` (voir ``runs.run``) ; tout est
    vérifié avant le premier apprentissage."""
    configs = _configs(configs)
    evaluation_data(data, eval_on)
    return Runs(run(config, data, eval_on=eval_on) for config in configs)


def cached_sweep(name: str, configs: Iterable[RunConfig], *, data: dict,
                 eval_on: str = "validation", keep_batch_loss: bool = False) -> Runs:
    """:func:`sweep` enregistré sous ``name`` (voir ``cache.cached``).

    data : les arguments de ``load_mnist`` (par ex. ``{"train_size": 10000}``) : les données
    ne sont chargées que s'il faut calculer. Le fichier garde ces arguments, ``eval_on`` et,
    pour chaque run, son réglage et son historique (sans les pertes par mini-lot, sauf
    ``keep_batch_loss``) ; il est recalculé si ce qui est demandé a changé.
    """
    configs = _configs(configs)
    if not isinstance(data, dict | MappingProxyType):
        raise TypeError(f"data doit être un dictionnaire d'arguments de load_mnist (reçu : "
                        f"{type(data).__name__})")
    for key in data:
        _validate.choice("chaque clé de data", key, _LOAD_MNIST_OPTIONS)
    _validate.choice("eval_on", eval_on, ("validation", "test"))
    _validate.boolean("keep_batch_loss", keep_batch_loss)
    wanted = {"data": dict(data), "eval_on": eval_on,
              "configs": [c.to_dict() for c in configs]}

    def compute() -> dict:
        runs = sweep(configs, load_mnist(**data), eval_on=eval_on)
        return {"data": dict(data), "eval_on": eval_on,
                "runs": runs.to_dict(keep_batch_loss=keep_batch_loss)}

    saved = cached(name, compute)
    if _description(saved) != wanted:
        saved = cached(name, compute, regenerate=True)
    return Runs.from_dict(saved["runs"])


def _description(saved: dict) -> dict:
    return {"data": saved.get("data"), "eval_on": saved.get("eval_on"),
            "configs": [item["config"] for item in saved.get("runs", [])]}


def rerun(name: str, index: int) -> tuple[Run, Run]:
    """Refait le run n° ``index`` d'un balayage enregistré : ``(enregistré, refait)``, pour
    vérifier que le fichier correspond bien au code actuel."""
    saved = load_results(name)
    stored = Runs.from_dict(saved["runs"])[_validate.integer("index", index)]
    fresh = run(stored.config, load_mnist(**saved["data"]), eval_on=saved["eval_on"],
                progress=None)
    return stored, fresh


def sample_configs(base: RunConfig, space: dict[str, list], n: int, *,
                   seed: int = 0) -> list[RunConfig]:
    """Recherche aléatoire : ``n`` réglages distincts tirés dans la grille ``space``.

    space : ``{champ de RunConfig : liste de valeurs}`` ; une valeur peut aussi être un
    dictionnaire de plusieurs champs qui vont ensemble, par ex. l'optimiseur et son pas
    ``{"optimizer": "adam", "lr": 0.002}``. Les autres champs sont ceux de ``base``.
    """
    _validate.integer("seed", seed, low=0)
    if not isinstance(base, RunConfig):
        raise TypeError(f"base doit être un RunConfig (reçu : {type(base).__name__})")
    if not isinstance(space, dict):
        raise TypeError(f"space doit être un dictionnaire {{champ : liste de valeurs}} "
                        f"(reçu : {type(space).__name__})")
    for name, values in space.items():
        _validate.choice("chaque clé de space", name, RunConfig.__dataclass_fields__)
        if not isinstance(values, list | tuple) or not values:
            raise TypeError(f"space[{name!r}] doit être une liste non vide de valeurs "
                            f"(reçu : {values!r:.60})")
        for value in values:
            for field in value if isinstance(value, dict) else ():
                _validate.choice(f"chaque champ de space[{name!r}]", field,
                                 RunConfig.__dataclass_fields__)
    grid = list(itertools.product(*space.values()))
    _validate.integer("n", n, low=1, high=len(grid))
    configs = []
    for values in random.Random(seed).sample(grid, n):
        changes = {}
        for name, value in zip(space, values, strict=True):
            changes |= value if isinstance(value, dict) else {name: value}
        configs.append(dataclasses.replace(base, **changes))
    return configs


def best_run(runs: Iterable[Run]) -> Run:
    """Le run dont la dernière exactitude d'évaluation (``history.eval_acc[-1]``) est la plus
    haute ; le premier en cas d'égalité. On choisit sur la validation, jamais sur le test."""
    runs = _runs("runs", runs)
    for r in runs:
        if not r.history.eval_acc:
            raise ValueError("chaque run de runs doit avoir une exactitude d'évaluation "
                             "(history.eval_acc vide : appris sans jeu d'évaluation ?)")
    return max(runs, key=lambda r: r.history.eval_acc[-1])
