"""Typographie française du texte que lit un étudiant : espace insécable avant « : ; ? ! »,
après « et avant ».

Texte vérifié : les chaînes de caractères et docstrings de ``course_utils`` et des cellules de
code des notebooks complets (messages, titres, étiquettes, sorties imprimées), les cellules
Markdown des notebooks et les textes du dépôt (``README.md``, ``GLOSSAIRE.md``,
``data/README.md``). Dans une f-string, seules les parties littérales sont lues
(jamais ce qui est entre accolades). Les blocs de code Markdown, les formules et le code
entre accents graves sont laissés tels quels.

Usage : ``python -m tools.typography`` (vérifie, code de sortie 1 en cas d'écart) ou
``python -m tools.typography --fix`` (corrige sur place) ; des chemins de fichiers après les
options limitent la vérification (ou la correction) à ces fichiers.
"""

import io
import json
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBSP = "\u00a0"
# Une espace ordinaire (ou aucune) devant : ; ? ! précédés d'une lettre, d'un chiffre ou
# d'une fermante, et suivis d'une espace ou de la fin ; « et » collés au texte.
_BEFORE = re.compile(r"(?<=[\w)\]»%°*’'…`]) ([:;?!])(?=[\s\"')]|$)")
_AFTER_OPEN = re.compile(r"« ")
_BEFORE_CLOSE = re.compile(r" »")
_MARKDOWN_SKIP = re.compile(r"```.*?```|\$\$.*?\$\$|\$[^$\n]*\$|`[^`\n]*`|<[^>\n]+>|\]\([^)]*\)",
                            flags=re.S)


def fix_text(text: str) -> str:
    """Le texte avec des espaces insécables là où la typographie française les veut."""
    text = _BEFORE.sub(NBSP + r"\1", text)
    return _BEFORE_CLOSE.sub(NBSP + "»", _AFTER_OPEN.sub("«" + NBSP, text))


def _literal_parts(token: str) -> list[tuple[int, int]]:
    """Intervalles (début, fin) des parties littérales d'une chaîne Python (sans préfixe ni
    guillemets), accolades des f-strings exclues."""
    prefix = re.match(r"[rRbBuUfF]*", token).group(0)
    if "b" in prefix.lower():
        return []
    quote = token[len(prefix):len(prefix) + 3]
    quote = quote if quote in ('"""', "'''") else token[len(prefix)]
    start, end = len(prefix) + len(quote), len(token) - len(quote)
    if "f" not in prefix.lower():
        return [(start, end)]
    parts, depth, begin = [], 0, start
    i = start
    while i < end:
        char = token[i]
        if char == "{" and token[i + 1:i + 2] == "{" and depth == 0:
            i += 2
            continue
        if char == "{":
            if depth == 0:
                parts.append((begin, i))
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                begin = i + 1
        i += 1
    parts.append((begin, end))
    return parts


def fix_python(source: str) -> str:
    """Le code Python, typographie corrigée dans ses chaînes de caractères seulement."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out, last = [], 0
    for token in tokens:
        if token.type != tokenize.STRING:
            continue
        begin = offsets[token.start[0] - 1] + token.start[1]
        end = offsets[token.end[0] - 1] + token.end[1]
        text = source[begin:end]
        fixed, cursor = [], 0
        for a, b in _literal_parts(text):
            after_field = a > 0 and text[a - 1] == "}"  # « {x} : » : le champ précède
            fixed.append(text[cursor:a] + _fix_after(text[a:b], after_field))
            cursor = b
        out.append(source[last:begin] + "".join(fixed) + text[cursor:])
        last = end
    return "".join(out) + source[last:]


def fix_markdown(text: str) -> str:
    """Le Markdown, typographie corrigée hors code, formules, balises et adresses."""
    out, last = [], 0
    for match in _MARKDOWN_SKIP.finditer(text):
        out.append(_fix_after(text[last:match.start()], last > 0) + match.group(0))
        last = match.end()
    return "".join(out) + _fix_after(text[last:], last > 0)


def _fix_after(text: str, follows: bool) -> str:
    """``fix_text`` d'un morceau qui suit (``follows``) du code, une formule ou un champ :
    une espace en tête, devant « : », est alors aussi à remplacer."""
    return fix_text("x" + text)[1:] if follows else fix_text(text)


def targets(root: Path = ROOT) -> list[Path]:
    """Les fichiers vérifiés : le paquet, les notebooks complets et les textes du dépôt."""
    return sorted((root / "course_utils").rglob("*.py")) + sorted(
        (root / "notebooks" / "complet").glob("*.ipynb")) + [
        root / "README.md", root / "GLOSSAIRE.md", root / "data" / "README.md"]


def fixed_file(path: Path) -> str:
    """Le contenu corrigé du fichier ``path`` (.py ou .ipynb)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return fix_python(text)
    if path.suffix == ".md":
        return fix_markdown(text)
    notebook = json.loads(text)
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        new = fix_markdown(source) if cell["cell_type"] == "markdown" else fix_python(source)
        cell["source"] = new.splitlines(keepends=True)
    return json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    fix = "--fix" in argv
    chosen = [Path(arg).resolve() for arg in argv if arg != "--fix"] or targets()
    wrong = [path for path in chosen if fixed_file(path) != path.read_text(encoding="utf-8")]
    for path in wrong:
        if fix:
            path.write_text(fixed_file(path), encoding="utf-8")
        print(f"{'corrigé' if fix else 'à corriger'} : {path.relative_to(ROOT)}")
    if not wrong:
        print("Typographie : rien à corriger.")
    return 0 if fix or not wrong else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
