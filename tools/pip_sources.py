"""Les sources de paquets de pip, traduites en options de ``uv pip install``.

uv ne lit ni les fichiers de configuration de pip ni les variables ``PIP_*`` : sur une machine
dont pip est configuré pour un miroir, des roues locales ou un fichier de contraintes, uv
résoudrait sans eux (et tirerait par exemple la version CUDA de PyTorch, plusieurs Go). Ce
script lit la configuration effective de pip (``pip config list``, qui inclut les variables
``PIP_*``) et affiche les options équivalentes de uv, une par ligne, pour le Makefile.

Usage : ``python -m tools.pip_sources`` (avec le Python du venv, qui a pip).
"""

import shlex
import subprocess
import sys

# Clé de pip → option de uv ; les valeurs multiples sont séparées par des espaces.
OPTIONS = {"index-url": "--index-url", "extra-index-url": "--extra-index-url",
           "find-links": "--find-links", "constraint": "--constraint"}


def pip_config(lines: list[str]) -> dict[str, list[str]]:
    """``{clé : valeurs}`` depuis la sortie de ``pip config list`` (lignes
    ``portée.clé='valeur'``) ; la dernière portée qui définit une clé l'emporte, comme pip
    (``:env:``, les variables ``PIP_*``, passe avant les fichiers)."""
    found: dict[str, tuple[int, list[str]]] = {}
    for line in lines:
        name, sep, value = line.partition("=")
        if not sep or "." not in name:
            continue
        scope, key = name.rsplit(".", 1)
        rank = 2 if scope == ":env:" else 1
        if key in OPTIONS and rank >= found.get(key, (0, []))[0]:
            found[key] = (rank, shlex.split(value)[0].split() if value else [])
    return {key: values for key, (_, values) in found.items()}


def uv_options(config: dict[str, list[str]]) -> list[str]:
    """Les options de uv : mêmes index, mêmes dossiers de roues, mêmes contraintes, et le
    choix de pip parmi plusieurs index (la meilleure version, où qu'elle soit)."""
    options = []
    for key, flag in OPTIONS.items():
        for value in config.get(key, []):
            options += [flag, value]
    if "extra-index-url" in config or "find-links" in config:
        options += ["--index-strategy", "unsafe-best-match"]
    return options


def main() -> int:
    result = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                            capture_output=True, text=True, check=False)
    print("\n".join(uv_options(pip_config(result.stdout.splitlines()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
