"""Exécute les notebooks de l'édition complète de haut en bas et enregistre leurs sorties.

Usage : ``python -m tools.execute notebooks/complet/*.ipynb`` (ou ``make notebooks``).
Affiche, pour chaque notebook, sa durée d'exécution et la mémoire maximale de son noyau (ces
mesures ne sont jamais enregistrées dans le notebook).
"""

import os
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

GOAL_SECONDS, GOAL_MEGABYTES = 45, 1536


class _PeakMemory:
    """Surveille, dans un fil à part, la mémoire résidente des processus enfants (le noyau)."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:  # processus terminé entre-temps
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def execute_notebook(path: Path, *, timeout: int | None = None) -> tuple[float, float]:
    """Exécute le notebook ``path`` sur place (état des widgets compris).

    timeout : durée maximale d'une cellule, en secondes ; par défaut 300, et 3600 quand
    ``COURSE_REGENERATE=1`` recalcule les balayages enregistrés.

    Renvoie ``(durée en s, mémoire maximale du noyau en Mo)``.
    """
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise FileNotFoundError(f"notebook introuvable : {path}")
    if timeout is None:
        timeout = 3600 if os.environ.get("COURSE_REGENERATE", "0") == "1" else 300
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=True)
    with _PeakMemory() as memory:
        start = time.perf_counter()
        client.execute()
        duration = time.perf_counter() - start
    nbformat.write(notebook, path)
    return duration, memory.peak / 2**20


def main(paths: list[str], *, table: Path | None = None) -> int:
    """Exécute ``paths`` et affiche le tableau des durées et mémoires (et l'écrit dans
    ``table`` si donné, par exemple ``benchmarks/notebooks.md``)."""
    if not paths:
        print("usage : python -m tools.execute [--table FICHIER.md] NOTEBOOK.ipynb …")
        return 2
    lines = [f"| notebook | durée (s) | mémoire max. (Mo) | objectifs ≤ {GOAL_SECONDS} s, "
             f"≤ {GOAL_MEGABYTES} Mo |", "|---|---:|---:|---|"]
    print("\n".join(lines))
    total, ok = 0.0, True
    for name in paths:
        duration, megabytes = execute_notebook(Path(name))
        met = duration <= GOAL_SECONDS and megabytes <= GOAL_MEGABYTES
        ok, total = ok and met, total + duration
        lines.append(f"| {Path(name).stem} | {duration:.1f} | {megabytes:.0f} | "
                     f"{'atteints' if met else 'NON atteints'} |")
        print(lines[-1], flush=True)
    lines.append(f"| total | {total:.1f} | | |")
    print(lines[-1])
    if table is not None:
        Path(table).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    arguments = sys.argv[1:]
    target = None
    if arguments[:1] == ["--table"] and len(arguments) >= 2:
        target, arguments = Path(arguments[1]), arguments[2:]
    sys.exit(main(arguments, table=target))
