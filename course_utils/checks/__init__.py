"""Les vérificateurs d'exercices, une partie du cours par module.

Dans un notebook, après avoir complété une fonction ::

    from course_utils.checks.losses import check_softmax
    check_softmax(softmax)   # une ligne : ✅, ⏳ ou ❌ suivi du diagnostic

Un vérificateur appelle la fonction de l'étudiant sur des cas fixés (cas limites compris),
compare le résultat à l'implémentation de référence du paquet (même nom, même signature) et
pose un diagnostic pour le premier cas qui échoue. Il ne plante jamais, quelle que soit la
réponse. :mod:`~course_utils.checks.framework` et :mod:`~course_utils.checks.answers` sont le
cadre commun, :mod:`~course_utils.checks.gradcheck` le gradient numérique.
"""
