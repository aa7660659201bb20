"""Les vérifications d'arguments de tout le paquet, avec des messages d'erreur en français.

Chaque fonction reçoit le nom de l'argument puis sa valeur, et renvoie la valeur vérifiée
(convertie en ``float`` ou en ``int`` pour les nombres) ou lève une erreur qui dit ce qui
était attendu et ce qui a été reçu, par exemple « lr doit être un réel > 0 (reçu : -1) ».
``TypeError`` signale une valeur du mauvais type, ``ValueError`` une valeur hors des bornes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import numpy as np
import torch


def _received(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"un tenseur de forme {tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"un tableau NumPy de forme {value.shape}"
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
           dtype: torch.dtype | None = None, integer: bool = False) -> torch.Tensor:
    """Un ``torch.Tensor`` ; ``floating`` : de type flottant ; ``integer`` : de type entier
    (pas booléen) ; ``ndim`` : nombre de dimensions ; ``dtype`` : type exact des éléments."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} doit être un torch.Tensor (reçu : {type(value).__name__})")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} doit être un tenseur flottant (reçu : {value.dtype})")
    if integer and (value.is_floating_point() or value.is_complex() or value.dtype == torch.bool):
        raise TypeError(f"{name} doit être un tenseur d'entiers (reçu : {value.dtype})")
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


def number(name: str, value: Any) -> float:
    """Un nombre réel, nan et ±inf compris (une perte, une mesure), ou un tenseur à un seul
    élément réel ; converti en float."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not (
            value.is_complex() or value.dtype == torch.bool):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} doit être un nombre réel (reçu : {_received(value)})")
    return float(value)


def boolean(name: str, value: Any) -> bool:
    """``True`` ou ``False`` (pas 0, 1 ni une chaîne)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} doit valoir True ou False (reçu : {_received(value)})")
    return value


def finite(name: str, value: torch.Tensor) -> torch.Tensor:
    """Un tenseur sans nan ni inf (à réserver aux petits tenseurs : tout est parcouru)."""
    if value.is_floating_point() and not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} doit être fini (reçu : un tenseur qui contient nan ou inf)")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return "un tenseur"
    return "un tableau NumPy" if isinstance(value, np.ndarray) else "un nombre"


def array(name: str, value: Any, *, like: Any = None, like_name: str = "theta") -> Any:
    """Ce que reçoivent les pas sans état : un tenseur flottant, un tableau NumPy flottant ou un
    nombre réel (pas un booléen). ``like`` : la valeur (nommée ``like_name``) dont ``value``
    doit avoir le genre, la forme et le type des éléments (un nombre va avec une forme ())."""
    if isinstance(value, torch.Tensor):
        if not value.is_floating_point():
            raise TypeError(f"{name} doit être un tenseur flottant (reçu : {value.dtype})")
    elif isinstance(value, np.ndarray):
        if value.dtype.kind != "f":
            raise TypeError(f"{name} doit être un tableau NumPy flottant (reçu : {value.dtype})")
    elif isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} doit être un tenseur, un tableau NumPy ou un nombre réel "
                        f"(reçu : {_received(value)})")
    if like is None:
        return value
    arrays = [v for v in (value, like) if isinstance(v, torch.Tensor | np.ndarray)]
    if len(arrays) == 2 and _kind(value) != _kind(like):
        raise TypeError(f"{name} doit être du même genre que {like_name}, {_kind(like)} "
                        f"(reçu : {_kind(value)})")
    got, wanted = tuple(np.shape(value)), tuple(np.shape(like))
    if got != wanted:
        raise ValueError(f"{name} doit avoir la forme de {like_name}, {wanted} (reçu : {got})")
    if len(arrays) == 2 and value.dtype != like.dtype:
        raise TypeError(f"{name} doit avoir le type des éléments de {like_name}, {like.dtype} "
                        f"(reçu : {value.dtype})")
    return value


def state(name: str, value: Any, cls: type, theta: Any) -> Any:
    """None (premier pas) ou un état ``cls`` (une dataclass) dont chaque champ tableau a le
    genre, la forme et le type de ``theta`` ; le compteur ``t`` éventuel est un entier ≥ 0."""
    if value is None:
        return None
    if not isinstance(value, cls):
        raise TypeError(f"{name} doit être None (premier pas) ou un {cls.__name__} "
                        f"(reçu : {type(value).__name__})")
    for field in value.__dataclass_fields__:
        if field == "t":
            integer(f"{name}.t", value.t, low=0)
        else:
            array(f"{name}.{field}", getattr(value, field), like=theta)
    return value


