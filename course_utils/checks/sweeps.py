"""Vérificateur de la partie « Synthèse » (recherche d'hyper-paramètres) : exercice 8.1.

Fonction attendue de l'étudiant, de même nom et signature que celle du paquet
(:func:`course_utils.sweeps.best_run`) :

- 8.1 ``best_run(runs)`` → le ``Run`` de la liste dont la dernière exactitude d'évaluation
  (``run.history.eval_acc[-1]``, mesurée sur la validation) est la plus haute ; le premier
  en cas d'égalité.

La réponse est l'un des runs de la liste : elle est reconnue à son réglage et à son
historique (le vérificateur passe des copies), et les indices s'affichent si une erreur
typique choisit le même run.
"""

from __future__ import annotations

from typing import Any

from course_utils.checks.framework import Case, Checker, Report
from course_utils.checks.messages import type_hint, type_name
from course_utils.runs import Run, RunConfig
from course_utils.sweeps import best_run
from course_utils.training import History


def _run(activation: str, optimizer: str, lr: float, eval_acc: list[float],
         final_loss: float) -> Run:
    """Un run fictif (réglage et historique seulement), mesuré sur la validation."""
    config = RunConfig(activation=activation, optimizer=optimizer, lr=lr,
                       momentum=0.9 if optimizer == "momentum" else None)
    n = len(eval_acc)
    history = History(epoch=[float(k) for k in range(1, n + 1)],
                      train_loss=[final_loss + 0.1 * (n - k) for k in range(1, n + 1)],
                      train_acc=list(eval_acc), eval_loss=[1 - a for a in eval_acc],
                      eval_acc=list(eval_acc), eval_name="validation")
    return Run(config, history)


def _best_cases() -> list[Case]:
    return [Case(label, (runs,)) for label, runs in [
        ("trois réglages", [_run("relu", "adam", 0.002, [0.95, 0.97], 0.10),
                            _run("sigmoid", "sgd", 0.3, [0.90, 0.93], 0.30),
                            _run("gelu", "momentum", 0.05, [0.96, 0.965], 0.05)]),
        ("le meilleur au début n'est pas le meilleur à la fin",
         [_run("relu", "sgd", 0.1, [0.97, 0.95], 0.20),
          _run("tanh", "adam", 0.001, [0.90, 0.96], 0.25)]),
        ("la plus faible perte d'apprentissage n'est pas la meilleure",
         [_run("relu", "adam", 0.01, [0.92, 0.91], 0.001),
          _run("gelu", "sgd", 0.1, [0.93, 0.94], 0.2)]),
        ("égalité : le premier des deux", [_run("sigmoid", "sgd", 0.3, [0.90, 0.95], 0.1),
                                           _run("relu", "sgd", 0.1, [0.94, 0.95], 0.3),
                                           _run("gelu", "adam", 0.002, [0.95, 0.93], 0.2)]),
        ("un seul run", [_run("relu", "momentum", 0.01, [0.80, 0.85, 0.9], 0.3)])]]


def _same(a: Any, b: Run) -> bool:
    """Vrai si ``a`` est le run ``b`` (ou une copie) : même réglage, même historique."""
    return isinstance(a, Run) and a.config == b.config and a.history == b.history


def _describe(run: Run) -> str:
    accuracy = f"{100 * run.history.eval_acc[-1]:.1f}".replace(".", ",")
    return f"« {run.config.describe('activation', 'optimizer')} » (exactitude finale {accuracy} %)"


_TYPE_HINTS = ((RunConfig, "renvoyez le Run entier, pas son réglage (run.config)."),
               (History, "renvoyez le Run entier, pas son historique (run.history)."),
               (bool, "renvoyez le Run choisi, pas une comparaison."),
               (int, "renvoyez le run lui-même (runs[i]), pas son indice."),
               (float, "renvoyez le run, pas son exactitude."),
               (list | tuple, "renvoyez un seul run, pas une liste."))


class _RunChecker(Checker):
    """La réponse doit être l'un des runs reçus (identité), celui de la référence."""

    def _compare(self, case: Case, got: Any, expected: Run) -> Report | None:
        if not isinstance(got, Run):
            hint = (type_hint(got, expected)
                    or next((text for kind, text in _TYPE_HINTS if isinstance(got, kind)),
                            "renvoyez l'un des éléments de runs."))
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : Run (un élément de runs) ; reçu : {type_name(got)}.",
                               f"Indice : {hint}"])
        if not any(_same(got, r) for r in case.args[0]):
            return self._fail("type", f"réponse inattendue sur le cas « {case.label} ».",
                              ["ce Run n'est pas l'un de ceux de la liste.",
                               "Indice : renvoyez l'un des éléments de runs, sans le modifier."])
        if _same(got, expected):
            return None
        return self._fail("values", f"mauvais run sur le cas « {case.label} ».",
                          [f"attendu {_describe(expected)}, obtenu {_describe(got)}."]
                          + self._hint(case, got))

    def _same(self, got: Any, alt: Any) -> bool:
        return _same(alt, got)


def _final(run: Run) -> float:
    return run.history.eval_acc[-1]


check_best_run = _RunChecker(
    exercise="8.1", title="best_run", reference=best_run, cases=_best_cases,
    signature="best_run(runs)", hints=[
        (lambda runs: max(runs, key=lambda r: max(r.history.eval_acc)),
         "comparez la dernière exactitude de validation (eval_acc[-1]), pas la meilleure au "
         "fil de l'apprentissage."),
        (lambda runs: min(runs, key=lambda r: r.history.train_loss[-1]),
         "la perte d'apprentissage ne dit rien de la généralisation : choisissez sur "
         "l'exactitude de validation (history.eval_acc)."),
        (lambda runs: min(runs, key=_final),
         "max et non min : on veut la plus haute exactitude."),
        (lambda runs: sorted(runs, key=_final)[-1],
         "en cas d'égalité, gardez le premier des runs à égalité (c'est ce que fait max)."),
    ])

CHECKERS = (check_best_run,)
