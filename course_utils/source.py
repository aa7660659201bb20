"""Afficher le code source d'une fonction du cours dans un notebook (sans le recopier)."""

import inspect


def show_source(obj) -> None:
    """Affiche le code source d'une fonction ou d'une classe de ``course_utils``."""
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError):
        raise TypeError(f"impossible d'afficher le code de {obj!r} : fonction ou classe attendue")\
            from None
    print(source.rstrip())
