"""Cadre commun des vérificateurs : :class:`Report`, :class:`Case` et :class:`Checker`.

Ses fonctions publiques préparent les cas (``generator``, ``clone``), appellent la réponse
sans jamais planter (``call``) et repèrent ce qu'elle a modifié (``changed``) ; la mise en
forme des diagnostics est dans :mod:`course_utils.checks.messages`. Les réponses formées de
plusieurs sorties, d'une suite de nombres ou d'un booléen ont leur vérificateur dans
:mod:`course_utils.checks.answers`.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from course_utils.checks import sandbox, verdict
from course_utils.checks.messages import (
    dtype_hint,
    format_number,
    format_shape,
    is_real,
    locate,
    matches,
    plural,
    scrub,
    type_hint,
    type_name,
)
from course_utils.checks.sandbox import changed, clone

KINDS = ("ok", "not_implemented", "exception", "timeout", "type", "shape", "dtype",
         "not_finite", "values", "custom")

Hint = tuple[Callable[..., Any], str]
_CASE = re.compile("(.*) sur le cas «\u00a0(.*)\u00a0»\\.", re.DOTALL)


@dataclass(frozen=True)
class Report:
    """Résultat d'une vérification, en français dans ``message`` (une ligne si réussite).

    ``kind`` ∈ :data:`KINDS` : « ok », « not_implemented » (NotImplementedError),
    « exception », « type », « shape », « dtype », « not_finite » (nan ou inf),
    « values », « custom » (vérification propre à l'exercice).
    """

    exercise: str
    title: str
    kind: str
    message: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind doit être l'un de {KINDS} (reçu : {self.kind!r})")

    @property
    def passed(self) -> bool:
        """Vrai si l'exercice est réussi (``kind == "ok"``)."""
        return self.kind == "ok"


@dataclass(frozen=True)
class Case:
    """Un cas de test : ``fn(*args, **kwargs)``, désigné par ``label`` dans les messages."""

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


def generator(seed: int) -> torch.Generator:
    """Générateur aléatoire à graine fixe : des cas de test déterministes."""
    return torch.Generator().manual_seed(seed)


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, BaseException | None]:
    """Appelle ``fn`` sans jamais laisser passer d'exception (sauf KeyboardInterrupt)."""
    try:
        return fn(*args, **kwargs), None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit, GeneratorExit… : on diagnostique aussi
        return None, exc


