"""Durée d'import du cours, comparée à celle de PyTorch seul.

Chaque mesure lance un interpréteur neuf : ``python -c "import torch"``, puis ``python -c
"import torch, course_utils.training, …"`` (les modules qu'importe un notebook typique), en
alternance, après un premier lancement de chaque (non compté) qui met les fichiers en cache.
On affiche la médiane de chacun et leur rapport. Objectif : importer le cours coûte au plus
1,15 fois l'import de PyTorch seul (matplotlib, ipywidgets et IPython ne sont importés qu'au
premier tracé ou au premier widget).

Usage : python benchmarks/bench_import.py [--repeats 5]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL = 1.15
ROOT = Path(__file__).resolve().parent.parent
TORCH = "import torch"
COURSE = ("import torch, course_utils.training, course_utils.checks, "
          "course_utils.figures.optim, course_utils.figures.adaptive, course_utils.data")


def _fr(value: float, digits: int = 0) -> str:
    """Nombre à virgule décimale : « 1,12 »."""
    return f"{value:.{digits}f}".replace(".", ",")


def elapsed_ms(code: str) -> float:
    """Durée (ms) d'un interpréteur neuf qui exécute ``code``, démarrage compris."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return 1e3 * (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="mesures de chaque import")
    args = parser.parse_args()
    times = {TORCH: [], COURSE: []}
    for code in times:
        elapsed_ms(code)  # premier lancement : fichiers mis en cache, non compté
    for _ in range(args.repeats):
        for code, values in times.items():
            values.append(elapsed_ms(code))
    torch_ms, course_ms = (statistics.median(times[code]) for code in (TORCH, COURSE))
    ratio = course_ms / torch_ms
    verdict = "atteint" if ratio <= GOAL else "NON atteint"
    print(f"import torch seul : {_fr(torch_ms)} ms ; import du cours : {_fr(course_ms)} ms ; "
          f"rapport {_fr(ratio, 2)} (objectif ≤ {_fr(GOAL, 2)} : {verdict})")
    print(f"  médianes de {args.repeats} mesures en alternance ; modules du cours : "
          f"{COURSE.removeprefix('import torch, ')}")


if __name__ == "__main__":
    main()
