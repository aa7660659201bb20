"""Figures et widget du chapitre 5 (course_utils.figures.adaptive), sans navigateur."""

import numpy as np
import pytest
import torch

from course_utils.figures.adaptive import adaptive_explorer, plot_adam_bias, plot_effective_steps
from course_utils.lab.adaptive import adam_bias_trace


def _path(view):
    return view.figure.axes[0].lines[0].get_xydata().copy()


def test_adaptive_explorer_grays_out_unused_hyperparameters():
    view = adaptive_explorer()
    assert view.values()["optimizer"] == "adam" and view.values()["surface"] == "quadratic"
    assert list(view.controls["optimizer"].options.values()) == [
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    enabled = {name for name, control in view.controls.items() if not control.disabled}
    assert enabled == {"surface", "optimizer", "lr", "beta1", "beta2", "eps", "steps"}
    assert not view.figure.axes[0].lines[1].get_visible()  # pas de référence au chapitre 5
    before = _path(view)
    view.controls["beta1"].value = 0.5
    assert not np.array_equal(_path(view), before)
    view.controls["optimizer"].value = "rmsprop"
    assert view.controls["beta1"].disabled and not view.controls["rho"].disabled
    rmsprop = _path(view)
    view.controls["rho"].value = 0.5
    assert not np.array_equal(_path(view), rmsprop)
    assert view.figure.texts[0].get_text().startswith("RMSProp : pas = 0.1, ρ = 0.5, δ = 1e-08")
    view.controls["optimizer"].value = "momentum"
    assert not view.controls["momentum"].disabled and view.controls["eps"].disabled
    view.controls["surface"].value = "saddle"
    assert view.figure.axes[0].get_title() == "Point selle"


def test_plot_effective_steps_draws_medians_then_upper_quantiles():
    quantiles = {"AdaGrad": {1: [1.0, 2.0, 3.0], 10: [0.5, 1.0, 2.0], 100: [0.2, 0.4, 1.0]},
                 "RMSProp": {1: [1.0, 2.0, 3.0], 10: [1.0, 2.0, 3.0]}}  # RMSProp : 2 relevés
    fig = plot_effective_steps(quantiles)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == [
        "AdaGrad (médiane)", "RMSProp (médiane)", "AdaGrad (90 %)", "RMSProp (90 %)"]
    assert list(ax.lines[0].get_ydata()) == [2.0, 1.0, 0.4]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert list(ax.lines[1].get_xdata()) == [1, 10]
    for bad in ({}, {"AdaGrad": [[1.0, 2.0, 3.0]]}, {"AdaGrad": {}}):
        with pytest.raises(ValueError, match="quantiles doit être"):
            plot_effective_steps(bad)


def test_plot_adam_bias_shows_moments_and_step_sizes():
    trace = adam_bias_trace(torch.ones(20, dtype=torch.float64))
    fig = plot_adam_bias(trace)
    ax_moments, ax_steps = fig.axes
    assert [line.get_label() for line in ax_moments.lines] == ["s", "ŝ", "√r", "√r̂"]
    assert ax_moments.get_title() == "Moments d'Adam, ρ₁ = 0,9 et ρ₂ = 0,999"
    assert ax_steps.get_title() == "Taille des pas (ε = 0,001)"
    assert list(ax_steps.lines[0].get_ydata()) == pytest.approx(trace["pas avec correction"])
    with pytest.raises(ValueError, match="adam_bias_trace"):
        plot_adam_bias({"s": [1.0]})
