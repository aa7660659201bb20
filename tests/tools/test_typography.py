"""La typographie française : espaces insécables dans le texte, jamais dans le code."""

from tools.typography import fix_markdown, fix_python, fix_text, fixed_file, targets

N = "\u00a0"


def test_text_gets_non_breaking_spaces():
    assert fix_text("Attention : « pas » ; vraiment ? oui !") == (
        f"Attention{N}: «{N}pas{N}»{N}; vraiment{N}? oui{N}!")
    assert fix_text("x : (N, D)") == f"x{N}: (N, D)"
    assert fix_text("http://exemple.org a:b {a: 1} x[i : j]") == (
        f"http://exemple.org a:b {{a: 1}} x[i{N}: j]")  # pas d'espace : rien à ajouter


def test_python_code_is_left_alone_and_fstring_fields_too():
    source = 'd = {"a" : 1}\nprint(f"{x :>5} : fin", "reçu : {y}")\n# commentaire : libre\n'
    fixed = fix_python(source)
    assert fixed.startswith('d = {"a"' + N + ': 1}') is False  # "a" est une chaîne, pas du texte
    assert f'f"{{x :>5}}{N}: fin"' in fixed and f'"reçu{N}: {{y}}"' in fixed
    assert "# commentaire : libre" in fixed


def test_markdown_code_and_maths_are_left_alone():
    text = "Le pas $a : b$ vaut `x : y` ; voir [lien](a.ipynb) :\n```\nx : 1\n```"
    assert fix_markdown(text) == f"Le pas $a : b$ vaut `x : y`{N}; voir [lien](a.ipynb){N}:\n" \
        "```\nx : 1\n```"


def test_the_course_follows_french_typography():
    wrong = [str(path) for path in targets()
             if fixed_file(path) != path.read_text(encoding="utf-8")]
    assert not wrong, "lancez « python -m tools.typography --fix » : " + ", ".join(wrong)
