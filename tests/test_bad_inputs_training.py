"""Entrées hostiles pour la boucle d'apprentissage (``training``), ses vérifications
(``_training_inputs``) et les expériences (``runs``).

Même contrat que ``tests/test_bad_inputs.py``, dont on reprend la ligne (``Row``), le
verdict (``failure``) et les familles de mauvaises valeurs : chaque ligne attend une erreur en
français qui nomme l'argument fautif, ou une acceptation documentée et vérifiée. Un test
d'introspection vérifie que chaque fonction ou classe publique de ces trois modules a ses
lignes. Données jouets : ``tiny()`` (48 exemples d'apprentissage, 784 caractéristiques,
3 classes), lots de 16 : un apprentissage complet tient en trois pas.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import _training_inputs as inputs
from course_utils import batchnorm as bn
from course_utils import data as D
from course_utils import runs, training
from course_utils.regularization import EarlyStopping
from course_utils.runs import Run, RunConfig
from course_utils.training import History
from tests import test_bad_inputs as base
from tests.test_bad_inputs import (
    CONFIG,
    INF,
    MODEL_BAD,
    NAN,
    float_tensor_bad,
    int_bad,
    mnist_bad,
    narrow,
    net,
    nonneg_bad,
    positive_bad,
    rate_bad,
    t,
    tiny,
    vec,
    without,
)

MODULES = ("training", "_training_inputs", "runs")
_TABLE = base.Table()  # la table de ce fichier
ROWS, bad, ok = _TABLE.rows, _TABLE.bad, _TABLE.ok


# --- Données, modèles et crochets jouets ----------------------------------------------------

def _y(n: int) -> torch.Tensor:
    return torch.arange(n) % 3


def data_bad() -> dict:
    """Tout ce qu'un PMC 784-8-3 ne peut pas apprendre ni mesurer."""
    return {"None": None, "MNIST au lieu d'un Dataset": tiny(), "tenseur": t(4, 784),
            "couple (x, y)": (t(4, 784), _y(4)),
            "vide": D.Dataset(torch.zeros(0, 784), torch.zeros(0, dtype=torch.long)),
            "5 caractéristiques": narrow(),
            "float64": D.Dataset(t(8, 784, dtype=torch.float64), _y(8)),
            "étiquettes hors des 3 sorties": D.Dataset(t(8, 784), torch.arange(8))}


def bn_net(course: bool = False) -> nn.Sequential:
    norm = bn.BatchNorm1d(8) if course else nn.BatchNorm1d(8)
    return nn.Sequential(nn.Linear(784, 8), norm, nn.ReLU(), nn.Linear(8, 3))


def flat_net() -> nn.Sequential:
    """Un modèle qui renvoie un vecteur (N·3,) au lieu de logits (N, 3)."""
    return nn.Sequential(nn.Linear(784, 3), nn.Flatten(0))


def sgd(model: nn.Module, **options) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), **{"lr": 0.1} | options)


def with_group(key: str, value, make=sgd):
    """``(net(), make(net()))``, le premier groupe de l'optimiseur ayant ``key = value``
    (changé après la construction, comme le ferait un étudiant)."""
    model = net()
    opt = make(model)
    opt.param_groups[0][key] = value
    return model, opt


class OnBatch:
    def __init__(self, make):
        self.make = make

    def on_batch(self, x, y, generator):
        return self.make(x, y)


class OnEpoch:
    def __init__(self, value):
        self.value = value

    def on_epoch(self, model, history):
        return self.value


class NotCallable:
    on_step = 5

    def on_end(self, model, history):
        pass


