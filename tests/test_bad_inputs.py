"""Entrées hostiles pour chaque fonction publique des pièces de référence et des mesures.

Chaque ligne de la table essaie une mauvaise entrée (mauvais type d'éléments, mauvaise forme,
formes incompatibles, nan/inf, pas négatif, nul ou infini, tenseur vide, liste Python,
tableau NumPy, None, texte…) et attend l'une de deux issues :

- une ``ValueError`` ou une ``TypeError`` (``KeyError``/``IndexError`` pour une recherche)
  dont le message est en français et nomme l'argument fautif ;
- une acceptation documentée : la docstring de la fonction (ou de son module) le dit, et le
  résultat est vérifié.

Jamais une erreur brute de torch ou de Python, jamais un résultat absurde sans un mot.
Un test d'introspection vérifie que chaque fonction ou classe publique de ces modules a ses
lignes : une nouvelle fonction ne peut pas y échapper.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils import activations as A
from course_utils import adaptive, init, losses, metrics, models, optim, repro, sweeps
from course_utils import augmentation as aug
from course_utils import batchnorm as bn
from course_utils import cache as cache_mod
from course_utils import data as D
from course_utils import regularization as reg
from course_utils.lab import activations as lab_act
from course_utils.lab import adaptive as lab_adapt
from course_utils.lab import batchnorm as lab_bn
from course_utils.lab import gradients as lab_grad
from course_utils.lab import init as lab_init
from course_utils.lab import optim as lab_optim
from course_utils.lab import regularization as lab_reg
from course_utils.lab import surfaces as lab_surf
from course_utils.runs import Run, RunConfig
from course_utils.training import History

MODULES = ("activations", "losses", "metrics", "init", "optim", "adaptive", "batchnorm",
           "regularization", "augmentation", "models", "data", "sweeps", "cache", "repro",
           "lab.activations", "lab.adaptive", "lab.batchnorm", "lab.gradients", "lab.init",
           "lab.optim", "lab.regularization", "lab.surfaces")
FRENCH = re.compile(r"doit|doivent|attendu|reçu|[éèêàùçâîôû]")
LOOKUP = (KeyError, IndexError)
NAN, INF = math.nan, math.inf


@dataclass(frozen=True)
class Row:
    """Une entrée hostile : ``call()`` doit lever (erreur en français qui nomme ``arg``), ou,
    si ``check`` est donné, réussir, le comportement étant écrit dans la docstring (``doc``)."""

    target: str  # « module.nom », par ex. « optim.gd_step »
    arg: str
    label: str
    call: Callable[[], object]
    check: Callable[[object], object] | None = None
    doc: str = ""
    errors: tuple[type[Exception], ...] = (ValueError, TypeError)




class Table:
    """Une table de lignes (``rows``) que remplissent ``bad`` et ``ok`` ; chaque fichier de
    mauvaises entrées a la sienne."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def bad(self, target: str, arg: str, values: dict, call: Callable[[object], object], *,
            errors: tuple[type[Exception], ...] = (ValueError, TypeError)) -> None:
        """Une ligne par valeur de ``values`` (étiquette → valeur) : ``call(valeur)`` doit
        lever."""
        for label, value in values.items():
            self.rows.append(Row(target, arg, label, functools.partial(call, value),
                                 errors=errors))

    def ok(self, target: str, label: str, call: Callable[[], object],
           check: Callable[[object], object], doc: str) -> None:
        """Une acceptation documentée : ``call()`` réussit, ``check(résultat)`` est vrai, et
        ``doc`` figure dans la docstring de ``target`` ou de son module."""
        self.rows.append(Row(target, "", label, call, check=check, doc=doc))


_TABLE = Table()
ROWS, bad, ok = _TABLE.rows, _TABLE.bad, _TABLE.ok


# --- Familles de mauvaises valeurs --------------------------------------------------------


def non_numbers() -> dict:
    return {"None": None, "texte": "0.1", "booléen": True, "liste": [0.1],
            "tenseur": torch.tensor(0.1), "complexe": 1j}


NON_FINITE = {"nan": NAN, "inf": INF, "-inf": -INF}


def positive_bad() -> dict:
    return non_numbers() | NON_FINITE | {"0": 0.0, "-1": -1.0}


def nonneg_bad() -> dict:
    return non_numbers() | NON_FINITE | {"-1": -1.0, "-1e-12": -1e-12}


def real_bad() -> dict:
    return non_numbers() | NON_FINITE


def rate_bad() -> dict:  # [0, 1)
    return non_numbers() | NON_FINITE | {"-0.1": -0.1, "1": 1.0, "1.5": 1.5}


def proba_bad() -> dict:  # [0, 1]
    return non_numbers() | NON_FINITE | {"-0.1": -0.1, "1.1": 1.1}


def int_bad(low: int, high: int | None = None) -> dict:
    values = {"None": None, "texte": "3", "booléen": True, "réel": 2.5, "réel entier": 2.0,
              "nan": NAN, f"{low - 1}": low - 1}
    return values | ({} if high is None else {f"{high + 1}": high + 1})


BOOL_BAD = {"None": None, "entier 1": 1, "entier 0": 0, "texte": "oui"}
GENERATOR_BAD = {"entier": 0, "texte": "g", "numpy Generator": np.random.default_rng(0)}
MODEL_BAD = {"None": None, "texte": "mlp", "liste de couches": [nn.Linear(2, 2)],
             "fonction": lambda x: x}


def float_tensor_bad(make: Callable[[], torch.Tensor]) -> dict:
    """Tout sauf un tenseur flottant : None, texte, liste, tableau NumPy, entiers, booléens."""
    t = make()
    return {"None": None, "texte": "x", "liste": t.tolist(), "numpy": t.numpy(),
            "int64": t.long(), "uint8": t.abs().to(torch.uint8), "booléen": t > 0,
            "complexe": t.to(torch.complex64)}


def without(values: dict, *labels: str) -> dict:
    """``values`` sans les étiquettes ``labels`` (des valeurs valides pour cet argument)."""
    return {k: v for k, v in values.items() if k not in labels}


def labels_bad(n: int, classes: int) -> dict:
    """De mauvaises étiquettes pour N = n exemples de ``classes`` classes."""
    y = torch.arange(n) % classes
    return {"None": None, "liste": y.tolist(), "numpy": y.numpy(), "float": y.float(),
            "booléen": y > 0, f"longueur {n + 1}": torch.arange(n + 1) % classes,
            "hors classes": y + classes, "négatives": y - classes}


# --- Données et modèles jouets ------------------------------------------------------------


def vec(*values: float, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype)


def t(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Un tenseur déterministe de forme ``shape``, valeurs dans [−1, 1]."""
    n = math.prod(shape)
    return torch.linspace(-1, 1, max(n, 1), dtype=dtype)[:n].reshape(shape)


@functools.cache
def tiny() -> D.MNIST:
    """MNIST jouet : x (N, 784), 3 classes ; 48 exemples d'apprentissage, 24 de validation,
    24 de test."""
    g = torch.Generator().manual_seed(0)

    def split(n: int, name: str) -> D.Dataset:
        return D.Dataset(torch.randn(n, 784, generator=g), torch.arange(n) % 3, name)

    return D.MNIST(split(48, "apprentissage"), split(24, "validation"), split(24, "test"))


def narrow() -> D.Dataset:
    """Un jeu de 5 caractéristiques : la première couche d'un PMC 784-… le refuse."""
    return D.Dataset(t(8, 5), torch.arange(8) % 3)


def net(**options) -> nn.Sequential:
    return models.mlp([784, 8, 3], seed=0, **options)


def small(**options) -> nn.Sequential:
    return models.mlp([4, 6, 3], seed=0, **options)


CONFIG = RunConfig(sizes=(784, 8, 3), epochs=1, batch_size=16, evals_per_epoch=1)
BN_CONFIG = RunConfig(sizes=(784, 8, 3), batch_norm="after", epochs=1, batch_size=16,
                      evals_per_epoch=1)
CONFIG_BAD = {"None": None, "texte": "sgd", "dictionnaire": CONFIG.to_dict()}
DATASET_BAD = {"None": None, "MNIST au lieu d'un Dataset": None, "tenseur": t(4, 784)}
MNIST_BAD = {"None": None, "Dataset au lieu d'un MNIST": None, "texte": "mnist"}


def dataset_bad() -> dict:
    return DATASET_BAD | {"MNIST au lieu d'un Dataset": tiny()}


def mnist_bad() -> dict:
    return MNIST_BAD | {"Dataset au lieu d'un MNIST": tiny().train}


_TMP = tempfile.TemporaryDirectory(prefix="mauvaises-entrees-")
TMP = Path(_TMP.name)


def trained_run() -> Run:
    """Un Run avec son réseau, sans apprentissage (les mesures ne regardent que le réseau)."""
    return Run(CONFIG, History(epoch=[1.0], train_loss=[1.0], train_acc=[0.5], eval_loss=[1.0],
                               eval_acc=[0.5], eval_name="validation"), net())


# --- activations --------------------------------------------------------------------------

_UNARY = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
          "leaky_relu_grad", "elu", "elu_grad", "selu", "selu_grad", "gelu", "gelu_grad",
          "gelu_tanh", "gelu_tanh_grad", "silu", "silu_grad"]
for _name in _UNARY:
    _fn = getattr(A, _name)
    bad(f"activations.{_name}", "x", float_tensor_bad(lambda: t(5)), _fn)
    ok(f"activations.{_name}", "tenseur vide", functools.partial(_fn, torch.empty(0, 3)),
       lambda y: y.shape == (0, 3), "quelconque")
    ok(f"activations.{_name}", "nan propagé", functools.partial(_fn, vec(NAN, 1.0)),
       lambda y: bool(y[0].isnan()) and bool(y[1].isfinite()), "NaN en entrée → NaN en sortie")
for _name in ("leaky_relu", "leaky_relu_grad"):
    bad(f"activations.{_name}", "negative_slope", nonneg_bad(),
        functools.partial(lambda fn, v: fn(t(5), negative_slope=v), getattr(A, _name)))
for _name in ("elu", "elu_grad"):
    bad(f"activations.{_name}", "alpha", positive_bad(),
        functools.partial(lambda fn, v: fn(t(5), alpha=v), getattr(A, _name)))
for _name in ("prelu", "prelu_grad"):
    _fn = getattr(A, _name)
    bad(f"activations.{_name}", "x", float_tensor_bad(lambda: t(2, 3)),
        functools.partial(lambda fn, v: fn(v, torch.tensor(0.25)), _fn))
    bad(f"activations.{_name}", "a", {
        "None": None, "réel": 0.25, "numpy": np.array([0.25], dtype=np.float32),
        "float64 pour x float32": torch.tensor(0.25, dtype=torch.float64),
        "forme (4,) pour C = 3": torch.full((4,), 0.25), "forme (3, 1)": torch.full((3, 1), 0.25),
    }, functools.partial(lambda fn, v: fn(t(2, 3), v), _fn))
    bad(f"activations.{_name}", "a", {"(C,) pour un x 1-D": torch.full((3,), 0.25)},
        functools.partial(lambda fn, v: fn(t(3), v), _fn))
bad("activations.PReLU", "num_parameters", int_bad(1), lambda v: A.PReLU(num_parameters=v))
bad("activations.PReLU", "init", nonneg_bad(), lambda v: A.PReLU(init=v))
bad("activations.PReLU", "x", float_tensor_bad(lambda: t(2, 3)), lambda v: A.PReLU()(v))
bad("activations.PReLU", "x", {"3 canaux pour 4 pentes": t(2, 3)},
    lambda v: A.PReLU(num_parameters=4)(v))
bad("activations.Activation", "name", {"None": None, "entier": 5, "vide": ""},
    lambda v: A.Activation(v, A.relu, A.relu_grad, nn.ReLU))
for _i, _field in enumerate(("fn", "grad", "module")):
    bad("activations.Activation", _field, {"None": None, "texte": "relu"},
        functools.partial(lambda i, v: A.Activation(
            "ReLU", *[v if k == i else f for k, f in enumerate((A.relu, A.relu_grad,
                                                                 nn.ReLU))]), _i))


# --- losses --------------------------------------------------------------------------------

bad("losses.one_hot", "y", without(labels_bad(4, 3), "longueur 5") | {
    "int32": torch.arange(4, dtype=torch.int32),
                                               "2-D": torch.zeros(2, 2, dtype=torch.long)},
    lambda v: losses.one_hot(v, 3))
bad("losses.one_hot", "num_classes", int_bad(1), lambda v: losses.one_hot(torch.arange(1), v))
bad("losses.one_hot", "dtype", {"torch.int64": torch.int64, "texte": "float32", "None": None,
                                "numpy": np.float32},
    lambda v: losses.one_hot(torch.arange(3), 3, dtype=v))
