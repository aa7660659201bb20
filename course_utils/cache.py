"""Résultats d'expériences longues, gardés dans de petits fichiers JSON versionnés.

Un balayage d'hyper-paramètres qui prendrait trop de temps dans un notebook est calculé
une fois, enregistré dans ``notebooks/resultats/<nom>.json``, puis relu. Pour le recalculer :
``COURSE_REGENERATE=1 make notebooks`` (ou ``regenerate=True``).
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "resultats"


def cached(name: str, compute: Callable[[], dict], *, regenerate: bool | None = None,
           folder: Path | None = None) -> dict:
    """Résultat enregistré sous ``name``, ou calculé par ``compute()`` puis enregistré.

    name : nom du fichier (sans extension), lettres, chiffres, « _ » ou « - ».
    compute : fonction sans argument qui renvoie un dictionnaire sérialisable en JSON.
    regenerate : recalculer même si le fichier existe (``None`` : variable d'environnement
        ``COURSE_REGENERATE=1``) ; folder : dossier (``None`` : ``notebooks/resultats``).
    nan et ±inf sont enregistrés tels quels (``NaN``, ``Infinity``, relus par ``json``) :
    une perte qui a divergé reste visible.
    """
    path = _path(name, folder)
    if not callable(compute):
        raise TypeError("compute doit être une fonction sans argument qui renvoie un dict")
    if regenerate is None:
        regenerate = os.environ.get("COURSE_REGENERATE", "0") == "1"
    elif not isinstance(regenerate, bool):
        raise TypeError(f"regenerate doit valoir True, False ou None (reçu : {regenerate!r})")
    if path.is_file() and not regenerate:
        return _read(path)
    result = compute()
    if not isinstance(result, dict):
        raise TypeError(f"compute() doit renvoyer un dict (reçu : {type(result).__name__})")
    try:
        text = json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise TypeError("compute() doit renvoyer un dict sérialisable en JSON : nombres, "
                        "textes, listes, dictionnaires à clés textes (pas de tenseur : "
                        f".tolist() ou .item()) (reçu : {error})") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return json.loads(text)


def load_results(name: str, *, folder: Path | None = None) -> dict:
    """Relit un résultat enregistré (par ``make bench`` ou ``make notebooks``) ; erreur s'il
    manque."""
    path = _path(name, folder)
    if not path.is_file():
        raise FileNotFoundError(f"résultat « {name} » introuvable dans « {path.parent} » : "
                                "lancez « make bench » ou « make notebooks »")
    return _read(path)


def _path(name: str, folder: str | os.PathLike | None) -> Path:
    """Le fichier ``<folder>/<name>.json``, après vérification de ``name`` et ``folder``."""
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ValueError(f"name doit être un nom de fichier simple (reçu : {name!r})")
    if folder is not None and not isinstance(folder, str | os.PathLike):
        raise TypeError(f"folder doit être un chemin (str ou pathlib.Path) ou None "
                        f"(reçu : {type(folder).__name__})")
    return (RESULTS_DIR if folder is None else Path(folder)) / f"{name}.json"


def _read(path: Path) -> dict:
    """Le contenu JSON de ``path`` ; une erreur en français s'il est illisible."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError(f"le fichier de résultats « {path.name} » est illisible (tronqué ?) : "
                         "supprimez-le, ou recalculez-le avec COURSE_REGENERATE=1") from None
