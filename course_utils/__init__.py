"""Outils du cours « Apprentissage des réseaux profonds »."""