ok("losses.one_hot", "étiquettes vides", lambda: losses.one_hot(torch.zeros(0, dtype=torch.long),
                                                                3),
   lambda y: y.shape == (0, 3), "(N, C)")
for _name in ("softmax", "log_softmax"):
    _fn = getattr(losses, _name)
    bad(f"losses.{_name}", "o", float_tensor_bad(lambda: t(2, 3)), _fn)
    bad(f"losses.{_name}", "o", {"aucune classe (2, 0)": torch.zeros(2, 0)}, _fn)
    bad(f"losses.{_name}", "dim", {"2 pour 2-D": 2, "-3": -3, "réel": 1.0, "texte": "1",
                                   "None": None},
        functools.partial(lambda fn, v: fn(t(2, 3), dim=v), _fn))
    ok(f"losses.{_name}", "ligne avec nan", functools.partial(_fn, torch.tensor(
        [[NAN, 0.0], [0.0, 1.0]])),
       lambda y: bool(y[0].isnan().all()) and bool(y[1].isfinite().all()), "ligne de nan")
    ok(f"losses.{_name}", "logit -inf", functools.partial(_fn, torch.tensor([[-INF, 0.0]])),
       lambda y, soft=_name == "softmax": y[0, 1].item() == pytest.approx(float(soft)),
       "−inf")
for _name in ("cross_entropy", "cross_entropy_grad"):
    _fn = getattr(losses, _name)
    bad(f"losses.{_name}", "o", float_tensor_bad(lambda: t(4, 3)) | {
        "1-D": t(4), "nan": torch.full((4, 3), NAN), "inf": torch.full((4, 3), INF),
        "-inf": torch.full((4, 3), -INF), "lot vide (0, 3)": torch.zeros(0, 3),
        "aucune classe (4, 0)": torch.zeros(4, 0)},
        functools.partial(lambda fn, v: fn(v, torch.arange(4) % 3), _fn))
    bad(f"losses.{_name}", "y", labels_bad(4, 3) | {
        "int32": torch.arange(4, dtype=torch.int32),
        "cibles (4, 4)": torch.full((4, 4), 0.25), "cibles négatives": torch.tensor(
            [[1.5, -0.5, 0.0]] * 4), "cibles de somme 2": torch.full((4, 3), 2 / 3),
        "cibles nan": torch.full((4, 3), NAN), "3-D": torch.zeros(4, 3, 1)},
        functools.partial(lambda fn, v: fn(t(4, 3), v), _fn))
    ok(f"losses.{_name}", "cibles douces (N, C)",
       functools.partial(_fn, t(4, 3), torch.full((4, 3), 1 / 3)),
       lambda r: bool(torch.isfinite(r).all()), "probabilités")


# --- metrics -------------------------------------------------------------------------------

def _logits_bad() -> dict:
    return float_tensor_bad(lambda: t(4, 3)) | {
        "nan": torch.full((4, 3), NAN), "inf": torch.full((4, 3), INF),
        "aucune classe (4, 0)": torch.zeros(4, 0), "3-D": t(4, 3, 1),
        "flottants (N,)": t(4), "booléens (N,)": torch.ones(4, dtype=torch.bool)}


bad("metrics.accuracy", "logits", _logits_bad(),
    lambda v: metrics.accuracy(v, torch.arange(4) % 3))
bad("metrics.accuracy", "y", labels_bad(4, 3) | {"2-D": torch.zeros(4, 1, dtype=torch.long)},
    lambda v: metrics.accuracy(t(4, 3), v))
bad("metrics.accuracy", "vide", {"(0, 3)": torch.zeros(0, 3)},
    lambda v: metrics.accuracy(v, torch.zeros(0, dtype=torch.long)))
ok("metrics.accuracy", "étiquettes prédites entières (N,)",
   lambda: metrics.accuracy(torch.tensor([0, 1, 2, 1]), torch.tensor([0, 1, 2, 2])),
   lambda r: r == 0.75, "étiquettes prédites (N,) entières")
bad("metrics.confusion_matrix", "pred", _logits_bad(),
    lambda v: metrics.confusion_matrix(v, torch.arange(4) % 3, num_classes=3))
bad("metrics.confusion_matrix", "pred", {"hors classes": torch.tensor([0, 1, 5, 1])},
    lambda v: metrics.confusion_matrix(v, torch.arange(4) % 3, num_classes=3))
_y_bad = labels_bad(4, 3)
del _y_bad["négatives"]  # -3…0 : un seul négatif suffit, la ligne suivante l'essaie
bad("metrics.confusion_matrix", "y", _y_bad | {"négative": torch.tensor([0, -1, 1, 2])},
    lambda v: metrics.confusion_matrix(t(4, 3), v, num_classes=3))
bad("metrics.confusion_matrix", "num_classes", int_bad(1),
    lambda v: metrics.confusion_matrix(torch.tensor([0]), torch.tensor([0]), num_classes=v))
ok("metrics.confusion_matrix", "lot vide", lambda: metrics.confusion_matrix(
    torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long), num_classes=2),
   lambda m: m.tolist() == [[0, 0], [0, 0]], "Σ_{i,j} M[i, j] = N")


# --- init ----------------------------------------------------------------------------------

def _weight_bad() -> dict:
    return float_tensor_bad(lambda: t(3, 2))


_MATRIX_BAD = {"1-D": t(3), "3-D": t(3, 2, 1), "vide (0, 3)": torch.zeros(0, 3)}
bad("init.fan_in_and_fan_out", "weight", _weight_bad() | _MATRIX_BAD, init.fan_in_and_fan_out)
bad("init.constant_", "weight", _weight_bad(), lambda v: init.constant_(v, 0.5))
bad("init.constant_", "value", real_bad(), lambda v: init.constant_(t(3, 2), v))
for _name, _arg in (("normal_", "std"), ("uniform_", "bound")):
    _fn = getattr(init, _name)
    bad(f"init.{_name}", "weight", _weight_bad(),
        functools.partial(lambda fn, a, v: fn(v, **{a: 0.1}), _fn, _arg))
    bad(f"init.{_name}", _arg, nonneg_bad(),
        functools.partial(lambda fn, a, v: fn(t(3, 2), **{a: v}), _fn, _arg))
    bad(f"init.{_name}", "generator", GENERATOR_BAD,
        functools.partial(lambda fn, a, v: fn(t(3, 2), **{a: 0.1, "generator": v}), _fn, _arg))
    ok(f"init.{_name}", "tenseur vide", functools.partial(_fn, torch.empty(0), **{_arg: 0.1}),
       lambda w: w.shape == (0,), "forme quelconque")
for _name in ("fan_in_uniform_", "xavier_uniform_", "xavier_normal_", "kaiming_normal_",
              "kaiming_uniform_"):
    _fn = getattr(init, _name)
    bad(f"init.{_name}", "weight", _weight_bad() | _MATRIX_BAD, _fn)
    bad(f"init.{_name}", "generator", GENERATOR_BAD,
        functools.partial(lambda fn, v: fn(t(3, 2), generator=v), _fn))
    if "xavier" in _name:
        bad(f"init.{_name}", "gain", nonneg_bad(),
            functools.partial(lambda fn, v: fn(t(3, 2), gain=v), _fn))
bad("init.initialize_", "model", MODEL_BAD | {"sans nn.Linear": nn.ReLU()},
    lambda v: init.initialize_(v, "xavier_uniform"))
bad("init.initialize_", "scheme", {"inconnu": "he", "None": None, "entier": 5, "liste": ["x"]},
    lambda v: init.initialize_(small(), v))
bad("init.initialize_", "scale", nonneg_bad(),
    lambda v: init.initialize_(small(), "kaiming_normal", scale=v))
bad("init.initialize_", "scale", real_bad(), lambda v: init.initialize_(small(), "constant",
                                                                          scale=v))
bad("init.initialize_", "generator", GENERATOR_BAD,
    lambda v: init.initialize_(small(), "normal", generator=v))
bad("init.expected_std", "scheme", {"inconnu": "he", "None": None},
    lambda v: init.expected_std(v, 3, 2))
bad("init.expected_std", "scale", nonneg_bad(),
    lambda v: init.expected_std("xavier_normal", 3, 2, scale=v))
bad("init.expected_std", "n", int_bad(1), lambda v: init.expected_std("normal", v, 2))
bad("init.expected_std", "m", int_bad(1), lambda v: init.expected_std("normal", 3, v))


# --- optim et adaptive : les pas sans état ---------------------------------------------------

def theta_bad() -> dict:
    return {"None": None, "texte": "θ", "liste": [1.0, 2.0], "tuple": (1.0, 2.0),
            "booléen": True, "complexe": 1j, "int64": torch.tensor([1, 2]),
            "booléens": torch.tensor([True, False]), "numpy entier": np.array([1, 2])}


def grad_bad() -> dict:
    """Pour θ = t(3) : formes qui se diffuseraient, autre genre, autre type, pas un tableau."""
    return {"forme (3, 1)": t(3, 1), "forme (2,)": t(2), "forme (1,)": t(1), "nombre": 0.5,
            "numpy": np.ones(3, dtype=np.float32), "float64": t(3, dtype=torch.float64),
            "None": None, "liste": [0.1, 0.2, 0.3], "int64": torch.tensor([1, 2, 3])}


_STEPS = {  # nom → (fonction, appel (theta, g, state, **hyper), état, hyper-paramètres)
    "optim.gd_step": (lambda th, g, s, **h: optim.gd_step(th, g, **h), None,
                      {"lr": positive_bad()}),
    "optim.momentum_step": (optim.momentum_step, optim.MomentumState,
                            {"lr": positive_bad(), "momentum": rate_bad()}),
    "optim.nesterov_step": (lambda th, g, s, **h: optim.nesterov_step(th, lambda p: g, s, **h),
                            optim.MomentumState, {"lr": positive_bad(), "momentum": rate_bad()}),
    "adaptive.adagrad_step": (adaptive.adagrad_step, adaptive.AdaGradState,
                              {"lr": positive_bad(), "eps": nonneg_bad()}),
    "adaptive.rmsprop_step": (adaptive.rmsprop_step, adaptive.RMSPropState, {
        "lr": positive_bad(), "rho": rate_bad(), "eps": nonneg_bad(),
        "eps_inside_sqrt": BOOL_BAD}),
    "adaptive.adam_step": (adaptive.adam_step, adaptive.AdamState, {
        "lr": positive_bad(), "eps": nonneg_bad(), "bias_correction": BOOL_BAD,
        "eps_inside_sqrt": BOOL_BAD, "betas": {
            "un seul taux": (0.9,), "ρ2 = 1": (0.9, 1.0), "ρ1 nan": (NAN, 0.999),
            "ρ1 négatif": (-0.1, 0.999), "texte": "ab", "None": None, "réel": 0.9,
            "trois taux": (0.9, 0.99, 0.999)}}),
}
_DEFAULT_HYPER = {"optim.gd_step": {"lr": 0.1}, "optim.momentum_step": {"lr": 0.1,
                                                                          "momentum": 0.9},
                  "optim.nesterov_step": {"lr": 0.1, "momentum": 0.9},
                  "adaptive.adagrad_step": {"lr": 0.1}, "adaptive.rmsprop_step": {"lr": 0.1},
                  "adaptive.adam_step": {"lr": 0.1}}


def _state(cls, value):
    """Un état ``cls`` dont chaque champ tableau vaut ``value`` (t = 1)."""
    return cls(**{f: 1 if f == "t" else value for f in cls.__dataclass_fields__})


def _state_bad(cls) -> dict:
    other = optim.MomentumState if cls is not optim.MomentumState else adaptive.AdaGradState
    return {"tuple": (t(3),), "dictionnaire": {"v": t(3)}, "autre état": _state(other, t(3)),
            "champ de forme (2,)": _state(cls, t(2)), "champ liste": _state(cls, [0.0] * 3),
            "champ float64": _state(cls, t(3, dtype=torch.float64)),
            "champ numpy": _state(cls, np.zeros(3, dtype=np.float32))}


