"""Ce que l'étudiant voit d'un verdict : des indices qui montent d'un cran à chaque essai
manqué, et, dans un notebook, une ligne colorée et écrite en toutes lettres (« Réussi »,
« À faire », « À corriger ») au-dessus du diagnostic.

Un indice de vérificateur s'écrit « ce qui ne va pas : comment le corriger ». Au premier
essai manqué d'un exercice, seule la première partie s'affiche (ce qui ne va pas, et
pourquoi) ; la correction vient à partir du deuxième essai manqué. Les essais sont comptés
par exercice, dans le noyau en cours (:data:`ATTEMPTS`) ; ``Checker.evaluate``, qu'appellent
les tests, renvoie toujours le diagnostic complet.
"""

from __future__ import annotations

import dataclasses
import html
import sys
from collections import Counter
from typing import Any

NBSP = "\u00a0"
HINT = f"   Indice{NBSP}: "
ATTEMPTS: Counter[str] = Counter()  # essais manqués par exercice, dans ce noyau
# Étiquette et couleur de chaque verdict (lisibles sur fond clair comme sur fond sombre).
_STYLES = {"ok": ("Réussi", "#2e7d32"), "not_implemented": ("À faire", "#b26a00")}
_WRONG = ("À corriger", "#c62828")
_SYMBOLS = "✅⏳❌⏱⏹"  # en tête du texte brut ; en HTML, le mot en couleur les remplace


def escalate(report: Any, attempt: int) -> Any:
    """Le verdict (un :class:`~course_utils.checks.framework.Report`) du ``attempt``-ième
    essai manqué : au premier, chaque indice « quoi : comment » est réduit à « quoi » ;
    un indice d'un seul tenant reste entier."""
    if attempt >= 2 or report.kind in ("ok", "not_implemented"):
        return report
    lines = []
    for line in report.message.split("\n"):
        if line.startswith(HINT):
            text = line[len(HINT):]
            if f"{NBSP}: " in text:
                why = text.split(f"{NBSP}: ", 1)[0]
                line = f"{HINT}{why} (au prochain essai manqué{NBSP}: une piste de correction)."
        lines.append(line)
    return dataclasses.replace(report, message="\n".join(lines))


class Verdict:
    """Un verdict affichable : texte brut (terminal, sorties enregistrées) et HTML coloré
    (notebook)."""

    def __init__(self, report: Any) -> None:
        self.report = report

    def __repr__(self) -> str:
        return self.report.message

    def _repr_html_(self) -> str:
        label, color = _STYLES.get(self.report.kind, _WRONG)
        head, *details = self.report.message.split("\n")
        head = head.split(" ", 1)[1] if head[:1] in _SYMBOLS else head  # le mot remplace ✅
        body = "".join(f"<div>{html.escape(d.strip())}</div>" for d in details)
        return (f'<div style="border-left: 4px solid {color}; padding: 2px 10px">'
                f'<strong style="color: {color}">{label}</strong> — {html.escape(head)}'
                f'<div style="margin-left: 1.5em">{body}</div></div>')


def judge(checker: Any, student_fn: Any, *, fallback: bool = False) -> Any:
    """Vérifie ``student_fn`` avec ``checker`` et affiche le verdict, indices gradués selon le
    nombre d'essais manqués. Avec ``fallback``, renvoie la fonction de la suite du notebook :
    celle de l'étudiant si elle est juste, sinon la référence, et le verdict l'annonce."""
    try:
        report = checker.evaluate(student_fn)
    except KeyboardInterrupt:  # Ctrl-C : une ligne en français, pas de trace
        print(f"⏹ Exercice {checker.exercise} ({checker.title}) : vérification interrompue.")
        return checker.reference if fallback else None
    if report.kind not in ("ok", "not_implemented"):
        ATTEMPTS[checker.exercise] += 1
    report = escalate(report, ATTEMPTS[checker.exercise])
    if fallback and not report.passed:
        ref = checker.reference
        where = "" if ref.__name__.startswith("_") else f" ({ref.__module__}.{ref.__qualname__})"
        report = dataclasses.replace(report, message=f"{report.message}\n   ↪ En attendant, la "
                                     f"suite du notebook utilise la version de référence{where}.")
    show(report)
    if fallback:
        return student_fn if report.passed else checker.reference
    return None


def show(report: Any) -> None:
    """Affiche le verdict : HTML dans un noyau Jupyter, texte ailleurs."""
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    if getattr(shell, "kernel", None) is None:
        print(report.message)
        return
    from IPython.display import display
    display(Verdict(report))
