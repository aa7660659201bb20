"""Coût de calcul des fonctions d'activation : temps par million d'évaluations.

Pour chaque activation du cours (les modules PyTorch utilisés à l'apprentissage), on mesure
sur un fil le temps d'un passage avant, puis d'un passage avant + arrière, sur un million de
valeurs float32, et l'on affiche le rapport à ReLU. ``--save`` enregistre les rapports
arrondis dans ``notebooks/resultats/cout_activations.json``, que lit le chapitre 2.

Usage : python benchmarks/bench_activations.py [--repeats 20] [--save]
"""

import argparse
import json
import time
from pathlib import Path

import torch

from course_utils.activations import ACTIVATIONS
from course_utils.repro import setup

RESULTS = Path(__file__).resolve().parent.parent / "notebooks" / "resultats"


def best_time(fn, repeats: int) -> float:
    """Meilleur temps (s) de ``fn()`` sur ``repeats`` essais, après un essai à blanc."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(module: torch.nn.Module, x: torch.Tensor, repeats: int) -> tuple[float, float]:
    """(avant, avant + arrière) en millisecondes par million de valeurs."""
    x_grad = x.clone().requires_grad_(True)
    forward = best_time(lambda: module(x), repeats)
    both = best_time(lambda: module(x_grad).sum().backward(), repeats)
    scale = 1e3 * 1e6 / x.numel()
    return forward * scale, both * scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    setup(seed=0, threads=1)
    x = torch.randn(1_000_000)
    times = {key: measure(act.module(), x, args.repeats) for key, act in ACTIVATIONS.items()}
    relu_forward, relu_both = times["relu"]
    header = f"{'activation':<14}{'avant (ms)':>12}{'÷ ReLU':>8}"
    print(header + f"{'avant+arrière (ms)':>20}{'÷ ReLU':>8}")
    ratios = {}
    for key, (forward, both) in times.items():
        ratios[key] = {"avant": round(forward / relu_forward, 1),
                       "avant_arriere": round(both / relu_both, 1)}
        print(f"{key:<14}{forward:>12.2f}{ratios[key]['avant']:>8.1f}{both:>20.2f}"
              f"{ratios[key]['avant_arriere']:>8.1f}")
    if args.save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / "cout_activations.json"
        path.write_text(json.dumps({"rapport_a_relu": ratios, "repetitions": args.repeats},
                                   ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")
        print(f"rapports enregistrés dans {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
