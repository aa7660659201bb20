"""Entrées hostiles pour les figures (``plots``), la base des widgets (``widgets``) et le
widget du chapitre 0 (``figures.data``) ; les autres modules ``figures.*`` ne sont pas encore
couverts.

Même contrat que ``tests/test_bad_inputs.py``, dont on reprend la ligne (``Row``), le
verdict (``failure``) et les familles de mauvaises valeurs : chaque ligne attend une erreur en
français qui nomme l'argument fautif, ou une acceptation documentée et vérifiée. Un test
d'introspection vérifie que chaque fonction ou classe publique de ces modules a ses lignes.
Données jouets : quelques images, des historiques de deux mesures, de faux balayages.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

from course_utils import plots, widgets
from course_utils.figures import activations as fig_act
from course_utils.figures import adaptive as fig_adapt
from course_utils.figures import batchnorm as fig_bn
from course_utils.figures import data as fig_data
from course_utils.figures import init as fig_init
from course_utils.figures import optim as fig_optim
from course_utils.figures import regularization as fig_reg
from course_utils.figures import training as fig_training
from course_utils.lab.surfaces import SURFACES
from course_utils.runs import Run, RunConfig
from course_utils.sweeps import Runs
from course_utils.training import History
from tests import test_bad_inputs as base
from tests.test_bad_inputs import (
    INF,
    NAN,
    float_tensor_bad,
    int_bad,
    positive_bad,
    real_bad,
    t,
    tiny,
    without,
)

MODULES = ("plots", "widgets", "figures.activations", "figures.adaptive", "figures.data",
           "figures.batchnorm", "figures.init", "figures.optim", "figures.regularization",
           "figures.training")
_TABLE = base.Table()  # la table de ce fichier
ROWS, bad, ok = _TABLE.rows, _TABLE.bad, _TABLE.ok


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


# --- Données jouets -------------------------------------------------------------------------

def _history(**changes) -> History:
    return History(**{"epoch": [0.5, 1.0], "train_loss": [1.0, 0.5], "train_acc": [0.5, 0.6],
                      "eval_loss": [1.1, 0.6], "eval_acc": [0.5, 0.7], "batch_loss": [1.0] * 4,
                      "elapsed": [0.1, 0.2], "eval_name": "test"} | changes)


def _runs(**grid) -> Runs:
    """Un faux balayage : un run par combinaison des valeurs de ``grid``."""
    combos = [{}]
    for name, values in grid.items():
        combos = [c | {name: v} for c in combos for v in values]
    return Runs(Run(RunConfig(**c), _history()) for c in combos)


NOT_RUNS = {"None": None, "vide": Runs([]), "liste de Run": list(_runs(lr=(0.1,))),
            "texte": "runs"}
DICT_BAD = {"None": None, "vide": {}, "liste": [1.0], "texte": "a"}
BOOL_BAD = {"None": None, "entier 1": 1, "texte": "oui"}
FIGSIZE_BAD = {"None": None, "texte": "ab", "un nombre": 3.0, "(0, -1)": (0, -1),
               "(nan, 1)": (NAN, 1.0), "(inf, 1)": (INF, 1.0), "trois valeurs": (1, 2, 3),
               "(texte, 1)": ("a", 1)}
POINTS_BAD = {"None": None, "liste": [[0.0, 0.0], [1.0, 1.0]], "forme (3,)": np.zeros(3),
              "forme (3, 3)": np.zeros((3, 3)), "nan": np.array([[0.0, 0.0], [NAN, 1.0]]),
              "inf": np.array([[0.0, 0.0], [INF, 1.0]]), "vide": np.zeros((0, 2)),
              "texte": "ab", "entiers": np.zeros((2, 2), dtype=np.int64),
              "tenseur": torch.zeros(2, 2)}
SURFACE_BAD = {"None": None, "texte": "quadratic", "dictionnaire": {"name": "q"}}
X4 = t(4, 784)
Y4 = torch.arange(4) % 3


def _fig():
    return widgets.agg_figure((2, 2))


# --- plots ----------------------------------------------------------------------------------

bad("plots.show_images", "x", float_tensor_bad(lambda: t(2, 784)) | {
    "forme (2, 5)": t(2, 5), "forme (784,)": t(784), "vide": torch.zeros(0, 784),
    "nan": torch.full((2, 784), NAN), "inf": torch.full((2, 784), INF)}, plots.show_images)
bad("plots.show_images", "y", {"longueur 3": torch.arange(3), "texte": "abcd",
                               "float": Y4.float() + 0.5, "forme (4, 1)": Y4[:, None],
                               "entier": 3}, lambda v: plots.show_images(X4, v))
bad("plots.show_images", "pred", {"longueur 5": torch.arange(5), "réels": Y4 + 0.5},
    lambda v: plots.show_images(X4, Y4, v))
bad("plots.show_images", "ncols", int_bad(1), lambda v: plots.show_images(X4, ncols=v))
ok("plots.show_images", "étiquettes en liste", lambda: plots.show_images(X4, Y4.tolist()),
   lambda fig: fig.axes[1].get_title() == "classe 1",
   "des entiers : tenseur, tableau NumPy ou liste")
ok("plots.show_images", "ncols > N", lambda: plots.show_images(X4, ncols=20),
   lambda fig: len(fig.axes) == 4, "ramené à N")
bad("plots.weight_image", "w", float_tensor_bad(lambda: t(784)) | {
    "forme (783,)": t(783), "forme (28, 28)": t(28, 28), "nan": torch.full((784,), NAN)},
    plots.weight_image)
bad("plots.show_weights", "weights", float_tensor_bad(lambda: t(2, 784)) | {
    "forme (2, 5)": t(2, 5), "forme (784,)": t(784), "vide": torch.zeros(0, 784),
    "nan": torch.full((2, 784), NAN)}, plots.show_weights)
bad("plots.show_weights", "ncols", int_bad(1), lambda v: plots.show_weights(t(2, 784), ncols=v))
bad("plots.plot_history", "history", {"None": None, "dictionnaire": _history().to_dict(),
                                      "texte": "h", "incomplet": History(epoch=[1.0])},
    plots.plot_history)
ok("plots.plot_history", "historique vide", lambda: plots.plot_history(History()),
   lambda fig: len(fig.axes) == 2, "un historique vide donne des axes vides")
_CURVES_BAD = DICT_BAD | {"valeurs texte": {"a": "abc"}, "valeurs None": {"a": None},
                          "valeurs 2-D": {"a": [[1.0, 2.0]]}, "valeurs complexes": {"a": [1j]}}
bad("plots.plot_losses", "curves", _CURVES_BAD, plots.plot_losses)
bad("plots.plot_losses", "smooth", int_bad(1), lambda v: plots.plot_losses({"a": [1.0]}, smooth=v))
ok("plots.plot_losses", "perte non finie", lambda: plots.plot_losses({"a": [1.0, INF, NAN]}),
   lambda fig: len(fig.axes[0].lines) == 1, "un apprentissage arrêté par une perte non finie")
_LABELS = {"xlabel": "x", "ylabel": "y", "title": "t"}
bad("plots.plot_curves", "curves", _CURVES_BAD | {"longueur 3 pour 2 abscisses": {"a": [1, 2, 3]}},
    lambda v: plots.plot_curves(v, x=[0, 1], **_LABELS))
bad("plots.plot_curves", "x", {"None": None, "entier": 2, "texte": "ab", "2-D": [[0, 1]]},
    lambda v: plots.plot_curves({"a": [1.0, 2.0]}, x=v, **_LABELS))
bad("plots.plot_xy", "curves", _CURVES_BAD | {
    "pas un couple": {"a": [1.0, 2.0]}, "triplet": {"a": ([1], [2], [3])},
    "longueurs différentes": {"a": ([1, 2, 3], [1, 2])}, "abscisses texte": {"a": ("ab", [1, 2])}},
    lambda v: plots.plot_xy(v, **_LABELS))
bad("plots.plot_xy", "ax", {"texte": "ax", "figure": "fig"},
    lambda v: plots.plot_xy({"a": ([1], [2])}, ax=_fig() if v == "fig" else v, **_LABELS))
bad("plots.plot_confusion", "cm", {
    "None": None, "liste": [[1, 0], [0, 1]], "numpy": np.eye(2, dtype=np.int64),
    "forme (2, 3)": torch.zeros(2, 3, dtype=torch.long),
    "vide": torch.zeros(0, 0, dtype=torch.long),
    "réels": torch.eye(2) / 2, "négatifs": -torch.eye(2, dtype=torch.long),
    "booléen": torch.eye(2, dtype=torch.bool)}, plots.plot_confusion)
bad("plots.plot_bars", "values", DICT_BAD | {"valeur texte": {"a": "x"}, "valeur None": {"a": None},
                                            "valeur liste": {"a": [1, 2]}},
    lambda v: plots.plot_bars(v, **_LABELS))

# --- widgets --------------------------------------------------------------------------------

bad("widgets.log_slider", "value", real_bad() | {"hors bornes": 100.0},
    lambda v: widgets.log_slider("d", value=v, min_exp=-1, max_exp=1))
bad("widgets.log_slider", "min_exp", real_bad() | {"> max_exp": 2.0},
    lambda v: widgets.log_slider("d", value=1.0, min_exp=v, max_exp=1))
bad("widgets.log_slider", "max_exp", real_bad(),
    lambda v: widgets.log_slider("d", value=1.0, min_exp=-1, max_exp=v))
bad("widgets.log_slider", "step", positive_bad(),
    lambda v: widgets.log_slider("d", value=1.0, min_exp=-1, max_exp=1, step=v))
_OPTIONS_BAD = {"None": None, "vide": [], "dictionnaire vide": {}, "entier": 3}
bad("widgets.choice", "options", _OPTIONS_BAD, lambda v: widgets.choice("d", v))
bad("widgets.choice", "value", {"absente": "c", "liste": ["a"]},
    lambda v: widgets.choice("d", ["a", "b"], value=v))
bad("widgets.choice", "value", {"étiquette au lieu de la valeur": "A"},
    lambda v: widgets.choice("d", {"A": 1, "B": 2}, value=v))
bad("widgets.options_slider", "options", _OPTIONS_BAD, lambda v: widgets.options_slider("d", v))
bad("widgets.options_slider", "value", {"absente": 0.5, "texte": "a"},
    lambda v: widgets.options_slider("d", [0.1, 1.0], value=v))
_RGBA = np.zeros((2, 3, 4), dtype=np.uint8)
bad("widgets.png_bytes", "rgba", {"None": None, "float": _RGBA.astype(float),
                                  "RGB": _RGBA[..., :3], "vide": _RGBA[:0], "texte": "png"},
    widgets.png_bytes)
bad("widgets.png_bytes", "level", int_bad(0, 9) | {"99": 99, "-1 (défaut de zlib)": -1},
    lambda v: widgets.png_bytes(_RGBA, level=v))
bad("widgets.figure_png", "figure", {"None": None, "texte": "fig", "tableau": _RGBA},
    widgets.figure_png)
bad("widgets.agg_figure", "figsize", FIGSIZE_BAD, widgets.agg_figure)
bad("widgets.touches", "lines", {"None": None, "texte": "l", "liste de textes": ["l"]},
    lambda v: widgets.touches(v, _fig().bbox))
bad("widgets.touches", "box", {"None": None, "tuple": (0, 0, 1, 1)},
    lambda v: widgets.touches([], v))
bad("widgets.Backdrop", "figure", {"None": None, "texte": "fig"}, widgets.Backdrop)
bad("widgets.Backdrop", "capacity", int_bad(1), lambda v: widgets.Backdrop(_fig(), capacity=v))
bad("widgets.Backdrop", "foreground", {"None": None, "texte": "a", "liste de textes": ["a"]},
    lambda v: widgets.Backdrop(_fig()).png(v))
bad("widgets.Backdrop", "layers", {"None": None, "pas des couples": [1], "texte": "ab"},
    lambda v: widgets.Backdrop(_fig()).png([], layers=v))
_DRAW = functools.partial(lambda v: _fig())
_SLIDER = functools.partial(widgets.options_slider, "d", [1, 2])
bad("widgets.Interactive", "draw", {"None": None, "texte": "draw"},
    lambda v: widgets.Interactive(v, {"v": _SLIDER()}))
bad("widgets.Interactive", "controls", DICT_BAD | {"pas un widget": {"v": 3},
                                                 "clé non texte": {1: "x"}},
    lambda v: widgets.Interactive(lambda **_: _fig(), v))
bad("widgets.Interactive", "render", {"texte": "png", "entier": 3},
    lambda v: widgets.Interactive(lambda **_: _fig(), {"v": _SLIDER()}, render=v))

# --- figures.activations, figures.training -------------------------------------------------

bad("figures.activations.plot_activation_gallery", "keys", {
    "None": None, "vide": [], "texte": "relu", "inconnue": ["nope"], "entier": 3},
    fig_act.plot_activation_gallery)
bad("figures.activations.plot_activation_gallery", "low", real_bad() | {"= high": 5.0},
    lambda v: fig_act.plot_activation_gallery(["relu"], low=v))
bad("figures.activations.plot_activation_gallery", "high", real_bad(),
    lambda v: fig_act.plot_activation_gallery(["relu"], high=v))
bad("figures.activations.activation_explorer", "runs", NOT_RUNS | {
    "sans ReLU": _runs(activation=("tanh",), lr=(0.1,))}, fig_act.activation_explorer)
bad("figures.training.learning_rate_explorer", "runs", NOT_RUNS | {
    "deux runs par pas": _runs(lr=(0.1,), activation=("relu", "tanh"))},
    lambda v: fig_training.learning_rate_explorer(v, reference=0.1))
bad("figures.training.learning_rate_explorer", "reference", {
    "absent": 0.5, "None": None, "texte": "0.1", "nan": NAN},
    lambda v: fig_training.learning_rate_explorer(_runs(lr=(0.1, 1.0)), reference=v))

# --- figures.init ---------------------------------------------------------------------------

_LAYERS = {"a": [t(3), t(3)]}
bad("figures.init.plot_layer_histograms", "rows", DICT_BAD | {
    "couche absente": {"a": [t(3)]}, "pas des tenseurs": {"a": [[1.0], [2.0]]},
    "None": None, "tenseur seul": {"a": t(3)}},
    lambda v: fig_init.plot_layer_histograms(v, layers=[2], xlabel="x", title="t"))
bad("figures.init.plot_layer_histograms", "layers", {
    "None": None, "vide": [], "0": [0], "texte": ["1"], "réel": [1.5], "entier": 1},
    lambda v: fig_init.plot_layer_histograms(_LAYERS, layers=v, xlabel="x", title="t"))
bad("figures.init.plot_layer_histograms", "bins", int_bad(1),
    lambda v: fig_init.plot_layer_histograms(_LAYERS, layers=[1], bins=v, xlabel="", title=""))
bad("figures.init.init_scale_explorer", "x", float_tensor_bad(lambda: t(4, 3)) | {
    "forme (4, 5)": t(4, 5), "nan": torch.full((4, 3), NAN)},
    lambda v: fig_init.init_scale_explorer(v, [3, 4, 2]))
bad("figures.init.init_scale_explorer", "sizes", {
    "None": None, "vide": [], "une couche": [3], "texte": ["3", "4"], "zéro": [3, 0, 2]},
    lambda v: fig_init.init_scale_explorer(t(4, 3), v))

# --- figures.batchnorm ----------------------------------------------------------------------

_BN_TRACE = {k: [1.0, 0.5] for k in ("true_mean", "true_var", "running_mean", "running_var")}
bad("figures.batchnorm.plot_running_statistics", "trace", DICT_BAD | {
    "clé manquante": without(_BN_TRACE, "running_var"), "valeurs texte": _BN_TRACE | {
        "running_mean": "ab"}}, fig_bn.plot_running_statistics)
_PROFILE = {"settings": {"batch_norm": None}, "step": [1, 2], "loss_range": [1.0, 0.5],
            "grad_change": [1.0, 0.5]}
bad("figures.batchnorm.plot_smoothness", "profiles", {
    "None": None, "vide": [], "texte": "ab", "dictionnaire": _PROFILE, "profil vide": [{}],
    "placement inconnu": [_PROFILE | {"settings": {"batch_norm": "nope"}}]},
    fig_bn.plot_smoothness)
bad("figures.batchnorm.plot_placements", "runs", NOT_RUNS, fig_bn.plot_placements)
_RUN = Run(RunConfig(batch_norm="after"), _history())
_RUN_BAD = {"None": None, "dictionnaire": {}, "texte": "run", "Runs": Runs([_RUN]),
            "historique vide": Run(RunConfig(), History())}
bad("figures.batchnorm.plot_placement", "run", _RUN_BAD, fig_bn.plot_placement)
bad("figures.batchnorm.plot_placement", "reference", without(_RUN_BAD, "None"),
    lambda v: fig_bn.plot_placement(_RUN, v))
bad("figures.batchnorm.plot_placement", "smooth", int_bad(1),
    lambda v: fig_bn.plot_placement(_RUN, smooth=v))
bad("figures.batchnorm.bn_placement_explorer", "runs", NOT_RUNS | {
    "incomplet": Runs(list(_runs(batch_norm=(None, "after"), lr=(0.1, 1.0)))[:-1])},
    fig_bn.bn_placement_explorer)

# --- figures.regularization ----------------------------------------------------------------

bad("figures.regularization.plot_mixing_examples", "x", float_tensor_bad(lambda: t(4, 784)) | {
    "forme (4, 5)": t(4, 5)}, lambda v: fig_reg.plot_mixing_examples(v, Y4, n=2))
bad("figures.regularization.plot_mixing_examples", "y", {
    "None": None, "liste": Y4.tolist(), "float": Y4.float(), "longueur 2": Y4[:2],
    "hors des 10 classes": Y4 + 10}, lambda v: fig_reg.plot_mixing_examples(X4, v, n=2))
bad("figures.regularization.plot_mixing_examples", "n", int_bad(1, 4),
    lambda v: fig_reg.plot_mixing_examples(X4, Y4, n=v))
bad("figures.regularization.plot_mixing_examples", "alpha", positive_bad(),
    lambda v: fig_reg.plot_mixing_examples(X4, Y4, n=2, alpha=v))
bad("figures.regularization.plot_mixing_examples", "seed", {
    "None": None, "texte": "0", "réel": 0.5, "booléen": True},
    lambda v: fig_reg.plot_mixing_examples(X4, Y4, n=2, seed=v))
_RESULTS_BAD = DICT_BAD | {"runs vide": {"runs": [], "rates": [], "kinds": [], "alphas": [],
                                         "edges": []}}
bad("figures.regularization.plot_penalty", "sweep", _RESULTS_BAD | {"sans runs": {"edges": []}},
    lambda v: fig_reg.plot_penalty(v, "l2", 1e-3))
bad("figures.regularization.plot_dropout", "results", _RESULTS_BAD | {"sans rates": {"runs": []}},
    lambda v: fig_reg.plot_dropout(v, 0.5))
bad("figures.regularization.regularization_explorer", "results", DICT_BAD | {
    "runs texte": {"kinds": ["l2"], "alphas": [1e-3], "edges": [0, 1], "runs": "ab"}},
    fig_reg.regularization_explorer)
bad("figures.regularization.dropout_explorer", "results", DICT_BAD | {
    "rates vide": {"rates": [], "runs": []}, "runs texte": {"rates": [0.5], "runs": "ab"}},
    fig_reg.dropout_explorer)


# --- figures.optim --------------------------------------------------------------------------

_Q = SURFACES["quadratic"]
_PATH = np.array([[0.0, 1.0], [0.5, 0.5]])
bad("figures.optim.plot_descent", "surface", SURFACE_BAD,
    lambda v: fig_optim.plot_descent(v, _PATH, label="a"))
bad("figures.optim.plot_descent", "points", POINTS_BAD,
    lambda v: fig_optim.plot_descent(_Q, v, label="a"))
bad("figures.optim.plot_descent", "reference", without(POINTS_BAD, "None"),
    lambda v: fig_optim.plot_descent(_Q, _PATH, label="a", reference=v))
bad("figures.optim.plot_descent", "color", {"None": None, "inconnue": "pas une couleur"},
    lambda v: fig_optim.plot_descent(_Q, _PATH, label="a", color=v))
bad("figures.optim.DescentFigure", "pyplot", BOOL_BAD, lambda v: fig_optim.DescentFigure(pyplot=v))
bad("figures.optim.DescentFigure", "points", POINTS_BAD,
    lambda v: fig_optim.DescentFigure(pyplot=False).show(_Q, v, label="a"))
bad("figures.optim.DescentFigure", "surface", SURFACE_BAD,
    lambda v: fig_optim.DescentFigure(pyplot=False).show(v, _PATH, label="a"))
_HYPER = {"value": 0.5, "low": 0.0, "high": 1.0}
for _arg in ("value", "low", "high"):
    bad("figures.optim.hyper_slider", _arg, real_bad(),
        functools.partial(lambda a, v: fig_optim.hyper_slider("d", **_HYPER | {a: v}), _arg))
bad("figures.optim.hyper_slider", "value", {"hors de [low, high]": 2.0, "négative": -0.5},
    lambda v: fig_optim.hyper_slider("d", value=v, low=0.0, high=1.0))
bad("figures.optim.hyper_slider", "low", {"> high": 2.0, "= high": 1.0},
    lambda v: fig_optim.hyper_slider("d", value=1.0, low=v, high=1.0))
bad("figures.optim.hyper_slider", "step", positive_bad(),
    lambda v: fig_optim.hyper_slider("d", **_HYPER, step=v))
_VIEW = {"value": "sgd", "lr_label": "pas", "lr": 0.01, "hyper": {}, "reference": False}
bad("figures.optim.descent_view", "optimizers", {
    "None": None, "vide": (), "inconnu": ("nope",), "texte": "sgd", "sans mise à jour": ("lbfgs",)},
    lambda v: fig_optim.descent_view(v, **_VIEW))
bad("figures.optim.descent_view", "value", {"absente": "adam", "None": None},
    lambda v: fig_optim.descent_view(("sgd",), **_VIEW | {"value": v}))
bad("figures.optim.descent_view", "lr", real_bad() | {"0": 0.0, "10": 10.0},
    lambda v: fig_optim.descent_view(("sgd",), **_VIEW | {"lr": v}))
bad("figures.optim.descent_view", "hyper", {"None": None, "inconnu": {"alpha": None},
                                            "pas un widget": {"momentum": 0.9}},
    lambda v: fig_optim.descent_view(("sgd",), **_VIEW | {"hyper": v}))
bad("figures.optim.descent_view", "reference", BOOL_BAD,
    lambda v: fig_optim.descent_view(("sgd",), **_VIEW | {"reference": v}))
ok("figures.optim.descent_explorer", "sans argument", fig_optim.descent_explorer,
   lambda view: view.values()["optimizer"] == "momentum", "Par défaut, l'exemple du cours")
_BATCH_RUNS = [Run(RunConfig(batch_size=b), _history()) for b in (1, 64)]
bad("figures.optim.plot_batch_sizes", "runs", {
    "None": None, "vide": [], "liste de None": [None], "texte": "runs", "entier": 3,
    "historique vide": [Run(RunConfig(), History())]},
    lambda v: fig_optim.plot_batch_sizes(v, train_size=10))
bad("figures.optim.plot_batch_sizes", "train_size", int_bad(1),
    lambda v: fig_optim.plot_batch_sizes(_BATCH_RUNS, train_size=v))

# --- figures.adaptive ------------------------------------------------------------------------

bad("figures.adaptive.plot_effective_steps", "quantiles", DICT_BAD | {
    "lignes vides": {"a": {}}, "quantiles trop courts": {"a": {1: [0.1]}},
    "quantiles texte": {"a": {1: "abc"}}, "pas texte": {"a": {"x": [0.1, 0.2, 0.3]}}},
    fig_adapt.plot_effective_steps)
_TRACE = {k: [1.0, 0.5] for k in ("s", "ŝ", "√r", "√r̂", "pas avec correction",
                                   "pas sans correction")}
bad("figures.adaptive.plot_adam_bias", "trace", DICT_BAD | {
    "clé manquante": without(_TRACE, "s"), "longueurs différentes": _TRACE | {"ŝ": [1.0]},
    "valeurs texte": _TRACE | {"s": "ab"}}, fig_adapt.plot_adam_bias)
bad("figures.adaptive.plot_adam_bias", "lr", positive_bad(),
    lambda v: fig_adapt.plot_adam_bias(_TRACE, lr=v))
bad("figures.adaptive.plot_adam_bias", "betas", {
    "None": None, "un seul": (0.9,), "hors de [0, 1)": (1.5, 0.9), "texte": "ab"},
    lambda v: fig_adapt.plot_adam_bias(_TRACE, betas=v))
ok("figures.adaptive.adaptive_explorer", "sans argument", fig_adapt.adaptive_explorer,
   lambda view: view.values()["optimizer"] == "adam", "Par défaut, Adam")

# --- figures.data ----------------------------------------------------------------------------

bad("figures.data.batch_explorer", "data", {"None": None, "MNIST": tiny(), "tenseur": X4},
    fig_data.batch_explorer)
bad("figures.data.batch_explorer", "data", {"trop petit": tiny().train},
    lambda v: fig_data.batch_explorer(v, batch_size=16, n_batches=4))
bad("figures.data.batch_explorer", "batch_size", int_bad(1),
    lambda v: fig_data.batch_explorer(tiny().train, batch_size=v, n_batches=1))
bad("figures.data.batch_explorer", "n_batches", int_bad(1),
    lambda v: fig_data.batch_explorer(tiny().train, batch_size=4, n_batches=v))

# --- Les tests -------------------------------------------------------------------------------

@pytest.mark.parametrize("target", sorted({row.target for row in ROWS}))
def test_bad_inputs_get_a_french_error_or_a_documented_acceptance(target: str):
    import matplotlib.pyplot as plt

    failures = []
    for row in (r for r in ROWS if r.target == target):
        why = base.failure(row)
        plt.close("all")  # une figure par ligne acceptée : on ne les garde pas
        if why is not None:
            failures.append(f"{base._id(row)} → {why}")
    assert not failures, "\n".join(failures)


def test_every_public_function_has_rows():
    assert base.coverage_problems(ROWS, MODULES) == []
