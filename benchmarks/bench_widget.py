"""Temps de retracé des widgets de descente (chapitres 04 et 05), sans navigateur.

On construit ``descent_explorer()`` et ``adaptive_explorer()``, puis on fait parcourir à
chaque contrôle (curseurs, listes) plusieurs valeurs, comme un utilisateur. Pour chaque
retracé, on mesure le temps total (du changement de valeur à l'image PNG prête) et, pendant
ce même retracé, ses parties : le calcul des trajectoires (nul pour un réglage déjà vu),
la mise à jour de la figure, le tracé de l'image (Agg) et son encodage PNG ; le reste est
la mise à jour du widget. Le premier parcours trace encore chaque fond et chaque couche ;
les suivants retrouvent ceux qu'il a gardés.

Puis, sur les états du premier parcours, on compare en alternance les options de rendu :
l'ancien rendu (figure entière retracée, puis ``savefig`` et l'encodeur PNG de PIL, zlib 1)
et ``savefig`` par défaut, le tracé complet seul, trois encodages du même tampon (PIL zlib 6,
PIL zlib 1, ``widgets.png_bytes``), puis le nouveau rendu (fond gardé par
``widgets.Backdrop``, encodage direct). Les rapports « après / avant », mesurés dans le
même processus, dépendent bien moins de la charge de la machine que les temps.

Objectif : 25 ms par retracé au plus, en médiane.

Usage : python benchmarks/bench_widget.py [--repeats 3]
"""

import argparse
import io
import statistics
import time

import numpy as np
from PIL import Image

from course_utils import widgets
from course_utils.figures import optim as optim_figures
from course_utils.figures.adaptive import adaptive_explorer
from course_utils.figures.optim import descent_explorer
from course_utils.repro import setup

GOAL_MS = 25.0
PARTS = ("total", "calcul", "figure", "tracé Agg", "encodage PNG", "widget")
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


def _fr(value: float, digits: int = 1) -> str:
    """Nombre à virgule décimale : « 12,3 »."""
    return f"{value:.{digits}f}".replace(".", ",")


class Timer:
    """Enveloppe une fonction et cumule la durée de ses appels (ms)."""

    def __init__(self, fn):
        self.fn, self.ms = fn, 0.0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.ms += 1e3 * (time.perf_counter() - start)


def sweep(view) -> tuple[dict[str, list[float]], list[dict]]:
    """Parcourt chaque contrôle puis le remet à sa valeur initiale : temps (ms) de chaque
    partie de chaque retracé, et valeurs des contrôles de chaque état."""
    times, states = {part: [] for part in PARTS}, []
    draw, render = Timer(view.draw), Timer(view.render)
    compute, encode = Timer(optim_figures.trajectory), Timer(widgets.png_bytes)
    view.draw, view.render = draw, render
    optim_figures.trajectory, widgets.png_bytes = compute, encode
    try:
        for name, control in view.controls.items():
            initial = control.value
            options = SWEEPS.get(name) or list(control.options.values())  # {étiquette : clé}
            for value in [*options, initial]:
                if value == control.value:
                    continue
                for timer in (draw, render, compute, encode):
                    timer.ms = 0.0
                draws, start = view.n_draws, time.perf_counter()
                control.value = value
                total = 1e3 * (time.perf_counter() - start)
                assert view.n_draws == draws + 1, f"{name} = {value!r} n'a pas retracé la figure"
                for part, ms in zip(PARTS, (total, compute.ms, draw.ms - compute.ms,
                                            render.ms - encode.ms, encode.ms,
                                            total - draw.ms - render.ms), strict=True):
                    times[part].append(ms)
                states.append(view.values())
    finally:
        view.draw, view.render = draw.fn, render.fn
        optim_figures.trajectory, widgets.png_bytes = compute.fn, encode.fn
    return times, states


def _pil_png(figure, level: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(figure.canvas.buffer_rgba())).save(buffer, format="png",
                                                                 compress_level=level)
    return buffer.getvalue()


