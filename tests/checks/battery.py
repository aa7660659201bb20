"""Tous les vérificateurs du paquet, et la batterie de réponses absurdes qu'ils doivent
diagnostiquer sans jamais planter.

Les modules de ``course_utils/checks/`` (hors cadre commun) sont découverts automatiquement ;
chacun expose le tuple ``CHECKERS`` de ses vérificateurs.
"""

import importlib
import pkgutil

import torch

import course_utils.checks

FRAMEWORK = {"framework", "messages", "answers", "gradcheck", "sandbox", "verdict"}
SECTIONS = sorted(name for _, name, _ in pkgutil.iter_modules(course_utils.checks.__path__)
                  if name not in FRAMEWORK)
ALL_CHECKERS = tuple(checker for name in SECTIONS for checker in importlib.import_module(
    f"course_utils.checks.{name}").CHECKERS)


def _raise(exc):
    def fn(*args, **kwargs):
        raise exc

    return fn


def _mutate(*args, **kwargs):
    for a in args:
        if isinstance(a, torch.Tensor):
            a.mul_(2)
    return args[0] if args else None


def _generator(*args, **kwargs):
    yield from args


def _recurse(*args, **kwargs):
    return _recurse(*args, **kwargs)


def _forever(*args, **kwargs):
    while True:
        pass


def _chatty(*args, **kwargs):
    for k in range(2000):
        print("ligne", k)
    return None


BATTERY = {  # nom : (réponse de l'étudiant, diagnostic attendu ou None si plusieurs possibles)
    "None": (None, "type"),
    "str": ("abc", "type"),
    "int": (42, "type"),
    "tenseur": (torch.zeros(3), "type"),
    "nan": (lambda *a, **k: float("nan"), None),
    "nan-tensor": (lambda *a, **k: torch.full((4, 10), float("nan")), None),
    "zero-division": (lambda *a, **k: 1 / 0, "exception"),
    "not-implemented": (_raise(NotImplementedError("à faire")), "not_implemented"),
    "system-exit": (_raise(SystemExit(1)), "exception"),
    "base-exception": (_raise(GeneratorExit()), "exception"),
    "sans-argument": (lambda: 0, None),
    "trop-d-arguments": (lambda a, b, c, d, e, f, g, h, i, j: a, "exception"),
    "en-place": (_mutate, None),
    "générateur": (_generator, "type"),
    "récursion": (_recurse, "exception"),
    "chaîne": (lambda *a, **k: "abc", "type"),
    "requires-grad": (lambda *a, **k: torch.ones(4, 10, requires_grad=True) * 2, None),
    "complexe": (lambda *a, **k: torch.ones(4, 10, dtype=torch.complex64), None),
    "meta": (lambda *a, **k: torch.empty(4, 784, device="meta"), None),
    "inf-float": (lambda *a, **k: float("inf"), None),
    "boucle-infinie": (_forever, "timeout"),
    "bavarde": (_chatty, "type"),
}
