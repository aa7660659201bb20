"""Les mesures du cours, une partie du cours par module : elles font tourner les pièces de
référence et renvoient des résultats simples (nombres, listes, dictionnaires), que les
figures (:mod:`course_utils.figures`) tracent et que les notebooks commentent.

- :mod:`~course_utils.lab.gradients` : limites des PMC classiques, dispersion du gradient ;
- :mod:`~course_utils.lab.activations` : unités mortes ;
- :mod:`~course_utils.lab.init` : variances prédites de couche en couche ;
- :mod:`~course_utils.lab.optim` et :mod:`~course_utils.lab.surfaces` : trajectoires des
  méthodes de descente sur des surfaces 2D, vitesses de convergence ;
- :mod:`~course_utils.lab.adaptive` : pas effectifs, correction du biais d'Adam ;
- :mod:`~course_utils.lab.batchnorm` : bruit des statistiques, petits jeux, AdaBN, régularité ;
- :mod:`~course_utils.lab.regularization` : sur-apprentissage et méthodes de régularisation.
"""
