"""L'exécution des notebooks par le script de mainteneur : sorties enregistrées, mesures."""

import nbformat
import pytest

from tools.execute import execute_notebook, main


@pytest.mark.slow
def test_execute_notebook_stores_outputs_and_measures(tmp_path):
    path = tmp_path / "essai.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = list(range(10**6))\nprint(len(x))")]
    nbformat.write(nb, path)
    duration, megabytes = execute_notebook(path)
    stored = nbformat.read(path, as_version=4).cells[0]
    assert stored.outputs[0].text == "1000000\n" and stored.execution_count == 1
    assert duration > 0 and megabytes > 20  # un noyau Python et un million d'entiers
    assert main([]) == 2
