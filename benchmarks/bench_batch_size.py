"""Débit de l'apprentissage (exemples/s) selon la taille des mini-lots, sur un fil.

Le réseau de la Question 1 (784-120-80-10, ReLU, SGD) fait des pas sur des mini-lots de
tailles variées, puissances de 2 ou non ; on mesure le temps par exemple. ``--save`` enregistre
les débits arrondis dans ``notebooks/resultats/debit_taille_lot.json``, que lit le chapitre 4.

Usage : python benchmarks/bench_batch_size.py [--repeats 5] [--save]
"""

import argparse
import json
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from course_utils.data import load_mnist
from course_utils.models import mlp
from course_utils.repro import setup

RESULTS = Path(__file__).resolve().parent.parent / "notebooks" / "resultats"
SIZES = [1, 8, 32, 60, 64, 96, 100, 128, 200, 256, 1000, 1024, 4096]


def throughput(x, y, batch_size: int, repeats: int, examples: int = 8192) -> float:
    """Meilleur débit (exemples/s) pour ``examples`` exemples, par mini-lots de ``batch_size``."""
    model = mlp([784, 120, 80, 10], activation="relu", seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    steps = max(1, examples // batch_size)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(steps):
            lo = (i * batch_size) % (len(x) - batch_size + 1)
            loss = F.cross_entropy(model(x[lo : lo + batch_size]), y[lo : lo + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        best = min(best, time.perf_counter() - start)
    return steps * batch_size / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    setup(seed=0, threads=1)
    data = load_mnist(train_size=10000)
    rates = {size: throughput(data.train.x, data.train.y, size, args.repeats) for size in SIZES}
    print(f"{'taille du lot':>14}{'exemples/s':>12}{'÷ lot de 64':>13}")
    for size, rate in rates.items():
        print(f"{size:>14}{rate:>12,.0f}{rate / rates[64]:>13.2f}".replace(",", "\u202f"))
    if args.save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / "debit_taille_lot.json"
        rounded = {str(size): round(rate, -2) for size, rate in rates.items()}
        path.write_text(json.dumps({"exemples_par_seconde": rounded}, indent=1) + "\n",
                        encoding="utf-8")
        print(f"débits enregistrés dans {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