for _target, (_fn, _cls, _hypers) in _STEPS.items():
    _base = _DEFAULT_HYPER[_target]
    bad(_target, "theta", theta_bad(),
        functools.partial(lambda fn, h, v: fn(v, 0.5, None, **h), _fn, _base))
    bad(_target, {"optim.gd_step": "grad", "optim.momentum_step": "grad",
                  "optim.nesterov_step": "grad_fn"}.get(_target, "g"), grad_bad(),
        functools.partial(lambda fn, h, v: fn(t(3), v, None, **h), _fn, _base))
    for _arg, _values in _hypers.items():
        bad(_target, _arg, _values,
            functools.partial(lambda fn, h, a, v: fn(t(3), t(3), None, **h | {a: v}), _fn,
                              _base, _arg))
    if _cls is not None:
        bad(_target, "state", _state_bad(_cls),
            functools.partial(lambda fn, h, v: fn(t(3), t(3), v, **h), _fn, _base))
    ok(_target, "tableaux NumPy flottants",
       functools.partial(_fn, np.array([1.0, 2.0]), np.array([0.5, -0.5]), None, **_base),
       lambda r: isinstance(r if not isinstance(r, tuple) else r[0], np.ndarray),
       "tableaux NumPy flottants")
    ok(_target, "nombres", functools.partial(_fn, 1.0, 0.5, None, **_base),
       lambda r: math.isfinite(r if not isinstance(r, tuple) else r[0]), "nombres réels")
    ok(_target, "nan propagé", functools.partial(_fn, vec(NAN, 1.0), vec(0.5, 0.5), None,
                                                 **_base),
       lambda r: (r if not isinstance(r, tuple) else r[0])[0].isnan(),
       "se propagent au résultat")
bad("optim.MomentumState", "state.v", {"texte": "v", "None": None, "liste": [0.0] * 3},
    lambda v: optim.momentum_step(t(3), t(3), optim.MomentumState(v), lr=0.1, momentum=0.9))
bad("optim.nesterov_step", "grad_fn", {"None": None, "tenseur": t(3), "texte": "f"},
    lambda v: optim.nesterov_step(t(3), v, None, lr=0.1, momentum=0.9))
bad("optim.nesterov_step", "grad_fn", {"résultat (3, 1)": lambda p: t(3, 1),
                                       "résultat liste": lambda p: [0.0] * 3,
                                       "résultat None": lambda p: None},
    lambda v: optim.nesterov_step(t(3), v, None, lr=0.1, momentum=0.9))
for _cls in (adaptive.AdaGradState, adaptive.RMSPropState, adaptive.AdamState):
    bad(f"adaptive.{_cls.__name__}", "state", {"champ texte": _state(_cls, "r")},
        functools.partial(lambda c, v: {
            adaptive.AdaGradState: adaptive.adagrad_step, adaptive.RMSPropState:
            adaptive.rmsprop_step, adaptive.AdamState: adaptive.adam_step}[c](
                t(3), t(3), v, lr=0.1), _cls))
bad("adaptive.AdamState", "state.t", {"négatif": adaptive.AdamState(t(3), t(3), -1),
                                      "réel": adaptive.AdamState(t(3), t(3), 1.5),
                                      "None": adaptive.AdamState(t(3), t(3), None)},
    lambda v: adaptive.adam_step(t(3), t(3), v, lr=0.1))
bad("adaptive.adagrad_effective_lr", "state", {
    "None": None, "tuple": (t(3),), "RMSPropState": adaptive.RMSPropState(t(3).abs()),
    "r liste": adaptive.AdaGradState([1.0, 2.0]), "r int64": adaptive.AdaGradState(
        torch.tensor([1, 2])), "r négatif": adaptive.AdaGradState(vec(-1.0, 1.0)),
    "r nombre négatif": adaptive.AdaGradState(-1.0)},
    lambda v: adaptive.adagrad_effective_lr(v, lr=0.1))
bad("adaptive.adagrad_effective_lr", "lr", positive_bad(),
    lambda v: adaptive.adagrad_effective_lr(adaptive.AdaGradState(t(3).abs()), lr=v))
bad("adaptive.adagrad_effective_lr", "eps", nonneg_bad(),
    lambda v: adaptive.adagrad_effective_lr(adaptive.AdaGradState(t(3).abs()), lr=0.1, eps=v))
ok("adaptive.adagrad_effective_lr", "r nombre", lambda: adaptive.adagrad_effective_lr(
    adaptive.AdaGradState(4.0), lr=0.1), lambda r: r == pytest.approx(0.05, rel=1e-6),
   "nombres réels")


# --- optim et adaptive : les optimiseurs ----------------------------------------------------

def params_bad() -> dict:
    return {"None": None, "entier": 5, "un tenseur seul": nn.Parameter(t(3)), "texte": "w",
            "liste vide": [], "liste de textes": ["w"], "tenseur calculé": [nn.Parameter(t(3)) * 2],
            "tenseur entier": [torch.tensor([1, 2])], "groupe sans params": [{"lr": 0.1}],
            "groupe avec un texte": [{"params": ["w"]}], "dictionnaire": {"w": t(3)}}


_OPTIMIZERS = {
    "optim.GD": (optim.GD, {"lr": 0.1}, {"lr": positive_bad()}),
    "optim.Momentum": (optim.Momentum, {"lr": 0.1, "momentum": 0.9},
                       {"lr": positive_bad(), "momentum": rate_bad()}),
    "optim.Nesterov": (optim.Nesterov, {"lr": 0.1, "momentum": 0.9},
                       {"lr": positive_bad(), "momentum": rate_bad()}),
    "adaptive.AdaGrad": (adaptive.AdaGrad, {"lr": 0.1}, {"lr": positive_bad(),
                                                         "eps": nonneg_bad()}),
    "adaptive.RMSProp": (adaptive.RMSProp, {"lr": 0.1}, {
        "lr": positive_bad(), "rho": rate_bad(), "eps": nonneg_bad(),
        "eps_inside_sqrt": BOOL_BAD}),
    "adaptive.Adam": (adaptive.Adam, {}, {
        "lr": positive_bad(), "eps": nonneg_bad(), "bias_correction": BOOL_BAD,
        "eps_inside_sqrt": BOOL_BAD, "betas": {"ρ2 = 1": (0.9, 1.0), "None": None,
                                               "réel": 0.9}}),
}
for _target, (_cls, _base, _hypers) in _OPTIMIZERS.items():
    bad(_target, "params", params_bad(), functools.partial(lambda c, h, v: c(v, **h), _cls,
                                                           _base))
    for _arg, _values in _hypers.items():
        bad(_target, _arg, _values, functools.partial(
            lambda c, h, a, v: c([nn.Parameter(t(3))], **h | {a: v}), _cls, _base, _arg))
        bad(_target, _arg, {f"groupe {k}": v for k, v in _values.items()}, functools.partial(
            lambda c, h, a, v: c([{"params": [nn.Parameter(t(3))], a: v}], **h), _cls,
            _base, _arg))
bad("optim.Nesterov", "closure", {"None": None},
    lambda v: optim.Nesterov([nn.Parameter(t(3))], lr=0.1, momentum=0.9).step(v))


# --- batchnorm -----------------------------------------------------------------------------

def _bn_x_bad() -> dict:
    return float_tensor_bad(lambda: t(4, 3)) | {"1-D": t(4), "3-D": t(4, 3, 1),
                                                "un seul exemple": t(1, 3),
                                                "lot vide": torch.zeros(0, 3)}


def _vector_bad(d: int = 3) -> dict:
    return {"None": None, "liste": [1.0] * d, "numpy": np.ones(d, dtype=np.float32),
            f"forme ({d + 1},)": torch.ones(d + 1), f"forme (1, {d})": torch.ones(1, d),
            "float64": torch.ones(d, dtype=torch.float64), "int64": torch.ones(d,
                                                                               dtype=torch.long)}


bad("batchnorm.batchnorm_forward", "x", _bn_x_bad(),
    lambda v: bn.batchnorm_forward(v, torch.ones(3), torch.zeros(3)))
for _i, _arg in enumerate(("gamma", "beta")):
    bad("batchnorm.batchnorm_forward", _arg, _vector_bad(), functools.partial(
        lambda i, v: bn.batchnorm_forward(t(4, 3), *[v if k == i else torch.full((3,), 1.0 - k)
                                                     for k in range(2)]), _i))
bad("batchnorm.batchnorm_forward", "eps", nonneg_bad(),
    lambda v: bn.batchnorm_forward(t(4, 3), torch.ones(3), torch.zeros(3), eps=v))
ok("batchnorm.batchnorm_forward", "nan propagé", lambda: bn.batchnorm_forward(
    torch.tensor([[NAN, 1.0], [0.0, 2.0]]), torch.ones(2), torch.zeros(2))[0],
   lambda y: bool(y[:, 0].isnan().all()) and bool(y[:, 1].isfinite().all()), "nan")


def _cache():
    return bn.batchnorm_forward(t(4, 3), torch.ones(3), torch.zeros(3))[1]


bad("batchnorm.batchnorm_backward", "dout", float_tensor_bad(lambda: t(4, 3)) | {
    "forme (4, 2)": t(4, 2), "forme (3, 3)": t(3, 3)}, lambda v: bn.batchnorm_backward(v, _cache()))
bad("batchnorm.batchnorm_backward", "cache", {
    "None": None, "un tenseur": t(4, 3), "couple": (t(4, 3), torch.ones(3)),
    "avec une liste": (t(4, 3), [1.0] * 3, torch.ones(3)),
    "γ de forme (2,)": (t(4, 3), torch.ones(2), torch.ones(3)),
    "x̂ 1-D": (t(3), torch.ones(3), torch.ones(3))},
    lambda v: bn.batchnorm_backward(t(4, 3), v))
bad("batchnorm.BatchNormFunction", "x", _bn_x_bad(),
    lambda v: bn.BatchNormFunction.apply(v, torch.ones(3), torch.zeros(3), 1e-5))
bad("batchnorm.BatchNormFunction", "gamma", _vector_bad(),
    lambda v: bn.BatchNormFunction.apply(t(4, 3), v, torch.zeros(3), 1e-5))
bad("batchnorm.BatchNormFunction", "eps", nonneg_bad(),
    lambda v: bn.BatchNormFunction.apply(t(4, 3), torch.ones(3), torch.zeros(3), v))
bad("batchnorm.update_running_stats", "x", _bn_x_bad(),
    lambda v: bn.update_running_stats(torch.zeros(3), torch.ones(3), v, momentum=0.1))
for _i, _arg in enumerate(("running_mean", "running_var")):
    bad("batchnorm.update_running_stats", _arg, _vector_bad(), functools.partial(
        lambda i, v: bn.update_running_stats(*[v if k == i else torch.full((3,), float(k))
                                               for k in range(2)], t(4, 3), momentum=0.1), _i))
bad("batchnorm.update_running_stats", "momentum", proba_bad(),
    lambda v: bn.update_running_stats(torch.zeros(3), torch.ones(3), t(4, 3), momentum=v))
_BN_EVAL = ("gamma", "beta", "running_mean", "running_var")
bad("batchnorm.batchnorm_eval", "x", float_tensor_bad(lambda: t(4, 3)) | {"1-D": t(3)},
    lambda v: bn.batchnorm_eval(v, *[torch.ones(3)] * 4))
for _i, _arg in enumerate(_BN_EVAL):
    bad("batchnorm.batchnorm_eval", _arg, _vector_bad(), functools.partial(
        lambda i, v: bn.batchnorm_eval(t(4, 3), *[v if k == i else torch.ones(3)
                                                  for k in range(4)]), _i))
bad("batchnorm.batchnorm_eval", "eps", nonneg_bad(),
    lambda v: bn.batchnorm_eval(t(4, 3), *[torch.ones(3)] * 4, eps=v))
ok("batchnorm.batchnorm_eval", "un seul exemple", lambda: bn.batchnorm_eval(
    t(1, 3), *[torch.ones(3)] * 4), lambda y: y.shape == (1, 3), "un seul exemple (N = 1)")
bad("batchnorm.BatchNorm1d", "num_features", int_bad(1), lambda v: bn.BatchNorm1d(v))
bad("batchnorm.BatchNorm1d", "eps", nonneg_bad(), lambda v: bn.BatchNorm1d(3, eps=v))
bad("batchnorm.BatchNorm1d", "momentum", without(proba_bad(), "None"),
    lambda v: bn.BatchNorm1d(3, momentum=v))
bad("batchnorm.BatchNorm1d", "affine", BOOL_BAD, lambda v: bn.BatchNorm1d(3, affine=v))
bad("batchnorm.BatchNorm1d", "x", float_tensor_bad(lambda: t(4, 3)) | {
    "4 caractéristiques pour 3": t(4, 4), "float64 pour un module float32": t(4, 3,
                                                                              dtype=torch.float64),
    "un seul exemple en apprentissage": t(1, 3)}, lambda v: bn.BatchNorm1d(3)(v))
bad("batchnorm.BatchNorm1d", "x", {"float64 sans γ ni β": t(4, 3, dtype=torch.float64)},
    lambda v: bn.BatchNorm1d(3, affine=False)(v))
ok("batchnorm.BatchNorm1d", "momentum=None", lambda: bn.BatchNorm1d(3, momentum=None)(t(4, 3)),
   lambda y: y.shape == (4, 3), "Si ``momentum=None``")
bad("batchnorm.recompute_statistics_", "model", MODEL_BAD | {"sans BN": small()},
    lambda v: bn.recompute_statistics_(v, t(8, 4)))
