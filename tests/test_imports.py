"""Importer le cours reste léger : matplotlib, ipywidgets et IPython ne sont importés qu'au
premier tracé ou au premier widget (``benchmarks/bench_import.py`` mesure la durée)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # un interpréteur neuf par test (import de torch)
ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("matplotlib", "ipywidgets", "IPython")


def _imported_after(code: str) -> list[str]:
    """Les modules lourds présents dans un interpréteur neuf après ``code``."""
    check = (f"import json, sys\n{code}\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True,
                            text=True, check=True, env={**os.environ, "MPLBACKEND": "Agg"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_course_imports_nothing_heavy():
    modules = ("course_utils.training", "course_utils.checks", "course_utils.figures.optim",
               "course_utils.figures.adaptive", "course_utils.data", "course_utils.plots",
               "course_utils.widgets")
    assert _imported_after(f"import {', '.join(modules)}") == []


def test_the_first_figure_imports_matplotlib():
    code = ("import torch\nfrom course_utils.plots import plot_bars\n"
            "figure = plot_bars({'a': 1.0}, xlabel='x', ylabel='y', title='t')\n"
            "assert type(figure).__name__ == 'Figure'")
    assert _imported_after(code) == ["matplotlib"]