def parameters(name: str, value: Any) -> list:
    """Ce que reçoit un ``torch.optim.Optimizer`` : des paramètres (tenseurs flottants, ou
    couples (nom, tenseur)) ou des groupes (dictionnaires avec la clé "params"), au moins un."""
    if isinstance(value, torch.Tensor | str | bytes | dict) or not isinstance(value, Iterable):
        raise TypeError(f"{name} doit être une liste de paramètres, par ex. model.parameters() "
                        f"(reçu : {_received(value)})")
    items = list(value)
    if not items:
        raise ValueError(f"{name} est vide : il faut au moins un paramètre (un modèle sans "
                         "poids ?)")
    for k, item in enumerate(items):
        if isinstance(item, dict):
            if "params" not in item:
                raise ValueError(f"chaque groupe de {name} doit avoir la clé « params » "
                                 f"(reçu : les clés {sorted(item)})")
            group = item["params"]  # un générateur n'est lu qu'une fois : on garde la liste
            items[k] = item | {"params": parameters(
                f"{name}[…]['params']", [group] if isinstance(group, torch.Tensor) else group)}
            continue
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            item = item[1]  # model.named_parameters()
        if not isinstance(item, torch.Tensor):
            raise TypeError(f"{name} doit contenir des tenseurs (reçu : {_received(item)})")
        if not item.is_floating_point() or not item.is_leaf:
            raise ValueError(f"{name} doit contenir des tenseurs flottants créés directement "
                             "(nn.Parameter, ou torch.zeros(…, requires_grad=True)), pas le "
                             f"résultat d'un calcul (reçu : {item.dtype}, "
                             f"{'feuille' if item.is_leaf else 'calculé'})")
    return items


def model_input(name: str, value: Any, model: torch.nn.Module) -> torch.Tensor:
    """Une entrée de ``model`` : tenseur flottant du type de ses poids et, si le modèle est un
    ``nn.Sequential`` qui commence par ``nn.Linear``, de forme (N, in_features)."""
    module("model", model)
    tensor(name, value, floating=True)
    weights = next((p for p in model.parameters() if p.is_floating_point()), None)
    if weights is not None and weights.dtype != value.dtype:
        raise TypeError(f"{name} doit avoir le type des poids du modèle, {weights.dtype} "
                        f"(reçu : {value.dtype}) : convertissez l'un des deux ({name}.float() "
                        "ou model.double())")
    first = model[0] if isinstance(model, torch.nn.Sequential) and len(model) else None
    if isinstance(first, torch.nn.Linear) and (value.dim() != 2
                                               or value.shape[1] != first.in_features):
        raise ValueError(f"{name} doit être de forme (N, {first.in_features}), l'entrée du "
                         f"modèle (reçu : {tuple(value.shape)})")
    return value


def dim(name: str, value: Any, x: torch.Tensor) -> int:
    """Un numéro de dimension de ``x`` (négatif : compté depuis la fin)."""
    return integer(name, value, low=-max(x.dim(), 1), high=max(x.dim(), 1) - 1)


def instance(name: str, value: Any, cls: type | tuple[type, ...], what: str) -> Any:
    """Un objet de la classe ``cls`` (``what`` la nomme dans le message : « un Dataset »)."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} doit être {what} (reçu : {type(value).__name__})")
    return value


def positives(name: str, values: Any, *, integer_low: int | None = None) -> list:
    """Une liste (ou un tuple) non vide de réels finis > 0, ou d'entiers ≥ ``integer_low``."""
    what = "de réels finis > 0" if integer_low is None else f"d'entiers ≥ {integer_low}"
    message = f"{name} doit être une liste non vide {what} (reçu\u00a0: {_received(values)})"
    if not isinstance(values, list | tuple):
        raise TypeError(message)
    if not values:
        raise ValueError(message)
    try:
        if integer_low is None:
            return [positive(name, v) for v in values]
        return [integer(name, v, low=integer_low) for v in values]
    except (TypeError, ValueError) as error:
        raise type(error)(message) from None


def labels(name: str, value: Any, *, n: int | None = None,
           classes: int | None = None) -> torch.Tensor:
    """Des étiquettes : tenseur int64 (N,) (N = ``n`` s'il est donné), valeurs ≥ 0 et, si
    ``classes`` est donné, < ``classes``."""
    shape(name, tensor(name, value, dtype=torch.int64), (n,))
    if len(value) and (int(value.min()) < 0
                       or (classes is not None and int(value.max()) >= classes)):
        wanted = "≥ 0" if classes is None else f"entre 0 et {classes - 1}"
        raise ValueError(f"{name} doit contenir des étiquettes {wanted} (reçu : de "
                         f"{int(value.min())} à {int(value.max())})")
    return value