bad("batchnorm.recompute_statistics_", "x", float_tensor_bad(lambda: t(8, 4)) | {
    "float64": t(8, 4, dtype=torch.float64), "5 caractéristiques pour 4": t(8, 5),
    "scalaire": torch.tensor(1.0), "lot vide": torch.zeros(0, 4)},
    lambda v: bn.recompute_statistics_(small(batch_norm="after"), v))
bad("batchnorm.recompute_statistics_", "batch_size", without(int_bad(2), "None") | {
    "reste 1": 7},
    lambda v: bn.recompute_statistics_(small(batch_norm="after"), t(8, 4), batch_size=v))


# --- regularization ------------------------------------------------------------------------

for _name in ("l2_penalty", "l1_penalty"):
    _fn = getattr(reg, _name)
    bad(f"regularization.{_name}", "model", MODEL_BAD | {"sans nn.Linear": nn.ReLU()},
        functools.partial(lambda fn, v: fn(v, alpha=0.1), _fn))
    bad(f"regularization.{_name}", "alpha", nonneg_bad(),
        functools.partial(lambda fn, v: fn(small(), alpha=v), _fn))
    bad(f"regularization.{_name}", "include_bias", BOOL_BAD,
        functools.partial(lambda fn, v: fn(small(), alpha=0.1, include_bias=v), _fn))
bad("regularization.penalty", "kind", {"inconnu": "l3", "None": None, "entier": 2,
                                       "majuscules": "L2"},
    lambda v: reg.penalty(v, alpha=0.1))
bad("regularization.penalty", "alpha", nonneg_bad(), lambda v: reg.penalty("l2", alpha=v))
bad("regularization.sparsity", "model", MODEL_BAD, lambda v: reg.sparsity(v))
bad("regularization.sparsity", "threshold", positive_bad(),
    lambda v: reg.sparsity(small(), threshold=v))
bad("regularization.weight_norm", "model", MODEL_BAD | {"sans nn.Linear": nn.ReLU()},
    reg.weight_norm)
_P = "p"
bad("regularization.dropout", "x", float_tensor_bad(lambda: t(4, 3)), lambda v: reg.dropout(
    v, p=0.5))
bad("regularization.dropout", _P, rate_bad(), lambda v: reg.dropout(t(4, 3), p=v))
bad("regularization.dropout", "training", BOOL_BAD,
    lambda v: reg.dropout(t(4, 3), p=0.5, training=v))
bad("regularization.dropout", "generator", GENERATOR_BAD,
    lambda v: reg.dropout(t(4, 3), p=0.5, generator=v))
ok("regularization.dropout", "tenseur vide", lambda: reg.dropout(torch.empty(0, 3), p=0.5),
   lambda y: y.shape == (0, 3), "forme quelconque")
bad("regularization.Dropout", _P, rate_bad(), lambda v: reg.Dropout(v))
bad("regularization.Dropout", "generator", GENERATOR_BAD, lambda v: reg.Dropout(generator=v))
bad("regularization.Dropout", "x", float_tensor_bad(lambda: t(4, 3)), lambda v: reg.Dropout()(v))
bad("regularization.mc_dropout_predict", "model", MODEL_BAD | {"sans dropout": small()},
    lambda v: reg.mc_dropout_predict(v, t(4, 4), samples=2))
bad("regularization.mc_dropout_predict", "x", float_tensor_bad(lambda: t(4, 4)) | {
    "float64": t(4, 4, dtype=torch.float64), "5 caractéristiques pour 4": t(4, 5),
    "1-D": t(4)}, lambda v: reg.mc_dropout_predict(small(dropout=0.5), v, samples=2))
bad("regularization.mc_dropout_predict", "samples", int_bad(1),
    lambda v: reg.mc_dropout_predict(small(dropout=0.5), t(4, 4), samples=v))
bad("regularization.mc_dropout_predict", "generator", GENERATOR_BAD,
    lambda v: reg.mc_dropout_predict(small(dropout=0.5), t(4, 4), samples=2, generator=v))
bad("regularization.should_stop", "val_losses", {
    "None": None, "liste vide": [], "texte": "0.9", "textes": ["0.9", "0.8"],
    "avec None": [0.9, None], "booléens": [True, False], "nombre": 0.9},
    lambda v: reg.should_stop(v, patience=1))
bad("regularization.should_stop", "patience", int_bad(1),
    lambda v: reg.should_stop([0.9, 0.8], patience=v))
ok("regularization.should_stop", "nan jamais meilleur",
   lambda: reg.should_stop([NAN, 0.9, 0.8], patience=2), lambda r: r is False,
   "une perte nan (un apprentissage qui a divergé) n'améliore jamais rien")
ok("regularization.should_stop", "inf", lambda: reg.should_stop([INF, 0.9, 1.0], patience=1),
   lambda r: r is True, "inf est une perte comme une autre")
bad("regularization.EarlyStopping", "patience", int_bad(1), lambda v: reg.EarlyStopping(v))
bad("regularization.EarlyStopping", "min_delta", nonneg_bad(),
    lambda v: reg.EarlyStopping(2, min_delta=v))
bad("regularization.EarlyStopping", "value", {
    "texte": "0.5", "None": None, "liste": [0.5], "booléen": True,
    "tenseur à 2 éléments": vec(0.5, 0.4)}, lambda v: reg.EarlyStopping(2).step(v, small()))
bad("regularization.EarlyStopping", "model", MODEL_BAD,
    lambda v: reg.EarlyStopping(2).step(0.5, v))
bad("regularization.EarlyStopping", "history", {"None": None, "dictionnaire": {"eval_loss": []},
                                                "liste": [0.5]},
    lambda v: reg.EarlyStopping(2).on_epoch(small(), v))


def _restore_into(model):
    stopper = reg.EarlyStopping(2)
    stopper.step(0.5, small())
    stopper.restore_best(model)


bad("regularization.EarlyStopping", "model", {"autre architecture": net(), "None": None},
    _restore_into)
ok("regularization.EarlyStopping", "valeur nan", lambda: reg.EarlyStopping(1).step(NAN, small()),
   lambda stop: stop is True, "nan n'est jamais une amélioration")
ok("regularization.EarlyStopping", "tenseur à un élément",
   lambda: reg.EarlyStopping(1).step(torch.tensor(0.5), small()), lambda stop: stop is False,
   "un tenseur à un élément")


# --- augmentation --------------------------------------------------------------------------

def _images_bad() -> dict:
    return float_tensor_bad(lambda: t(2, 784)) | {"783 pixels": t(2, 783), "1-D": t(784),
                                                  "(N, 28, 28)": t(2, 28, 28)}


_Y3 = functools.partial(lambda: torch.tensor([0, 2]))
bad("augmentation.shift", "x", _images_bad(),
    lambda v: aug.shift(v, torch.zeros(2, 2, dtype=torch.long)))
bad("augmentation.shift", "offsets", {
    "None": None, "float": torch.zeros(2, 2), "int32": torch.zeros(2, 2, dtype=torch.int32),
    "forme (2,)": torch.zeros(2, dtype=torch.long), "forme (3, 2)": torch.zeros(
        3, 2, dtype=torch.long), "29 pixels": torch.full((2, 2), 29), "-1e9 pixels": torch.full(
        (2, 2), -10**9), "liste": [[0, 0], [0, 0]]}, lambda v: aug.shift(t(2, 784), v))
bad("augmentation.shift", "background", real_bad(),
    lambda v: aug.shift(t(2, 784), torch.zeros(2, 2, dtype=torch.long), background=v))
bad("augmentation.random_shift", "x", _images_bad(), aug.random_shift)
bad("augmentation.random_shift", "max_shift", int_bad(0, 27),
    lambda v: aug.random_shift(t(2, 784), max_shift=v))
bad("augmentation.random_shift", "background", real_bad(),
    lambda v: aug.random_shift(t(2, 784), background=v))
bad("augmentation.random_shift", "generator", GENERATOR_BAD,
    lambda v: aug.random_shift(t(2, 784), generator=v))
bad("augmentation.rotate", "x", _images_bad(), lambda v: aug.rotate(v, torch.zeros(2)))
bad("augmentation.rotate", "degrees", {
    "None": None, "liste": [0.0, 0.0], "numpy": np.zeros(2), "booléens": torch.zeros(
        2, dtype=torch.bool), "complexe": torch.zeros(2, dtype=torch.complex64),
    "nan": vec(NAN, 0.0), "inf": vec(INF, 0.0), "forme (3,)": torch.zeros(3),
    "forme (2, 1)": torch.zeros(2, 1)}, lambda v: aug.rotate(t(2, 784), v))
bad("augmentation.rotate", "background", real_bad(),
    lambda v: aug.rotate(t(2, 784), torch.zeros(2), background=v))
ok("augmentation.rotate", "angles entiers", lambda: aug.rotate(t(2, 784), torch.tensor([0, 0])),
   lambda y: torch.allclose(y, t(2, 784), atol=1e-5), "entiers acceptés")
bad("augmentation.random_rotation", "x", _images_bad(), aug.random_rotation)
bad("augmentation.random_rotation", "max_degrees", nonneg_bad(),
    lambda v: aug.random_rotation(t(2, 784), max_degrees=v))
bad("augmentation.random_rotation", "background", real_bad(),
    lambda v: aug.random_rotation(t(2, 784), background=v))
bad("augmentation.random_rotation", "generator", GENERATOR_BAD,
    lambda v: aug.random_rotation(t(2, 784), generator=v))
bad("augmentation.gaussian_noise", "x", float_tensor_bad(lambda: t(2, 5)),
    lambda v: aug.gaussian_noise(v, std=0.1))
bad("augmentation.gaussian_noise", "std", nonneg_bad(),
    lambda v: aug.gaussian_noise(t(2, 5), std=v))
bad("augmentation.gaussian_noise", "generator", GENERATOR_BAD,
    lambda v: aug.gaussian_noise(t(2, 5), std=0.1, generator=v))
ok("augmentation.gaussian_noise", "tenseur vide", lambda: aug.gaussian_noise(torch.empty(0, 5),
                                                                             std=0.1),
   lambda y: y.shape == (0, 5), "forme quelconque")
_PERM = functools.partial(lambda: torch.tensor([1, 0]))
bad("augmentation.mixup_batch", "x", float_tensor_bad(lambda: t(2, 5)) | {"1-D": t(2)},
    lambda v: aug.mixup_batch(v, torch.eye(2), 0.5, _PERM()))
bad("augmentation.mixup_batch", "y_onehot", float_tensor_bad(lambda: torch.eye(2)) | {
    "forme (3, 2)": torch.eye(3, 2)}, lambda v: aug.mixup_batch(t(2, 5), v, 0.5, _PERM()))
bad("augmentation.mixup_batch", "lam", proba_bad(),
    lambda v: aug.mixup_batch(t(2, 5), torch.eye(2), v, _PERM()))
bad("augmentation.mixup_batch", "perm", {
    "None": None, "float": vec(1.0, 0.0), "forme (3,)": torch.tensor([1, 0, 2]),
    "indice 99": torch.tensor([99, 0]), "indice -5": torch.tensor([-5, 0]),
    "liste": [1, 0]}, lambda v: aug.mixup_batch(t(2, 5), torch.eye(2), 0.5, v))
for _name in ("mixup", "cutout", "cutmix"):
    _fn = getattr(aug, _name)
    bad(f"augmentation.{_name}", "x", _images_bad(),
        functools.partial(lambda fn, v: fn(v, _Y3()), _fn))
    _ybad = labels_bad(2, 3) | {"int32": torch.tensor([0, 1], dtype=torch.int32)}
    bad(f"augmentation.{_name}", "y", _ybad, functools.partial(
        lambda fn, v: fn(t(2, 784), v, num_classes=3), _fn))
    bad(f"augmentation.{_name}", "num_classes", int_bad(1, 10**6) | {"2 pour l'étiquette 2": 2},
        functools.partial(lambda fn, v: fn(t(2, 784), _Y3(), num_classes=v), _fn))
    bad(f"augmentation.{_name}", "generator", GENERATOR_BAD,
        functools.partial(lambda fn, v: fn(t(2, 784), _Y3(), generator=v), _fn))
for _name in ("mixup", "cutmix"):
    bad(f"augmentation.{_name}", "alpha", positive_bad(), functools.partial(
        lambda fn, v: fn(t(2, 784), _Y3(), alpha=v), getattr(aug, _name)))
bad("augmentation.cutout", "size", int_bad(1, 28), lambda v: aug.cutout(t(2, 784), _Y3(), size=v))
bad("augmentation.cutout", "background", real_bad(),
    lambda v: aug.cutout(t(2, 784), _Y3(), background=v))
bad("augmentation.Augmentation", "couple", {
    "aucune étape": (), "fonction seule": (aug.mixup,), "options None": ((aug.mixup, None),),
    "texte": ("mixup",)}, lambda v: aug.Augmentation(*v))
