"""Les arguments des figures et des widgets (``plots``, ``widgets``, ``figures``) : suites de
nombres, dictionnaires de courbes, trajectoires, tailles et artistes matplotlib, options des
widgets. Les erreurs suivent celles de :mod:`course_utils._validate` : en français, elles
nomment l'argument, disent ce qui est attendu et ce qui a été reçu."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from course_utils import _validate


def mapping(name: str, value: Any, *, keys: Iterable[str] = (),
            what: str = "un dictionnaire non vide") -> dict:
    """Un dictionnaire non vide qui a au moins les clés ``keys`` (``what`` le décrit)."""
    if not isinstance(value, dict):
        raise TypeError(f"{name} doit être {what} (reçu : {_validate._received(value)})")
    missing = [k for k in keys if k not in value]
    if not value or missing:
        raise ValueError(f"{name} doit être {what} (reçu : les clés {list(value)})")
    return value


def sequence(name: str, value: Any, what: str = "une liste non vide") -> list:
    """Une liste ou un tuple non vide (pas un texte), renvoyé en liste."""
    if not isinstance(value, list | tuple) or not value:
        error = ValueError if isinstance(value, list | tuple) else TypeError
        raise error(f"{name} doit être {what} (reçu : {_validate._received(value)})")
    return list(value)


def series(name: str, value: Any, *, length: int | None = None,
           unit: str = "valeurs") -> torch.Tensor:
    """Une suite 1-D de nombres réels (liste, tuple, tableau, tenseur), nan et ±inf compris,
    convertie en tenseur float64 ; ``length`` : longueur attendue."""
    try:
        values = None if isinstance(value, str | bytes | dict) or value is None else \
            torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        values = None
    if values is None or values.dim() != 1:
        raise TypeError(f"{name} doit être une liste de nombres réels (reçu : "
                        f"{_validate._received(value)})")
    if length is not None and len(values) != length:
        raise ValueError(f"{name} doit avoir {length} {unit}, une par abscisse (reçu : "
                         f"{len(values)} {unit} pour {length} abscisses)")
    return values


def figsize(name: str, value: Any) -> tuple[float, float]:
    """Une taille de figure (largeur, hauteur) en pouces : deux réels finis > 0."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise TypeError(f"{name} doit être un couple (largeur, hauteur) en pouces "
                        f"(reçu : {_validate._received(value)})")
    return _validate.positive(f"{name}[0]", value[0]), _validate.positive(f"{name}[1]", value[1])


def points(name: str, value: Any) -> np.ndarray:
    """Une trajectoire : tableau NumPy de réels finis de forme (n, 2), n ≥ 1."""
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
        raise TypeError(f"{name} doit être un tableau NumPy de réels de forme (n, 2) "
                        f"(reçu : {_validate._received(value)})")
    if value.ndim != 2 or value.shape[1] != 2 or not len(value):
        raise ValueError(f"{name} doit être un tableau de forme (n, 2), n ≥ 1 "
                         f"(reçu : forme {value.shape})")
    if not np.isfinite(value).all():
        raise ValueError(f"{name} doit être fini (reçu : un tableau qui contient nan ou inf ; "
                         "une trajectoire qui diverge s'arrête avant)")
    return value


def figure(name: str, value: Any) -> Any:
    """Une figure matplotlib (``matplotlib.figure.Figure``)."""
    from matplotlib.figure import Figure

    return _validate.instance(name, value, Figure, "une figure matplotlib")


def option(name: str, value: Any, options: Any) -> Any:
    """Une valeur parmi les ``options`` d'un widget (liste de valeurs, de couples (étiquette,
    valeur), ou dictionnaire {étiquette : valeur})."""
    if isinstance(options, dict):
        values = list(options.values())
    else:
        values = [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in options]
    try:
        found = any(value is v or bool(value == v) for v in values)
    except (TypeError, ValueError, RuntimeError):  # un tenseur, un tableau…
        found = False
    if not found:
        listed = ", ".join(repr(v) for v in values[:8]) + (", …" if len(values) > 8 else "")
        raise ValueError(f"{name} doit être l'une des valeurs proposées, {listed} "
                         f"(reçu : {_validate._received(value)})")
    return value


