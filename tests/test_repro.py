import random

import numpy as np
import pytest
import torch

from course_utils.repro import setup


def test_setup_seeds_everything_and_threads():
    setup(seed=3, threads=1)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    setup(seed=3, threads=1)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"seed": -1}, "seed doit être un entier ≥ 0"),
    ({"seed": 1.5}, "seed doit être un entier ≥ 0"),
    ({"threads": 0}, "threads doit être un entier ≥ 1"),
])
def test_setup_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        setup(**kwargs)