bad("augmentation.Augmentation", "fonction", {"inconnue": ((print, {}),)},
    lambda v: aug.Augmentation(*v))
bad("augmentation.Augmentation", "option", {"inconnue": ((aug.mixup, {"beta": 1.0}),)},
    lambda v: aug.Augmentation(*v))
bad("augmentation.Augmentation", "y", {"None": None, "liste": [0, 1], "float (N,)": vec(0., 1.),
                                       "cibles (N, C) avant mixup": torch.eye(2)},
    lambda v: aug.Augmentation((aug.mixup, {})).on_batch(t(2, 784), v, None))
bad("augmentation.Augmentation", "x", _images_bad(),
    lambda v: aug.Augmentation((aug.random_shift, {})).on_batch(v, _Y3(), None))


# --- models --------------------------------------------------------------------------------

bad("models.mlp", "sizes", {"None": None, "texte": "784", "une taille": [784],
                            "taille nulle": [784, 0], "taille réelle": [784, 2.5],
                            "booléen": [784, True], "entier seul": 784},
    lambda v: models.mlp(v))
bad("models.mlp", "activation", {"inconnue": "swish", "None": None, "fonction": torch.relu},
    lambda v: models.mlp([4, 3], activation=v))
bad("models.mlp", "batch_norm", {"inconnu": "middle", "booléen": True},
    lambda v: models.mlp([4, 3], batch_norm=v))
bad("models.mlp", "dropout", rate_bad(), lambda v: models.mlp([4, 3], dropout=v))
bad("models.mlp", "seed", without(int_bad(0), "None") | {"2⁶⁴": 2**64},
    lambda v: models.mlp([4, 3], seed=v))
bad("models.linear_layers", "model", MODEL_BAD, models.linear_layers)


# --- data ----------------------------------------------------------------------------------

bad("data.Dataset", "x", float_tensor_bad(lambda: t(4, 3)) | {
    "1-D": t(4), "nan": torch.full((4, 3), NAN), "inf": torch.full((4, 3), INF),
    "N = 5 pour 4 étiquettes": t(5, 3)}, lambda v: D.Dataset(v, torch.arange(4) % 3))
bad("data.Dataset", "y", {"None": None, "float": t(4), "int32": torch.zeros(4, dtype=torch.int32),
                          "2-D": torch.zeros(4, 1, dtype=torch.long),
                          "négatives": torch.tensor([0, -1, 1, 2]), "liste": [0, 1, 2, 0]},
    lambda v: D.Dataset(t(4, 3), v))
bad("data.Dataset", "name", {"None": None, "entier": 5}, lambda v: D.Dataset(t(4, 3),
                                                                              torch.arange(4), v))
ok("data.Dataset", "jeu vide", lambda: D.Dataset(torch.zeros(0, 3),
                                                 torch.zeros(0, dtype=torch.long)),
   lambda d: len(d) == 0, "x (N, D)")
for _i, _arg in enumerate(("train", "validation", "test")):
    bad("data.MNIST", _arg, {"texte": "x", "tenseur": t(2, 3), "MNIST": "MNIST"} | (
        {"None": None} if _arg != "validation" else {}),
        functools.partial(lambda i, v: D.MNIST(*[
            (tiny() if isinstance(v, str) and v == "MNIST" else v) if k == i else tiny().train
            for k in range(3)]), _i))
ok("data.MNIST", "sans validation", lambda: D.MNIST(tiny().train, None, tiny().test),
   lambda m: m.validation is None, "validation (ou None)")
for _arg, _high in (("train_size", 60_000), ("validation_size", 59_999), ("test_size", 10_000)):
    _sizes = {k: v for k, v in int_bad(1, _high).items() if k != "None"}  # None : toutes
    bad("data.load_mnist", _arg, _sizes, functools.partial(
        lambda a, v: D.load_mnist(**{a: v}), _arg))
bad("data.load_mnist", "seed", int_bad(0), lambda v: D.load_mnist(seed=v))
bad("data.load_mnist", "normalize", BOOL_BAD, lambda v: D.load_mnist(normalize=v))
bad("data.load_mnist", "data_dir", {"entier": 5, "liste": ["data"]},
    lambda v: D.load_mnist(data_dir=v, train_size=1, test_size=1))
bad("data.load_mnist", "mirrors", {"texte": "https://exemple.org/", "vide": [], "entier": 5},
    lambda v: D.load_mnist(mirrors=v))
bad("data.load_mnist", "miroir", {"ftp": ["ftp://exemple.org/"], "entier": [5]},
    lambda v: D.load_mnist(mirrors=v))
bad("data.mnist_dir", "data_dir", {"entier": 5, "liste": ["data"], "réel": 1.5}, D.mnist_dir)
bad("data.verify_mnist_files", "folder", {"entier": 5, "liste": ["data"]},
    D.verify_mnist_files)
bad("data.to_float_images", "x", {
    "None": None, "float": t(2, 28, 28), "int64": torch.zeros(2, 28, 28, dtype=torch.long),
    "(N, 784)": torch.zeros(2, 784, dtype=torch.uint8), "(28, 28)": torch.zeros(
        28, 28, dtype=torch.uint8), "(N, 5, 5)": torch.zeros(2, 5, 5, dtype=torch.uint8),
    "numpy": np.zeros((2, 28, 28), dtype=np.uint8), "liste": [[0] * 28] * 28},
    D.to_float_images)
ok("data.to_float_images", "lot vide", lambda: D.to_float_images(
    torch.zeros(0, 28, 28, dtype=torch.uint8)), lambda x: x.shape == (0, 784), "(N, 784)")
for _name, _arg in (("normalize", "pixels"), ("denormalize", "x")):
    _fn = getattr(D, _name)
    bad(f"data.{_name}", _arg, {
        "None": None, "texte": "0.5", "liste": [0.5], "booléen": True,
        "octets uint8": torch.full((2,), 255, dtype=torch.uint8),
        "int64": torch.tensor([0, 1]), "booléens": torch.tensor([True]),
        "numpy entier": np.array([0, 255])}, _fn)
    ok(f"data.{_name}", "tableau NumPy flottant", functools.partial(_fn, np.array([0.5])),
       lambda r: isinstance(r, np.ndarray), "tableau NumPy flottant")
    ok(f"data.{_name}", "nombre", functools.partial(_fn, 0.5), lambda r: isinstance(r, float),
       "nombre")


# --- sweeps, cache, repro ------------------------------------------------------------------

bad("sweeps.Runs", "runs", {"None": None, "entier": 5, "texte": "abc", "liste d'entiers": [1],
                            "un Run seul": "RUN"},
    lambda v: sweeps.Runs(trained_run() if isinstance(v, str) and v == "RUN" else v))
bad("sweeps.Runs", "champ", {"inconnu": "rate"},
    lambda v: sweeps.Runs([trained_run()]).where(**{v: 0.1}))
bad("sweeps.Runs", "lr", {"aucun run": 0.5},
    lambda v: sweeps.Runs([trained_run()]).get(lr=v), errors=LOOKUP)
bad("sweeps.Runs", "field", {"inconnu": "rate", "None": None},
    lambda v: sweeps.Runs([trained_run()]).values(v))
bad("sweeps.Runs", "index", {"5 pour 1 run": 5, "-2 pour 1 run": -2},
    lambda v: sweeps.Runs([trained_run()])[v], errors=LOOKUP)
bad("sweeps.Runs", "index", {"texte": "a", "réel": 0.5},
    lambda v: sweeps.Runs([trained_run()])[v])
ok("sweeps.Runs", "aucun run", lambda: sweeps.Runs([]), lambda r: len(r) == 0, "Run")
bad("sweeps.sweep", "configs", {"None": None, "entier": 5, "vide": [], "textes": ["sgd"],
                                "un RunConfig seul": CONFIG},
    lambda v: sweeps.sweep(v, tiny()))
bad("sweeps.sweep", "data", mnist_bad(), lambda v: sweeps.sweep([CONFIG], v))
bad("sweeps.sweep", "eval_on", {"train": "train", "None": None},
    lambda v: sweeps.sweep([CONFIG], tiny(), eval_on=v))
bad("sweeps.cached_sweep", "name", {"vide": "", "chemin": "../x", "entier": 5, "None": None},
    lambda v: sweeps.cached_sweep(v, [CONFIG], data={"train_size": 10}))
bad("sweeps.cached_sweep", "configs", {"None": None, "vide": [], "textes": ["sgd"]},
    lambda v: sweeps.cached_sweep("essai", v, data={"train_size": 10}))
bad("sweeps.cached_sweep", "data", {"None": None, "liste": [("train_size", 10)],
                                    "clé inconnue": {"size": 10}},
    lambda v: sweeps.cached_sweep("essai", [CONFIG], data=v))
bad("sweeps.cached_sweep", "eval_on", {"train": "train"},
    lambda v: sweeps.cached_sweep("essai", [CONFIG], data={}, eval_on=v))
bad("sweeps.cached_sweep", "keep_batch_loss", BOOL_BAD,
    lambda v: sweeps.cached_sweep("essai", [CONFIG], data={}, keep_batch_loss=v))
bad("sweeps.rerun", "name", {"vide": "", "chemin": "../../README", "entier": 5},
    lambda v: sweeps.rerun(v, 0))
bad("sweeps.rerun", "index", {"texte": "0", "réel": 0.5, "None": None},
    lambda v: sweeps.rerun("activations_mnist", v))
bad("sweeps.rerun", "index", {"10⁶": 10**6}, lambda v: sweeps.rerun("activations_mnist", v),
    errors=LOOKUP)
bad("sweeps.sample_configs", "base", {"None": None, "dictionnaire": CONFIG.to_dict()},
    lambda v: sweeps.sample_configs(v, {"lr": [0.1, 0.2]}, 1))
bad("sweeps.sample_configs", "space", {
    "None": None, "liste": [("lr", [0.1])], "champ inconnu": {"rate": [0.1]},
    "valeur seule": {"lr": 0.1}, "liste vide": {"lr": []},
    "dictionnaire à champ inconnu": {"opt": [{"optimiser": "adam"}]}},
    lambda v: sweeps.sample_configs(CONFIG, v, 1))
bad("sweeps.sample_configs", "n", int_bad(1, 2),
    lambda v: sweeps.sample_configs(CONFIG, {"lr": [0.1, 0.2]}, v))
bad("sweeps.sample_configs", "seed", int_bad(0),
    lambda v: sweeps.sample_configs(CONFIG, {"lr": [0.1, 0.2]}, 1, seed=v))
bad("sweeps.best_run", "runs", {"None": None, "vide": [], "entiers": [1], "texte": "abc",
                                "sans évaluation": [Run(CONFIG, History())]}, sweeps.best_run)
bad("cache.cached", "name", {"vide": "", "chemin": "../x", "sous-dossier": "a/b", "entier": 5,
                             "None": None},
    lambda v: cache_mod.cached(v, lambda: {}, folder=TMP))
bad("cache.cached", "compute", {"None": None, "entier": 5, "dictionnaire": {}},
    lambda v: cache_mod.cached("essai", v, folder=TMP, regenerate=True))
bad("cache.cached", "compute()", {"liste": lambda: [1], "tenseur dans le dict": lambda: {
    "w": t(2)}, "clés mêlées": lambda: {1: 0, "a": 1}},
    lambda v: cache_mod.cached("essai", v, folder=TMP, regenerate=True))
bad("cache.cached", "regenerate", {"texte": "oui", "entier": 1},
    lambda v: cache_mod.cached("essai", lambda: {}, folder=TMP, regenerate=v))
bad("cache.cached", "folder", {"entier": 5, "liste": ["a"]},
    lambda v: cache_mod.cached("essai", lambda: {}, folder=v))
ok("cache.cached", "nan et inf", lambda: cache_mod.cached(
    "nan", lambda: {"loss": [NAN, INF]}, folder=TMP, regenerate=True),
   lambda r: math.isnan(r["loss"][0]) and r["loss"][1] == INF, "nan et ±inf sont enregistrés")
bad("cache.load_results", "name", {"vide": "", "chemin": "../../README", "entier": 5},
    lambda v: cache_mod.load_results(v, folder=TMP))
bad("cache.load_results", "folder", {"entier": 5}, lambda v: cache_mod.load_results(
    "essai", folder=v))
bad("repro.setup", "seed", int_bad(0, 2**32 - 1), lambda v: repro.setup(seed=v))
bad("repro.setup", "threads", int_bad(1, 256), lambda v: repro.setup(threads=v))


# --- lab.activations, lab.gradients, lab.init ------------------------------------------------

def _x_bad() -> dict:
    """Pour un PMC 784-… : tout sauf un tenseur float32 (N, 784)."""
    return float_tensor_bad(lambda: t(4, 784)) | {
        "float64": t(4, 784, dtype=torch.float64), "783 caractéristiques": t(4, 783),
        "1-D": t(784)}


