"""Cadre commun des vérificateurs : :class:`Report`, :class:`Case` et :class:`Checker`.

Les fonctions privées de ce module mettent en forme les diagnostics (types, formes,
indices, nombres) et comparent la réponse de l'étudiant à la référence.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

KINDS = ("ok", "not_implemented", "exception", "type", "shape", "dtype", "not_finite",
         "values", "custom")

Hint = tuple[Callable[..., Any], str]


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


def _gen(seed: int) -> torch.Generator:
    """Générateur aléatoire à graine fixe : des cas de test déterministes."""
    return torch.Generator().manual_seed(seed)


def _clone(obj: Any) -> Any:
    """Copie profonde des tenseurs (détachés), listes, tuples et dictionnaires."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, (list, tuple)):
        return type(obj)(_clone(v) for v in obj)
    if isinstance(obj, dict):
        return {k: _clone(v) for k, v in obj.items()}
    return obj


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, BaseException | None]:
    """Appelle ``fn`` sans jamais laisser passer d'exception (sauf KeyboardInterrupt)."""
    try:
        return fn(*args, **kwargs), None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit, GeneratorExit… : on diagnostique aussi
        return None, exc


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _fmt_shape(shape: Sequence[int]) -> str:
    s = tuple(shape)
    return "() (scalaire)" if not s else str(s)


def _fmt_index(idx: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]" if len(idx) else "(scalaire)"


def _locate(g: torch.Tensor, e: torch.Tensor, idx: tuple[int, ...], prefix: str) -> str:
    """« <prefix> à l'indice [i, j] : attendu a, obtenu b. » (sans indice pour un scalaire)."""
    values = f"attendu {_fmt(e[idx].item())}, obtenu {_fmt(g[idx].item())}."
    return f"{prefix} à l'indice {_fmt_index(idx)} : {values}" if g.dim() else values


def _type_name(obj: Any) -> str:
    if obj is None:
        return "None"
    if isinstance(obj, torch.Tensor):
        return "torch.Tensor"
    t = type(obj)
    mod = t.__module__.split(".")[0]
    return t.__qualname__ if mod == "builtins" else f"{mod}.{t.__qualname__}"


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _matches(got: Any, alt: Any, atol: float, rtol: float) -> bool:
    """Vrai si ``got`` coïncide avec la sortie ``alt`` d'une erreur typique."""
    if isinstance(got, torch.Tensor) and isinstance(alt, torch.Tensor):
        if got.shape != alt.shape or got.is_complex() or alt.is_complex():
            return False
        g, a = got.detach().double(), alt.detach().double()
        return torch.allclose(g, a, rtol, atol, equal_nan=True)
    if _is_real(got) and _is_real(alt):
        return math.isclose(float(got), float(alt), rel_tol=rtol, abs_tol=atol)
    return False


def _type_hint(got: Any, expected: Any) -> str | None:
    if got is None:
        return "votre fonction renvoie None : avez-vous oublié « return » ?"
    if _type_name(got) == "generator":
        return "votre fonction contient « yield » : renvoyez le résultat avec « return »."
    if isinstance(expected, float) and isinstance(got, torch.Tensor):
        return "convertissez le tenseur en nombre Python avec .item()."
    if isinstance(expected, torch.Tensor) and _is_real(got):
        return "renvoyez un torch.Tensor (sans .item() ni float(...))."
    if isinstance(expected, torch.Tensor) and isinstance(got, (tuple, list)):
        return "renvoyez un seul tenseur, pas un tuple ou une liste."
    if isinstance(expected, torch.Tensor) and _type_name(got) == "numpy.ndarray":
        return "restez en PyTorch (ou convertissez avec torch.from_numpy)."
    return None


def _dtype_hint(got: torch.dtype, expected: torch.dtype) -> str | None:
    if expected.is_floating_point and not got.is_floating_point:
        return "le résultat doit être flottant : convertissez avec .float()."
    if expected == torch.float32 and got == torch.float64:
        return "restez en float32 : évitez .double() et les constantes NumPy float64."
    return None


def _scrub(text: str, limit: int = 300) -> str:
    """Message d'exception déterministe : sans adresses mémoire, de longueur bornée."""
    text = re.sub(r"0x[0-9a-fA-F]+", "0x…", text.strip())
    return text if len(text) <= limit else text[:limit] + "…"