def _weights(model: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def _nan_loss(logits, target):
    """Une perte nan dès le premier mini-lot (comme après un pas trop grand)."""
    return F.cross_entropy(logits, target) + NAN


def _train(**changes):
    """``train`` sur ``tiny()`` (3 pas de 16), sans barre, avec ``changes``."""
    model = changes.pop("model") if "model" in changes else net()
    optimizer = changes.pop("optimizer") if "optimizer" in changes else sgd(
        model if isinstance(model, nn.Module) else net())
    data = changes.pop("data") if "data" in changes else tiny().train
    return training.train(model, data, optimizer, **{"batch_size": 16, "progress": None}
                          | changes)


HOOKS_BAD = {"None": None, "texte": "crochet", "un crochet seul": EarlyStopping(2),
             "objet sans méthode": [object()], "classe": [EarlyStopping],
             "méthode non appelable": [NotCallable()]}
ON_BATCH_BAD = {
    "None": lambda x, y: None, "x seul": lambda x, y: x, "triple": lambda x, y: (x, y, y),
    "liste": lambda x, y: [x.tolist(), y], "x sans sa dernière colonne": lambda x, y: (
        x[:, :-1], y), "x float64": lambda x, y: (x.double(), y),
    "moitié des exemples": lambda x, y: (x[:8], y[:8]),
    "cible flottante (N,)": lambda x, y: (x, y.float()),
    "cible int32": lambda x, y: (x, y.int()),
    "cible (N + 1,)": lambda x, y: (x, torch.cat([y, y[:1]]))}
ON_EPOCH_BAD = {"texte": "oui", "entier 1": 1, "tenseur booléen": torch.tensor(True)}
LOSS_FN_BAD = {"entier": 3, "texte": "ce", "classe": nn.CrossEntropyLoss,
               "un seul argument": lambda o: o.sum()}
LOSS_RESULT_BAD = {
    "liste": lambda o, y: [F.cross_entropy(o, y)], "float": lambda o, y: F.cross_entropy(
        o, y).item(), "tenseur (N,)": lambda o, y: F.cross_entropy(o, y, reduction="none"),
    "détachée": lambda o, y: F.cross_entropy(o, y).detach(), "entière": lambda o, y: torch.tensor(
        1), "None": lambda o, y: None, "couple": lambda o, y: (F.cross_entropy(o, y), 0.0)}


# --- training.History ----------------------------------------------------------------------

for _series in training._SERIES:
    bad("training.History", _series, {
        "None": None, "nombre": 1.0, "texte": "1.0", "numpy": np.array([1.0]), "tenseur": t(3),
        "texte dans la liste": ["1.0"], "None dans la liste": [1.0, None],
        "booléen dans la liste": [True], "tenseur à 2 éléments": [vec(1.0, 2.0)],
        "complexe": [1j]}, functools.partial(lambda s, v: History(**{s: v}), _series))
bad("training.History", "eval_name", {"None": None, "entier": 5},
    lambda v: History(eval_name=v))
ok("training.History", "nan et inf", lambda: History(batch_loss=[NAN, INF, -INF]),
   lambda h: math.isnan(h.batch_loss[0]) and h.batch_loss[1:] == [INF, -INF],
   "nan et ±inf sont acceptés")
ok("training.History", "tenseur à un élément", lambda: History(train_loss=[torch.tensor(0.5)]),
   lambda h: h.train_loss == [0.5] and type(h.train_loss[0]) is float,
   "un tenseur à un élément est accepté")
ok("training.History", "tuple", lambda: History(epoch=(1, 2)),
   lambda h: h.epoch == [1.0, 2.0] and isinstance(h.epoch, list), "une liste (ou un tuple)")
ok("training.History", "historique partiel", lambda: History(
    epoch=[1.0], eval_acc=[0.9], eval_name="test").summary(),
   lambda s: s == "époque 1\u00a0: exactitude (test) 90.0 %",
   "summary`` n'affiche que les valeurs présentes")
bad("training.History", "title", {"entier": 5, "liste": ["titre"]},
    lambda v: History().plot(title=v))
bad("training.History", "epoch", {
    "sans perte": History(epoch=[1.0]), "une exactitude d'évaluation de trop": History(
        epoch=[1.0], train_loss=[1.0], train_acc=[0.5], eval_loss=[1.0], eval_acc=[0.5, 0.6])},
    lambda v: v.plot())
ok("training.History", "historique vide tracé", lambda: History().plot(),
   lambda fig: len(fig.axes) == 2, "un historique vide donne des axes vides")
bad("training.History", "digits", int_bad(0), lambda v: History(epoch=[1.0]).to_dict(digits=v))
bad("training.History", "values", {"None": None, "liste": [("epoch", [1.0])], "texte": "epoch",
                                   "History": History()}, History.from_dict)
bad("training.History", "epoch", {"nombre": {"epoch": 5}, "textes": {"epoch": ["a"]}},
    History.from_dict)
bad("training.History", "historique", {"clé inconnue": {"loss": [1.0]},
                                       "clés mêlées": {1: [1.0], "loss": []}}, History.from_dict)
ok("training.History", "clé absente", lambda: History.from_dict({"epoch": [1.0]}),
   lambda h: h.epoch == [1.0] and h.batch_loss == [], "une clé absente donne une série vide")


# --- training.evaluate et training.predict --------------------------------------------------

bad("training.evaluate", "model", MODEL_BAD, lambda v: training.evaluate(v, tiny().test))
bad("training.evaluate", "data", data_bad(), lambda v: training.evaluate(net(), v))
bad("training.evaluate", "data", {"5 caractéristiques (nn.Linear seul)": narrow()},
    lambda v: training.evaluate(nn.Linear(784, 3), v))
bad("training.evaluate", "model", {"sortie (N·3,)": flat_net()},
    lambda v: training.evaluate(v, tiny().test))
bad("training.evaluate", "batch_size", int_bad(1),
    lambda v: training.evaluate(net(), tiny().test, batch_size=v))


def _nan_net() -> nn.Sequential:
    model = net()
    with torch.no_grad():
        model[0].weight.fill_(NAN)
    return model


ok("training.evaluate", "poids nan", lambda: training.evaluate(_nan_net(), tiny().test),
   lambda r: math.isnan(r[0]) and 0 <= r[1] <= 1, "donne une perte nan")


def _x_bad() -> dict:
    return float_tensor_bad(lambda: t(4, 784)) | {
        "float64": t(4, 784, dtype=torch.float64), "5 caractéristiques": t(4, 5),
        "1-D": t(784), "nan": torch.full((4, 784), NAN), "inf": torch.full((4, 784), INF)}


bad("training.predict", "model", MODEL_BAD, lambda v: training.predict(v, t(4, 784)))
bad("training.predict", "x", _x_bad(), lambda v: training.predict(net(), v))
bad("training.predict", "x", {"5 caractéristiques (nn.Linear seul)": t(4, 5),
                              "1-D (nn.Linear seul)": t(784)},
    lambda v: training.predict(nn.Linear(784, 3), v))
bad("training.predict", "model", {"sortie (N·3,)": flat_net()},
    lambda v: training.predict(v, t(4, 784)))
bad("training.predict", "batch_size", int_bad(1),
    lambda v: training.predict(net(), t(4, 784), batch_size=v))
ok("training.predict", "x vide", lambda: training.predict(net(), torch.zeros(0, 784)),
   lambda p: p.shape == (0,) and p.dtype == torch.int64, "x vide (0, D) donne un tenseur vide")


# --- training.train --------------------------------------------------------------------------

bad("training.train", "model", MODEL_BAD, lambda v: _train(model=v))
bad("training.train", "data", data_bad(), lambda v: _train(data=v))
bad("training.train", "eval_data", without(data_bad(), "None"), lambda v: _train(eval_data=v))
bad("training.train", "optimizer", {"None": None, "texte": "sgd", "classe": torch.optim.SGD,
                                    "d'un autre modèle": sgd(net())},
    lambda v: _train(optimizer=v))
bad("training.train", "lr", {"SGD(lr=inf)": INF, "SGD(lr=nan)": NAN},
    lambda v: _train(model=(m := net()), optimizer=torch.optim.SGD(m.parameters(), lr=v)))
bad("training.train", "lr", {"inf": INF, "nan": NAN, "-0.1": -0.1, "texte": "0.1",
                             "None": None, "tenseur inf": torch.tensor(INF)},
    lambda v: _train(**dict(zip(("model", "optimizer"), with_group("lr", v), strict=True))))
bad("training.train", "momentum", {"nan": NAN, "inf": INF},
    lambda v: _train(**dict(zip(("model", "optimizer"), with_group("momentum", v),
                                strict=True))))
bad("training.train", "betas", {"ρ1 nan": (NAN, 0.999)}, lambda v: _train(**dict(zip(
    ("model", "optimizer"), with_group("betas", v, lambda m: torch.optim.Adam(m.parameters())),
    strict=True))))


def _zero_rate() -> bool:
    """Un pas nul : trois mini-lots, aucun poids ne bouge."""
    model = net()
    before = _weights(model)
    history = _train(model=model, optimizer=sgd(model, lr=0.0))
    return len(history.batch_loss) == 3 and all(
        torch.equal(a, b) for a, b in zip(before, _weights(model), strict=True))


ok("training.train", "pas nul", _zero_rate, lambda r: r is True, "un pas nul est accepté")
bad("training.train", "epochs", int_bad(1), lambda v: _train(epochs=v))
bad("training.train", "batch_size", int_bad(1), lambda v: _train(batch_size=v))
bad("training.train", "evals_per_epoch", int_bad(1, 3), lambda v: _train(evals_per_epoch=v))
ok("training.train", "lot plus grand que data", lambda: _train(batch_size=1000),
   lambda h: len(h.batch_loss) == 1 and h.epoch == [1.0], "un seul mini-lot par époque")
bad("training.train", "loss_fn", LOSS_FN_BAD | LOSS_RESULT_BAD, lambda v: _train(loss_fn=v))
ok("training.train", "loss_fn nn.CrossEntropyLoss()",
   lambda: _train(loss_fn=nn.CrossEntropyLoss()), lambda h: len(h.batch_loss) == 3,
   "loss_fn(logits, cible)")
bad("training.train", "hooks", HOOKS_BAD, lambda v: _train(hooks=v))
bad("training.train", "hooks", ON_BATCH_BAD, lambda v: _train(hooks=[OnBatch(v)]))
bad("training.train", "hooks", ON_EPOCH_BAD, lambda v: _train(hooks=[OnEpoch(v)]))
ok("training.train", "on_epoch renvoie None", lambda: _train(epochs=2, hooks=[OnEpoch(None)]),
   lambda h: len(h.batch_loss) == 6, "``False`` ou ``None`` le poursuivent")
bad("training.train", "seed", int_bad(0) | {"2⁶⁴": 2**64}, lambda v: _train(seed=v))
bad("training.train", "progress", {"entier": 5, "booléen": True, "liste": ["a"]},
    lambda v: _train(progress=v))
bad("training.train", "batch_size", {"1 avec nn.BatchNorm1d": bn_net(),
                                     "1 avec batchnorm.BatchNorm1d": bn_net(course=True)},
    lambda v: _train(model=v, batch_size=1))
bad("training.train", "batch_size", {"dernier lot d'un exemple": bn_net(),
                                     "dernier lot d'un exemple (BN du cours)": bn_net(True)},
    lambda v: _train(model=v, data=D.Dataset(t(17, 784), _y(17))))
ok("training.train", "perte non finie", lambda: _train(epochs=3, loss_fn=_nan_loss),
   lambda h: len(h.batch_loss) == 1 and math.isnan(h.batch_loss[0]),
   "l'apprentissage s'arrête là")


# --- _training_inputs ---------------------------------------------------------------------

_MODEL_FREE = ("5 caractéristiques", "float64", "étiquettes hors des 3 sorties")  # sans modèle
bad("_training_inputs.shrink", "data", without(data_bad(), *_MODEL_FREE),
    lambda v: inputs.shrink(v, None, 1, 16))
bad("_training_inputs.shrink", "eval_data", without(data_bad(), "None", *_MODEL_FREE),
    lambda v: inputs.shrink(tiny().train, v, 1, 16))
bad("_training_inputs.shrink", "batch_size", int_bad(1),
    lambda v: inputs.shrink(tiny().train, None, 1, v))
ok("_training_inputs.shrink", "evals non entier", lambda: inputs.shrink(
    tiny().train, None, "4", 16), lambda r: r[3] == "4" and len(r[0]) == 48 and r[2] == 1,
   "laissé tel quel sinon")
bad("_training_inputs.check_dataset", "data", {"None": None, "MNIST": tiny(), "tenseur": t(
    4, 784), "vide": data_bad()["vide"]}, lambda v: inputs.check_dataset("data", v))
bad("_training_inputs.check_optimizer", "optimizer", {"None": None, "texte": "sgd",
                                                      "d'un autre modèle": sgd(net())},
    lambda v: inputs.check_optimizer(v, net()))
bad("_training_inputs.check_optimizer", "model", MODEL_BAD,
    lambda v: inputs.check_optimizer(sgd(net()), v))
bad("_training_inputs.check_optimizer", "lr", {"inf": INF, "-1": -1.0, "texte": "0.1",
                                               "booléen": True},
    lambda v: inputs.check_optimizer(*reversed(with_group("lr", v))))
bad("_training_inputs.check_optimizer", "weight_decay", {"nan": NAN},
    lambda v: inputs.check_optimizer(*reversed(with_group("weight_decay", v))))
ok("_training_inputs.check_optimizer", "pas nul", lambda: inputs.check_optimizer(
    *reversed(with_group("lr", 0.0))), lambda r: r is None, "Un pas nul (``lr = 0``) est accepté")
ok("_training_inputs.check_optimizer", "pas en tenseur", lambda: inputs.check_optimizer(
    *reversed(with_group("lr", torch.tensor(0.01)))), lambda r: r is None, "réel fini ≥ 0")
bad("_training_inputs.check_compatible", "model", MODEL_BAD,
    lambda v: inputs.check_compatible(v, sgd(net()), tiny().train, None, 16))
bad("_training_inputs.check_compatible", "optimizer", {"None": None, "autre": sgd(net())},
    lambda v: inputs.check_compatible(net(), v, tiny().train, None, 16))
bad("_training_inputs.check_compatible", "data", data_bad(),
    lambda v: inputs.check_compatible(m := net(), sgd(m), v, None, 16))
bad("_training_inputs.check_compatible", "eval_data", without(data_bad(), "None"),
    lambda v: inputs.check_compatible(m := net(), sgd(m), tiny().train, v, 16))
bad("_training_inputs.check_compatible", "batch_size", int_bad(1),
    lambda v: inputs.check_compatible(m := net(), sgd(m), tiny().train, None, v))
bad("_training_inputs.check_compatible", "batch_size", {"1 avec BN": 1, "reste 1 avec BN": 47},
    lambda v: inputs.check_compatible(m := bn_net(), sgd(m), tiny().train, None, v))
bad("_training_inputs.check_outputs", "model", MODEL_BAD | {"sortie (N·3,)": flat_net()},
    lambda v: inputs.check_outputs(v, "data", tiny().test))
bad("_training_inputs.check_outputs", "data", data_bad(),
    lambda v: inputs.check_outputs(net(), "data", v))
bad("_training_inputs.check_inputs", "model", MODEL_BAD,
    lambda v: inputs.check_inputs(v, "x", t(4, 784)))
bad("_training_inputs.check_inputs", "x", _x_bad(), lambda v: inputs.check_inputs(net(), "x", v))
ok("_training_inputs.check_inputs", "x vide", lambda: inputs.check_inputs(
    net(), "x", torch.zeros(0, 784)), lambda r: r is None, "x vide (N = 0) est accepté")
bad("_training_inputs.check_loss_fn", "loss_fn", LOSS_FN_BAD | {"None dans une liste": [None]},
    inputs.check_loss_fn)
ok("_training_inputs.check_loss_fn", "None", lambda: inputs.check_loss_fn(None),
   lambda f: f is F.cross_entropy, "None (l'entropie croisée)")


def _loss(value_of):
    """La perte ``value_of(logits, y)`` d'un petit modèle relié à ses paramètres."""
    model = nn.Linear(4, 3)
    return inputs.check_loss(value_of(model(t(2, 4)), _y(2)))


bad("_training_inputs.check_loss", "loss_fn", LOSS_RESULT_BAD, _loss)
ok("_training_inputs.check_loss", "forme (1,)", lambda: _loss(
    lambda o, y: F.cross_entropy(o, y).reshape(1)), lambda r: r.shape == (1,),
   "un tenseur flottant à un élément")
bad("_training_inputs.check_hooks", "hooks", HOOKS_BAD, inputs.check_hooks)
ok("_training_inputs.check_hooks", "aucun crochet", lambda: inputs.check_hooks(()),
   lambda r: all(v == [] for v in r.values()), "Les crochets rangés par méthode")
bad("_training_inputs.check_batch", "hooks", ON_BATCH_BAD,
    lambda v: inputs.check_batch(OnBatch(v), v(t(16, 784), _y(16)), t(16, 784)))
ok("_training_inputs.check_batch", "cible douce (N, C)", lambda: inputs.check_batch(
    OnBatch(None), (t(4, 784), torch.full((4, 3), 1 / 3)), t(4, 784)),
   lambda r: r[1].shape == (4, 3), "distributions flottantes (N, C)")
bad("_training_inputs.check_stop", "hooks", ON_EPOCH_BAD,
    lambda v: inputs.check_stop(OnEpoch(v), v))
ok("_training_inputs.check_stop", "None", lambda: inputs.check_stop(OnEpoch(None), None),
   lambda r: r is False, "False ou None (continuer)")


# --- runs ------------------------------------------------------------------------------------

_SPEC = ("SGD", lambda p, c: torch.optim.SGD(p, lr=c.lr), None, ())
for _i, (_field, _values) in enumerate((
        ("label", {"None": None, "vide": "", "entier": 5}),
        ("build", {"None": None, "texte": "sgd"}),
        ("update", {"texte": "gd_step", "entier": 5}),
        ("hyperparameters", {"liste": ["momentum"], "texte": "momentum", "entiers": (1,),
                             "None": None}))):
    bad("runs.OptimizerSpec", _field, _values, functools.partial(
        lambda i, v: runs.OptimizerSpec(*[v if k == i else s for k, s in enumerate(_SPEC)]), _i))
ok("runs.OptimizerSpec", "sans update", lambda: runs.OptimizerSpec(*_SPEC),
   lambda s: s.update is None, "None pour un optimiseur de ``torch.optim``")

_SIZES_BAD = {"None": None, "texte": "784", "une taille": (784,), "taille nulle": (784, 0),
              "taille réelle": (784, 2.5), "booléen": (784, True), "entier seul": 784,
              "numpy": np.array([784, 3]), "dictionnaire": {784: 3}}
_FIELDS = {  # champ → (mauvaises valeurs, autres champs nécessaires)
    "sizes": (_SIZES_BAD, {}),
    "activation": ({"inconnue": "swish", "None": None, "fonction": torch.relu,
                    "liste": ["relu"]}, {}),
    "init": ({"inconnu": "he", "entier": 5, "liste": ["normal"]}, {}),
    "init_scale": (nonneg_bad(), {"init": "normal"}),
    "batch_norm": ({"inconnu": "middle", "booléen": True, "liste": ["after"]}, {}),
    "dropout": (rate_bad(), {}),
    "optimizer": ({"inconnu": "gd", "None": None, "classe": torch.optim.SGD}, {}),
    "lr": (positive_bad(), {}),
    "momentum": (rate_bad(), {"optimizer": "momentum"}),
    "weight_decay": (nonneg_bad(), {"optimizer": "adamw"}),
    "penalty": ({"inconnue": "l3", "majuscules": "L2", "entier": 2}, {"penalty_alpha": 0.1}),
    "penalty_alpha": (nonneg_bad(), {"penalty": "l2"}),
    "augmentation": ({"inconnue": "flou", "entier": 5}, {}),
    "batch_size": (int_bad(1), {}), "epochs": (int_bad(1), {}),
    "evals_per_epoch": (int_bad(1), {}), "patience": (without(int_bad(1), "None"), {}),
    "seed": (int_bad(0) | {"2⁶⁴": 2**64}, {}),
}
for _field, (_values, _others) in _FIELDS.items():
    bad("runs.RunConfig", _field, _values, functools.partial(
        lambda f, o, v: RunConfig(**o | {f: v}), _field, _others))
bad("runs.RunConfig", "init_scale", {"5 sans init": 5.0, "0 sans init": 0.0},
    lambda v: RunConfig(init_scale=v))
bad("runs.RunConfig", "momentum", {"0.9 pour sgd": ({"momentum": 0.9}),
                                   "absent pour nesterov": ({"optimizer": "nesterov"})},
    lambda v: RunConfig(**v))
bad("runs.RunConfig", "weight_decay", {"0.1 pour adam": 0.1},
    lambda v: RunConfig(optimizer="adam", weight_decay=v))
bad("runs.RunConfig", "penalty_alpha", {"0 avec l2": ("l2", 0.0), "0.1 sans penalty": (
    None, 0.1)}, lambda v: RunConfig(penalty=v[0], penalty_alpha=v[1]))
bad("runs.RunConfig", "lr", {"replace avec un pas négatif": -1.0},
    lambda v: dataclasses.replace(CONFIG, lr=v))
ok("runs.RunConfig", "adamw sans décroissance", lambda: RunConfig(optimizer="adamw"),
   lambda c: c.weight_decay == 0.0, "``weight_decay = 0`` avec « adamw » est accepté")
ok("runs.RunConfig", "aller-retour par to_dict", lambda: RunConfig.from_dict(CONFIG.to_dict()),
   lambda c: c == CONFIG, "Inverse de :meth:`to_dict`")
bad("runs.RunConfig", "values", {"None": None, "liste": [("lr", 0.1)], "texte": "lr",
                                 "RunConfig": CONFIG}, RunConfig.from_dict)
bad("runs.RunConfig", "champs", {"inconnu": {"rate": 0.1}, "clés mêlées": {1: 0, "rate": 1}},
    RunConfig.from_dict)
bad("runs.RunConfig", "lr", {"texte": {"lr": "0.1"}}, RunConfig.from_dict)
bad("runs.RunConfig", "fields", {"inconnu": "nope", "None": None, "entier": 5,
                                 "liste": ["lr"]}, lambda v: CONFIG.describe("lr", v))
ok("runs.RunConfig", "describe sans champ", lambda: CONFIG.describe(), lambda s: s == "",
   "sans champ, une chaîne vide")
ok("runs.RunConfig", "describe des tailles", lambda: CONFIG.describe("sizes", "lr"),
   lambda s: s == "couches 784-8-3, lr 0,1", "Les champs demandés en français")

_CONFIG_BAD = {"None": None, "texte": "sgd", "dictionnaire": CONFIG.to_dict()}
bad("runs.Run", "config", _CONFIG_BAD, lambda v: Run(v, History()))
bad("runs.checked_run", "run", {"None": None, "texte": "run", "config": CONFIG,
                                "sans mesure": Run(CONFIG, History())},
    lambda v: runs.checked_run("run", v))
bad("runs.Run", "history", {"None": None, "dictionnaire": History().to_dict(), "liste": []},
    lambda v: Run(CONFIG, v))
bad("runs.Run", "model", without(MODEL_BAD, "None"), lambda v: Run(CONFIG, History(), v))
ok("runs.Run", "sans réseau", lambda: Run(CONFIG, History()), lambda r: r.model is None and (
    "Historique vide" in repr(r)), "None une fois relu")
bad("runs.build_model", "config", _CONFIG_BAD, runs.build_model)
bad("runs.build_optimizer", "config", _CONFIG_BAD, lambda v: runs.build_optimizer(v, net()))
bad("runs.build_optimizer", "model", MODEL_BAD | {"sans paramètre": nn.ReLU()},
    lambda v: runs.build_optimizer(CONFIG, v))
bad("runs.training_loss", "config", _CONFIG_BAD, lambda v: runs.training_loss(v, net()))
bad("runs.training_loss", "model", MODEL_BAD, lambda v: runs.training_loss(CONFIG, v))
bad("runs.training_loss", "model", {"sans nn.Linear": nn.ReLU()}, lambda v: runs.training_loss(
    dataclasses.replace(CONFIG, penalty="l2", penalty_alpha=0.1), v))
_NARROW = D.MNIST(narrow(), narrow(), narrow())
bad("runs.run", "config", _CONFIG_BAD, lambda v: runs.run(v, tiny()))
bad("runs.run", "data", mnist_bad() | {"5 caractéristiques": _NARROW},
    lambda v: runs.run(CONFIG, v))
bad("runs.run", "eval_on", {"train": "train", "None": None, "entier": 1, "liste": ["test"]},
    lambda v: runs.run(CONFIG, tiny(), eval_on=v))
bad("runs.run", "eval_on", {"sans validation": D.MNIST(tiny().train, None, tiny().test)},
    lambda v: runs.run(CONFIG, v))
bad("runs.run", "eval_on", {"test avec patience": "test"},
    lambda v: runs.run(dataclasses.replace(CONFIG, patience=2), tiny(), eval_on=v))
bad("runs.run", "progress", {"entier": 5, "booléen": True, "liste": ["a"]},
    lambda v: runs.run(CONFIG, tiny(), progress=v))
bad("runs.evaluation_data", "data", mnist_bad(), lambda v: runs.evaluation_data(v, "test"))
bad("runs.evaluation_data", "eval_on", {"train": "train", "None": None, "liste": ["test"]},
    lambda v: runs.evaluation_data(tiny(), v))


# --- Les tests -------------------------------------------------------------------------------

@pytest.mark.parametrize("target", sorted({row.target for row in ROWS}))
def test_bad_inputs_get_a_french_error_or_a_documented_acceptance(target: str):
    failures = [f"{base._id(row)} → {why}" for row in ROWS
                if row.target == target and (why := base.failure(row)) is not None]
    assert not failures, "\n".join(failures)


def test_every_public_function_has_rows():
    assert base.coverage_problems(ROWS, MODULES) == []


def test_every_module_is_covered_by_one_of_the_two_batteries():
    root = Path(__file__).resolve().parent.parent / "course_utils"
    found = {p.stem for p in root.glob("*.py") if not p.stem.startswith("_")} | {
        f"lab.{p.stem}" for p in (root / "lab").glob("*.py") if not p.stem.startswith("_")}
    unowned = {"plots", "widgets", "source"}  # figures et widgets : hors des deux batteries
    assert found - unowned == set(base.MODULES) | {"training", "runs"}
    assert (root / "_training_inputs.py").exists() and "_training_inputs" in MODULES


@pytest.mark.parametrize("label", sorted(LOSS_RESULT_BAD))
def test_a_bad_loss_is_refused_at_the_first_step_and_nothing_moves(label):
    model = net()
    before = _weights(model)
    with pytest.raises((TypeError, ValueError), match="loss_fn"):
        _train(model=model, loss_fn=LOSS_RESULT_BAD[label])
    assert all(torch.equal(a, b) for a, b in zip(before, _weights(model), strict=True))


@pytest.mark.parametrize("lr", [INF, NAN, -0.1])
def test_a_bad_rate_in_the_groups_is_refused_before_the_first_mini_batch(lr):
    model, opt = with_group("lr", lr)
    before = _weights(model)
    with pytest.raises(ValueError, match=r"optimizer\.param_groups\[0\]\['lr'\] doit être"):
        _train(model=model, optimizer=opt)
    assert all(torch.equal(a, b) for a, b in zip(before, _weights(model), strict=True))


def test_a_diverging_run_still_stops_with_a_french_line(capsys):
    history = _train(epochs=3, loss_fn=_nan_loss)
    assert len(history.batch_loss) == 1 and math.isnan(history.batch_loss[0])
    assert "au mini-lot 1\u00a0: apprentissage arrêté" in capsys.readouterr().out
