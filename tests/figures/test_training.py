"""L'explorateur du pas d'apprentissage, sans navigateur."""

import pytest

from course_utils.figures.training import learning_rate_explorer
from course_utils.runs import Run, RunConfig
from course_utils.sweeps import Runs
from course_utils.training import History


def _runs(rates):
    return Runs(Run(RunConfig(lr=lr), History(batch_loss=[lr] * 30)) for lr in rates)


def _ydata(view, line):
    return list(view.figure.axes[0].lines[line].get_ydata())


def test_learning_rate_explorer_switches_curves():
    view = learning_rate_explorer(_runs([0.01, 0.1, 1.0]), reference=0.1)
    assert view.controls["lr"].value == 0.1
    view.controls["lr"].value = 1.0
    assert _ydata(view, 0)[0] == pytest.approx(0.1) and _ydata(view, 1)[0] == pytest.approx(1.0)
    labels = [line.get_label() for line in view.figure.axes[0].lines]
    assert labels == ["pas 0.1 (référence)", "pas 1"]


def test_learning_rate_explorer_checks_its_runs():
    with pytest.raises(ValueError, match="reference doit être l.un des pas de runs"):
        learning_rate_explorer(_runs([0.01, 0.1]), reference=0.5)
    with pytest.raises(ValueError, match="un seul run par pas"):
        learning_rate_explorer(_runs([0.1, 0.1]), reference=0.1)
    with pytest.raises(TypeError, match="Runs"):
        learning_rate_explorer({0.1: History()}, reference=0.1)
