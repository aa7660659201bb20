"""Vérificateurs du chapitre 08 (synthèse), exercices 8.1 à 8.3.

Fonctions attendues de l'étudiant :

- 8.1 ``best_config(results)`` → nom (``str``) de la configuration dont la dernière
  exactitude de validation (``results[nom]["test_acc"][-1]``) est la plus haute ;
- 8.2 ``weight_sparsity(weights, threshold)`` → fraction (``float``) des poids tels que
  |w| < threshold ;
- 8.3 ``weight_image(w)`` → image (28, 28) des 784 poids d'un neurone, divisés par leur plus
  grande valeur absolue (valeurs dans [−1, 1]).
"""

from __future__ import annotations

from typing import Any

import torch

from course_utils.checks.framework import Case, Checker, Report, _gen

# --- 8.1 : choisir sur la validation ----------------------------------------------------------


def _best_config(results: dict) -> str:
    return max(results, key=lambda name: results[name]["test_acc"][-1])


def _results(pairs: list[tuple[str, list[float], float]]) -> dict:
    return {name: {"test_acc": accs, "train_loss": [loss]} for name, accs, loss in pairs}


def _best_cases() -> list[Case]:
    return [
        Case("trois configurations", (_results([
            ("relu | adam", [0.95, 0.97], 0.10), ("sigmoid | sgd", [0.90, 0.93], 0.30),
            ("gelu | momentum", [0.96, 0.965], 0.05)]),)),
        Case("la meilleure au début n'est pas la meilleure à la fin", (_results([
            ("A", [0.97, 0.95], 0.20), ("B", [0.90, 0.96], 0.25)]),)),
        Case("la plus faible perte d'apprentissage n'est pas la meilleure", (_results([
            ("sur-apprend", [0.92, 0.91], 0.001), ("généralise", [0.93, 0.94], 0.2)]),)),
    ]


class _NameChecker(Checker):
    """Compare une réponse textuelle (un nom de configuration) à la référence."""

    def _compare(self, case: Case, got: Any, expected: Any) -> Report | None:
        if not isinstance(got, str):
            return self._fail("type", f"mauvais type de résultat sur le cas « {case.label} ».",
                              [f"attendu : str (le nom de la configuration) ; reçu : "
                               f"{type(got).__name__}."])
        if got not in case.args[0]:
            return self._fail("type", f"réponse inattendue sur le cas « {case.label} ».",
                              [f"« {got} » n'est pas l'un des noms de configuration (les clés "
                               "de results)."])
        if got != expected:
            return self._fail("values", f"mauvaise configuration sur le cas « {case.label} ».",
                              [f"attendu « {expected} », obtenu « {got} »."]
                              + self._name_hint(case, got))
        return None

    def _name_hint(self, case: Case, got: str) -> list[str]:
        for wrong, text in self.hints:
            try:
                if wrong(*case.args) == got:
                    return [f"Indice : {text}"]
            except Exception:  # un indice qui échoue n'est simplement pas donné
                continue
        return []


check_best_config = _NameChecker(
    exercise="8.1", title="best_config", reference=_best_config, cases=_best_cases,
    signature="best_config(results)", hints=[
        (lambda r: max(r, key=lambda n: max(r[n]["test_acc"])),
         "comparez la dernière exactitude de validation, pas la meilleure au fil de "
         "l'apprentissage."),
        (lambda r: min(r, key=lambda n: r[n]["train_loss"][-1]),
         "la perte d'apprentissage ne dit rien de la généralisation : choisissez sur "
         "l'exactitude de validation."),
        (lambda r: min(r, key=lambda n: r[n]["test_acc"][-1]),
         "max et non min : on veut la plus haute exactitude."),
    ])

# --- 8.2 : parcimonie des poids ---------------------------------------------------------------


def _sparsity(weights: torch.Tensor, threshold: float) -> float:
    return (weights.abs() < threshold).float().mean().item()


def _sparsity_cases() -> list[Case]:
    g = _gen(8)
    return [Case("poids (64, 784)", (torch.randn(64, 784, generator=g) * 1e-2, 1e-3)),
            Case("poids négatifs et positifs", (torch.tensor([[-2e-4, 5e-4, -0.3, 0.2]]), 1e-3)),
            Case("aucun poids petit", (torch.ones(3, 3), 1e-3))]


check_weight_sparsity = Checker(
    exercise="8.2", title="weight_sparsity", reference=_sparsity, cases=_sparsity_cases,
    expect_type=float, signature="weight_sparsity(weights, threshold)", hints=[
        (lambda w, t: (w < t).float().mean().item(),
         "comparez la valeur absolue |w| au seuil : les poids très négatifs ne sont pas "
         "petits."),
        (lambda w, t: (w.abs() < t).sum().item(),
         "renvoyez une fraction (divisez par le nombre de poids), pas un nombre de poids."),
    ])

# --- 8.3 : les poids d'un neurone vus comme une image -----------------------------------------


def _weight_image(w: torch.Tensor) -> torch.Tensor:
    return (w / w.abs().max()).reshape(28, 28)


def _image_cases() -> list[Case]:
    g = _gen(9)
    ramp = torch.linspace(-3, 1, 784)
    return [Case("poids aléatoires", (torch.randn(784, generator=g),)),
            Case("rampe de −3 à 1 (le maximum en valeur absolue est négatif)", (ramp,))]


check_weight_image = Checker(
    exercise="8.3", title="weight_image", reference=_weight_image, cases=_image_cases,
    signature="weight_image(w)", hints=[
        (lambda w: (w / w.max()).reshape(28, 28),
         "divisez par le maximum de |w| (valeur absolue), pas par le maximum de w."),
        (lambda w: w.reshape(28, 28),
         "n'oubliez pas de diviser par la plus grande valeur absolue."),
        (lambda w: ((w - w.min()) / (w.max() - w.min())).reshape(28, 28),
         "gardez le 0 au centre : divisez par max |w| au lieu de ramener dans [0, 1]."),
    ])

CHAPTER_08_CHECKERS = (check_best_config, check_weight_sparsity, check_weight_image)
