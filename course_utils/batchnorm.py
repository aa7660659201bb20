"""Normalisation par lots (batch norm) écrite à la main, comme sur le transparent du cours.

Référence : S. Ioffe et C. Szegedy, *Batch Normalization: Accelerating Deep Network Training
by Reducing Internal Covariate Shift*, ICML 2015. Notations : x (N, D) un mini-lot de N
exemples (m sur le transparent) et D caractéristiques (les sorties de la couche
précédente) ; chaque caractéristique k est normalisée séparément, sur le mini-lot :

    μ_B ← (1/m) Σ_i x_i                       // moyenne du mini-lot
    σ²_B ← (1/m) Σ_i (x_i − μ_B)²             // variance du mini-lot (biaisée : 1/m)
    x̂_i ← (x_i − μ_B) / √(σ²_B + ε)           // normalisation
    y_i ← γ x̂_i + β ≡ BN_γ,β(x_i)             // mise à l'échelle et décalage

En évaluation (test), μ_B et σ²_B cèdent la place à des statistiques courantes (moyennes
glissantes) estimées pendant l'apprentissage : y devient une application affine fixe.

Comme CS231n, ``batchnorm_forward`` renvoie ``(out, cache)`` et ``batchnorm_backward(dout,
cache)`` un gradient par entrée ; ``BatchNormFunction`` les branche dans autograd et
``BatchNorm1d`` (mêmes noms que ``torch.nn.BatchNorm1d``) ne fait que tenir les comptes.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.autograd.function import once_differentiable

from course_utils import _validate

__all__ = [
    "batchnorm_forward", "batchnorm_backward", "batchnorm_eval",
    "update_running_stats", "BatchNormFunction", "BatchNorm1d", "recompute_statistics_",
]


# --- Mode apprentissage : passes avant et arrière -------------------------------------------


Cache = tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # (x̂ (N, D), γ (D,), 1/√(σ²_B + ε) (D,))
def _like_x(x: torch.Tensor, **vectors: torch.Tensor) -> None:
    """Chaque vecteur (γ, β, statistiques…) : tenseur (D,) du type des éléments de x (N, D)."""
    for name, t in vectors.items():
        _validate.shape(name, t, (x.shape[1],))
        if t.dtype != x.dtype:
            raise TypeError(f"{name} doit avoir le type des éléments de x, {x.dtype} (reçu : "
                            f"{t.dtype}) : convertissez l'un des deux (.float() ou .double())")


_ONE_EXAMPLE = ("x doit avoir plus d'une valeur par caractéristique en mode apprentissage "
                "(reçu : une entrée de forme {shape})")


def batchnorm_forward(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, *,
                      eps: float = 1e-5) -> tuple[torch.Tensor, Cache]:
    """Passe avant en mode apprentissage : l'algorithme du transparent (docstring du module).

    x : (N, D), N ≥ 2 ; gamma (γ), beta (β) : (D,). Renvoie ``(out, cache)`` : out (N, D) et
    cache = (x̂, γ, 1/√(σ²_B + ε)), ce que garde la passe avant pour la passe arrière. Les
    valeurs de x ne sont pas parcourues (chemin d'apprentissage) : un nan dans une colonne
    de x donne une colonne de nan.
    σ²_B = (1/m) Σ (x_i − μ_B)² en deux passes : E[x²] − E[x]² serait faux si |μ_B| ≫ σ_B.
    """
    n, d = _validate.shape("x", _validate.tensor("x", x, floating=True), (None, None)).shape
    if n < 2:  # σ²_B = 0 et x̂ = 0 : rien à normaliser (torch refuse aussi)
        raise ValueError(_ONE_EXAMPLE.format(shape=tuple(x.shape)))
    _like_x(x, gamma=gamma, beta=beta)
    _validate.nonnegative("eps", eps)
    mu = x.mean(dim=0)  # μ_B : (D,)
    var = ((x - mu) ** 2).mean(dim=0)  # σ²_B, variance biaisée : (D,)
    inv_std = 1 / torch.sqrt(var + eps)  # (D,)
    x_hat = (x - mu) * inv_std  # (N, D) ; (D,) diffusé sur les lignes
    out = gamma * x_hat + beta
    return out, (x_hat, gamma, inv_std)


def batchnorm_backward(dout: torch.Tensor,
                       cache: Cache) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Passe arrière en mode apprentissage : renvoie ``(dx, dgamma, dbeta)``.

    dout = ∂L/∂y : (N, D). dx : (N, D) ; dgamma, dbeta : (D,). Avec m = N et, pour chaque
    caractéristique, dx̂_i = γ dout_i :

        dβ = Σ_i dout_i        dγ = Σ_i dout_i x̂_i
        dσ² = −½ (σ²_B + ε)^(−3/2) Σ_j dx̂_j (x_j − μ_B)
        dμ = −Σ_j dx̂_j / √(σ²_B + ε)     (le terme venant de σ² est nul : Σ_j (x_j − μ_B) = 0)
        dx_i = dx̂_i / √(σ²_B + ε) + dσ² · 2 (x_i − μ_B)/m + dμ/m

    ce qui se simplifie en la formule compacte, calculée ici :

        dx = γ / (m √(σ²_B + ε)) · (m dout − Σ_j dout_j − x̂ Σ_j dout_j x̂_j)

    Les deux sommes sont dβ et dγ. Le terme − Σ_j dout_j vient de μ_B, le terme en x̂ de σ²_B :
    les traiter comme des constantes donnerait dx = γ dout / √(σ²_B + ε), faux.
    """
    if not (isinstance(cache, tuple | list) and len(cache) == 3
            and all(isinstance(t, torch.Tensor) and t.is_floating_point() for t in cache)):
        raise TypeError("cache doit être le triplet de tenseurs (x̂, γ, 1/√(σ²_B + ε)) renvoyé "
                        f"par batchnorm_forward (reçu : {type(cache).__name__})")
    x_hat, gamma, inv_std = cache
    _validate.shape("cache[0] (x̂)", x_hat, (None, None))
    _like_x(x_hat, **{"cache[1] (γ)": gamma, "cache[2] (1/√(σ²_B + ε))": inv_std})
    _validate.shape("dout", _validate.tensor("dout", dout, floating=True),
                    tuple(x_hat.shape))  # la forme de la sortie y
    m = dout.shape[0]
    dbeta = dout.sum(dim=0)  # (D,)
    dgamma = (dout * x_hat).sum(dim=0)  # (D,)
    dx = gamma * inv_std / m * (m * dout - dbeta - x_hat * dgamma)  # (N, D)
    return dx, dgamma, dbeta


class BatchNormFunction(torch.autograd.Function):
    """BN_γ,β(x) en mode apprentissage ; autograd utilise la passe arrière écrite à la main
    (``batchnorm_backward``) au lieu de dériver les opérations une à une.

    ``BatchNormFunction.apply(x, gamma, beta, eps)`` → y : (N, D) ; pas de dérivée seconde.
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        out, cache = batchnorm_forward(x, gamma, beta, eps=eps)
        ctx.save_for_backward(*cache)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, dout):
        dx, dgamma, dbeta = batchnorm_backward(dout, ctx.saved_tensors)
        return dx, dgamma, dbeta, None  # pas de gradient pour eps


# --- Statistiques courantes et mode évaluation ----------------------------------------------


def update_running_stats(running_mean: torch.Tensor, running_var: torch.Tensor,
                         x: torch.Tensor, *,
                         momentum: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Moyenne glissante des statistiques, convention de PyTorch, m = ``momentum`` :

        μ_courante ← (1 − m) μ_courante + m μ_B
        σ²_courante ← (1 − m) σ²_courante + m · N/(N − 1) σ²_B

    running_mean, running_var : (D,) ; x : (N, D), N ≥ 2. Renvoie (nouvelle moyenne,
    nouvelle variance), (D,) chacune, sans rien modifier en place.

    Remarque : m est le poids du NOUVEAU lot, l'inverse du momentum d'un optimiseur (poids
    de l'ancienne valeur). La variance stockée est la variance non biaisée N/(N − 1) σ²_B,
    alors que la normalisation en apprentissage utilise la variance biaisée σ²_B.
    """
    n, d = _validate.shape("x", _validate.tensor("x", x, floating=True), (None, None)).shape
    if n < 2:  # variance non biaisée : division par N − 1
        raise ValueError(_ONE_EXAMPLE.format(shape=tuple(x.shape)))
    _like_x(x, running_mean=running_mean, running_var=running_var)
    m = _validate.probability("momentum", momentum)
    mu = x.mean(dim=0)  # μ_B : (D,)
    var_unbiased = ((x - mu) ** 2).sum(dim=0) / (n - 1)  # N/(N − 1) σ²_B : (D,)
    new_mean = (1 - m) * running_mean + m * mu
    new_var = (1 - m) * running_var + m * var_unbiased
    return new_mean, new_var


def batchnorm_eval(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
                   running_mean: torch.Tensor, running_var: torch.Tensor, *,
                   eps: float = 1e-5) -> torch.Tensor:
    """Passe avant en mode évaluation : y = γ (x − μ_courante)/√(σ²_courante + ε) + β.

    x : (N, D), N ≥ 1 ; gamma, beta, running_mean, running_var : (D,). Renvoie y : (N, D).
    Application affine fixe, exemple par exemple : la sortie d'un exemple ne dépend pas des
    autres exemples du lot, et un seul exemple (N = 1) suffit.
    """
    _validate.shape("x", _validate.tensor("x", x, floating=True), (None, None))
    _like_x(x, gamma=gamma, beta=beta, running_mean=running_mean, running_var=running_var)
    _validate.nonnegative("eps", eps)
    return gamma * (x - running_mean) / torch.sqrt(running_var + eps) + beta


# --- Le module : BatchNorm1d ---------------------------------------------------------------


class BatchNorm1d(nn.Module):
    """Normalisation par lots d'une entrée (N, D), compatible avec ``torch.nn.BatchNorm1d``.

    Paramètres ``weight`` (γ, initialisé à 1) et ``bias`` (β, à 0) si ``affine`` ; tampons
    ``running_mean`` (0), ``running_var`` (1) et ``num_batches_tracked`` (t, 0).

    - Apprentissage (``model.train()``) : algorithme du transparent avec μ_B et σ²_B
      (``BatchNormFunction``), puis, avec m = ``momentum`` (``update_running_stats``) :
      μ_courante ← (1 − m) μ_courante + m μ_B,
      σ²_courante ← (1 − m) σ²_courante + m · N/(N − 1) σ²_B.
      Si ``momentum=None``, m = 1/t au t-ième lot : moyenne cumulée, lots à égalité.
    - Évaluation (``model.eval()``) : y = γ (x − μ_courante)/√(σ²_courante + ε) + β,
      application affine fixe (``batchnorm_eval``), valable pour un seul exemple.

    Remarque : comme dans PyTorch, ``momentum`` est le poids du NOUVEAU lot, l'inverse du
    momentum d'un optimiseur (poids de l'ancienne valeur) : m = 0.1 garde 90 % de l'ancienne
    estimation. ``running_var`` stocke la variance non biaisée N/(N − 1) σ²_B, alors que
    la normalisation en apprentissage utilise la variance biaisée σ²_B, comme le transparent.
    """

    def __init__(self, num_features: int, *, eps: float = 1e-5,
                 momentum: float | None = 0.1, affine: bool = True) -> None:
        super().__init__()
        _validate.integer("num_features", num_features, low=1)
        _validate.nonnegative("eps", eps)
        if momentum is not None:
            _validate.probability("momentum", momentum)
        _validate.boolean("affine", affine)
        self.num_features, self.eps, self.momentum, self.affine = (
            num_features, eps, momentum, affine)
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))  # γ
            self.bias = nn.Parameter(torch.zeros(num_features))  # β
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def reset_running_stats(self) -> None:
        """Statistiques courantes remises à leur valeur initiale (μ = 0, σ² = 1, t = 0)."""
        self.running_mean.zero_()
        self.running_var.fill_(1)
        self.num_batches_tracked.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x : (N, D) → y : (N, D) ; N ≥ 2 en mode apprentissage."""
        _validate.tensor("x", x, floating=True)
        _validate.shape("x", x, (None, self.num_features))
        gamma, beta = self._gamma_beta(x)
        if not self.training:
            return batchnorm_eval(x, gamma, beta, self.running_mean, self.running_var,
                                  eps=self.eps)
        self._track(x.detach())  # vérifie N ≥ 2 avant de rien modifier
        return BatchNormFunction.apply(x, gamma, beta, self.eps)

    def _gamma_beta(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.affine:
            return self.weight, self.bias
        ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
        return ones, torch.zeros_like(ones)  # γ = 1, β = 0, sans paramètre appris

    @torch.no_grad()
    def _track(self, x: torch.Tensor) -> None:
        t = int(self.num_batches_tracked) + 1  # ce lot est le t-ième
        m = 1 / t if self.momentum is None else self.momentum
        mean, var = update_running_stats(self.running_mean, self.running_var, x, momentum=m)
        self.running_mean.copy_(mean)
        self.running_var.copy_(var)
        self.num_batches_tracked.add_(1)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}")


# --- Réestimer les statistiques courantes --------------------------------------------------

_BATCH_NORMS = (nn.modules.batchnorm._BatchNorm, BatchNorm1d)


def recompute_statistics_(model: nn.Module, x: torch.Tensor, *,
                          batch_size: int | None = None) -> nn.Module:
    """Réestime les statistiques courantes de toutes les couches de normalisation par lots
    de ``model`` (``torch.nn.BatchNorm1d``/``2d``… et ``BatchNorm1d`` ci-dessus) sur ``x``.

    Statistiques remises à zéro et ``momentum=None`` (moyenne cumulée) ; x traverse le
    modèle en mode apprentissage, sans gradient, en une fois ou par mini-lots de
    ``batch_size`` exemples ; puis chaque couche retrouve son momentum et chaque module son
    mode. Seules les statistiques changent (ni γ ni β). Modifie ``model`` et le renvoie.
    Deux usages :

    - après l'apprentissage, recalculer les statistiques sur le jeu d'apprentissage avec
      les poids finaux : la moyenne glissante mélange des lots vus avec des poids anciens ;
    - AdaBN (Li et al. 2017, *Revisiting Batch Normalization for Practical Domain
      Adaptation*) : si les données de test suivent une autre distribution, réestimer les
      statistiques sur les données du domaine cible, sans étiquettes ni réapprentissage.

    Remarque : avec ``momentum=None``, PyTorch fait la moyenne des moyennes et des
    variances (non biaisées) de chaque lot. En un seul lot, ce sont celles de x ; par
    mini-lots de même taille, la moyenne est exacte, mais la variance ignore la dispersion
    des moyennes d'un lot à l'autre (écart faible pour de grands lots).
    """
    if _validate.model_input("x", x, model).dim() == 0:
        raise ValueError("x doit avoir une première dimension qui indexe les exemples "
                         "(reçu : un scalaire)")
    if batch_size is not None:
        _validate.integer("batch_size", batch_size, low=2)
    last = len(x) if batch_size is None else len(x) % batch_size or batch_size
    if last < 2 and batch_size is None:
        raise ValueError(f"x doit contenir au moins deux exemples (reçu : {len(x)})")
    if last < 2:
        raise ValueError("chaque mini-lot doit contenir au moins deux exemples (reçu : "
                         f"{len(x)} exemples et batch_size = {batch_size}) : changez batch_size")
    layers = [m for m in model.modules()
              if isinstance(m, _BATCH_NORMS) and m.running_mean is not None]
    if not layers:
        raise ValueError("model doit contenir une couche de normalisation par lots avec "
                         "statistiques courantes (reçu : aucune couche de normalisation)")
    modes = [(module, module.training) for module in model.modules()]
    momenta = [layer.momentum for layer in layers]
    try:
        for layer in layers:
            layer.reset_running_stats()
            layer.momentum = None  # facteur 1/t : moyenne cumulée sur tous les lots
        model.train()
        with torch.no_grad():
            for chunk in torch.split(x, batch_size or len(x)):  # (≤ batch_size, …) chacun
                model(chunk)
    finally:
        for layer, momentum in zip(layers, momenta, strict=True):
            layer.momentum = momentum
        for module, training in modes:
            module.training = training
    return model

