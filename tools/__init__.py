"""Scripts de mainteneur : éditions, exécution des notebooks, orthographe, typographie.

Ils ne font pas partie du paquet des étudiants (``course_utils``) ; on les lance depuis la
racine du dépôt, par exemple ``python -m tools.editions`` (voir le ``Makefile``).
"""