class Checker:
    """Vérificateur d'un exercice : ``checker(fn)`` affiche le diagnostic.

    Paramètres (mot-clé uniquement)
    -------------------------------
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
    """

    def __init__(self, *, exercise: str, title: str, reference: Callable[..., Any],
                 cases: Callable[[], list[Case]], atol: float = 1e-6, rtol: float = 1e-5,
                 expect_type: type | None = None,
                 extra: Callable[[Callable[..., Any]], str | None] | None = None,
                 hints: Sequence[Hint] = (), finite_hint: str | None = None,
                 signature: str | None = None) -> None:
        if not callable(reference) or not callable(cases):
            raise TypeError("reference et cases doivent être des fonctions")
        if atol < 0 or rtol < 0:
            raise ValueError(f"atol et rtol doivent être ≥ 0 (reçu : {atol}, {rtol})")
        self.exercise, self.title = exercise, title
        self.reference, self.cases = reference, cases
        self.atol, self.rtol, self.expect_type = atol, rtol, expect_type
        self.extra, self.hints, self.finite_hint = extra, tuple(hints), finite_hint
        self.signature = signature

    def __repr__(self) -> str:
        return f"Checker(exercise={self.exercise!r}, title={self.title!r})"

    def __call__(self, student_fn: Any) -> None:
        """Vérifie ``student_fn`` et affiche le diagnostic (une ligne en cas de succès)."""
        print(self.evaluate(student_fn).message)

    def evaluate(self, student_fn: Any) -> Report:
        """Vérifie ``student_fn`` et renvoie le :class:`Report` (sans rien afficher)."""
        with torch.random.fork_rng(devices=[]):  # n'altère pas le générateur global
            return self._evaluate(student_fn)

    def _evaluate(self, student_fn: Any) -> Report:
        if not callable(student_fn):
            hint = ("définissez la fonction (def …) et exécutez sa cellule." if student_fn is None
                    else "passez la fonction elle-même : check(f) et non check(f(x)).")
            return self._fail("type", f"on attend une fonction (reçu : {_type_name(student_fn)}).",
                              [f"Indice : {hint}"])
        cases = self.cases()
        for case in cases:
            report = self._check_case(student_fn, case)
            if report is not None:
                return report
        if self.extra is not None:
            msg, exc = _call(self.extra, student_fn)
            if exc is not None:
                return self._exception(exc, "vérifications complémentaires")
            if msg:
                return self._fail("custom", msg)
        detail = f"correct sur {len(cases)} cas" if len(cases) > 1 else "correct"
        head = f"✅ Exercice {self.exercise} ({self.title}) : {detail}."
        return Report(self.exercise, self.title, "ok", head)

    def _fail(self, kind: str, headline: str, details: Sequence[str] = ()) -> Report:
        lines = [f"❌ Exercice {self.exercise} ({self.title}) : {headline}"]
        lines += [f"   {d}" for d in details]
        return Report(self.exercise, self.title, kind, "\n".join(lines))

    def _exception(self, exc: BaseException, label: str) -> Report:
        if isinstance(exc, NotImplementedError):
            msg = (f"⏳ Exercice {self.exercise} ({self.title}) : pas encore fait — "
                   "complétez la cellule de l'exercice puis réexécutez-la.")
            return Report(self.exercise, self.title, "not_implemented", msg)
        text = _scrub(str(exc))
        details = [f"{type(exc).__name__} : {text}" if text else type(exc).__name__]
        if isinstance(exc, TypeError) and self.signature and "argument" in str(exc):
            details.append(f"Indice : la fonction doit pouvoir s'appeler {self.signature}.")
        return self._fail("exception", f"erreur sur le cas « {label} ».", details)

    def _check_case(self, fn: Callable[..., Any], case: Case) -> Report | None:
        expected = self.reference(*_clone(case.args), **_clone(case.kwargs))
        args, kwargs = _clone(case.args), _clone(case.kwargs)
        got, exc = _call(fn, *args, **kwargs)
        if exc is not None:
            return self._exception(exc, case.label)
        try:
            report = self._compare(case, got, expected)
            return report or self._mutation(case, args, kwargs)
        except Exception as err:  # objet renvoyé impossible à analyser
            return self._fail("type", f"résultat inexploitable sur le cas « {case.label} ».",
                              [f"{type(err).__name__} : {_scrub(str(err))}"])

    def _hint(self, case: Case, got: Any) -> list[str]:
        for wrong, text in self.hints:
            alt, exc = _call(wrong, *_clone(case.args), **_clone(case.kwargs))
            if exc is None and _matches(got, alt, self.atol, self.rtol):
                return [f"Indice : {text}"]
        return []

    def _expected_type(self, expected: Any) -> tuple[type, str]:
        if isinstance(expected, torch.Tensor):
            return torch.Tensor, "torch.Tensor"
        if isinstance(expected, float):
            return float, "float (nombre Python)"
        t = self.expect_type or type(expected)
        return t, (f"torch.nn.{t.__name__}" if issubclass(t, nn.Module) else t.__name__)

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        want, name = self._expected_type(expected)
        if not (_is_real(got) if want is float else isinstance(got, want)):
            hint = _type_hint(got, expected)
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : {name} ; reçu : {_type_name(got)}."]
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
                f"forme attendue {_fmt_shape(exp.shape)}, reçue {_fmt_shape(got.shape)}."
            ] + self._hint(case, got))
        if got.dtype != exp.dtype:
            hint = _dtype_hint(got.dtype, exp.dtype)
            return self._fail("dtype", f"mauvais type d'éléments (dtype) {where}.", [
                f"dtype attendu {exp.dtype}, reçu {got.dtype}."
            ] + ([f"Indice : {hint}"] if hint else []))
        g, e = got.double(), exp.double()
        bad = ~torch.isfinite(g) & torch.isfinite(e)
        if bad.any():
            idx = tuple(bad.nonzero()[0].tolist())
            n_bad = int(bad.sum())
            count = _plural(n_bad, "valeur non finie", "valeurs non finies, la première")
            return self._fail("not_finite", f"valeurs non finies (nan ou inf) {where}.", [
                _locate(g, e, idx, count)
            ] + (self._hint(case, got) or self._finite_hint()))
        close = torch.isclose(g, e, rtol=self.rtol, atol=self.atol, equal_nan=True)
        if close.all():
            return None
        err = torch.where(close, torch.zeros_like(g), (g - e).abs()).nan_to_num(nan=math.inf)
        idx = tuple(int(i) for i in torch.unravel_index(err.argmax(), err.shape))
        count = _plural(int((~close).sum()), "valeur", "valeurs")
        prefix = (f"{count} sur {g.numel()} hors tolérance ; écart absolu maximal "
                  f"{_fmt(err[idx].item())}")
        return self._fail("values", f"valeurs incorrectes {where}.",
                          [_locate(g, e, idx, prefix)] + self._hint(case, got))

    def _finite_hint(self) -> list[str]:
        return [f"Indice : {self.finite_hint}"] if self.finite_hint else []

    def _compare_float(self, case: Case, got: float, exp: float) -> Report | None:
        where = f"sur le cas « {case.label} »"
        if not math.isfinite(got) and math.isfinite(exp):
            return self._fail("not_finite", f"valeur non finie {where}.",
                              [f"attendu {_fmt(exp)}, obtenu {_fmt(got)}."]
                              + self._finite_hint())
        if abs(got - exp) <= self.atol + self.rtol * abs(exp):
            return None
        return self._fail("values", f"valeur incorrecte {where}.",
                          [f"attendu {_fmt(exp)}, obtenu {_fmt(got)}."]
                          + self._hint(case, got))

    def _mutation(self, case: Case, args: tuple, kwargs: dict) -> Report | None:
        after = list(args) + list(kwargs.values())
        before = list(case.args) + list(case.kwargs.values())
        for a, b in zip(after, before, strict=True):
            if isinstance(b, torch.Tensor) and not (
                    isinstance(a, torch.Tensor) and a.shape == b.shape
                    and torch.equal(a.detach(), b)):
                return self._fail("custom", "votre fonction ne doit pas modifier son argument"
                                  f" (cas « {case.label} »).",
                                  ["Indice : travaillez sur une copie, par ex. x = x - m "
                                   "plutôt que x -= m (opération en place)."])
        return None
