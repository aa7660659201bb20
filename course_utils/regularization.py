"""Régularisation : pénalisation de la norme des paramètres, dropout, arrêt précoce.

Partie « Régularisation » du cours : l'ensemble des méthodes qui visent à améliorer
l'erreur en test (la généralisation), et pas seulement l'erreur d'apprentissage.

- Pénalisation de la norme : L(θ) = Σ_i ℓ(f(x⁽ⁱ⁾; θ), y*⁽ⁱ⁾) + α Ω(θ), avec Ω(θ) la somme
  des poids au carré (L2 : weight decay, ridge, Tikhonov) ou de leurs valeurs absolues
  (L1 : LASSO, solutions parcimonieuses) : :func:`l2_penalty`, :func:`l1_penalty`,
  :func:`penalty` (la fonction ``model -> α Ω(θ)``), :func:`sparsity`, :func:`weight_norm`.
- Dropout inversé : :func:`dropout`, :class:`Dropout`, et la prédiction moyennée sur des
  masques tirés au hasard, :func:`mc_dropout_predict`.
- Arrêt précoce : la règle :func:`should_stop` et le crochet :class:`EarlyStopping`.

L'augmentation de données (décalages, rotations, bruit, Mixup, Cutout, CutMix) est dans
:mod:`course_utils.augmentation`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch
from torch import nn

from course_utils import _validate

# --- Pénalisation de la norme des paramètres -----------------------------------------------


def _weights(model: nn.Module, include_bias: bool) -> list[torch.Tensor]:
    """Poids des couches nn.Linear de ``model`` (et leurs biais si ``include_bias``)."""
    layers = [m for m in _validate.module("model", model).modules() if isinstance(m, nn.Linear)]
    _validate.boolean("include_bias", include_bias)
    if not layers:
        raise ValueError("model doit contenir une couche nn.Linear (reçu : aucune couche "
                         "nn.Linear) : rien à pénaliser")
    biases = [layer.bias for layer in layers if include_bias and layer.bias is not None]
    return [layer.weight for layer in layers] + biases


def l2_penalty(model: nn.Module, *, alpha: float, include_bias: bool = False) -> torch.Tensor:
    """Pénalisation L2 : α Ω(θ) avec Ω(θ) = Σ w², sur les poids des couches nn.Linear.

    Renvoie un tenseur 0-d dérivable, à ajouter à la perte : L(θ) = Σ ℓ + α Ω(θ) sur le
    transparent. Son gradient, 2αw, rapproche chaque poids de 0 en proportion de sa taille
    (« weight decay »). ``alpha`` : réel ≥ 0.

    Les biais sont exclus par défaut (``include_bias=False``), comme le conseillent
    Goodfellow et al. (2016, § 7.1) : un biais ne multiplie aucune entrée, il ne rend pas la
    sortie plus sensible aux variations de x ; le contraindre fait sous-apprendre sans
    limiter le sur-apprentissage.

    α par mini-lot : le transparent somme les pertes des exemples, mais ``F.cross_entropy``
    renvoie leur moyenne sur le mini-lot de B exemples, et ``train`` ajoute α Ω(θ) à chaque
    mini-lot. Notre α vaut donc le α d'une perte sommée divisé par B.

    Remarque (``weight_decay`` de PyTorch). ``torch.optim.SGD(params, weight_decay=λ)``
    ajoute λθ au gradient de chaque paramètre, g ← ∇L(θ) + λθ : c'est le gradient de
    L(θ) + (λ/2) ‖θ‖². SGD avec weight_decay=λ équivaut donc à ajouter cette pénalisation
    avec α = λ/2 sur **tous** les paramètres, biais compris (PyTorch les rétrécit aussi),
    c.-à-d. ``l2_penalty(model, alpha=λ/2, include_bias=True)`` pour un réseau de couches
    nn.Linear. ``torch.optim.Adam(params, weight_decay=λ)`` fait la même chose (λθ ajouté au
    gradient avant les moments s et r) : c'est encore la pénalisation dans la perte, mais son
    gradient λθ est divisé comme le reste par √r̂ + δ, si bien que les paramètres à fort
    gradient sont moins rétrécis. Ce n'est pas la décroissance découplée de
    ``torch.optim.AdamW`` (Loshchilov et Hutter, 2019), θ ← θ − ρλθ appliquée hors des
    moments : avec Adam, les deux donnent des itérés différents.
    """
    _validate.nonnegative("alpha", alpha)
    return alpha * sum((w**2).sum() for w in _weights(model, include_bias))


def l1_penalty(model: nn.Module, *, alpha: float, include_bias: bool = False) -> torch.Tensor:
    """Pénalisation L1 (LASSO) : α Ω(θ) avec Ω(θ) = Σ |w|, sur les poids des nn.Linear.

    Renvoie un tenseur 0-d dérivable. Son gradient, α sign(w) (0 en w = 0), pousse chaque
    poids vers 0 d'un pas constant, quelle que soit sa taille : les petits poids atteignent
    0 et y restent à peu près, d'où des solutions parcimonieuses (voir :func:`sparsity`).
    Biais exclus par défaut et α « par mini-lot » : voir :func:`l2_penalty`.
    """
    _validate.nonnegative("alpha", alpha)
    return alpha * sum(w.abs().sum() for w in _weights(model, include_bias))


_PENALTIES = {"l1": l1_penalty, "l2": l2_penalty}


class _Penalty:
    """``model -> α Ω(θ)`` (voir :func:`penalty`), avec un repr lisible."""

    def __init__(self, kind: str, alpha: float) -> None:
        self.kind, self.alpha = kind, alpha

    def __call__(self, model: nn.Module) -> torch.Tensor:
        return _PENALTIES[self.kind](model, alpha=self.alpha)

    def __repr__(self) -> str:
        return f"penalty({self.kind!r}, alpha={self.alpha!r})"


def penalty(kind: str, *, alpha: float) -> Callable[[nn.Module], torch.Tensor]:
    """La fonction ``model -> α Ω(θ)``, à ajouter à la perte de chaque mini-lot.

    kind : ``"l1"`` (:func:`l1_penalty`) ou ``"l2"`` (:func:`l2_penalty`), biais exclus.
    C'est ce que fait ``runs.training_loss`` pour ``RunConfig(penalty="l2",
    penalty_alpha=1e-4)`` : perte = entropie croisée + ``penalty("l2", alpha=1e-4)(model)``.
    """
    _validate.choice("kind", kind, _PENALTIES)
    _validate.nonnegative("alpha", alpha)
    return _Penalty(kind, alpha)


@torch.no_grad()
def sparsity(model: nn.Module, *, threshold: float = 1e-3) -> float:
    """Fraction des poids des couches nn.Linear (biais exclus) tels que |w| < threshold."""
    _validate.positive("threshold", threshold)
    weights = _weights(model, include_bias=False)
    small = sum(int((w.abs() < threshold).sum()) for w in weights)
    return small / sum(w.numel() for w in weights)


@torch.no_grad()
def weight_norm(model: nn.Module) -> float:
    """Norme L2 des poids des couches nn.Linear (biais exclus) : √(Σ w²)."""
    return math.sqrt(sum(float((w.double() ** 2).sum()) for w in _weights(model, False)))


# --- Dropout ------------------------------------------------------------------------------


_P = "p (probabilité d'éteindre une unité)"


def dropout(x: torch.Tensor, *, p: float, training: bool = True,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """Dropout inversé : en apprentissage, éteint chaque unité avec probabilité p.

    **p est la probabilité d'ÉTEINDRE une unité, comme dans PyTorch** (``nn.Dropout(p)``,
    ``F.dropout(x, p)``) : chaque unité est gardée avec probabilité 1 − p. Attention, le
    transparent note p_do et écrit « multiplier la prédiction par p_do », « pondérer par
    1/p_do » : là, p_do se lit comme la probabilité de GARDER, p_do = 1 − p.

    En apprentissage (``training=True``), un masque neuf à chaque appel :

        z_i ~ Bernoulli(1 − p)        (z_i = 1 : l'unité est gardée)
        y_i = z_i x_i / (1 − p)       (dropout inversé : E[y_i] = x_i)

    En évaluation (``training=False``) : y = x, rien à corriger.

    x : tenseur flottant de forme quelconque, par ex. (N, D) ; y : même forme.
    p : 0 ≤ p < 1. generator : tirage du masque (générateur global de PyTorch si None).

    Remarque (« Et en test ? »). Le cours remplace la prédiction stochastique f(x, z; θ)
    par son espérance E_z[f(x, z; θ)]. Multiplier par la probabilité de garder en test ou,
    ce qui revient au même et se fait plus souvent, diviser par 1 − p en apprentissage (ici
    et dans PyTorch) donne exactement cette espérance pour une couche linéaire,
    E_z[W y] = W x, mais seulement une approximation après une non-linéarité : voir
    :func:`mc_dropout_predict`.
    """
    _validate.tensor("x", x, floating=True)
    p = _validate.rate(_P, p)
    _validate.generator("generator", generator)
    if not _validate.boolean("training", training) or p == 0:
        return x
    keep = torch.rand(x.shape, generator=generator, dtype=x.dtype) >= p  # P(garder) = 1 − p
    return x * keep / (1 - p)


class Dropout(nn.Module):
    """Couche de dropout inversé (voir :func:`dropout`) : même rôle que ``nn.Dropout(p)``.

    p : probabilité d'ÉTEINDRE une unité (0 ≤ p < 1), comme ``nn.Dropout``. Actif en mode
    apprentissage (``model.train()``), identité en mode évaluation (``model.eval()``).
    generator : générateur des masques (générateur global de PyTorch si None).
    """

    def __init__(self, p: float = 0.5, *, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.p = _validate.rate(_P, p)
        _validate.generator("generator", generator)
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return dropout(x, p=self.p, training=self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"


_DROPOUT_LAYERS = (Dropout, nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d,
                   nn.AlphaDropout, nn.FeatureAlphaDropout)


@torch.no_grad()
def mc_dropout_predict(model: nn.Module, x: torch.Tensor, *, samples: int,
                       generator: torch.Generator | None = None) -> torch.Tensor:
    """Moyenne des softmax sur ``samples`` passes avant, dropout actif (« MC dropout »).

    Estime E_z[softmax(f(x, z; θ))], l'espérance sur les masques du transparent « Et en
    test ? » (Gal et Ghahramani, 2016). Seules les couches de dropout passent en mode
    apprentissage (la normalisation par lots garde ses statistiques courantes) ; les modes
    de toutes les couches sont rétablis ensuite. x : (N, D) ; renvoie (N, C), lignes de
    somme 1. generator : s'il est donné, les masques des couches qui tirent avec le
    générateur global (``nn.Dropout``, ``Dropout()`` sans générateur) en dépendent seul, et
    le générateur global n'est pas modifié.

    L'écart avec le mode évaluation. Pour un modèle linéaire (dropout → Linear), les logits
    moyens valent exactement ceux du mode évaluation, E_z[W y + b] = W x + b ; la moyenne
    des softmax en diffère pourtant un peu, car la softmax n'est pas linéaire (inégalité de
    Jensen). Après une non-linéarité (ReLU, sigmoïde…), même les logits moyens diffèrent :
    le mode évaluation n'est qu'une approximation de l'espérance.
    """
    _validate.integer("samples", samples, low=1)
    _validate.generator("generator", generator)
    _validate.model_input("x", x, model)
    layers = [m for m in model.modules() if isinstance(m, _DROPOUT_LAYERS)]
    if not layers:
        raise ValueError("model doit contenir une couche de dropout (reçu : aucune couche de "
                         "dropout) : toutes les passes donneraient la même prédiction")
    modes = {m: m.training for m in model.modules()}
    seed = None if generator is None else int(torch.randint(2**62, (), generator=generator))
    try:
        model.eval()
        for layer in layers:
            layer.train()
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            total = sum(torch.softmax(model(x), dim=1) for _ in range(samples))
    finally:
        for m, mode in modes.items():
            m.training = mode
    return total / samples


# --- Arrêt précoce ---------------------------------------------------------------------------


def should_stop(val_losses: list[float], *, patience: int) -> bool:
    """La règle de l'arrêt précoce sur toute la suite des pertes de validation : vrai si
    aucune des ``patience`` dernières valeurs n'améliore strictement le minimum de celles qui
    les précèdent, c'est-à-dire (len − 1) − b ≥ patience, b étant l'indice de la première
    occurrence du minimum (une égalité n'est pas une amélioration).

    Exemples avec patience = 2 : [0.9, 0.7, 0.8, 0.75] → True ; [0.9, 0.7, 0.8] → False ;
    [0.9, 0.7, 0.8, 0.6] → False ; [0.9, 0.7, 0.8, 0.7] → True. C'est la décision que prend
    :meth:`EarlyStopping.step` à la dernière époque. Comme pour elle, une perte nan (un
    apprentissage qui a divergé) n'améliore jamais rien, et inf est une perte comme une autre.
    """
    patience = _validate.integer("patience", patience, low=1)
    if not isinstance(val_losses, list | tuple) or not val_losses:
        raise ValueError(f"val_losses doit être une liste non vide de pertes "
                         f"(reçu : {type(val_losses).__name__})")
    losses = [_validate.number("chaque valeur de val_losses", v) for v in val_losses]
    losses = [math.inf if math.isnan(v) else v for v in losses]  # nan : jamais meilleur
    best = min(range(len(losses)), key=lambda i: losses[i])  # premier minimum
    return len(val_losses) - 1 - best >= patience


class EarlyStopping:
    """Arrêt précoce : arrêter quand la valeur surveillée ne s'améliore plus.

    Après chaque époque, ``step(valeur, model)`` reçoit la valeur surveillée (plus petite =
    meilleure : la perte sur un jeu de validation, pas sur le jeu de test) :

        si valeur < best − min_delta :  best ← valeur, best_epoch ← numéro de l'appel,
                                        bad_epochs ← 0, copie profonde des poids
        sinon :                         bad_epochs ← bad_epochs + 1
        renvoyer bad_epochs ≥ patience  (True : arrêter)

    ``step`` renvoie donc True au ``patience``-ième appel consécutif sans amélioration, et
    ``restore_best(model)`` recharge les poids de la meilleure époque. C'est aussi un crochet
    de ``training.train`` (méthodes ``on_epoch`` et ``on_end``) :
    ``train(…, eval_data=validation, hooks=[EarlyStopping(5)])``. Une valeur égale à
    ``best`` (ou nan) n'est pas une amélioration. Exemple, patience = 2 : les valeurs 0.9,
    0.7, 0.8, 0.75 donnent False, False, False, True ; best = 0.7, best_epoch = 1 (appels
    numérotés à partir de 0).

    Attributs : ``best`` (inf avant le premier appel), ``best_epoch`` (None avant),
    ``bad_epochs``.
    """

    def __init__(self, patience: int, *, min_delta: float = 0.0) -> None:
        self.patience = _validate.integer("patience", patience, low=1)
        self.min_delta = _validate.nonnegative("min_delta", min_delta)
        self.best, self.best_epoch, self.bad_epochs = math.inf, None, 0
        self._calls, self._best_state = 0, None

    def __repr__(self) -> str:
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
                f"best={self.best:.4g}, best_epoch={self.best_epoch}, "
                f"bad_epochs={self.bad_epochs})")

    def step(self, value: float, model: nn.Module) -> bool:
        """Enregistre la valeur de l'époque (un nombre, ou un tenseur à un élément ; nan n'est
        jamais une amélioration) ; renvoie True s'il faut arrêter."""
        _validate.module("model", model)
        value = _validate.number("value", value)
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.bad_epochs = value, self._calls, 0
            self._best_state = copy.deepcopy(model.state_dict())
        else:
            self.bad_epochs += 1
        self._calls += 1
        return self.bad_epochs >= self.patience

    def on_epoch(self, model: nn.Module, history) -> bool:
        """Crochet de ``training.train`` : ``step`` sur la dernière perte d'évaluation
        (``history.eval_loss[-1]``, celle de la validation)."""
        if not isinstance(getattr(history, "eval_loss", None), list):
            raise TypeError("history doit être l'historique de training.train (reçu : "
                            f"{type(history).__name__})")
        if not history.eval_loss:
            raise ValueError("l'arrêt précoce surveille la perte de validation : donnez "
                             "eval_data à train (le jeu de validation)")
        return self.step(history.eval_loss[-1], model)

    def on_end(self, model: nn.Module, history) -> None:
        """Crochet de ``training.train`` : recharge les poids de la meilleure époque."""
        if self._best_state is not None:
            self.restore_best(model)

    def restore_best(self, model: nn.Module) -> None:
        """Recharge dans ``model`` les poids de la meilleure époque."""
        if self._best_state is None:
            raise RuntimeError("aucune meilleure époque enregistrée : appelez step() d'abord")
        try:
            _validate.module("model", model).load_state_dict(self._best_state)
        except RuntimeError as error:
            raise ValueError("model doit être le réseau passé à step() (mêmes couches, mêmes "
                             "formes) : ses poids ne correspondent pas à ceux enregistrés "
                             f"(PyTorch : {str(error).splitlines()[0][:100]})") from None
