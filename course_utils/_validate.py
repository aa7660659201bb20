"""Les vérifications d'arguments de tout le paquet, avec des messages d'erreur en français.

Chaque fonction reçoit le nom de l'argument puis sa valeur, et renvoie la valeur vérifiée
(convertie en ``float`` ou en ``int`` pour les nombres) ou lève une erreur qui dit ce qui
était attendu et ce qui a été reçu, par exemple « lr doit être un réel > 0 (reçu : -1) ».
``TypeError`` signale une valeur du mauvais type, ``ValueError`` une valeur hors des bornes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Collection, Sequence
from typing import Any

import torch


def _received(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"un tenseur de forme {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _number(name: str, value: Any, what: str) -> float:
    """Un nombre réel fini (pas un booléen), converti en float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} doit être {what} (reçu : {_received(value)})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} doit être {what} (reçu : {value})")
    return value


def real(name: str, value: Any) -> float:
    """Un réel fini quelconque."""
    return _number(name, value, "un réel fini")


def positive(name: str, value: Any) -> float:
    """Un réel fini > 0 (un pas d'apprentissage, un écart-type non nul…)."""
    value = _number(name, value, "un réel fini > 0")
    if value <= 0:
        raise ValueError(f"{name} doit être un réel fini > 0 (reçu : {value})")
    return value


def nonnegative(name: str, value: Any) -> float:
    """Un réel fini ≥ 0 (un coefficient de pénalisation, un δ…)."""
    value = _number(name, value, "un réel fini ≥ 0")
    if value < 0:
        raise ValueError(f"{name} doit être un réel fini ≥ 0 (reçu : {value})")
    return value


def rate(name: str, value: Any) -> float:
    """Un taux dans [0, 1) : momentum, taux de décroissance ρ, probabilité d'éteindre…"""
    value = _number(name, value, "un réel dans [0, 1)")
    if not 0 <= value < 1:
        raise ValueError(f"{name} doit être un réel dans [0, 1) (reçu : {value})")
    return value


def probability(name: str, value: Any) -> float:
    """Un réel dans [0, 1]."""
    value = _number(name, value, "un réel dans [0, 1]")
    if not 0 <= value <= 1:
        raise ValueError(f"{name} doit être un réel dans [0, 1] (reçu : {value})")
    return value


def integer(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Un entier (pas un booléen) dans [low, high], chaque borne étant facultative."""
    if low is not None and high is not None:
        what = f"un entier entre {low} et {high}"
    elif low is not None:
        what = f"un entier ≥ {low}"
    elif high is not None:
        what = f"un entier ≤ {high}"
    else:
        what = "un entier"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} doit être {what} (reçu : {_received(value)})")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} doit être {what} (reçu : {value})")
    return value


def choice(name: str, value: Any, choices: Collection[Any]) -> Any:
    """Une valeur parmi ``choices`` (le message les énumère)."""
    try:
        known = value in choices
    except TypeError:  # valeur non hachable : elle n'est certainement pas un choix
        known = False
    if not known:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} inconnu : {_received(value)} (attendu : {listed})")
    return value


def tensor(name: str, value: Any, *, floating: bool = False, ndim: int | None = None,
           dtype: torch.dtype | None = None) -> torch.Tensor:
    """Un ``torch.Tensor`` ; ``floating`` : de type flottant ; ``ndim`` : nombre de
    dimensions ; ``dtype`` : type exact des éléments."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} doit être un torch.Tensor (reçu : {type(value).__name__})")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} doit être un tenseur flottant (reçu : {value.dtype})")
    if dtype is not None and value.dtype != dtype:
        raise TypeError(f"{name} doit être un tenseur {dtype} (reçu : {value.dtype})")
    if ndim is not None and value.dim() != ndim:
        raise ValueError(f"{name} doit avoir {ndim} dimension{'s' if ndim > 1 else ''} "
                         f"(reçu : forme {tuple(value.shape)})")
    return value


def shape(name: str, value: torch.Tensor, expected: Sequence[int | None]) -> torch.Tensor:
    """Un tenseur de forme ``expected`` ; ``None`` accepte n'importe quelle taille."""
    tensor(name, value)
    got = tuple(value.shape)
    if len(got) != len(expected) or any(e is not None and g != e
                                        for g, e in zip(got, expected, strict=False)):
        wanted = "(" + ", ".join("…" if e is None else str(e) for e in expected) + \
                 ("," if len(expected) == 1 else "") + ")"
        raise ValueError(f"{name} doit être de forme {wanted} (reçu : {got})")
    return value


def generator(name: str, value: Any) -> torch.Generator | None:
    """``None`` (générateur global de PyTorch) ou un ``torch.Generator``."""
    if value is not None and not isinstance(value, torch.Generator):
        raise TypeError(f"{name} doit être un torch.Generator ou None "
                        f"(reçu : {type(value).__name__})")
    return value


def function(name: str, value: Any) -> Callable[..., Any]:
    """Un objet appelable (fonction, classe, module…)."""
    if not callable(value):
        raise TypeError(f"{name} doit être une fonction (reçu : {type(value).__name__})")
    return value


def module(name: str, value: Any) -> torch.nn.Module:
    """Un ``torch.nn.Module``."""
    if not isinstance(value, torch.nn.Module):
        raise TypeError(f"{name} doit être un torch.nn.Module (reçu : {type(value).__name__})")
    return value
