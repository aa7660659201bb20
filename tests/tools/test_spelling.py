"""L'orthographe : seule la prose française des notebooks et des docstrings est vérifiée."""

from tools.spelling import learner_texts, prose_words


def test_spelling_keeps_only_french_prose():
    text = ("Le pas $\\rho$ de `torch.optim.SGD` (voir *Why Momentum Really Works*, "
            "<https://distill.pub>) vaut 0,1 ; :func:`train` l'utilise [ici](lien.ipynb).")
    assert prose_words(text) == ["Le", "pas", "de", "voir", "vaut", "l'utilise"]
    texts = learner_texts()
    assert any("À retenir" in t for t in texts)  # le Markdown des notebooks
    assert any("Perceptron multicouche" in t for t in texts)  # les docstrings
