"""Vérificateur du choix sur la validation (8.1) : il accepte la référence et les réponses
justes d'un étudiant, et diagnostique les erreurs typiques avec le bon indice."""

import pytest

from course_utils.checks.sweeps import CHECKERS, check_best_run
from course_utils.runs import Run
from course_utils.sweeps import best_run
from course_utils.training import History

NBSP = "\u00a0"


def _student_best_run(runs):
    best = runs[0]
    for run in runs[1:]:
        if run.history.eval_acc[-1] > best.history.eval_acc[-1]:
            best = run
    return best


@pytest.mark.parametrize("fn", [
    best_run,
    _student_best_run,
    lambda runs: max(runs, key=lambda run: run.history.eval_acc[-1]),
    lambda runs: sorted(runs, key=lambda run: -run.history.eval_acc[-1])[0],
    lambda runs: Run(best_run(runs).config, best_run(runs).history),  # une copie convient
])
def test_typical_correct_answers_are_accepted(fn, capsys):
    assert check_best_run.evaluate(fn).passed
    check_best_run(fn)
    assert capsys.readouterr().out == f"✅ Exercice 8.1 (best_run){NBSP}: correct sur 5 cas.\n"
    assert CHECKERS == (check_best_run,)


@pytest.mark.parametrize(("fn", "kind", "words"), [
    (lambda runs: max(runs, key=lambda r: max(r.history.eval_acc)), "values",
     ["le meilleur au début", "attendu « Tangente hyperbolique, Adam (pas 0,001) »",
      "(exactitude finale 96,0 %)", "dernière exactitude de validation"]),
    (lambda runs: min(runs, key=lambda r: r.history.train_loss[-1]), "values",
     ["perte d'apprentissage ne dit rien"]),
    (lambda runs: min(runs, key=lambda r: r.history.eval_acc[-1]), "values", ["max et non min"]),
    (lambda runs: sorted(runs, key=lambda r: r.history.eval_acc[-1])[-1], "values",
     ["égalité", "gardez le premier"]),
    (lambda runs: best_run(runs).config, "type", ["reçu : course_utils.RunConfig", "run.config"]),
    (lambda runs: runs.index(best_run(runs)), "type", ["reçu : int", "pas son indice"]),
    (lambda runs: best_run(runs).history.eval_acc[-1], "type", ["pas son exactitude"]),
    (lambda runs: None, "type", ["oublié « return »"]),
    (lambda runs: (r for r in runs), "type", ["reçu : generator", "« yield »"]),
    (lambda runs: "relu", "type", ["reçu : str", "l'un des éléments de runs"]),
    (lambda runs: [best_run(runs)], "type", ["pas une liste"]),
    (lambda runs: Run(best_run(runs).config, History()), "type",
     ["n'est pas l'un de ceux de la liste"]),
    (lambda runs: runs.append(runs[0]) or best_run(runs), "custom",
     ["ne doit pas modifier son argument runs", "copie"]),
    (lambda runs: runs.sort(key=lambda r: -r.history.eval_acc[-1]) or runs[0], "custom",
     ["ne doit pas modifier son argument runs", "sorted(…)"]),
    (lambda results, key: results[0], "exception", ["best_run(runs)"]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_typical_mistakes_are_diagnosed(fn, kind, words):
    report = check_best_run.evaluate(fn)
    assert report.kind == kind, report.message
    assert report.message.startswith("❌ Exercice 8.1 (best_run)")
    for word in words:  # espaces insécables de la typographie française lues comme des espaces
        assert word in report.message.replace(NBSP, " "), (word, report.message)