_SEQ_BAD = MODEL_BAD | {"pas un nn.Sequential": nn.Linear(784, 3)}
_PROPS = ("]0, 1[", False, "non", "comparaison", 1.0)
for _i, (_arg, _values) in enumerate((
        ("value_range", {"None": None, "entier": 1}),
        ("zero_centred", BOOL_BAD), ("saturates", {"None": None}), ("cost", {"entier": 3}),
        ("max_grad", positive_bad()))):
    bad("lab.activations.Properties", _arg, _values, functools.partial(
        lambda i, v: lab_act.Properties(*[v if k == i else p for k, p in enumerate(_PROPS)]),
        _i))
bad("lab.activations.dead_units", "h", float_tensor_bad(lambda: t(4, 3)) | {
    "1-D": t(3), "aucun exemple": torch.zeros(0, 3)}, lab_act.dead_units)
ok("lab.activations.dead_units", "sortie nan", lambda: lab_act.dead_units(
    torch.tensor([[NAN, 0.0], [NAN, 0.0]])), lambda m: m.tolist() == [False, True],
   "une sortie nan n'est pas ≤ 0")
bad("lab.activations.dead_fraction", "model", _SEQ_BAD,
    lambda v: lab_act.dead_fraction(v, t(4, 784)))
bad("lab.activations.dead_fraction", "x", _x_bad(), lambda v: lab_act.dead_fraction(net(), v))
_Y4 = functools.partial(lambda: torch.arange(4) % 3)
for _name in ("layer_weight_grads", "layer_grad_norms"):
    _fn = getattr(lab_grad, _name)
    bad(f"lab.gradients.{_name}", "model", MODEL_BAD | {"sans nn.Linear": nn.ReLU()},
        functools.partial(lambda fn, v: fn(v, t(4, 784), _Y4()), _fn))
    bad(f"lab.gradients.{_name}", "x", _x_bad(), functools.partial(
        lambda fn, v: fn(net(), v, _Y4()), _fn))
    bad(f"lab.gradients.{_name}", "y", labels_bad(4, 3) | {
        "int32": torch.zeros(4, dtype=torch.int32)},
        functools.partial(lambda fn, v: fn(net(), t(4, 784), v), _fn))
bad("lab.gradients.scale_weights", "model", MODEL_BAD, lambda v: lab_grad.scale_weights(v, 2.0))
bad("lab.gradients.scale_weights", "factor", positive_bad(),
    lambda v: lab_grad.scale_weights(net(), v))
for _name in ("layer_outputs", "saturation"):
    _fn = getattr(lab_grad, _name)
    bad(f"lab.gradients.{_name}", "model", _SEQ_BAD,
        functools.partial(lambda fn, v: fn(v, t(4, 784)), _fn))
    bad(f"lab.gradients.{_name}", "x", _x_bad(), functools.partial(lambda fn, v: fn(net(), v),
                                                                     _fn))
bad("lab.gradients.saturation", "threshold", positive_bad(),
    lambda v: lab_grad.saturation(net(), t(4, 784), threshold=v))
for _name in ("predicted_variances", "measured_variances"):
    _fn = getattr(lab_init, _name)
    for _i, (_arg, _values) in enumerate((("var_x", nonneg_bad()), ("var_w", nonneg_bad()),
                                          ("n", int_bad(1)), ("depth", int_bad(1)))):
        bad(f"lab.init.{_name}", _arg, _values, functools.partial(
            lambda fn, i, v: fn(*[v if k == i else d for k, d in enumerate((1.0, 0.5, 2, 2))]),
            _fn, _i))
bad("lab.init.measured_variances", "samples", int_bad(2),
    lambda v: lab_init.measured_variances(1.0, 0.5, 2, 2, samples=v))
bad("lab.init.measured_variances", "seed", int_bad(0),
    lambda v: lab_init.measured_variances(1.0, 0.5, 2, 2, seed=v))
bad("lab.init.activation_stds", "model", _SEQ_BAD, lambda v: lab_init.activation_stds(
    v, t(4, 784)))
bad("lab.init.activation_stds", "x", _x_bad(), lambda v: lab_init.activation_stds(net(), v))
bad("lab.init.twin_neurons", "data", dataset_bad() | {
    "jeu vide": D.Dataset(torch.zeros(0, 784), torch.zeros(0, dtype=torch.long))},
    lambda v: lab_init.twin_neurons(v))
bad("lab.init.twin_neurons", "lr", positive_bad(),
    lambda v: lab_init.twin_neurons(tiny().train, lr=v))
bad("lab.init.twin_neurons", "seed", int_bad(0),
    lambda v: lab_init.twin_neurons(tiny().train, seed=v))


# --- lab.adaptive ----------------------------------------------------------------------------

def _adagrad_and_weight():
    model = net()
    return adaptive.AdaGrad(model.parameters(), lr=0.1), model[0].weight


def _record_at_bad() -> dict:
    return {"None": None, "entier": 5, "vide": [], "pas 0": [0], "décroissante": [3, 2],
            "réel": [1.5], "texte": "1"}


bad("lab.adaptive.EffectiveSteps", "optimizer", {
    "None": None, "torch.optim.SGD": torch.optim.SGD(net().parameters(), lr=0.1),
    "Momentum du cours": optim.Momentum(net().parameters(), lr=0.1, momentum=0.9)},
    lambda v: lab_adapt.EffectiveSteps(v, nn.Parameter(t(3)), record_at=[1]))
bad("lab.adaptive.EffectiveSteps", "parameter", {"autre tenseur": nn.Parameter(t(3)),
                                                 "None": None},
    lambda v: lab_adapt.EffectiveSteps(_adagrad_and_weight()[0], v, record_at=[1]))
bad("lab.adaptive.EffectiveSteps", "record_at", _record_at_bad(),
    lambda v: lab_adapt.EffectiveSteps(*_adagrad_and_weight(), record_at=v))
bad("lab.adaptive.EffectiveSteps", "levels", {"None": None, "vide": [], "1.5": [1.5],
                                              "texte": "0.5", "nan": [NAN]},
    lambda v: lab_adapt.EffectiveSteps(*_adagrad_and_weight(), record_at=[1], levels=v))
_ADAGRAD = RunConfig(sizes=(784, 8, 3), optimizer="adagrad", lr=0.1, epochs=1, batch_size=16,
                     evals_per_epoch=1)
bad("lab.adaptive.effective_steps", "config", CONFIG_BAD | {"optimiseur sgd": CONFIG},
    lambda v: lab_adapt.effective_steps(v, tiny().train, record_at=[1]))
bad("lab.adaptive.effective_steps", "data", dataset_bad(),
    lambda v: lab_adapt.effective_steps(_ADAGRAD, v, record_at=[1]))
bad("lab.adaptive.effective_steps", "record_at", _record_at_bad() | {"au-delà des pas": [10**6]},
    lambda v: lab_adapt.effective_steps(_ADAGRAD, tiny().train, record_at=v))
bad("lab.adaptive.adam_bias_trace", "grads", float_tensor_bad(lambda: t(5)) | {
    "2-D": t(5, 1), "vide": torch.zeros(0), "nan": vec(NAN, 1.0), "inf": vec(INF, 1.0)},
    lab_adapt.adam_bias_trace)
bad("lab.adaptive.adam_bias_trace", "lr", positive_bad(),
    lambda v: lab_adapt.adam_bias_trace(t(5), lr=v))
bad("lab.adaptive.adam_bias_trace", "betas", {"ρ1 = 1": (1.0, 0.999), "None": None,
                                              "un taux": (0.9,)},
    lambda v: lab_adapt.adam_bias_trace(t(5), betas=v))


# --- lab.batchnorm ---------------------------------------------------------------------------

bad("lab.batchnorm.batch_stat_noise", "data", dataset_bad() | {"5 caractéristiques": narrow()},
    lambda v: lab_bn.batch_stat_noise(v, batch_sizes=(2,), n_batches=2))
bad("lab.batchnorm.batch_stat_noise", "batch_sizes", {
    "None": None, "entier": 4, "vide": (), "taille 1": (1,), "plus que N": (10**6,),
    "réel": (2.5,)}, lambda v: lab_bn.batch_stat_noise(tiny().train, batch_sizes=v))
bad("lab.batchnorm.batch_stat_noise", "n_batches", int_bad(2),
    lambda v: lab_bn.batch_stat_noise(tiny().train, batch_sizes=(2,), n_batches=v))
bad("lab.batchnorm.batch_stat_noise", "seed", int_bad(0),
    lambda v: lab_bn.batch_stat_noise(tiny().train, batch_sizes=(2,), seed=v))


def _bn_model_and_norm():
    model = net(batch_norm="after")
    return model, next(m for m in model if isinstance(m, nn.BatchNorm1d))


bad("lab.batchnorm.RunningStatsTrace", "model", _SEQ_BAD,
    lambda v: lab_bn.RunningStatsTrace(v, nn.BatchNorm1d(8), t(4, 784)))
bad("lab.batchnorm.RunningStatsTrace", "norm", {"hors du modèle": nn.BatchNorm1d(8),
                                                "None": None},
    lambda v: lab_bn.RunningStatsTrace(_bn_model_and_norm()[0], v, t(4, 784)))
bad("lab.batchnorm.RunningStatsTrace", "x", _x_bad(),
    lambda v: lab_bn.RunningStatsTrace(*_bn_model_and_norm(), v))
bad("lab.batchnorm.train_with_trace", "config", CONFIG_BAD,
    lambda v: lab_bn.train_with_trace(v, tiny().train))
bad("lab.batchnorm.train_with_trace", "data", dataset_bad(),
    lambda v: lab_bn.train_with_trace(BN_CONFIG, v))
bad("lab.batchnorm.train_with_trace", "momentum", without(proba_bad(), "None"),
    lambda v: lab_bn.train_with_trace(BN_CONFIG, tiny().train, momentum=v))
bad("lab.batchnorm.train_with_trace", "layer", int_bad(-1, 0),
    lambda v: lab_bn.train_with_trace(BN_CONFIG, tiny().train, layer=v))
bad("lab.batchnorm.accuracies", "model", MODEL_BAD | {"float64": net().double()},
    lambda v: lab_bn.accuracies(v, tiny(), batch_size=16))
bad("lab.batchnorm.accuracies", "data", mnist_bad(),
    lambda v: lab_bn.accuracies(net(), v, batch_size=16))
bad("lab.batchnorm.accuracies", "batch_size", int_bad(1),
    lambda v: lab_bn.accuracies(net(), tiny(), batch_size=v))
bad("lab.batchnorm.small_data_failure", "data", mnist_bad(),
    lambda v: lab_bn.small_data_failure(v, config=BN_CONFIG))
bad("lab.batchnorm.small_data_failure", "config", CONFIG_BAD | {"sans BN": CONFIG},
    lambda v: lab_bn.small_data_failure(tiny(), config=v))
bad("lab.batchnorm.small_data_failure", "more", int_bad(2),
    lambda v: lab_bn.small_data_failure(tiny(), config=BN_CONFIG, more=v))
bad("lab.batchnorm.shifted", "x", float_tensor_bad(lambda: t(2, 784)),
    lambda v: lab_bn.shifted(v, "invert"))
bad("lab.batchnorm.shifted", "kind", {"inconnu": "blur", "None": None},
    lambda v: lab_bn.shifted(t(2, 784), v))
bad("lab.batchnorm.shifted", "seed", int_bad(0), lambda v: lab_bn.shifted(t(2, 784), "noise",
                                                                           seed=v))
bad("lab.batchnorm.adabn_gain", "model", MODEL_BAD | {"sans BN": net()},
    lambda v: lab_bn.adabn_gain(v, tiny().test))
bad("lab.batchnorm.adabn_gain", "target", dataset_bad() | {"5 caractéristiques": narrow()},
    lambda v: lab_bn.adabn_gain(net(batch_norm="after"), v))
bad("lab.batchnorm.adabn_gain", "batch_size", without(int_bad(2), "None") | {"reste 1": 23},
    lambda v: lab_bn.adabn_gain(net(batch_norm="after"), tiny().test, batch_size=v))
bad("lab.batchnorm.adabn_table", "model", MODEL_BAD,
    lambda v: lab_bn.adabn_table(v, tiny()))
bad("lab.batchnorm.adabn_table", "data", mnist_bad(),
    lambda v: lab_bn.adabn_table(net(batch_norm="after"), v))
bad("lab.batchnorm.SmoothnessProbe", "x", float_tensor_bad(lambda: t(4, 784)) | {"1-D": t(784)},
    lambda v: lab_bn.SmoothnessProbe(v, _Y4(), distances=(0.1,), every=1, steps=1))
