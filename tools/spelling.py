"""Vérification orthographique du texte que lit un étudiant, avec hunspell (fr_FR).

Texte vérifié : les cellules Markdown des notebooks complets et les docstrings de
``course_utils``. On retire d'abord ce qui n'est pas de la prose française : formules LaTeX,
code, adresses, titres d'articles en italique, identifiants et nombres. Les termes techniques
que le dictionnaire ignore sont dans ``tests/mots_du_projet.txt``.

Usage : ``python -m tools.spelling`` (``make test`` le lance si hunspell est installé) ;
affiche les mots inconnus et renvoie 1 s'il y en a.
"""

import ast
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD_LIST = ROOT / "tests" / "mots_du_projet.txt"
_NOT_PROSE = re.compile(
    r"\$\$.*?\$\$|\$[^$]*\$|``[^`]*``|`[^`]*`|https?://\S+|<[^>]+>"  # maths, code, liens
    r"|\*[^*\n]+\*"  # titres d'articles en italique
    r"|:[a-z]+:"  # rôles Sphinx (:func:, :class:…) avant un nom entre accents graves
    r"|\[[^\]]*\]\([^)]*\)",  # liens Markdown : le texte affiché est vérifié à part
    flags=re.S)
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ'’-]+")


def learner_texts(root: Path = ROOT) -> list[str]:
    """Les cellules Markdown des notebooks complets et les docstrings de ``course_utils``."""
    texts = []
    for path in sorted((root / "notebooks" / "complet").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                texts.append(text)
                texts += re.findall(r"\[([^\]]*)\]\([^)]*\)", text)  # texte des liens
    for path in sorted((root / "course_utils").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef):
                docstring = ast.get_docstring(node)
                if docstring:
                    texts.append(docstring)
    return texts


def prose_words(text: str) -> list[str]:
    """Les mots de prose d'un texte : sans maths, code, liens, ni identifiants."""
    words = []
    for token in _TOKEN.findall(_NOT_PROSE.sub(" ", text)):
        token = token.strip("'’-")
        if len(token) > 1 and not re.search(r"[A-Z].*[A-Z]", token[1:]):  # pas de sigle mixte
            words.append(token)
    return words


def unknown_words(texts: list[str], *, word_list: Path = WORD_LIST) -> Counter:
    """Mots que hunspell (fr_FR + ``word_list``) ne connaît pas, avec leur nombre."""
    if shutil.which("hunspell") is None:
        raise FileNotFoundError("hunspell est introuvable : sudo apt install hunspell hunspell-fr")
    words = [w for text in texts for w in prose_words(text)]
    answer = subprocess.run(["hunspell", "-d", "fr_FR", "-p", str(word_list), "-l"],
                            input="\n".join(words), capture_output=True, text=True, check=True)
    return Counter(answer.stdout.split())


def main() -> int:
    unknown = unknown_words(learner_texts())
    if not unknown:
        print("Orthographe : aucun mot inconnu.")
        return 0
    print(f"Orthographe : {len(unknown)} mots inconnus de hunspell (fr_FR) — fautes, ou termes "
          f"à ajouter à {WORD_LIST.relative_to(ROOT)} :")
    for word, count in unknown.most_common():
        print(f"  {word} ({count})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
