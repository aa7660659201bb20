"""Vérificateurs des réponses qui ne sont pas un seul tenseur ou un seul nombre.

- :class:`TupleChecker` : plusieurs sorties nommées, ``return new_theta, new_state`` ; une
  sortie peut être un tenseur, un nombre, un état (une dataclass, comme ``AdamState``, dont
  chaque champ est comparé) ou un tuple de tenseurs (un ``cache``) ;
- :class:`SequenceChecker` : une suite de nombres (liste, tuple ou tenseur 1-D) ;
- :class:`BoolChecker` : un booléen (la réponse à une règle de décision).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import torch

from course_utils.checks.framework import Case, Checker, Report, call
from course_utils.checks.messages import is_real, matches, plural, type_hint, type_name
from course_utils.checks.sandbox import clone

Leaf = tuple[str, Any, Any]  # (nom de la sortie, valeur reçue, valeur attendue)


def _leaves(name: str, got: Any, expected: Any) -> Iterator[Leaf]:
    """Les sorties élémentaires d'une sortie : elle-même, les champs d'un état, les éléments
    d'un tuple ; lève TypeError (message en français) si ``got`` n'a pas la structure voulue."""
    if dataclasses.is_dataclass(expected):
        if type(got) is not type(expected):
            state = type(expected).__name__
            fields = ", ".join(f"{f.name}={f.name}" for f in dataclasses.fields(expected))
            raise TypeError(f"{name} : attendu un {state}, reçu {type_name(got)} "
                            f"(Indice : renvoyez {state}({fields}))")
        for f in dataclasses.fields(expected):
            yield from _leaves(f"{name}.{f.name}", getattr(got, f.name), getattr(expected, f.name))
    elif isinstance(expected, tuple):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            raise TypeError(f"{name} : attendu un tuple de {len(expected)} éléments, reçu "
                            f"{type_name(got)}")
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            yield from _leaves(f"{name}[{i}]", g, e)
    elif isinstance(expected, torch.Tensor) and not isinstance(got, torch.Tensor):
        hint = type_hint(got, expected)
        raise TypeError(f"{name} : attendu un torch.Tensor, reçu {type_name(got)}"
                        + (f" (Indice : {hint})" if hint else ""))
    elif is_real(expected) and not (is_real(got) and type(got) is not bool):
        raise TypeError(f"{name} : attendu un nombre ({type(expected).__name__}), reçu "
                        f"{type_name(got)}")
    else:
        yield name, got, expected


def _all_match(got: Any, alt: Any, outputs: tuple[str, ...], atol: float, rtol: float) -> bool:
    try:
        pairs = [(g, a) for name, g_out, a_out in zip(outputs, got, alt, strict=True)
                 for _, g, a in _leaves(name, g_out, a_out)]
    except (TypeError, ValueError):
        return False
    return all(g is a or (matches(g, a, atol, rtol) if not isinstance(a, int) else g == a)
               for g, a in pairs)


class TupleChecker(Checker):
    """Réponse formée des sorties ``outputs`` (des noms), comparées une à une, dans l'ordre.

    Les erreurs typiques (``hints``) renvoient la réponse complète : l'indice s'affiche si
    toutes les sorties coïncident avec celles de l'erreur ; sinon, on signale de bonnes
    valeurs dans le désordre.
    """

    def __init__(self, *, outputs: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if len(outputs) < 2:
            raise ValueError("outputs doit nommer au moins deux sorties")
        self.outputs = tuple(outputs)

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        n, ret = len(self.outputs), f"return {', '.join(self.outputs)}"
        want = f"attendu : tuple de {n} sorties ({', '.join(self.outputs)})"
        if not isinstance(got, tuple | list) or len(got) != n:
            received = (f"{type_name(got)} de {plural(len(got), 'élément', 'éléments')}"
                        if isinstance(got, tuple | list) else type_name(got))
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"{want} ; reçu : {received}.",
                               f"Indice : renvoyez les {n} sorties, dans cet ordre : {ret}."])
        try:
            leaves = [leaf for name, g, e in zip(self.outputs, got, expected, strict=True)
                      for leaf in _leaves(name, g, e)]
        except TypeError as problem:
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"{problem}."])
        for name, g, e in leaves:
            report = self._compare_leaf(dataclasses.replace(case, label=f"{case.label}, "
                                                            f"sortie {name}"), g, e)
            if report is not None:
                hint = self._hint(case, tuple(got))  # l'erreur typique prime sur l'indice général
                if hint:
                    lines = [line for line in report.message.split("\n")
                             if not line.startswith("   Indice")]
                    report = dataclasses.replace(report, message="\n".join(lines + [
                        f"   {hint[0]}"]))
                return report
        return None

    def _compare_leaf(self, case: Case, got: Any, expected: Any) -> Report | None:
        if isinstance(expected, torch.Tensor):
            return self._compare_tensor(case, got.detach(), expected)
        if isinstance(expected, int) and got != expected:
            return self._fail("values", f"valeur incorrecte sur le cas « {case.label} ».",
                              [f"attendu {expected}, obtenu {got}."])
        if isinstance(expected, float):
            return self._compare_float(case, float(got), expected)
        return None

    def _same(self, got: Any, alt: Any) -> bool:
        return (isinstance(got, tuple | list) and isinstance(alt, tuple)
                and len(alt) == len(got)
                and _all_match(tuple(got), alt, self.outputs, self.atol, self.rtol))

    def _hint(self, case: Case, got: Any) -> list[str]:
        if not isinstance(got, tuple):  # une sortie seule : l'indice porte sur le tuple
            return []
        hint = super()._hint(case, got)
        if hint:
            return hint
        expected = self.reference(*clone(case.args), **clone(case.kwargs))
        identity = tuple(range(len(got)))
        for perm in itertools.permutations(identity):
            if perm != identity and all(matches(got[i], expected[j], self.atol, self.rtol)
                                        for i, j in enumerate(perm)):
                return [f"Indice : bonnes valeurs dans le désordre ; renvoyez "
                        f"{', '.join(self.outputs)} dans cet ordre."]
        return []


def _is_real_item(v: Any) -> bool:
    if isinstance(v, torch.Tensor):
        return v.dim() == 0 and not v.is_complex() and v.dtype != torch.bool
    return is_real(v)


def as_float64(got: Any) -> torch.Tensor | None:
    """Une suite de nombres (liste, tuple, tenseur 1-D) en tenseur float64 ; None sinon."""
    if isinstance(got, torch.Tensor):
        ok = got.dim() == 1 and not got.is_complex() and got.dtype != torch.bool
        return got.detach().to(torch.float64) if ok else None
    if isinstance(got, list | tuple) and all(_is_real_item(v) for v in got):
        return torch.tensor([float(v) for v in got], dtype=torch.float64)
    return None


def _describe(got: Any) -> str:
    if isinstance(got, torch.Tensor):
        return f"torch.Tensor de forme {tuple(got.shape)} ({got.dtype})"
    if isinstance(got, list | tuple):
        bad = next(v for v in got if not _is_real_item(v))
        return f"{type_name(got)} contenant un élément de type {type_name(bad)}"
    return type_name(got)


def _sequence_hint(got: Any) -> str | None:
    if is_real(got):
        return "renvoyez la liste des valeurs, pas un seul nombre."
    if type_name(got) == "numpy.ndarray":
        return "convertissez le tableau NumPy en liste avec .tolist()."
    if isinstance(got, torch.Tensor):
        return "renvoyez une liste de nombres, ou un tenseur à une dimension."
    if isinstance(got, list | tuple):
        return "chaque élément doit être un nombre réel (float)."
    return type_hint(got, [])


class SequenceChecker(Checker):
    """Réponse « suite de nombres » : liste ou tuple de nombres, ou tenseur 1-D, convertie en
    float64 et comparée à la référence (une liste) ; les erreurs typiques renvoient des
    tenseurs float64."""

    def _same(self, got: Any, alt: Any) -> bool:
        values = as_float64(got)
        return values is not None and matches(values, alt, self.atol, self.rtol)

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        values = as_float64(got)
        if values is None:
            hint = _sequence_hint(got)
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : liste de {len(expected)} nombres réels ; reçu : "
                               f"{_describe(got)}."] + ([f"Indice : {hint}"] if hint else []))
        if values.numel() != len(expected):
            return self._fail("shape", f"mauvaise longueur sur le cas « {case.label} ».",
                              [f"attendu {len(expected)} valeurs, reçu {values.numel()}."]
                              + self._hint(case, values))
        return self._compare_tensor(case, values, torch.tensor(expected, dtype=torch.float64))


def as_bool(got: Any) -> bool | None:
    """bool, numpy.bool_ ou tenseur booléen à un élément → bool ; sinon None."""
    if isinstance(got, bool) or type_name(got) in ("numpy.bool", "numpy.bool_"):
        return bool(got)
    if isinstance(got, torch.Tensor) and got.dtype == torch.bool and got.numel() == 1:
        return bool(got.item())
    return None


class BoolChecker(Checker):
    """Réponse booléenne (bool, numpy.bool_ ou tenseur booléen à un élément).

    Un booléen coïncide une fois sur deux avec n'importe quelle erreur typique : l'indice
    n'est donné que si la réponse coïncide avec l'erreur sur TOUS les cas.
    """

    def _compare(self, case: Case, got: Any, expected: bool) -> Report | None:
        value = as_bool(got)
        if value is None:
            hint = type_hint(got, True) or "renvoyez True ou False, par ex. une comparaison."
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : bool (True ou False) ; reçu : {type_name(got)}.",
                               f"Indice : {hint}"])
        if value == expected:
            return None
        return self._fail("values", f"réponse incorrecte sur le cas « {case.label} ».",
                          [f"attendu {expected}, obtenu {value}."])

    def _check_case(self, fn: Callable[..., Any], case: Case) -> Report | None:
        report = super()._check_case(fn, case)
        if report is None or report.kind != "values":
            return report
        cases = self.cases()
        answers = [as_bool(self._call_student(fn, *clone(c.args), **clone(c.kwargs))[0])
                   for c in cases]
        for wrong, text in self.hints:
            if all(a == call(wrong, *clone(c.args), **clone(c.kwargs))[0]
                   for a, c in zip(answers, cases, strict=True)):
                return dataclasses.replace(report, message=f"{report.message}\n   Indice : {text}")
        return report
