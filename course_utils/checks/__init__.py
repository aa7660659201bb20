"""Vérificateurs d'exercices des notebooks, et outils de vérification de gradient.

Dans un notebook, après avoir complété une fonction::

    check_softmax(softmax)   # affiche une ligne : ✅, ⏳ ou ❌ suivi du diagnostic

Un :class:`Checker` appelle la fonction de l'étudiant sur des cas fixés (graine fixe,
cas limites compris), compare le résultat à une implémentation de référence et pose
un diagnostic par couches, pour le premier cas qui échoue : objet non appelable,
``NotImplementedError`` (pas encore fait), autre exception, type du résultat, forme,
dtype, valeurs non finies, valeurs, puis vérifications propres à l'exercice.
Le vérificateur ne plante jamais, quelle que soit la réponse.

Organisation : :mod:`~course_utils.checks.framework` (cadre commun),
:mod:`~course_utils.checks.gradients` (gradient numérique), puis un module par chapitre
(:mod:`~course_utils.checks.chapter00`, …) qui expose un tuple ``CHAPTER_XX_CHECKERS``.
Pour un nouveau chapitre : créer son module ``chapterXX.py`` et ajouter son tuple
``CHAPTER_XX_CHECKERS`` à :data:`ALL_CHECKERS`.
"""

from __future__ import annotations

from course_utils.checks.chapter00 import (
    CHAPTER_00_CHECKERS,
    check_accuracy,
    check_autograd_grad,
    check_to_float_images,
)
from course_utils.checks.chapter01 import (
    CHAPTER_01_CHECKERS,
    check_cross_entropy,
    check_cross_entropy_grad,
    check_one_hot,
    check_q1_model,
    check_sigmoid_grad,
    check_softmax,
)
from course_utils.checks.chapter02 import (
    CHAPTER_02_CHECKERS,
    check_dead_units,
    check_elu,
    check_relu_grad,
)
from course_utils.checks.chapter03 import (
    CHAPTER_03_CHECKERS,
    check_fan_in_bound,
    check_predicted_variances,
    check_xavier_uniform,
)
from course_utils.checks.chapter04 import (
    CHAPTER_04_CHECKERS,
    check_converging_lr,
    check_momentum_step,
    check_nesterov_grad,
)
from course_utils.checks.chapter05 import (
    CHAPTER_05_CHECKERS,
    check_adagrad_effective_lr,
    check_adam_step,
    check_rmsprop_accumulator,
)
from course_utils.checks.chapter06 import (
    CHAPTER_06_CHECKERS,
    check_batchnorm_backward,
    check_batchnorm_eval,
    check_batchnorm_train,
    check_running_update,
)
from course_utils.checks.chapter07 import (
    CHAPTER_07_CHECKERS,
    check_early_stopping_rule,
    check_inverted_dropout,
    check_l1_penalty,
    check_mixup_batch,
)
from course_utils.checks.chapter08 import (
    CHAPTER_08_CHECKERS,
    check_best_config,
    check_weight_image,
    check_weight_sparsity,
)
from course_utils.checks.framework import KINDS, Case, Checker, Report
from course_utils.checks.gradients import numerical_grad, relative_error

__all__ = [
    "KINDS", "Report", "Case", "Checker", "numerical_grad", "relative_error",
    "check_to_float_images", "check_autograd_grad", "check_accuracy",
    "check_sigmoid_grad", "check_one_hot", "check_softmax", "check_cross_entropy",
    "check_cross_entropy_grad", "check_q1_model", "check_relu_grad", "check_elu",
    "check_dead_units", "check_fan_in_bound", "check_xavier_uniform",
    "check_predicted_variances", "ALL_CHECKERS",
    "check_rmsprop_accumulator", "check_adagrad_effective_lr", "check_adam_step",
    "check_momentum_step", "check_nesterov_grad", "check_converging_lr",
    "check_batchnorm_train", "check_running_update", "check_batchnorm_eval",
    "check_batchnorm_backward",
    "check_l1_penalty", "check_inverted_dropout", "check_mixup_batch",
    "check_early_stopping_rule",
    "check_best_config", "check_weight_sparsity", "check_weight_image",
]

ALL_CHECKERS: tuple[Checker, ...] = (
    CHAPTER_00_CHECKERS + CHAPTER_01_CHECKERS + CHAPTER_02_CHECKERS + CHAPTER_03_CHECKERS
    + CHAPTER_04_CHECKERS
    + CHAPTER_05_CHECKERS
    + CHAPTER_06_CHECKERS
    + CHAPTER_07_CHECKERS
    + CHAPTER_08_CHECKERS
)
