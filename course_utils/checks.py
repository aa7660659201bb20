"""Vérificateurs d'exercices des notebooks, et outils de vérification de gradient.

Dans un notebook, après avoir complété une fonction::

    check_softmax(softmax)   # affiche une ligne : ✅, ⏳ ou ❌ suivi du diagnostic

Un :class:`Checker` appelle la fonction de l'étudiant sur des cas fixés (graine fixe,
cas limites compris), compare le résultat à une implémentation de référence et pose
un diagnostic par couches, pour le premier cas qui échoue : objet non appelable,
``NotImplementedError`` (pas encore fait), autre exception, type du résultat, forme,
dtype, valeurs non finies, valeurs, puis vérifications propres à l'exercice.
Le vérificateur ne plante jamais, quelle que soit la réponse.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from course_utils.activations import sigmoid_grad
from course_utils.losses import cross_entropy, cross_entropy_grad, one_hot, softmax
from course_utils.metrics import accuracy

__all__ = [
    "KINDS", "Report", "Case", "Checker", "numerical_grad", "relative_error",
    "check_to_float_images", "check_autograd_grad", "check_accuracy",
    "check_sigmoid_grad", "check_one_hot", "check_softmax", "check_cross_entropy",
    "check_cross_entropy_grad", "check_q1_model", "ALL_CHECKERS",
]

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


# --- Vérification numérique du gradient -------------------------------------------------


def _scalar(v: Any) -> float:
    if isinstance(v, torch.Tensor):
        if v.numel() != 1:
            raise ValueError(f"f doit renvoyer un scalaire (reçu : forme {tuple(v.shape)})")
        return float(v.item())
    if not _is_real(v):
        raise TypeError(f"f doit renvoyer un scalaire (reçu : {_type_name(v)})")
    return float(v)


def numerical_grad(f: Callable[[torch.Tensor], Any], x: torch.Tensor, *,
                   eps: float = 1e-6) -> torch.Tensor:
    """Gradient numérique par différences centrées, en float64.

    ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε) : erreur de troncature en O(ε²).
    Coûte 2 évaluations de f par coordonnée : à réserver à de petits tenseurs.

    Paramètres
    ----------
    f : fonction Tensor → scalaire (tenseur à 1 élément ou nombre), appelée en float64.
    x : tenseur flottant de forme quelconque (non modifié).
    eps : pas ε > 0 (1e-6 convient en float64).

    Renvoie
    -------
    ∇f(x) estimé : même forme que x, float64.
    """
    if not callable(f):
        raise TypeError(f"f doit être une fonction (reçu : {_type_name(f)})")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x doit être un tenseur flottant (reçu : {_type_name(x)})")
    if not (_is_real(eps) and eps > 0):
        raise ValueError(f"eps doit être un réel > 0 (reçu : {eps!r})")
    x64 = x.detach().to(torch.float64).clone()
    flat, grad = x64.view(-1), torch.zeros(x64.numel(), dtype=torch.float64)
    with torch.no_grad():
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + eps
            plus = _scalar(f(x64))
            flat[i] = old - eps
            minus = _scalar(f(x64))
            flat[i] = old
            grad[i] = (plus - minus) / (2 * eps)
    return grad.view_as(x64)


def relative_error(a: Any, b: Any) -> float:
    """Erreur relative maximale (formule de CS231n) : max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|).

    Seuils usuels en float64 (gradient analytique contre :func:`numerical_grad`) :
    < 1e-7 : correct ; entre 1e-7 et 1e-4 : suspect (ou point non dérivable, comme
    ReLU en 0) ; > 1e-2 : presque sûrement faux.

    Paramètres
    ----------
    a, b : tenseurs (ou nombres) de même forme.

    Renvoie
    -------
    float ≥ 0 (0 si les tenseurs sont vides).
    """
    a = torch.as_tensor(a.detach() if isinstance(a, torch.Tensor) else a, dtype=torch.float64)
    b = torch.as_tensor(b.detach() if isinstance(b, torch.Tensor) else b, dtype=torch.float64)
    if a.shape != b.shape:
        raise ValueError(f"a et b doivent avoir la même forme (reçu : {tuple(a.shape)} et "
                         f"{tuple(b.shape)})")
    if a.numel() == 0:
        return 0.0
    return float(((a - b).abs() / (a.abs() + b.abs()).clamp_min(1e-8)).max())


# --- Chapitre 00 : prise en main ------------------------------------------------------


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _ref_to_float_images(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.shape[0], -1).float() / 255


def _image_cases() -> list[Case]:
    x = torch.randint(0, 256, (4, 28, 28), generator=_gen(0), dtype=torch.uint8)
    extremes = torch.zeros(2, 28, 28, dtype=torch.uint8)
    extremes[1] = 255
    return [Case("lot de 4 images (4, 28, 28)", (x,)),
            Case("une seule image (1, 28, 28)", (x[:1].clone(),)),
            Case("pixels extrêmes 0 et 255", (extremes,))]


check_to_float_images = Checker(
    exercise="0.1", title="to_float_images", reference=_ref_to_float_images,
    cases=_image_cases, signature="to_float_images(x)", hints=[
        (lambda x: x.reshape(len(x), -1).float(),
         "divisez par 255 pour ramener les pixels dans [0, 1]."),
        (lambda x: x.float() / 255,
         "aplatissez chaque image en un vecteur de 28 × 28 = 784 valeurs : "
         "x.reshape(len(x), -1)."),
    ])


class _AutogradSpy(TorchFunctionMode):
    """Note si ``backward`` ou ``torch.autograd.grad`` est appelé (sans rien modifier)."""

    WATCHED = (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad)

    def __init__(self) -> None:
        super().__init__()
        self.used = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.used = self.used or func in self.WATCHED
        return func(*args, **(kwargs or {}))


def _autograd_extra(fn: Callable[..., Any]) -> str | None:
    w = torch.linspace(-1.0, 2.0, 6)
    spy = _AutogradSpy()
    with spy:
        out = fn(w)
    if w.requires_grad or w.grad is not None or not torch.equal(w, torch.linspace(-1, 2, 6)):
        return ("la fonction ne doit pas modifier son argument w (valeurs, requires_grad ou "
                ".grad) : travaillez sur une copie, w = w.detach().clone().requires_grad_(True).")
    if isinstance(out, torch.Tensor) and out.requires_grad:
        return ("le gradient renvoyé ne doit pas exiger de gradient (requires_grad=True) : "
                "renvoyez w.grad ou utilisez .detach().")
    if not spy.used:
        return ("calculez le gradient avec autograd (.backward() ou torch.autograd.grad), "
                "pas à la main.")
    return None


def _autograd_cases() -> list[Case]:
    g = _gen(1)
    return [Case("vecteur w de forme (5,)", (torch.randn(5, generator=g),)),
            Case("matrice w de forme (3, 4)", (torch.randn(3, 4, generator=g),)),
            Case("w = [−2, −1, 0, 1, 2]", (torch.arange(-2.0, 3.0),))]


def _ref_cube_sum_grad(w: torch.Tensor) -> torch.Tensor:
    w = w.detach().clone().requires_grad_(True)
    (w**3).sum().backward()
    return w.grad


check_autograd_grad = Checker(
    exercise="0.2", title="cube_sum_grad", reference=_ref_cube_sum_grad,
    cases=_autograd_cases, extra=_autograd_extra, signature="cube_sum_grad(w)", hints=[
        (lambda w: 2 * w, "la dérivée de w³ est 3w², pas 2w."),
        (lambda w: (w**3).sum(), "vous renvoyez f(w) et non son gradient ∇f(w) = w.grad."),
    ])


def _accuracy_cases() -> list[Case]:
    g = _gen(2)
    y = torch.randint(0, 3, (7,), generator=g)
    perfect = torch.tensor([3, 1, 4, 1, 5])
    return [Case("10 exemples, 10 classes", (torch.randn(10, 10, generator=g),
                                             torch.randint(0, 10, (10,), generator=g))),
            Case("7 exemples, 3 classes", (torch.randn(7, 3, generator=g), y)),
            Case("toutes les prédictions justes", (5 * one_hot(perfect, 6), perfect)),
            Case("un seul exemple, mal classé", (torch.tensor([[2.0, -1.0]]), torch.tensor([1])))]


check_accuracy = Checker(
    exercise="0.3", title="accuracy", reference=accuracy, cases=_accuracy_cases,
    signature="accuracy(logits, y)", hints=[
        (lambda o, y: (o.argmax(0) == y).float().mean().item(),
         "argmax doit porter sur la dimension des classes : logits.argmax(dim=1)."),
        (lambda o, y: (o.argmax(1) == y).sum().item(),
         "vous renvoyez le nombre de bonnes prédictions : divisez par N pour une proportion."),
        (lambda o, y: 100 * (o.argmax(1) == y).float().mean().item(),
         "l'exactitude est une proportion dans [0, 1], pas un pourcentage."),
    ])


# --- Chapitre 01 : entropie croisée ---------------------------------------------------


def _sigmoid_cases() -> list[Case]:
    g = _gen(3)
    return [Case("vecteur aléatoire (8,)", (3 * torch.randn(8, generator=g),)),
            Case("matrice aléatoire (3, 4)", (torch.randn(3, 4, generator=g),)),
            Case("x = 0 (maximum 1/4)", (torch.zeros(1),)),
            Case("valeurs extrêmes ±1000", (torch.tensor([-1000.0, -50.0, 50.0, 1000.0]),))]


check_sigmoid_grad = Checker(
    exercise="1.1", title="sigmoid_grad", reference=sigmoid_grad, cases=_sigmoid_cases,
    signature="sigmoid_grad(x)",
    finite_hint="exp(−x) déborde pour x très négatif : calculez σ(x) de façon stable "
                "(torch.sigmoid) puis σ(x)(1 − σ(x)).",
    hints=[(torch.sigmoid, "vous renvoyez σ(x) : la dérivée est σ′(x) = σ(x)(1 − σ(x))."),
           (lambda x: x * (1 - x), "appliquez σ′(x) = σ(x)(1 − σ(x)) à σ(x), pas à x.")])


def _one_hot_cases() -> list[Case]:
    y = torch.randint(0, 10, (6,), generator=_gen(4))
    return [Case("6 étiquettes, 10 classes", (y, 10)),
            Case("classes absentes du lot (y = [2, 0, 1], C = 5)", (torch.tensor([2, 0, 1]), 5)),
            Case("une étiquette, la dernière classe (y = [9], C = 10)", (torch.tensor([9]), 10)),
            Case("une seule classe (C = 1)", (torch.tensor([0, 0]), 1))]


check_one_hot = Checker(
    exercise="1.2", title="one_hot", reference=one_hot, cases=_one_hot_cases,
    signature="one_hot(y, num_classes)", hints=[
        (lambda y, c: one_hot(y, c).T, "une ligne par exemple : forme (N, C), pas (C, N)."),
        (lambda y, c: one_hot(y, int(y.max()) + 1),
         "utilisez num_classes et non y.max() + 1 : des classes peuvent manquer dans le lot."),
    ])


def _softmax_cases() -> list[Case]:
    g = _gen(5)
    offsets = torch.tensor([[500.0], [-500.0]])
    return [Case("logits aléatoires (4, 10)", (3 * torch.randn(4, 10, generator=g),)),
            Case("logits extrêmes ±1000", (torch.tensor([[1000.0, -1000.0, 0.0],
                                                          [-1000.0, -1000.0, 1000.0]]),)),
            Case("grande constante par ligne (+500, −500)",
                 (torch.randn(2, 5, generator=g) + offsets,)),
            Case("ligne constante (probabilités uniformes)", (torch.full((1, 4), 7.0),)),
            Case("une seule classe (C = 1)", (torch.randn(3, 1, generator=g),))]


check_softmax = Checker(
    exercise="1.3", title="softmax", reference=softmax, cases=_softmax_cases,
    signature="softmax(o)",
    finite_hint="débordement : pensez à soustraire le maximum de chaque ligne avant exp, "
                "o − o.max(dim=1, keepdim=True).values.",
    hints=[(lambda o: torch.softmax(o, dim=0),
            "normalisez selon la dimension des classes (dim=1) : chaque ligne doit sommer à 1."),
           (lambda o: o, "vous renvoyez les logits : appliquez exp puis normalisez."),
           (lambda o: torch.exp(o - o.amax(1, keepdim=True)),
            "n'oubliez pas de diviser par la somme Σ_k e^{o_k} de chaque ligne.")])


def _ce_cases() -> list[Case]:
    g = _gen(6)
    y = torch.tensor([2, 0, 4])
    return [Case("logits aléatoires (5, 10)", (2 * torch.randn(5, 10, generator=g),
                                               torch.randint(0, 10, (5,), generator=g))),
            Case("un seul exemple (N = 1)", (torch.randn(1, 4, generator=g), torch.tensor([3]))),
            Case("logits extrêmes ±1000", (torch.tensor([[1000.0, -1000.0, 0.0],
                                                          [0.0, 1000.0, -1000.0]]),
                                            torch.tensor([1, 0]))),
            Case("prédictions parfaites (perte ≈ 0)", (50 * one_hot(y, 5), y))]


def _per_sample_ce(o: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return -F.log_softmax(o, dim=1).gather(1, y[:, None])[:, 0]


check_cross_entropy = Checker(
    exercise="1.4", title="cross_entropy", reference=cross_entropy, cases=_ce_cases,
    signature="cross_entropy(o, y)",
    finite_hint="log(softmax(o)) vaut −inf quand une probabilité s'annule : calculez log ŷ "
                "par log-sum-exp, log ŷ_j = o_j − m − log Σ_k e^{o_k − m} avec m = max_k o_k.",
    hints=[(lambda o, y: _per_sample_ce(o, y).sum(),
            "vous calculez la somme : l'énoncé demande la moyenne sur le lot (.mean())."),
           (lambda o, y: -_per_sample_ce(o, y).mean(),
            "attention au signe : l_CE(ŷ, y*) = −Σ_i y*_i log ŷ_i est positive."),
           (_per_sample_ce, "moyennez les pertes des N exemples : le résultat est un scalaire."),
           (lambda o, y: -o.gather(1, y[:, None]).mean(),
            "log ŷ_j = o_j − log Σ_k e^{o_k} : il manque le terme log-sum-exp.")])


check_cross_entropy_grad = Checker(
    exercise="1.5", title="cross_entropy_grad", reference=cross_entropy_grad, cases=_ce_cases,
    signature="cross_entropy_grad(o, y)",
    finite_hint="débordement : utilisez une softmax stable (soustrayez le maximum de chaque "
                "ligne).",
    hints=[(lambda o, y: len(o) * cross_entropy_grad(o, y),
            "gradient de la perte moyenne : divisez par N, ∂L/∂o = (ŷ − y*) / N."),
           (lambda o, y: -cross_entropy_grad(o, y),
            "attention au signe : ∂L/∂o = (ŷ − y*) / N, pas (y* − ŷ) / N."),
           (lambda o, y: torch.softmax(o, dim=1) / len(o),
            "n'oubliez pas de soustraire y* (codage one-hot des étiquettes).")])


def _make_q1_reference() -> nn.Module:
    return nn.Sequential(nn.Linear(784, 120), nn.Sigmoid(), nn.Linear(120, 80), nn.Sigmoid(),
                         nn.Linear(80, 10))


_Q1_SIZES = [(784, 120), (120, 80), (80, 10)]
_Q1_SHAPE = "Linear(784, 120) → Sigmoid → Linear(120, 80) → Sigmoid → Linear(80, 10)"
_LOGITS = "F.cross_entropy applique déjà log-softmax : le modèle doit renvoyer des logits."


def _q1_forward(linears: list[nn.Module], x: torch.Tensor, act: Callable) -> torch.Tensor:
    for layer in linears[:-1]:
        x = act(layer(x))
    return linears[-1](x)


def _q1_structure(model: nn.Module) -> str | None:
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    sizes = [(m.in_features, m.out_features) for m in linears]
    if sizes != _Q1_SIZES:
        got = ", ".join(f"Linear({i}, {o})" for i, o in sizes) or "aucune"
        return f"les couches linéaires doivent être 784 → 120 → 80 → 10 (reçu : {got})."
    n = sum(p.numel() for p in model.parameters())
    if n != 104_690:
        return f"le modèle doit avoir 104 690 paramètres (reçu : {n}) : gardez les biais."
    if any(isinstance(m, (nn.Softmax, nn.LogSoftmax)) for m in model.modules()):
        return f"retirez la couche Softmax finale : {_LOGITS}"
    return None


def _q1_extra(fn: Callable[..., Any]) -> str | None:
    model = fn()
    problem = _q1_structure(model)
    if problem:
        return problem
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    x = torch.randn(5, 784, generator=_gen(7))
    model.eval()
    with torch.no_grad():
        out = model(x)
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (5, 10):
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else _type_name(out)
            return f"pour x de forme (5, 784), la sortie doit être (5, 10) (reçu : {shape})."
        logits = _q1_forward(linears, x, torch.sigmoid)
        if torch.allclose(out, logits, atol=1e-5):
            return None
        diagnoses = [(torch.softmax(logits, 1), f"pas de softmax en sortie : {_LOGITS}"),
                     (torch.log_softmax(logits, 1), f"pas de log-softmax en sortie : {_LOGITS}"),
                     (torch.sigmoid(logits), "pas d'activation après la dernière couche."),
                     (_q1_forward(linears, x, torch.relu), "utilisez la sigmoïde, pas ReLU."),
                     (_q1_forward(linears, x, torch.tanh), "utilisez la sigmoïde, pas tanh."),
                     (_q1_forward(linears, x, lambda h: h),
                      "il manque les sigmoïdes entre les couches.")]
    for candidate, text in diagnoses:
        if torch.allclose(out, candidate, atol=1e-5):
            return text
    return f"la sortie ne correspond pas à {_Q1_SHAPE}."


check_q1_model = Checker(
    exercise="1.6", title="make_q1_model", reference=_make_q1_reference,
    cases=lambda: [Case("construction du modèle")], expect_type=nn.Module, extra=_q1_extra,
    signature="make_q1_model()")

ALL_CHECKERS: tuple[Checker, ...] = (
    check_to_float_images, check_autograd_grad, check_accuracy, check_sigmoid_grad,
    check_one_hot, check_softmax, check_cross_entropy, check_cross_entropy_grad, check_q1_model,
)
