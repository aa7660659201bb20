import os
import platform
import random

import numpy as np
import pytest
import torch

import course_utils  # noqa: F401  (l'import fixe les variables d'environnement)
from course_utils.repro import setup


def test_setup_seeds_everything_and_threads():
    setup(seed=3, threads=1)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    setup(seed=3, threads=1)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"seed": -1}, ValueError, "seed doit être un entier entre 0 et 4294967295"),
    ({"seed": 1.5}, TypeError, "seed doit être un entier"),
    ({"threads": 0}, ValueError, "threads doit être un entier entre 1 et 256"),
])
def test_setup_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        setup(**kwargs)


def test_importing_the_course_pins_the_cpu_kernels():
    """Mêmes instructions sur tous les processeurs x86 : les sorties enregistrées se
    reproduisent (voir la docstring de ``course_utils``)."""
    assert os.environ["MKL_CBWR"] == "AVX2" and os.environ["ATEN_CPU_CAPABILITY"] == "avx2"
    if platform.machine() in ("x86_64", "AMD64"):
        assert torch.backends.cpu.get_cpu_capability() == "AVX2"