bad("lab.batchnorm.SmoothnessProbe", "y", without(labels_bad(4, 3), "hors classes") | {
    "int32": torch.zeros(4, dtype=torch.int32)},
    lambda v: lab_bn.SmoothnessProbe(t(4, 784), v, distances=(0.1,), every=1, steps=1))
bad("lab.batchnorm.SmoothnessProbe", "y", {"hors des 3 sorties": torch.arange(4) + 3},
    lambda v: lab_bn.SmoothnessProbe(t(4, 784), v, distances=(0.1,), every=1,
                                     steps=1).probe(net(), 0))


def _distances_bad() -> dict:
    return {"None": None, "réel seul": 0.1, "vide": (), "négative": (0.1, -1.0), "nan": (NAN,),
            "inf": (INF,), "texte": ("0.1",)}


bad("lab.batchnorm.SmoothnessProbe", "distances", _distances_bad(),
    lambda v: lab_bn.SmoothnessProbe(t(4, 784), _Y4(), distances=v, every=1, steps=1))
for _arg in ("every", "steps"):
    bad("lab.batchnorm.SmoothnessProbe", _arg, int_bad(1), functools.partial(
        lambda a, v: lab_bn.SmoothnessProbe(t(4, 784), _Y4(), distances=(0.1,),
                                            **{"every": 1, "steps": 1} | {a: v}), _arg))
bad("lab.batchnorm.smoothness_profile", "config", CONFIG_BAD,
    lambda v: lab_bn.smoothness_profile(v, tiny().train))
bad("lab.batchnorm.smoothness_profile", "data", dataset_bad(),
    lambda v: lab_bn.smoothness_profile(CONFIG, v))
for _arg in ("steps", "every"):
    bad("lab.batchnorm.smoothness_profile", _arg, int_bad(1), functools.partial(
        lambda a, v: lab_bn.smoothness_profile(CONFIG, tiny().train, **{a: v}), _arg))
bad("lab.batchnorm.smoothness_profile", "distances", _distances_bad(),
    lambda v: lab_bn.smoothness_profile(CONFIG, tiny().train, distances=v, probe_size=10))
bad("lab.batchnorm.smoothness_profile", "probe_size", int_bad(2, 48),
    lambda v: lab_bn.smoothness_profile(CONFIG, tiny().train, probe_size=v))


# --- lab.optim et lab.surfaces ---------------------------------------------------------------

_BOWL = lab_surf.quadratic()
bad("lab.optim.trajectory", "surface", {"None": None, "texte": "quadratic"},
    lambda v: lab_optim.trajectory(v, "sgd", steps=2, lr=0.001))
bad("lab.optim.trajectory", "optimizer", {
    "torch_adam (sans pas sans état)": "torch_adam", "adamw": "adamw", "inconnu": "lbfgs",
    "None": None}, lambda v: lab_optim.trajectory(_BOWL, v, steps=2, lr=0.001))
bad("lab.optim.trajectory", "steps", int_bad(0),
    lambda v: lab_optim.trajectory(_BOWL, "sgd", steps=v, lr=0.001))
bad("lab.optim.trajectory", "lr", positive_bad(),
    lambda v: lab_optim.trajectory(_BOWL, "sgd", steps=2, lr=v))
for _opt, _arg, _values in (("momentum", "momentum", rate_bad()), ("nesterov", "momentum",
                                                                   rate_bad()),
                            ("rmsprop", "rho", rate_bad()), ("adam", "eps", nonneg_bad()),
                            ("adagrad", "eps", nonneg_bad()),
                            ("adam", "betas", {"ρ2 = 1": (0.9, 1.0), "réel": 0.9})):
    if _arg == "eps":
        _values = {k: v for k, v in _values.items() if k != "None"}  # None : δ du cours
    bad("lab.optim.trajectory", _arg, _values, functools.partial(
        lambda o, a, v: lab_optim.trajectory(_BOWL, o, steps=2, lr=0.001, **{a: v}), _opt, _arg))
bad("lab.optim.trajectory", "start", {
    "texte": "ab", "un réel": [1.0], "trois réels": [1.0, 2.0, 3.0], "nan": [NAN, 0.0],
    "inf": [INF, 0.0], "textes": ["a", "b"], "booléens": [True, False], "dictionnaire": {
        "x": 1.0}, "(1, 2)": [[1.0, 2.0]], "complexes": [1j, 0.0]},
    lambda v: lab_optim.trajectory(_BOWL, "sgd", steps=2, lr=0.001, start=v))
ok("lab.optim.trajectory", "momentum ignoré par « sgd »", lambda: lab_optim.trajectory(
    _BOWL, "sgd", steps=2, lr=0.001, momentum=NAN), lambda p: p.shape == (3, 2),
   "seuls ses hyper-paramètres")
ok("lab.optim.trajectory", "départ tenseur", lambda: lab_optim.trajectory(
    _BOWL, "sgd", steps=1, lr=0.001, start=vec(1.0, 0.5)), lambda p: p.shape == (2, 2),
   "start : point de départ (2,)")
ok("lab.optim.trajectory", "divergence", lambda: lab_optim.trajectory(
    _BOWL, "sgd", steps=50, lr=1.0), lambda p: len(p) < 51 and np.isfinite(p).all(),
   "n < steps + 1 signale la divergence")
for _name in ("optimal_gd", "optimal_momentum"):
    _fn = getattr(lab_optim, _name)
    bad(f"lab.optim.{_name}", "mu", positive_bad() | {"mu > L": 2.0},
        functools.partial(lambda fn, v: fn(v, 1.0), _fn))
    bad(f"lab.optim.{_name}", "L", positive_bad(), functools.partial(lambda fn, v: fn(0.5, v),
                                                                     _fn))
_TRAJ = np.array([[1.0, 1.0], [0.5, 0.5], [0.25, 0.25], [0.125, 0.125]])
bad("lab.optim.measured_rate", "points", {
    "None": None, "liste": _TRAJ.tolist(), "entiers": _TRAJ.astype(int), "(n, 3)": np.ones(
        (4, 3)), "vide": np.zeros((0, 2)), "nan": np.array([[NAN, 0.0], [0.5, 0.5]]),
    "tenseur": torch.tensor(_TRAJ), "1-D": np.ones(2)},
    lambda v: lab_optim.measured_rate(v, (0.0, 0.0)))
bad("lab.optim.measured_rate", "minimum", {"None": None, "trois réels": (0.0, 0.0, 0.0),
                                           "texte": "ab", "nan": (NAN, 0.0)},
    lambda v: lab_optim.measured_rate(_TRAJ, v))
bad("lab.optim.measured_rate", "tail", positive_bad() | {"1.5": 1.5},
    lambda v: lab_optim.measured_rate(_TRAJ, (0.0, 0.0), tail=v))
bad("lab.optim.measured_rate", "floor", nonneg_bad(),
    lambda v: lab_optim.measured_rate(_TRAJ, (0.0, 0.0), floor=v))
bad("lab.optim.convergence_rates", "condition", {"0.5": 0.5, "nan": NAN, "inf": INF,
                                                 "texte": "10", "None": None},
    lambda v: lab_optim.convergence_rates(v, steps=10))
bad("lab.optim.convergence_rates", "steps", int_bad(2),
    lambda v: lab_optim.convergence_rates(10.0, steps=v))
bad("lab.optim.gap_with_torch", "optimizer", {"sgd": "sgd", "None": None, "adam": "adam"},
    lambda v: lab_optim.gap_with_torch(v, steps=1))
bad("lab.optim.gap_with_torch", "steps", int_bad(1),
    lambda v: lab_optim.gap_with_torch("momentum", steps=v))
bad("lab.optim.gap_with_torch", "lr", positive_bad(),
    lambda v: lab_optim.gap_with_torch("momentum", steps=1, lr=v))
bad("lab.optim.gap_with_torch", "momentum", rate_bad(),
    lambda v: lab_optim.gap_with_torch("nesterov", steps=1, momentum=v))

_SURFACE = ("s", _BOWL.f, _BOWL.grad, (0.0, 0.0), (1.0, 1.0), (-1.0, 1.0), (-1.0, 1.0))
for _i, (_arg, _values) in enumerate((
        ("name", {"None": None, "entier": 5}), ("f", {"None": None, "texte": "f"}),
        ("grad", {"None": None, "tableau": np.zeros(2)}),
        ("minimum", {"texte": "ab", "un réel": (1.0,), "nan": (NAN, 0.0), "réel": 0.0}),
        ("default_start", {"None": None, "inf": (INF, 0.0), "textes": ("a", "b")}),
        ("xlim", {"None": None, "inversé": (1.0, -1.0), "vide": (0.0, 0.0)}),
        ("ylim", {"nan": (NAN, 1.0), "trois bornes": (0.0, 1.0, 2.0)}))):
    bad("lab.surfaces.Surface", _arg, _values, functools.partial(
        lambda i, v: lab_surf.Surface(*[v if k == i else p for k, p in enumerate(_SURFACE)]),
        _i))
bad("lab.surfaces.Surface", "points", {
    "None": None, "liste": [[0.0, 0.0]], "entiers": np.zeros((2, 2), dtype=int),
    "(N, 3)": np.zeros((2, 3)), "1-D": np.zeros(2), "tenseur": torch.zeros(2, 2)},
    lambda v: _BOWL.values(v))
bad("lab.surfaces.Surface", "n", int_bad(2), lambda v: _BOWL.grid(v))
ok("lab.surfaces.Surface", "sans minimum", lambda: lab_surf.Surface(
    "plan", lambda x, y: x, lambda p: p, None, (0.0, 0.0), (0.0, 1.0), (0.0, 1.0)),
   lambda s: s.minimum is None, "ou None s'il n'y en a pas")
bad("lab.surfaces.quadratic", "condition", {"0.5": 0.5, "nan": NAN, "None": None,
                                            "texte": "10"}, lab_surf.quadratic)
bad("lab.surfaces.quadratic", "lambda_max", positive_bad(),
    lambda v: lab_surf.quadratic(lambda_max=v))
bad("lab.surfaces.quadratic", "angle", real_bad(), lambda v: lab_surf.quadratic(angle=v))
ok("lab.surfaces.saddle", "sans argument", lab_surf.saddle,
   lambda s: s.f_min() == pytest.approx(-1.0), "Point selle")
ok("lab.surfaces.rosenbrock", "sans argument", lab_surf.rosenbrock,
   lambda s: s.f_min() == 0.0, "Rosenbrock")


# --- lab.regularization ----------------------------------------------------------------------

_RECORD = {"config": CONFIG.to_dict(), "history": History(epoch=[1.0]).to_dict()}
bad("lab.regularization.summarize", "result", {"None": None, "Run sans réseau": Run(
    CONFIG, History()), "RunConfig": CONFIG}, lambda v: lab_reg.summarize(v, tiny()))
bad("lab.regularization.summarize", "data", mnist_bad(),
    lambda v: lab_reg.summarize(trained_run(), v))
bad("lab.regularization.find", "records", {"None": None, "entiers": [1], "sans config": [{}],
                                           "dictionnaire": _RECORD},
    lambda v: lab_reg.find(v, lr=0.1))
bad("lab.regularization.find", "champ", {"inconnu": "rate"},
    lambda v: lab_reg.find([_RECORD], **{v: 0.1}))
bad("lab.regularization.find", "lr", {"aucun run à ce pas": 0.9},
    lambda v: lab_reg.find([_RECORD], lr=v), errors=LOOKUP)
bad("lab.regularization.find", "patience", {"ancien fichier sans le champ": 5},
    lambda v: lab_reg.find([{"config": {"lr": 0.1}}], patience=v), errors=LOOKUP)
bad("lab.regularization.history_of", "record", {"None": None, "vide": {}, "history entier": {
    "history": 5}}, lab_reg.history_of)
bad("lab.regularization.history_of", "historique", {"clé inconnue": {"history": {"loss": []}}},
    lab_reg.history_of)
bad("lab.regularization.alpha_label", "alpha", nonneg_bad(), lab_reg.alpha_label)
bad("lab.regularization.penalty_sweep", "data", mnist_bad(),
    lambda v: lab_reg.penalty_sweep(v, base=CONFIG, alphas=(1e-4,)))
bad("lab.regularization.penalty_sweep", "base", CONFIG_BAD,
    lambda v: lab_reg.penalty_sweep(tiny(), base=v))
bad("lab.regularization.penalty_sweep", "kinds", {"inconnue": ["l3"], "texte": "l2x"},
    lambda v: lab_reg.penalty_sweep(tiny(), base=CONFIG, kinds=v))
bad("lab.regularization.penalty_sweep", "alphas", {"négatif": [-1.0], "nan": [NAN],
                                                   "texte": ["1e-4"]},
    lambda v: lab_reg.penalty_sweep(tiny(), base=CONFIG, alphas=v))
bad("lab.regularization.adam_l2_vs_adamw", "data", mnist_bad(),
    lambda v: lab_reg.adam_l2_vs_adamw(v, base=CONFIG))
