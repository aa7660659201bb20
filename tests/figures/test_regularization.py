"""Figures et widgets de la régularisation, sur de faux résultats enregistrés (rien n'est
appris)."""

import dataclasses

import pytest
import torch

from course_utils.data import normalize
from course_utils.figures.regularization import (
    dropout_explorer,
    plot_mixing_examples,
    regularization_explorer,
)
from course_utils.lab.regularization import SETTING

NBSP = "\u00a0"


def _plain(text: str) -> str:
    """Le texte, espaces insécables de la typographie française lues comme des espaces."""
    return text.replace(NBSP, " ")


def _config(**changes) -> dict:
    return dataclasses.replace(SETTING, **changes).to_dict()


def _penalty_results():
    """Un faux ``penalty_sweep`` : 4 classes d'histogramme, 3 valeurs de α par type."""
    alphas = [1e-4, 1e-3, 1e-2]

    def record(k, **changes):
        return {"config": _config(**changes), "counts": [k, 2 * k + 1, 0, 1], "train_acc": 1.0,
                "test_acc": 0.9 - 0.01 * k, "train_loss": 0.01, "test_loss": 0.4,
                "gap": 0.1 + 0.01 * k, "sparsity_first": 0.1 * k}

    runs = [record(1 + i + 3 * j, penalty=kind, penalty_alpha=a)
            for j, kind in enumerate(["l1", "l2"]) for i, a in enumerate(alphas)]
    return {"kinds": ["l1", "l2"], "alphas": alphas, "edges": [-0.2, -0.1, 0.0, 0.1, 0.2],
            "runs": [record(0)] + runs}


def test_regularization_explorer_redraws_the_cached_histogram_and_gap():
    results = _penalty_results()
    view = regularization_explorer(results)
    assert view.values() == {"kind": "l1", "alpha": 1e-3}
    hist, acc = view.figure.axes[:2]
    assert hist.get_yscale() == "log" and acc.get_xscale() == "log"
    assert list(hist.patches[1].get_data().values) == [2, 5, 0, 1]  # L1, α = 10⁻³ : k = 2
    assert list(hist.patches[0].get_data().values) == [0, 1, 0, 1]  # sans pénalisation
    assert view.figure._suptitle.get_text() == "Pénalisation L1, α = 10⁻³"
    assert _plain(acc.get_title()).startswith("Écart apprentissage − test : 12,0 points")
    view.controls["kind"].value = "l2"
    view.controls["alpha"].value = 1e-2
    assert view.n_draws == 3 and list(view.figure.axes[0].patches[1].get_data().values) == [
        6, 13, 0, 1]  # L2, α = 10⁻² : k = 6
    assert view.figure.axes[0].get_title() == "60 % des poids avec |w| < 10⁻³"
    assert [label for label, _ in view.controls["alpha"].options] == ["10⁻⁴", "10⁻³", "10⁻²"]
    del results["runs"][-1]
    with pytest.raises(ValueError, match="runs absents de results.: L2 α = 10⁻²"):
        regularization_explorer(results)
    with pytest.raises(ValueError, match="renvoyé par penalty_sweep"):
        regularization_explorer({"runs": []})


def _dropout_results():
    def record(p):
        history = {"epoch": [1.0, 2.0, 3.0], "train_loss": [1.0, 0.5 + p, 0.1 + p],
                   "eval_loss": [1.1, 0.6, 0.7], "eval_acc": [0.8, 0.85, 0.86 + p / 10],
                   "eval_name": "test"}
        return {"config": _config(dropout=p), "history": history,
                "test_acc": history["eval_acc"][-1], "epochs_to_fit": None if p else 3}

    return {"rates": [0.0, 0.2, 0.5], "runs": [record(p) for p in (0.0, 0.2, 0.5)]}


def test_dropout_explorer_slides_over_the_precomputed_rates():
    view = dropout_explorer(_dropout_results())
    assert view.values() == {"p": 0.5}
    loss, acc = view.figure.axes
    assert len(loss.lines) == 4 and loss.lines[1].get_ydata()[-1] == pytest.approx(0.7)
    assert _plain(acc.lines[0].get_label()) == "p = 0,5 : 91,0 %"
    assert acc.lines[1].get_color() == "gray"
    assert view.figure._suptitle.get_text().endswith("jamais atteinte")
    view.controls["p"].value = 0.0
    assert len(view.figure.axes[0].lines) == 2  # sans dropout : pas de référence grise
    assert view.figure._suptitle.get_text().endswith("à l'époque 3")
    with pytest.raises(ValueError, match="runs absents de results.: p = 0,2"):
        dropout_explorer({"rates": [0.2], "runs": _dropout_results()["runs"][:1]})
    with pytest.raises(ValueError, match="renvoyé par dropout_runs"):
        dropout_explorer([])


def test_mixing_examples_show_soft_targets():
    g = torch.Generator().manual_seed(0)
    x, y = normalize(torch.rand(10, 784, generator=g)), torch.arange(10)
    fig = plot_mixing_examples(x, y, n=4)
    titles = [_plain(ax.get_title()) for ax in fig.axes]
    assert len(titles) == 16 and titles[:4] == ["0 : 1", "1 : 1", "2 : 1", "3 : 1"]
    mixed = [t for t in titles[4:8] if "/" in t]  # Mixup
    assert mixed and all(" : " in t and "," in t for t in mixed)
    assert [fig.axes[4 * k].get_ylabel() for k in range(4)] == ["origine", "Mixup", "Cutout",
                                                                "CutMix"]
    with pytest.raises(ValueError, match="n doit être un entier entre 1 et 10"):
        plot_mixing_examples(x, y, n=0)
