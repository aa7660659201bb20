"""Isoler l'appel d'une réponse : temps limité, sorties capturées, état de PyTorch rétabli.

Un vérificateur appelle la fonction de l'étudiant, qui peut boucler sans fin, afficher des
milliers de lignes ou changer un réglage global de PyTorch. Ce module l'en protège :

- :func:`time_limit` interrompt l'appel au bout de ``seconds`` secondes (signal ``SIGALRM``,
  dans le fil principal d'un système POSIX ; ailleurs, pas de limite) ;
- :func:`captured` garde ce que l'appel affiche, au lieu de le laisser noyer le verdict ;
- :func:`clone` donne à la réponse des copies de ses arguments, et :func:`changed` repère ce
  qu'elle y a modifié ;
- :func:`torch_state` rétablit ensuite le générateur aléatoire global, le type flottant par
  défaut (``torch.set_default_dtype``) et le mode du gradient (``torch.set_grad_enabled``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import numbers
import signal
import threading
from collections.abc import Iterator
from typing import Any

import torch

from course_utils.checks.messages import is_real

TIME_LIMIT = 5.0
"""Durée maximale (en secondes) d'un appel de la fonction de l'étudiant."""


class TimeLimitExceeded(Exception):
    """L'appel a dépassé la durée permise."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"pas de réponse en {seconds:g} s")
        self.seconds = seconds


@contextlib.contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Lève :class:`TimeLimitExceeded` dans le bloc s'il dure plus de ``seconds`` secondes
    (par défaut :data:`TIME_LIMIT`, lu au moment de l'appel)."""
    seconds = TIME_LIMIT if seconds is None else seconds
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def interrupt(signum, frame):
        raise TimeLimitExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def captured() -> Iterator[io.StringIO]:
    """Ce que le bloc écrit sur la sortie standard ou d'erreur, gardé dans un ``StringIO``."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        yield buffer


@contextlib.contextmanager
def torch_state() -> Iterator[None]:
    """Générateur aléatoire global, type flottant par défaut et mode du gradient rétablis à
    la sortie du bloc, quoi qu'y fasse la réponse."""
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            torch.set_default_dtype(dtype)
            torch.set_grad_enabled(grad)


def printed_summary(text: str) -> str | None:
    """Une ligne qui résume ce qu'a affiché la réponse (None si rien)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    first = lines[0].strip()
    first = first if len(first) <= 60 else first[:59] + "…"
    count = f"{len(lines)} ligne" + ("s" if len(lines) > 1 else "")
    return (f"(votre fonction a affiché {count}, la première : « {first} » ; retirez les "
            "print une fois la mise au point finie)")


def clone(obj: Any) -> Any:
    """Copie profonde des tenseurs (détachés), listes, tuples, dictionnaires et états
    (dataclasses) ; les autres objets sont partagés."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, (list, tuple)):
        return type(obj)(clone(v) for v in obj)
    if isinstance(obj, dict):
        return {k: clone(v) for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.replace(obj, **{f.name: clone(getattr(obj, f.name))
                                           for f in dataclasses.fields(obj) if f.init})
    return obj


def changed(after: Any, before: Any, name: str) -> str | None:
    """Le chemin (« state.v », « weights[1] ») de la première partie de ``after`` (ce que la
    fonction a reçu) qui diffère de ``before`` (l'original), ou None si rien n'a changé :
    tenseurs, listes, tuples, dictionnaires et états (dataclasses) comparés en profondeur."""
    if isinstance(before, torch.Tensor):
        same = (isinstance(after, torch.Tensor) and after.shape == before.shape
                and torch.equal(after.detach(), before))
        return None if same else name
    if isinstance(before, (list, tuple, dict)):
        if type(after) is not type(before) or len(after) != len(before):
            return name
        keys = before.keys() if isinstance(before, dict) else range(len(before))
        if isinstance(before, dict) and after.keys() != before.keys():
            return name
        return next((path for k in keys
                     if (path := changed(after[k], before[k], f"{name}[{k!r}]"))), None)
    if dataclasses.is_dataclass(before) and not isinstance(before, type):
        if type(after) is not type(before):
            return name
        return next((path for f in dataclasses.fields(before) if (path := changed(
            getattr(after, f.name), getattr(before, f.name), f"{name}.{f.name}"))), None)
    if isinstance(before, numbers.Number | str | type(None)):  # nombres, textes : ==
        same = after == before or (is_real(before) and math.isnan(before)
                                   and is_real(after) and math.isnan(after))
        return None if same else name
    return None
