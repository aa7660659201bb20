"""Les balayages enregistrés dans ``notebooks/resultats/`` correspondent au code actuel : pour
chaque fichier de ``cached_sweep``, le run le moins coûteux est refait et comparé, s'il tient
en quelques secondes (``BUDGET``) ; un fichier dont même le plus petit run est plus long
(la mesure finale de la synthèse, 4 époques sur 60 000 images) n'est vérifié que dans sa
forme, par le premier test, et recalculé par ``COURSE_REGENERATE=1 make notebooks``."""

import json
from pathlib import Path

import pytest

from course_utils.runs import RunConfig
from course_utils.sweeps import rerun

RESULTS = Path(__file__).resolve().parent.parent / "notebooks" / "resultats"
SWEEPS = sorted(path.stem for path in RESULTS.glob("*.json")
                if {"data", "eval_on", "runs"} <= set(json.loads(path.read_text("utf-8"))))


BUDGET = 3e10  # multiplications-additions (ou leur équivalent), ≈ 10 s sur un cœur


def _cost(config: RunConfig, data: dict) -> float:
    """Ordre de grandeur du calcul : époques × (exemples × multiplications d'un exemple
    + mini-lots × le coût fixe d'un pas, compté comme 3·10⁵ multiplications)."""
    n = data.get("train_size") or 60_000 - (data.get("validation_size") or 0)
    sizes = config.sizes
    per_example = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    return config.epochs * (n * per_example + -(-n // config.batch_size) * 3e5)


def _cheapest(name: str) -> tuple[int, float]:
    saved = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
    costs = [_cost(RunConfig.from_dict(item["config"]), saved["data"]) for item in saved["runs"]]
    return costs.index(min(costs)), min(costs)


def test_sweeps_are_stored_as_data():
    assert len(SWEEPS) >= 8
    for name in SWEEPS:
        saved = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        assert saved["eval_on"] in ("validation", "test")
        for item in saved["runs"]:
            config = RunConfig.from_dict(item["config"])  # un réglage valide, en données
            assert len(item["history"]["eval_acc"]) == len(item["history"]["epoch"])
            assert config.to_dict() == RunConfig.from_dict(config.to_dict()).to_dict()


def test_almost_every_sweep_is_rerun_within_the_budget():
    too_long = [name for name in SWEEPS if _cheapest(name)[1] > BUDGET]
    assert too_long == ["synthese_finale"], too_long


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in SWEEPS if _cheapest(n)[1] <= BUDGET])
def test_cheapest_run_of_each_sweep_is_reproduced(name):
    stored, fresh = rerun(name, _cheapest(name)[0])
    assert fresh.history.epoch == pytest.approx(stored.history.epoch, abs=1e-5)
    assert fresh.history.eval_acc == pytest.approx(stored.history.eval_acc, abs=1e-4)
    assert fresh.history.train_loss == pytest.approx(stored.history.train_loss, abs=1e-4)
