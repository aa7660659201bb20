"""Temps de retracé des widgets de descente (chapitres 04 et 05), sans navigateur.

On construit ``descent_explorer()`` et ``adaptive_explorer()``, puis on fait parcourir à
chaque contrôle (curseurs, listes) plusieurs valeurs, comme un utilisateur. Pour chaque
retracé, on mesure le temps total (du changement de valeur à l'image PNG prête), puis, à
part, le calcul des trajectoires, la mise à jour de la figure et le rendu PNG.
Objectif : moins de 50 ms par retracé.

Usage : python benchmarks/bench_widget.py [--repeats 3]
"""

import argparse
import io
import statistics
import time

from course_utils.figures.adaptive import adaptive_explorer
from course_utils.figures.optim import descent_explorer
from course_utils.lab.optim import trajectory
from course_utils.lab.surfaces import SURFACES
from course_utils.repro import setup

GOAL_MS = 50.0
# Parties mesurées ; « PNG niveau 1 » : le même rendu, compression zlib 1 (plus rapide).
PARTS = ("total", "calcul", "figure", "rendu PNG")
# Valeurs parcourues par contrôle (les listes déroulantes parcourent toutes leurs options).
SWEEPS = {
    "lr": [0.0005, 0.001, 0.003, 0.01, 0.05, 0.2],
    "momentum": [0.0, 0.5, 0.9, 0.99],
    "rho": [0.5, 0.99],
    "beta1": [0.5, 0.99],
    "beta2": [0.9, 0.9999],
    "eps": [1e-6, 1e-3],
    "steps": [50, 300, 1000],
}


def _elapsed_ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return 1e3 * (time.perf_counter() - start)


def _compute(values: dict, reference: bool) -> None:
    """Les calculs d'un retracé (ceux de ``draw``), sans la figure."""
    surface = SURFACES[values["surface"]]
    betas = (values.get("beta1", 0.9), values.get("beta2", 0.999))
    trajectory(surface, values["optimizer"], steps=values["steps"], lr=values["lr"],
               momentum=values.get("momentum", 0.9), rho=values.get("rho", 0.9), betas=betas,
               eps=values.get("eps"))
    if reference and values["optimizer"] != "sgd":
        trajectory(surface, "sgd", steps=values["steps"], lr=values["lr"])


def _render(view) -> None:
    """Le rendu d'``Interactive.redraw`` (PNG, compression zlib de niveau 1)."""
    view.figure.savefig(io.BytesIO(), format="png", pil_kwargs={"compress_level": 1})


def sweep(view, *, reference: bool) -> dict[str, list[float]]:
    """Parcourt chaque contrôle puis le remet à sa valeur initiale ; temps en ms."""
    times = {part: [] for part in PARTS}
    for name, control in view.controls.items():
        initial = control.value
        options = SWEEPS.get(name) or list(control.options.values())  # {étiquette : clé}
        for value in [*options, initial]:
            if value == control.value:
                continue
            draws = view.n_draws
            times["total"].append(_elapsed_ms(lambda c=control, v=value: setattr(c, "value", v)))
            assert view.n_draws == draws + 1, f"{name} = {value!r} n'a pas retracé la figure"
            values = view.values()
            compute = _elapsed_ms(lambda v=values: _compute(v, reference))
            times["calcul"].append(compute)
            times["figure"].append(_elapsed_ms(lambda v=values: view.draw(**v)) - compute)
            times["rendu PNG"].append(_elapsed_ms(lambda: _render(view)))
    return times


def report(name: str, times: dict[str, list[float]]) -> None:
    total = times["total"]
    median, worst = statistics.median(total), max(total)
    verdict = "atteint" if median < GOAL_MS else "NON atteint"
    print(f"{name} : {len(total)} retracés, médiane {median:.1f} ms, max {worst:.1f} ms "
          f"(objectif < {GOAL_MS:.0f} ms en médiane : {verdict})")
    for part in PARTS[1:]:
        part_median = statistics.median(times[part])
        print(f"  {part:<12} médiane {part_median:6.1f} ms ({100 * part_median / median:4.0f} % "
              f"du total), max {max(times[part]):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="parcours complets par widget")
    args = parser.parse_args()
    setup(seed=0, threads=1)  # comme dans un notebook (résolution des figures comprise)
    for name, build, reference in [("descent_explorer", descent_explorer, True),
                                   ("adaptive_explorer", adaptive_explorer, False)]:
        view = build()  # premier tracé : grille de la surface, figure, graduations
        view.redraw()
        times = {part: [] for part in PARTS}
        for _ in range(args.repeats):
            for part, values in sweep(view, reference=reference).items():
                times[part] += values
        report(name, times)


if __name__ == "__main__":
    main()