class Checker:
    """Vérificateur d'un exercice : ``checker(fn)`` affiche le diagnostic.
    Paramètres, tous par mot-clé :
    exercise, title : numéro (« 1.3 ») et titre (« softmax ») affichés.
    reference : implémentation correcte, appelée sur les mêmes cas.
    cases : fabrique sans argument renvoyant la liste des :class:`Case` (déterministe).
    atol, rtol : tolérances de comparaison, |obtenu − attendu| ≤ atol + rtol·|attendu|.
    expect_type : type attendu du résultat (par défaut : celui de la référence).
    extra : ``extra(fn) -> str | None``, vérifications propres à l'exercice, appelée si
        tous les cas passent ; renvoie un diagnostic français (kind « custom ») ou None.
    hints : paires (erreur typique, indice) : si le résultat coïncide avec
        ``erreur_typique(*args)``, l'indice est ajouté au message.
    finite_hint : indice affiché en cas de valeurs non finies (débordement…).
    signature : appel attendu, par ex. « softmax(o) », rappelé en cas de TypeError.
    inplace : la fonction modifie son premier argument en place (un initialiseur ``…_``) :
        on ne vérifie pas que ses arguments restent intacts.
    """

    def __init__(self, *, exercise: str, title: str, reference: Callable[..., Any],
                 cases: Callable[[], list[Case]], atol: float = 1e-6, rtol: float = 1e-5,
                 expect_type: type | None = None,
                 extra: Callable[[Callable[..., Any]], str | None] | None = None,
                 hints: Sequence[Hint] = (), finite_hint: str | None = None,
                 signature: str | None = None, inplace: bool = False) -> None:
        if not callable(reference) or not callable(cases):
            raise TypeError("reference et cases doivent être des fonctions")
        if atol < 0 or rtol < 0:
            raise ValueError(f"atol et rtol doivent être ≥ 0 (reçu : {atol}, {rtol})")
        self.exercise, self.title = exercise, title
        self.reference, self.cases = reference, cases
        self.atol, self.rtol, self.expect_type = atol, rtol, expect_type
        self.extra, self.hints, self.finite_hint = extra, tuple(hints), finite_hint
        self.signature, self.inplace = signature, inplace

    def __repr__(self) -> str:
        return f"Checker(exercise={self.exercise!r}, title={self.title!r})"

    def __call__(self, student_fn: Any) -> None:
        """Vérifie ``student_fn`` et affiche le verdict (indices gradués : :mod:`.verdict`)."""
        verdict.judge(self, student_fn)

    def or_reference(self, student_fn: Any) -> Callable[..., Any]:
        """Comme ``check(f)``, puis renvoie la fonction qu'utilisera la suite du notebook :
        ``f`` si elle est juste, sinon la référence (le verdict le dit)."""
        return verdict.judge(self, student_fn, fallback=True)

    def evaluate(self, student_fn: Any) -> Report:
        """Vérifie ``student_fn`` et renvoie le :class:`Report` (sans rien afficher).

        Chaque appel de ``student_fn`` dure au plus ``sandbox.TIME_LIMIT`` secondes ; ce qu'il
        affiche est gardé et résumé à la fin du verdict ; le générateur aléatoire global, le
        type flottant par défaut et le mode du gradient sont rétablis ensuite."""
        self._printed: list[str] = []
        self._student = student_fn
        with sandbox.torch_state():
            report = self._evaluate(student_fn)
        summary = sandbox.printed_summary("".join(self._printed))
        if summary is None:
            return report
        return dataclasses.replace(report, message=f"{report.message}\n   {summary}")

    def _call_student(self, fn: Callable[..., Any], *args: Any,
                      **kwargs: Any) -> tuple[Any, BaseException | None]:
        """``call(fn, …)`` en temps limité, sorties capturées."""
        output = io.StringIO()
        try:
            with sandbox.captured() as output, sandbox.time_limit():
                result = call(fn, *args, **kwargs)
        except sandbox.TimeLimitExceeded as exc:  # l'alarme tombée juste après l'appel
            result = None, exc
        self._printed.append(output.getvalue())
        return result

    def _evaluate(self, student_fn: Any) -> Report:
        if not callable(student_fn):
            hint = ("définissez la fonction (def …) et exécutez sa cellule." if student_fn is None
                    else "passez la fonction elle-même : check(f) et non check(f(x)).")
            return self._fail("type", f"on attend une fonction (reçu : {type_name(student_fn)}).",
                              [f"Indice : {hint}"])
        cases = self.cases()
        for case in cases:
            report = self._check_case(student_fn, case)
            if report is not None:
                return report
        if self.extra is not None:
            msg, exc = self._call_student(self.extra, student_fn)
            if exc is not None:
                return self._exception(exc, "vérifications complémentaires")
            if msg:
                return self._fail("custom", msg)
        detail = f"correct sur {len(cases)} cas" if len(cases) > 1 else "correct"
        head = f"✅ Exercice {self.exercise} ({self.title}) : {detail}."
        return Report(self.exercise, self.title, "ok", head)

    def _fail(self, kind: str, headline: str, details: Sequence[str] = ()) -> Report:
        case = _CASE.fullmatch(headline)  # le cas sur sa ligne : une première ligne courte
        if case:
            headline, details = f"{case[1]}.", [f"cas « {case[2]} »", *details]
        lines = [f"❌ Exercice {self.exercise} ({self.title}) : {headline}"]
        lines += [f"   {d}" for d in details]
        return Report(self.exercise, self.title, kind, "\n".join(lines))

    def _exception(self, exc: BaseException, label: str) -> Report:
        if isinstance(exc, NotImplementedError):
            msg = (f"⏳ Exercice {self.exercise} ({self.title}) : pas encore fait — "
                   "complétez la cellule de l'exercice puis réexécutez-la.")
            return Report(self.exercise, self.title, "not_implemented", msg)
        if isinstance(exc, sandbox.TimeLimitExceeded):
            msg = (f"⏱ Exercice {self.exercise} ({self.title}) : votre fonction n'a pas terminé "
                   f"en {exc.seconds:g} s : une boucle infinie ?\n   cas « {label} »\n"
                   "   Indice : vérifiez la condition d'arrêt de chaque boucle while.")
            return Report(self.exercise, self.title, "timeout", msg)
        text = scrub(str(exc))
        details = [f"{type(exc).__name__} : {text}" if text else type(exc).__name__]
        if isinstance(exc, TypeError) and self.signature and "argument" in str(exc):
            details.append(f"Indice : la fonction doit pouvoir s'appeler {self.signature}.")
        return self._fail("exception", f"erreur sur le cas « {label} ».", details)

    def _check_case(self, fn: Callable[..., Any], case: Case) -> Report | None:
        expected = self.reference(*clone(case.args), **clone(case.kwargs))
        args, kwargs = clone(case.args), clone(case.kwargs)
        got, exc = self._call_student(fn, *args, **kwargs)
        if exc is not None:
            return self._exception(exc, case.label)
        try:
            report = self._compare(case, got, expected)
            if report is not None or self.inplace:
                return report
            return self._mutation(case, args, kwargs)
        except Exception as err:  # objet renvoyé impossible à analyser
            return self._fail("type", f"résultat inexploitable sur le cas « {case.label} ».",
                              [f"{type(err).__name__} : {scrub(str(err))}"])

    def _hint(self, case: Case, got: Any) -> list[str]:
        """L'indice de la première erreur typique que la réponse reproduit sur TOUS les cas
        (une coïncidence sur un seul cas ne suffit pas)."""
        for wrong, text in self.hints:
            if self._agrees(got, wrong, case) and self._everywhere(wrong, case):
                return [f"Indice : {text}"]
        return []

    def _agrees(self, got: Any, wrong: Callable[..., Any], case: Case) -> bool:
        alt, exc = call(wrong, *clone(case.args), **clone(case.kwargs))
        return exc is None and self._same(got, alt)

    def _same(self, got: Any, alt: Any) -> bool:
        """Vrai si la réponse ``got`` coïncide avec la sortie ``alt`` d'une erreur typique."""
        return matches(got, alt, self.atol, self.rtol)

    def _everywhere(self, wrong: Callable[..., Any], case: Case) -> bool:
        """La réponse se comporte aussi comme ``wrong`` sur les autres cas : mêmes valeurs,
        ou une erreur des deux côtés."""
        for other in self.cases():
            if other.label == case.label:
                continue
            got, exc = self._call_student(self._student, *clone(other.args),
                                          **clone(other.kwargs))
            alt, wrong_exc = call(wrong, *clone(other.args), **clone(other.kwargs))
            both_fail = exc is not None and wrong_exc is not None
            if not both_fail and (exc is not None or wrong_exc is not None
                                  or not self._same(got, alt)):
                return False
        return True

    def _expected_type(self, expected: Any) -> tuple[type, str]:
        if isinstance(expected, torch.Tensor):
            return torch.Tensor, "torch.Tensor"
        if isinstance(expected, float):
            return float, "float (nombre Python)"
        t = self.expect_type or type(expected)
        return t, (f"torch.nn.{t.__name__}" if issubclass(t, nn.Module) else t.__name__)

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        want, name = self._expected_type(expected)
        if not (is_real(got) if want is float else isinstance(got, want)):
            hint = type_hint(got, expected)
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : {name} ; reçu : {type_name(got)}."]
                              + ([f"Indice : {hint}"] if hint else self._hint(case, got)))
        if want is torch.Tensor:
            return self._compare_tensor(case, got.detach(), expected)
        if want is float:
            return self._compare_float(case, float(got), expected)
        return None

    def _compare_tensor(self, case: Case, got: torch.Tensor, exp: torch.Tensor) -> Report | None:
        where = f"sur le cas « {case.label} »"
        if tuple(got.shape) != tuple(exp.shape):
            return self._fail("shape", f"mauvaise forme {where}.", [
                f"forme attendue {format_shape(exp.shape)}, reçue {format_shape(got.shape)}."
            ] + self._hint(case, got))
        if got.dtype != exp.dtype:
            hint = dtype_hint(got.dtype, exp.dtype)
            return self._fail("dtype", f"mauvais type d'éléments (dtype) {where}.", [
                f"dtype attendu {exp.dtype}, reçu {got.dtype}."
            ] + ([f"Indice : {hint}"] if hint else []))
        g, e = got.double(), exp.double()
        bad = ~torch.isfinite(g) & torch.isfinite(e)
        if bad.any():
            idx = tuple(bad.nonzero()[0].tolist())
            n_bad = int(bad.sum())
            count = plural(n_bad, "valeur non finie", "valeurs non finies, la première")
            return self._fail("not_finite", f"valeurs non finies (nan ou inf) {where}.", [
                locate(g, e, idx, count)
            ] + (self._hint(case, got) or self._finite_hint()))
        close = torch.isclose(g, e, rtol=self.rtol, atol=self.atol, equal_nan=True)
        if close.all():
            return None
        err = torch.where(close, torch.zeros_like(g), (g - e).abs()).nan_to_num(nan=math.inf)
        idx = tuple(int(i) for i in torch.unravel_index(err.argmax(), err.shape))
        count = plural(int((~close).sum()), "valeur", "valeurs")
        prefix = (f"{count} sur {g.numel()} hors tolérance ; écart absolu maximal "
                  f"{format_number(err[idx].item())}")
        return self._fail("values", f"valeurs incorrectes {where}.",
                          [locate(g, e, idx, prefix)] + self._hint(case, got))

    def _finite_hint(self) -> list[str]:
        return [f"Indice : {self.finite_hint}"] if self.finite_hint else []

    def _compare_float(self, case: Case, got: float, exp: float) -> Report | None:
        where = f"sur le cas « {case.label} »"
        if not math.isfinite(got) and math.isfinite(exp):
            return self._fail("not_finite", f"valeur non finie {where}.",
                              [f"attendu {format_number(exp)}, obtenu {format_number(got)}."]
                              + self._finite_hint())
        if abs(got - exp) <= self.atol + self.rtol * abs(exp):
            return None
        return self._fail("values", f"valeur incorrecte {where}.",
                          [f"attendu {format_number(exp)}, obtenu {format_number(got)}."]
                          + self._hint(case, got))

    def _mutation(self, case: Case, args: tuple, kwargs: dict) -> Report | None:
        try:
            names = list(inspect.signature(self.reference).parameters)
        except (TypeError, ValueError):
            names = []
        names = names[:len(args)] + [f"argument n° {i + 1}" for i in range(len(names), len(args))]
        pairs = list(zip(names, args, case.args, strict=True)) + [
            (k, kwargs[k], case.kwargs[k]) for k in case.kwargs]
        for name, a, b in pairs:
            path = changed(a, b, name)
            if path is None:
                continue
            if isinstance(b, list | dict):
                hint = (f"ne modifiez pas {name} (ni .sort(), ni .pop(), ni del…) : "
                        "travaillez sur une copie, sorted(…) ou list(…).")
            elif dataclasses.is_dataclass(b):
                hint = ("renvoyez un nouvel état, par ex. MomentumState(v) : l'état reçu "
                        "appartient à l'appelant.")
            else:
                hint = "travaillez sur une copie, par ex. x = x - m plutôt que x -= m."
            return self._fail("custom", f"votre fonction ne doit pas modifier son argument "
                              f"{name} ({path} a changé, cas « {case.label} »).",
                              [f"Indice : {hint}"])
        return None
