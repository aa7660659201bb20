"""La mise en forme des diagnostics des vérificateurs : nombres, formes, indices, noms de
types, indices de correction selon le type reçu, et la comparaison d'une réponse à la sortie
d'une erreur typique."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Sequence
from typing import Any

import torch


def format_number(v: float) -> str:
    return f"{v:.3g}"


def plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def format_shape(shape: Sequence[int]) -> str:
    s = tuple(shape)
    return "() (scalaire)" if not s else str(s)


def format_index(idx: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]" if len(idx) else "(scalaire)"


def locate(g: torch.Tensor, e: torch.Tensor, idx: tuple[int, ...], prefix: str) -> str:
    """« <prefix> à l'indice [i, j] : attendu a, obtenu b. » (sans indice pour un scalaire)."""
    values = f"attendu {format_number(e[idx].item())}, obtenu {format_number(g[idx].item())}."
    return f"{prefix} à l'indice {format_index(idx)} : {values}" if g.dim() else values


def type_name(obj: Any) -> str:
    if obj is None:
        return "None"
    if isinstance(obj, torch.Tensor):
        return "torch.Tensor"
    t = type(obj)
    mod = t.__module__.split(".")[0]
    return t.__qualname__ if mod == "builtins" else f"{mod}.{t.__qualname__}"


def is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def matches(got: Any, alt: Any, atol: float, rtol: float) -> bool:
    """Vrai si ``got`` coïncide avec la sortie ``alt`` d'une erreur typique."""
    if isinstance(got, torch.Tensor) and isinstance(alt, torch.Tensor):
        if got.shape != alt.shape or got.is_complex() or alt.is_complex():
            return False
        g, a = got.detach().double(), alt.detach().double()
        return torch.allclose(g, a, rtol, atol, equal_nan=True)
    if is_real(got) and is_real(alt):
        return math.isclose(float(got), float(alt), rel_tol=rtol, abs_tol=atol)
    return False


def type_hint(got: Any, expected: Any) -> str | None:
    if got is None:
        return "votre fonction renvoie None : avez-vous oublié « return » ?"
    if type_name(got) == "generator":
        return "votre fonction contient « yield » : renvoyez le résultat avec « return »."
    if isinstance(expected, float) and isinstance(got, torch.Tensor):
        return "convertissez le tenseur en nombre Python avec .item()."
    if isinstance(expected, torch.Tensor) and is_real(got):
        return "renvoyez un torch.Tensor (sans .item() ni float(...))."
    if isinstance(expected, torch.Tensor) and isinstance(got, (tuple, list)):
        return "renvoyez un seul tenseur, pas un tuple ou une liste."
    if isinstance(expected, torch.Tensor) and type_name(got) == "numpy.ndarray":
        return "restez en PyTorch (ou convertissez avec torch.from_numpy)."
    return None


def dtype_hint(got: torch.dtype, expected: torch.dtype) -> str | None:
    if expected.is_floating_point and not got.is_floating_point:
        return "le résultat doit être flottant : convertissez avec .float()."
    if expected == torch.float32 and got == torch.float64:
        return "restez en float32 : évitez .double() et les constantes NumPy float64."
    return None


def scrub(text: str, limit: int = 300) -> str:
    """Message d'exception déterministe : sans adresses mémoire, de longueur bornée."""
    text = re.sub(r"0x[0-9a-fA-F]+", "0x…", text.strip())
    return text if len(text) <= limit else text[:limit] + "…"


def generator_problem(draw: Callable[[torch.Generator], torch.Tensor], *, seeds: tuple[int, int],
                      global_hint: str, what: str) -> str | None:
    """Diagnostic si les tirages de ``draw(generator)`` ne dépendent pas de ``generator`` seul :
    même graine, même tirage ; graines différentes, tirages différents ; générateur global
    intact. ``global_hint`` : que faire si le générateur global sert ; ``what`` : ce qui est
    tiré (« le masque », « les poids »)."""
    state = torch.random.get_rng_state()
    first, again, other = (draw(torch.Generator().manual_seed(seed)).clone()
                           for seed in (seeds[0], *seeds))
    if torch.equal(first, again) and not torch.equal(first, other):
        return None
    if not torch.equal(torch.random.get_rng_state(), state):
        return f"vous utilisez le générateur global de PyTorch : {global_hint}"
    return (f"{what} doit dépendre de generator : même graine, même tirage ; graines "
            "différentes, tirages différents. Utilisez generator=generator dans le tirage.")
