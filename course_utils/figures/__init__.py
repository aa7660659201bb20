"""Les figures et les widgets du cours, une partie du cours par module.

Chaque fonction ``plot_…`` crée sa figure et la renvoie ; chaque ``…_explorer`` renvoie un
``widgets.Interactive`` (des curseurs liés à une figure). Les figures communes à tous les
chapitres (images, courbes, couleurs) sont dans :mod:`course_utils.plots`. Les modules
matplotlib et ipywidgets ne sont importés qu'au premier tracé ou au premier widget, dans les
fonctions qui s'en servent.
"""
