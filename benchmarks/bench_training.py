"""Débit de la boucle d'apprentissage du cours (exemples/s), comparé à deux références.

Sur le réseau de la Question 1 (784-120-80-10, sigmoïde, SGD, mini-lots de 64), un fil :
  1. ``course_utils.training.train`` (permutation + indexation, historique, évaluation) ;
  2. la boucle du tutoriel PyTorch « Optimizing Model Parameters » : un ``DataLoader``
     (``shuffle=True``) sur un jeu de données qui, comme ``torchvision.datasets.MNIST`` avec
     ``transform=ToTensor()``, convertit chaque image à la demande (image PIL → tenseur
     float dans [0, 1], puis normalisation), et assemble les mini-lots exemple par exemple ;
  3. une boucle minimale écrite à la main (permutation + indexation, rien d'autre).
Objectifs : ≥ 1,5 × la boucle DataLoader, ≥ 0,9 × la boucle minimale.

Usage : python benchmarks/bench_training.py [--examples 60000] [--repeats 3]
"""

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from course_utils.data import load_mnist, normalize
from course_utils.models import mlp
from course_utils.repro import setup
from course_utils.training import train

BATCH_SIZE, LR = 64, 0.1


def run_course_loop(data) -> None:
    model = mlp([784, 120, 80, 10], seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    train(model, data.train, optimizer, epochs=1, batch_size=BATCH_SIZE, progress=None)


class TutorialMNIST(Dataset):
    """Un exemple à la fois, comme ``torchvision.datasets.MNIST(transform=ToTensor())``."""

    def __init__(self, images_uint8: torch.Tensor, labels: torch.Tensor):
        self.images = images_uint8.numpy()  # (N, 28, 28) uint8
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i):
        image = Image.fromarray(self.images[i], mode="L")  # ce que fait torchvision
        x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255)  # ToTensor()
        return normalize(x).reshape(784), self.labels[i]


def run_dataloader_loop(dataset: Dataset) -> None:
    """La boucle du tutoriel PyTorch (train_loop), sur un DataLoader mélangé."""
    model = mlp([784, 120, 80, 10], seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model.train()
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()


def run_minimal_loop(data) -> None:
    model = mlp([784, 120, 80, 10], seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = data.train.x, data.train.y
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    for i in range(0, len(x), BATCH_SIZE):
        idx = perm[i : i + BATCH_SIZE]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def best_throughput(run, data, n_examples: int, repeats: int) -> float:
    """Meilleur débit (exemples/s) de ``run(data)`` sur ``repeats`` époques."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(data)
        times.append(time.perf_counter() - start)
    return n_examples / min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=60000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    setup(seed=0, threads=1)
    data = load_mnist(train_size=args.examples)
    raw = load_mnist(train_size=args.examples, normalize=False)
    images_uint8 = (raw.train.x * 255).round().to(torch.uint8).reshape(-1, 28, 28)
    tutorial_dataset = TutorialMNIST(images_uint8, raw.train.y)
    same = torch.allclose(tutorial_dataset[0][0], data.train.x[0], atol=1e-5)
    assert same, "le jeu « tutoriel » doit donner les mêmes entrées que load_mnist"
    n, repeats = len(data.train), args.repeats
    results = {
        "boucle du cours (train)": best_throughput(run_course_loop, data, n, repeats),
        "tutoriel PyTorch (DataLoader)": best_throughput(run_dataloader_loop, tutorial_dataset,
                                                         n, repeats),
        "boucle minimale": best_throughput(run_minimal_loop, data, n, repeats),
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