def artists(name: str, value: Any, cls: type | None = None) -> list | tuple:
    """Une liste (ou un tuple) d'artistes matplotlib (de la classe ``cls`` si elle est donnée)."""
    from matplotlib.artist import Artist

    cls = cls or Artist
    if not isinstance(value, list | tuple) or not all(isinstance(a, cls) for a in value):
        raise TypeError(f"{name} doit être une liste de {cls.__name__} matplotlib "
                        f"(reçu : {_validate._received(value)})")
    return value


def layers(name: str, value: Any) -> list | tuple:
    """Des couches ``[(clé, artistes), …]`` (``widgets.Backdrop.png``)."""
    if not isinstance(value, list | tuple) or not all(
            isinstance(x, tuple) and len(x) == 2 for x in value):
        raise TypeError(f"{name} doit être une liste de couples (clé, artistes) "
                        f"(reçu : {_validate._received(value)})")
    for _, group in value:
        artists(name, group)
    return value


def options(value: Any, chosen: Any = None) -> Any:
    """Les ``options`` d'un widget : une liste (ou un tuple) non vide, ou un dictionnaire non
    vide {étiquette : valeur} ; ``chosen`` (la valeur initiale ``value``), si elle n'est pas
    None, doit en faire partie."""
    if not isinstance(value, list | tuple | dict) or not value:
        raise (ValueError if isinstance(value, list | tuple | dict) else TypeError)(
            f"options doit être une liste ou un dictionnaire non vide "
            f"(reçu : {_validate._received(value)})")
    if chosen is not None:
        option("value", chosen, value)
    return value


def descent_view(optimizers: Any, value: Any, lr: Any, hyper: Any, reference: Any, *,
                 known: Iterable[str], sliders: Iterable[str]) -> tuple[str, ...]:
    """Les arguments de ``figures.optim.descent_view`` : des noms d'optimiseurs parmi
    ``known`` (``value`` l'un d'eux), un pas dans [1e-4, 1], des curseurs ``hyper`` nommés
    parmi ``sliders``, ``reference`` booléen. Renvoie les noms en tuple."""
    import ipywidgets as widgets

    known = list(known)
    names = sequence("optimizers", optimizers, "une liste non vide de noms d'optimiseurs")
    if isinstance(optimizers, str):
        raise TypeError(f"optimizers doit être une liste de noms (reçu : {optimizers!r})")
    for i, name in enumerate(names):
        _validate.choice(f"optimizers[{i}]", name, known)
    _validate.choice("value", value, names)
    if not 1e-4 <= _validate.real("lr", lr) <= 1:
        raise ValueError(f"lr doit être entre 1e-4 et 1 (reçu : {lr})")
    if not isinstance(hyper, dict):
        raise TypeError(f"hyper doit être un dictionnaire {{nom : curseur}} "
                        f"(reçu : {_validate._received(hyper)})")
    for name, slider in hyper.items():
        _validate.choice("hyper (nom de curseur)", name, list(sliders))
        _validate.instance(f"hyper[{name!r}]", slider, widgets.ValueWidget, "un curseur")
    _validate.boolean("reference", reference)
    return tuple(names)


def color(name: str, value: Any) -> Any:
    """Une couleur que matplotlib comprend (« tab:orange », « #1f77b4 », (r, g, b)…)."""
    from matplotlib.colors import is_color_like

    if value is None or not is_color_like(value):
        raise ValueError(f"{name} doit être une couleur matplotlib, par ex. « tab:orange » "
                         f"(reçu : {_validate._received(value)})")
    return value
