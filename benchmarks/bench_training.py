"""Débit de la boucle d'apprentissage du cours (exemples/s), comparé à deux références.

Sur le réseau de la Question 1 (784-120-80-10, sigmoïde, SGD, mini-lots de 64), un fil :
  1. ``course_utils.training.train`` (permutation + indexation, historique, évaluation) ;
  2. la boucle du tutoriel PyTorch « Optimizing Model Parameters » : un ``DataLoader``
     qui assemble les mini-lots exemple par exemple (``shuffle=True``) ;
  3. une boucle minimale écrite à la main (permutation + indexation, rien d'autre).
Objectifs : ≥ 1,5 × la boucle DataLoader, ≥ 0,9 × la boucle minimale.

Usage : python benchmarks/bench_training.py [--examples 60000] [--repeats 3]
"""

import argparse
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from course_utils.data import load_mnist
from course_utils.models import mlp
from course_utils.repro import setup
from course_utils.training import train

BATCH_SIZE, LR = 64, 0.1


def run_course_loop(data) -> None:
    model = mlp([784, 120, 80, 10], seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    train(model, data, optimizer=optimizer, epochs=1, batch_size=BATCH_SIZE, progress=False)


def run_dataloader_loop(data) -> None:
    """La boucle du tutoriel PyTorch (train_loop), sur un DataLoader mélangé."""
    model = mlp([784, 120, 80, 10], seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=BATCH_SIZE,
                        shuffle=True, generator=torch.Generator().manual_seed(0))
    model.train()
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()


def run_minimal_loop(data) -> None:
    model = mlp([784, 120, 80, 10], seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = data.x_train, data.y_train
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    for i in range(0, len(x), BATCH_SIZE):
        idx = perm[i : i + BATCH_SIZE]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def best_throughput(run, data, repeats: int) -> float:
    """Meilleur débit (exemples/s) sur ``repeats`` époques."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(data)
        times.append(time.perf_counter() - start)
    return len(data.x_train) / min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=60000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    setup(seed=0, threads=1)
    data = load_mnist(train_size=args.examples)
    results = {
        "boucle du cours (train)": best_throughput(run_course_loop, data, args.repeats),
        "tutoriel PyTorch (DataLoader)": best_throughput(run_dataloader_loop, data, args.repeats),
        "boucle minimale": best_throughput(run_minimal_loop, data, args.repeats),
    }
    print(f"{'boucle':<32}{'exemples/s':>12}")
    for name, value in results.items():
        print(f"{name:<32}{value:>12,.0f}".replace(",", "\u202f"))
    ours = results["boucle du cours (train)"]
    print(f"rapport cours / DataLoader : {ours / results['tutoriel PyTorch (DataLoader)']:.2f} "
          "(objectif ≥ 1,5)")
    print(f"rapport cours / minimale   : {ours / results['boucle minimale']:.2f} (objectif ≥ 0,9)")


if __name__ == "__main__":
    main()
