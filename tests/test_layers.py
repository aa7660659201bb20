"""L'architecture du paquet, lue dans les sources : des couches sans cycle, un nom par partie du
cours, des modules courts, pas de clés en texte, pas de réexportation."""

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"
BASE = {"_validate", "_mnist_files", "_mnist_decode", "data"}
REFERENCE = {"losses", "activations", "init", "optim", "adaptive", "batchnorm", "regularization",
             "augmentation", "metrics"}
MACHINERY = {"models", "training", "_training_inputs", "runs", "sweeps", "cache", "repro", "plots",
             "widgets", "source", "_figure_inputs"}
ALLOWED = {  # couche → couches qu'elle peut importer (elle-même comprise)
    "base": {"base"},
    "reference": {"base"},
    "machinery": {"base", "reference", "machinery"},
    "lab": {"base", "reference", "machinery", "lab"},
    "checks": {"base", "reference", "machinery", "lab", "checks"},
    "figures": {"base", "reference", "machinery", "lab", "figures"},
}
THIRD_PARTY = {"torch", "numpy", "matplotlib", "ipywidgets", "IPython", "tqdm"}


def _modules() -> dict[str, Path]:
    """Nom pointé (``lab.batchnorm``) → chemin, pour chaque module du paquet."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name or "__init__"] = path
    return found


MODULES = _modules()


def _layer(name: str) -> str:
    top = name.split(".")[0]
    if top in ("lab", "checks", "figures"):
        return top
    if top in BASE:
        return "base"
    if top in REFERENCE:
        return "reference"
    assert top in MACHINERY or top == "__init__", f"module hors des couches : {name}"
    return "machinery"


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module importé, ligne, au niveau du module ?) pour chaque import du fichier."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found += [(name, node.lineno, id(node) in top_level) for name in names]
    return found


def _internal(imported: str) -> str | None:
    """Le module du paquet désigné par ``imported`` (``course_utils.lab.optim.trajectory`` →
    ``lab.optim``), ou None pour une bibliothèque."""
    if not imported.startswith("course_utils"):
        return None
    parts = imported.split(".")[1:]
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in MODULES:
            return ".".join(parts[:end])
    return "__init__"


@pytest.mark.parametrize("name", sorted(MODULES), ids=str)
def test_imports_respect_the_layers(name):
    layer = _layer(name)
    for imported, line, _ in _imports(MODULES[name]):
        target = _internal(imported)
        if target is None:
            top = imported.split(".")[0]
            assert top in sys.stdlib_module_names or top in THIRD_PARTY, (name, imported)
            if layer in ("base", "reference"):
                assert top in sys.stdlib_module_names or top in ("torch", "numpy", "tqdm"), \
                    f"{name}, ligne {line} : une pièce de référence n'importe que torch/numpy"
            continue
        if target in ("__init__", "lab", "checks", "figures"):
            continue  # un paquet : son module est vérifié à l'import suivant
        assert _layer(target) in ALLOWED[layer], f"{name}, ligne {line} : importe {target}"
        if layer == "reference":
            assert target in ("_validate", "data"), f"{name} importe {target}"


def test_imports_are_at_the_top_unless_they_break_a_cycle():
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for imported, line, top in _imports(path):
            if not top and _internal(imported) is not None:
                assert "cycle" in lines[line - 1], f"{name}, ligne {line} : import caché"


def test_no_import_cycle():
    graph = {name: {t for i, _, _ in _imports(path) if (t := _internal(i)) in MODULES
                    and t != name and t not in ("lab", "checks", "figures", "__init__")}
             for name, path in MODULES.items()}
    state = {}

    def visit(node, trail):
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", "cycle : " + " → ".join(trail + [node])
        state[node] = "open"
        for nxt in graph[node]:
            visit(nxt, trail + [node])
        state[node] = "done"

    for node in graph:
        visit(node, [])


def test_every_module_is_short_and_named_after_a_section():
    for name, path in MODULES.items():
        length = len(path.read_text(encoding="utf-8").splitlines())
        assert length <= 350, f"{name} : {length} lignes (au plus 350)"
        assert not re.search(r"chap|\d\d", path.name), f"{name} : nom lié à un chapitre"
    for folder in ("lab", "figures", "checks"):
        sections = {n.split(".")[1] for n in MODULES if n.startswith(folder + ".")}
        known = REFERENCE | {"data", "gradients", "surfaces", "training", "autograd", "models",
                             "sweeps", "plots", "framework", "messages", "answers", "gradcheck",
                             "sandbox", "verdict"}
        assert sections <= known, f"{folder} : {sorted(sections - known)}"


KEY_PATTERNS = re.compile(r"""f["'][^"']*\}\|\{|\.split\(["']\|["']\)|\|\{[a-z_]+:g\}""")


def test_no_string_keys_with_a_bar():
    sources = list(PACKAGE.rglob("*.py")) + sorted((ROOT / "notebooks" / "complet").glob("*.ipynb"))
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not KEY_PATTERNS.search(text), f"{path.name} : clé en texte avec « | »"


def test_no_re_export():
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exported = next((node.value for node in tree.body if isinstance(node, ast.Assign)
                         and any(getattr(t, "id", "") == "__all__" for t in node.targets)), None)
        if exported is None:
            continue
        imported = {alias.asname or alias.name for node in tree.body
                    if isinstance(node, ast.ImportFrom) for alias in node.names}
        listed = {element.value for element in exported.elts}
        assert not listed & imported, f"{name} réexporte {sorted(listed & imported)}"