bad("lab.regularization.adam_l2_vs_adamw", "base", CONFIG_BAD,
    lambda v: lab_reg.adam_l2_vs_adamw(tiny(), base=v))
bad("lab.regularization.adam_l2_vs_adamw", "decays", {"négatif": [-1.0], "inf": [INF]},
    lambda v: lab_reg.adam_l2_vs_adamw(tiny(), base=CONFIG, decays=v))
bad("lab.regularization.adam_l2_vs_adamw", "lr", positive_bad(),
    lambda v: lab_reg.adam_l2_vs_adamw(tiny(), base=CONFIG, lr=v))
bad("lab.regularization.epochs_to_fit", "history", {"None": None, "dictionnaire": _RECORD[
    "history"]}, lab_reg.epochs_to_fit)
bad("lab.regularization.epochs_to_fit", "threshold", positive_bad(),
    lambda v: lab_reg.epochs_to_fit(History(), threshold=v))
bad("lab.regularization.dropout_runs", "data", mnist_bad(),
    lambda v: lab_reg.dropout_runs(v, base=CONFIG))
bad("lab.regularization.dropout_runs", "base", CONFIG_BAD,
    lambda v: lab_reg.dropout_runs(tiny(), base=v))
bad("lab.regularization.dropout_runs", "rates", {"vide": [], "None": None, "1": [1.0],
                                                 "nan": [NAN], "réel seul": 0.5},
    lambda v: lab_reg.dropout_runs(tiny(), base=CONFIG, rates=v))
bad("lab.regularization.dropout_runs", "samples", {"vide": [], "zéro": [0], "None": None,
                                                   "réel": [1.5]},
    lambda v: lab_reg.dropout_runs(tiny(), base=CONFIG, samples=v))
bad("lab.regularization.mc_dropout_gap", "model", MODEL_BAD,
    lambda v: lab_reg.mc_dropout_gap(v, tiny().test))
bad("lab.regularization.mc_dropout_gap", "data", dataset_bad() | {"5 caractéristiques":
                                                                  narrow()},
    lambda v: lab_reg.mc_dropout_gap(net(dropout=0.5), v))
bad("lab.regularization.mc_dropout_gap", "samples", {"vide": (), "zéro": (0,), "entier": 5,
                                                     "texte": "10"},
    lambda v: lab_reg.mc_dropout_gap(net(dropout=0.5), tiny().test, samples=v))
bad("lab.regularization.mc_dropout_gap", "seed", int_bad(0),
    lambda v: lab_reg.mc_dropout_gap(net(dropout=0.5), tiny().test, seed=v))
bad("lab.regularization.ensemble_run", "data", mnist_bad(),
    lambda v: lab_reg.ensemble_run(v, base=CONFIG, members=1))
bad("lab.regularization.ensemble_run", "base", CONFIG_BAD,
    lambda v: lab_reg.ensemble_run(tiny(), base=v, members=1))
bad("lab.regularization.ensemble_run", "members", int_bad(1),
    lambda v: lab_reg.ensemble_run(tiny(), base=CONFIG, members=v))
bad("lab.regularization.Method", "label", {"None": None, "entier": 1},
    lambda v: lab_reg.Method(v))
bad("lab.regularization.Method", "changes", {"None": None, "champ inconnu": {"rate": 1},
                                             "liste": [("lr", 0.1)]},
    lambda v: lab_reg.Method("m", v))
bad("lab.regularization.Method", "members", int_bad(1), lambda v: lab_reg.Method("m", {}, v))
for _arg in ("data", "validation_data"):
    bad("lab.regularization.regularization_table", _arg, mnist_bad(), functools.partial(
        lambda a, v: lab_reg.regularization_table(**{"data": tiny(), "validation_data": tiny(),
                                                     "base": CONFIG} | {a: v}), _arg))
bad("lab.regularization.regularization_table", "base", CONFIG_BAD,
    lambda v: lab_reg.regularization_table(tiny(), tiny(), base=v))
bad("lab.regularization.regularization_table", "methods", {
    "texte": "none", "inconnue en second": ("none", "bagging"), "None": None},
    lambda v: lab_reg.regularization_table(tiny(), tiny(), base=CONFIG, methods=v))
bad("lab.regularization.format_table", "table", {
    "None": None, "vide": {}, "lignes incomplètes": {"rows": [{"label": "x"}]},
    "liste": [{"label": "x"}]}, lab_reg.format_table)


# --- Les tests -------------------------------------------------------------------------------

def _named(arg: str, message: str) -> bool:
    """``arg`` apparaît dans ``message`` comme un mot (``x`` dans « x doit », pas dans
    « exemple »)."""
    return re.search(rf"(?<![\w]){re.escape(arg)}(?![A-Za-zÀ-ÿ_])", message) is not None


def _id(row: Row) -> str:
    return f"{row.target}:{row.arg or 'accepte'}={row.label}"


def _docstring(target: str) -> str:
    module_name, _, name = target.rpartition(".")
    module = importlib.import_module(f"course_utils.{module_name}")
    obj = getattr(module, name)
    methods = [m for n, m in vars(obj).items() if not n.startswith("_")] if inspect.isclass(
        obj) else []
    text = "\n".join(inspect.getdoc(o) or "" for o in [obj, module, *methods])
    return " ".join(text.replace("\u00a0", " ").split())


def failure(row: Row) -> str | None:
    """None si la ligne se passe comme prévu ; sinon, ce qui ne va pas."""
    if row.check is not None:  # acceptation documentée
        if " ".join(row.doc.split()) not in _docstring(row.target):
            return f"acceptation non documentée (cherché : {row.doc!r})"
        try:
            result = row.call()
        except Exception as error:  # on rapporte tout
            return f"refusée : {type(error).__name__} : {error}"
        return None if row.check(result) else f"résultat faux : {result!r:.100}"
    try:
        result = row.call()
    except row.errors as error:
        message = str(error.args[0] if error.args else error)
        if not FRENCH.search(message):
            return f"message pas en français : {message!r}"
        if not _named(row.arg, message):
            return f"{row.arg!r} n'est pas nommé dans : {message!r}"
        return None
    except Exception as error:  # une erreur brute de torch ou de Python
        return f"erreur brute {type(error).__name__} : {str(error)[:200]}"
    return f"acceptée sans un mot (résultat : {result!r:.100})"


@pytest.mark.parametrize("target", sorted({row.target for row in ROWS}))
def test_bad_inputs_get_a_french_error_or_a_documented_acceptance(target: str):
    failures = [f"{_id(row)} → {why}" for row in ROWS
                if row.target == target and (why := failure(row)) is not None]
    assert not failures, "\n".join(failures)


def _public(module_name: str) -> list[str]:
    module = importlib.import_module(f"course_utils.{module_name}")
    return [f"{module_name}.{name}" for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__]


def coverage_problems(rows: list[Row], modules: tuple[str, ...]) -> list[str]:
    """Ce qui manque à une table : des fonctions publiques de ``modules`` sans ligne, ou des
    lignes qui visent une fonction inconnue."""
    covered = {row.target for row in rows}
    public = {name for module in modules for name in _public(module)}
    return ([f"sans mauvaise entrée essayée : {', '.join(sorted(public - covered))}"]
            if public - covered else []) + (
        [f"cibles inconnues : {', '.join(sorted(covered - public))}"] if covered - public else [])


def test_every_public_function_has_rows():
    assert coverage_problems(ROWS, MODULES) == []


def test_every_module_of_the_owned_layers_is_listed():
    root = Path(__file__).resolve().parent.parent / "course_utils"
    found = {p.stem for p in root.glob("*.py") if not p.stem.startswith("_")} | {
        f"lab.{p.stem}" for p in (root / "lab").glob("*.py") if not p.stem.startswith("_")}
    unowned = {"training", "runs", "plots", "widgets", "source"}  # hors de cette batterie
    # (training, runs et _training_inputs : tests/test_bad_inputs_training.py)
    assert found - unowned == set(MODULES)


# --- Propriétés (hypothesis) : taux quelconques, formes quelconques ------------------------

_ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64)
_HYPER_RULES = {  # hyper-paramètre → domaine valide
    "lr": lambda v: math.isfinite(v) and v > 0, "momentum": lambda v: 0 <= v < 1,
    "rho": lambda v: 0 <= v < 1, "eps": lambda v: math.isfinite(v) and v >= 0}
_HYPER_CASES = [(target, hyper) for target, (_, _, hypers) in _STEPS.items()
                for hyper in hypers if hyper in _HYPER_RULES]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_HYPER_CASES), _ANY_FLOAT)
def test_any_float_rate_is_either_valid_or_refused_in_french(case, value):
    target, hyper = case
    fn = _STEPS[target][0]
    call = functools.partial(fn, t(3), t(3), None, **_DEFAULT_HYPER[target] | {hyper: value})
    if _HYPER_RULES[hyper](value):
        result = call()
        theta = result[0] if isinstance(result, tuple) else result
        assert theta.shape == (3,)
    else:
        with pytest.raises(ValueError) as info:
            call()
        assert _named(hyper, str(info.value)) and FRENCH.search(str(info.value))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(_OPTIMIZERS)), st.sampled_from(["lr", "momentum", "rho", "eps"]),
       _ANY_FLOAT)
def test_any_float_rate_for_an_optimizer_class(target, hyper, value):
    cls, base, hypers = _OPTIMIZERS[target]
    if hyper not in hypers:
        hyper = "lr"
    call = functools.partial(cls, [nn.Parameter(t(3))], **base | {hyper: value})
    if _HYPER_RULES[hyper](value):
        assert call().param_groups[0][hyper] == value
    else:
        with pytest.raises(ValueError) as info:
            call()
        assert _named(hyper, str(info.value))


_SHAPES = st.lists(st.integers(1, 3), max_size=3).map(tuple)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(_STEPS)), _SHAPES, _SHAPES)
def test_theta_and_gradient_shapes_never_broadcast(target, theta_shape, grad_shape):
    fn = _STEPS[target][0]
    call = functools.partial(fn, torch.ones(theta_shape), torch.ones(grad_shape), None,
                             **_DEFAULT_HYPER[target])
    if theta_shape == grad_shape:
        result = call()
        assert (result[0] if isinstance(result, tuple) else result).shape == theta_shape
    else:
        with pytest.raises(ValueError, match="doit avoir la forme de theta"):
            call()


_NOT_FLOAT = st.sampled_from([torch.int64, torch.int32, torch.uint8, torch.bool,
                              torch.complex64])


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_UNARY), _NOT_FLOAT, _SHAPES)
def test_activations_refuse_every_non_float_dtype(name, dtype, shape):
    with pytest.raises(TypeError) as info:
        getattr(A, name)(torch.zeros(shape, dtype=dtype))
    assert _named("x", str(info.value)) and "flottant" in str(info.value)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.floats(-50, 50), st.booleans())
def test_cross_entropy_accepts_finite_logits_and_refuses_non_finite(n, c, scale, poison):
    o = scale * t(n, c, dtype=torch.float64)
    if poison:
        o[0, 0] = NAN
        with pytest.raises(ValueError, match="o \\(logits\\) doit être fini"):
            losses.cross_entropy(o, torch.arange(n) % c)
    else:
        loss = losses.cross_entropy(o, torch.arange(n) % c)
        assert torch.isfinite(loss) and loss >= 0


# --- Comportements à l'exécution --------------------------------------------------------------

def test_nesterov_leaves_parameters_untouched_when_a_group_rate_becomes_invalid():
    p = nn.Parameter(vec(1.0, 2.0))
    opt = optim.Nesterov([p], lr=0.1, momentum=0.9)

    def closure():
        opt.zero_grad()
        loss = (p**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    before = p.detach().clone()
    opt.param_groups[0]["momentum"] = NAN
    with pytest.raises(ValueError, match="momentum"):
        opt.step(closure)
    assert torch.equal(p.detach(), before)


@pytest.mark.parametrize("target", list(_OPTIMIZERS))
def test_a_rate_changed_after_construction_is_refused_at_the_next_step(target):
    cls, base, _ = _OPTIMIZERS[target]
    p = nn.Parameter(vec(1.0, 2.0))
    opt = cls([p], **base)
    opt.param_groups[0]["lr"] = INF
    p.grad = vec(0.5, 0.5)
    with pytest.raises(ValueError, match="lr doit être un réel fini > 0"):
        opt.step(lambda: (p**2).sum())
    assert p.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("target", list(_OPTIMIZERS))
def test_a_group_given_as_a_generator_keeps_its_parameters(target):
    cls, base, _ = _OPTIMIZERS[target]
    model = nn.Linear(3, 2)
    opt = cls([{"params": model.parameters()}], **base)
    assert [p.shape for p in opt.param_groups[0]["params"]] == [(2, 3), (2,)]