def _savefig(figure, **kwargs) -> None:
    figure.savefig(io.BytesIO(), format="png", **kwargs)


# Options de rendu comparées sur chaque état : (nom, fonction de la vue).
OPTIONS = [
    ("avant : figure entière + savefig (PIL, zlib 1)",
     lambda view: _savefig(view.figure, pil_kwargs={"compress_level": 1})),
    ("savefig (PIL, zlib 6, par défaut)", lambda view: _savefig(view.figure)),
    ("tracé complet seul (canvas.draw)", lambda view: view.figure.canvas.draw()),
    ("encodage PIL, zlib 6", lambda view: _pil_png(view.figure, 6)),
    ("encodage PIL, zlib 1", lambda view: _pil_png(view.figure, 1)),
    ("encodage direct (png_bytes, zlib 1)",
     lambda view: widgets.png_bytes(np.asarray(view.figure.canvas.buffer_rgba()))),
    ("après : fond gardé + encodage direct", lambda view: view.render(view.figure)),
]


def compare(view, states: list[dict]) -> dict[str, list[float]]:
    """Temps (ms) de chaque option de rendu sur chaque état, dans un ordre qui tourne."""
    times = {name: [] for name, _ in OPTIONS}
    for k, values in enumerate(states):
        view.draw(**values)
        for name, option in OPTIONS[k % len(OPTIONS):] + OPTIONS[:k % len(OPTIONS)]:
            start = time.perf_counter()
            option(view)
            times[name].append(1e3 * (time.perf_counter() - start))
    return times


def report(name: str, times: dict[str, list[float]], options: dict[str, list[float]],
           first: int) -> None:
    """first : nombre de retracés du premier parcours (fonds et couches encore à tracer)."""
    total = times["total"]
    median, worst = statistics.median(total), max(total)
    verdict = "atteint" if median <= GOAL_MS else "NON atteint"
    print(f"{name} : {len(total)} retracés, médiane {_fr(median)} ms, max {_fr(worst)} ms "
          f"(objectif ≤ {GOAL_MS:.0f} ms en médiane : {verdict})")
    for part in PARTS[1:]:
        part_median = statistics.median(times[part])
        print(f"  {part:<13} médiane {_fr(part_median):>6} ms "
              f"({100 * part_median / median:4.0f} % du total), max {_fr(max(times[part])):>6} ms")
    print(f"  premier parcours : médiane {_fr(statistics.median(total[:first]))} ms "
          f"({first} retracés, fonds et couches tracés une première fois)")
    medians = {option: statistics.median(values) for option, values in options.items()}
    before, after = medians[OPTIONS[0][0]], medians[OPTIONS[-1][0]]
    print(f"  Options de rendu, sur les mêmes {len(options[OPTIONS[0][0]])} états "
          f"(médianes ; rapport à l'ancien rendu) :")
    for option, option_median in medians.items():
        print(f"    {option:<48} {_fr(option_median):>6} ms  × {_fr(option_median / before, 2)}")
    print(f"  Rendu : avant {_fr(before)} ms, après {_fr(after)} ms (× {_fr(after / before, 2)}) ;"
          f" total estimé avec l'ancien rendu : {_fr(median - after + before)} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="parcours complets par widget")
    args = parser.parse_args()
    setup(seed=0, threads=1)  # comme dans un notebook (résolution des figures comprise)
    for name, build in [("descent_explorer", descent_explorer),
                        ("adaptive_explorer", adaptive_explorer)]:
        view = build()  # premier tracé : grille de la surface, figure, graduations
        times, states = {part: [] for part in PARTS}, []
        for _ in range(args.repeats):
            sweep_times, sweep_states = sweep(view)
            for part, values in sweep_times.items():
                times[part] += values
            states += sweep_states
        first = len(states) // args.repeats
        report(name, times, compare(view, states[:first]), first)


if __name__ == "__main__":
    main()
