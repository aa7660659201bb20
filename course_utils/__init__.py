"""Outils du cours « Apprentissage des réseaux profonds » : une partie du cours, un nom.

Chaque partie du cours porte le même nom à chaque étage du paquet : le code de référence
(``<partie>.py``, PyTorch seul, testé contre ``torch``), les mesures (``lab/<partie>.py``), les
figures et widgets (``figures/<partie>.py``) et les vérificateurs d'exercices
(``checks/<partie>.py``) ; les tests suivent le même arbre (``tests/``).

Les parties du cours (chapitre) et leurs modules :

- prise en main, MNIST, exactitude (0) : ``data``, ``metrics`` ; ``figures.data`` ;
  ``checks.data``, ``checks.autograd``, ``checks.metrics`` ;
- limites des PMC, dispersion du gradient (1) : ``models`` ; ``lab.gradients`` ;
  ``figures.training`` ; ``checks.models`` ;
- entropie croisée et softmax (1) : ``losses`` ; ``checks.losses`` ;
- fonctions d'activation (2) : ``activations`` ; ``lab.activations`` ;
  ``figures.activations`` ; ``checks.activations`` ;
- initialisation des poids (3) : ``init`` ; ``lab.init`` ; ``figures.init`` ; ``checks.init`` ;
- descente de gradient, momentum, Nesterov (4) : ``optim`` ; ``lab.optim``,
  ``lab.surfaces`` ; ``figures.optim`` ; ``checks.optim`` ;
- pas adaptatifs, AdaGrad, RMSProp, Adam (5) : ``adaptive`` ; ``lab.adaptive`` ;
  ``figures.adaptive`` ; ``checks.adaptive`` ;
- normalisation par lots (6) : ``batchnorm`` ; ``lab.batchnorm`` ; ``figures.batchnorm`` ;
  ``checks.batchnorm`` ;
- régularisation (7) : ``regularization``, ``augmentation`` ; ``lab.regularization`` ;
  ``figures.regularization`` ; ``checks.regularization``, ``checks.augmentation`` ;
- synthèse (8) : ``sweeps`` ; ``checks.sweeps``, ``checks.plots``.

La machinerie commune : ``training`` (LA boucle d'apprentissage, avec ses crochets),
``runs`` (``RunConfig``, le registre des optimiseurs, ``run``), ``sweeps`` (balayages,
résultats enregistrés), ``cache``, ``repro`` (``setup``), ``plots`` (figures communes),
``widgets`` (curseurs liés à une figure), ``source`` (``show_source``). ``_validate`` vérifie
les arguments de tout le paquet, ``_training_inputs`` ce que reçoit ``train`` ;
``_mnist_files`` et ``_mnist_decode`` servent ``data``.

Importer ``course_utils`` fixe le jeu d'instructions des calculs sur processeur x86
(``MKL_CBWR=AVX2`` pour les produits matriciels de MKL, ``ATEN_CPU_CAPABILITY=avx2`` pour les
autres opérations de PyTorch), sauf si ces variables d'environnement sont déjà définies : les
mêmes opérations donnent alors les mêmes nombres sur tous les processeurs récents, et les
sorties enregistrées des notebooks se reproduisent ailleurs que sur la machine qui les a
produites. Ces réglages doivent précéder le premier calcul, d'où leur place ici ; ils
coûtent environ 10 % de débit sur un processeur AVX-512 (``benchmarks/bench_training.py``).
"""

import os

os.environ.setdefault("MKL_CBWR", "AVX2")
os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")
