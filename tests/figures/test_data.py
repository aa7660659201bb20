"""Le parcours des mini-lots, sans navigateur : on bouge le curseur, la figure change."""

import pytest
import torch

from course_utils.data import Dataset
from course_utils.figures.data import batch_explorer


def test_batch_explorer_shows_the_chosen_batch():
    data = Dataset(torch.rand(800, 784), torch.arange(800) % 10, "apprentissage")
    view = batch_explorer(data)
    assert view.figure.axes[0].get_title() == "classe 0"
    view.controls["batch"].value = 3
    assert view.n_draws == 2 and view.figure.axes[0].get_title() == "classe 8"  # image 48
    assert view.figure.texts[0].get_text() == "Mini-lot n° 3"
    assert len(view.controls["batch"].options) == 50


def test_batch_explorer_checks_its_arguments():
    small = Dataset(torch.rand(10, 784), torch.zeros(10).long())
    with pytest.raises(ValueError, match="au moins 800 images"):
        batch_explorer(small)
    assert len(batch_explorer(small, batch_size=5, n_batches=2).controls["batch"].options) == 2
    with pytest.raises(TypeError, match="Dataset"):
        batch_explorer(torch.rand(800, 784))
    with pytest.raises(ValueError, match="batch_size"):
        batch_explorer(small, batch_size=0)
