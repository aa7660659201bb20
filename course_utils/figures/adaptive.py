"""Figures et widget du pas adaptatif (chapitre 5) : pas effectifs d'AdaGrad et de RMSProp,
correction du biais d'Adam, et les six méthodes sur les surfaces 2D."""

from course_utils import _figure_inputs, _validate
from course_utils.figures.optim import descent_view, hyper_slider
from course_utils.plots import plot_xy
from course_utils.runs import OPTIMIZERS
from course_utils.widgets import Interactive, log_slider


def plot_effective_steps(quantiles: dict[str, dict[int, list[float]]]):
    """Médiane et quantile à 90 % du pas effectif, pas après pas (échelles log).

    quantiles : ``{nom affiché : {pas : quantiles}}``, chacun tel que le renvoie
    ``lab.adaptive.effective_steps`` (10 %, 50 %, 90 % après chaque pas relevé).
    """
    if not isinstance(quantiles, dict) or not quantiles or not all(
            isinstance(rows, dict) and rows for rows in quantiles.values()):
        raise ValueError("quantiles doit être un dictionnaire non vide {nom : {pas : "
                         "quantiles}} (reçu : " + f"{quantiles!r:.60})")
    for name, rows in quantiles.items():
        for step, row in rows.items():
            _validate.integer(f"quantiles[{name!r}] (numéro de pas)", step, low=1)
            if len(_figure_inputs.series(f"quantiles[{name!r}][{step}]", row)) < 3:
                raise ValueError(f"quantiles[{name!r}][{step}] doit avoir les trois quantiles "
                                 f"10 %, 50 % et 90 % (reçu : {len(row)} valeur(s))")
    curves = {}
    for level, column in (("médiane", 1), ("90 %", 2)):
        for name, rows in quantiles.items():
            curves[f"{name} ({level})"] = (list(rows), [row[column] for row in rows.values()])
    return plot_xy(curves, xlabel="pas n°", ylabel="pas effectif", logx=True, logy=True,
                   title="Pas effectif des poids de la première couche")


def plot_adam_bias(trace: dict[str, list[float]], *, lr: float = 0.001,
                   betas: tuple[float, float] = (0.9, 0.999)):
    """Deux panneaux : les moments d'Adam avec et sans correction du biais, puis la taille des
    pas |Δθ| (abscisses log). trace : le dictionnaire de ``lab.adaptive.adam_bias_trace``,
    calculé avec ``lr`` et ``betas`` (rappelés dans les titres)."""
    import matplotlib.pyplot as plt

    moments, sizes = ["s", "ŝ", "√r", "√r̂"], ["pas avec correction", "pas sans correction"]
    _figure_inputs.mapping("trace", trace, keys=moments + sizes,
                           what="le dictionnaire de lab.adaptive.adam_bias_trace")
    n = len(_figure_inputs.series("trace['s']", trace["s"]))
    for k in moments + sizes:
        _figure_inputs.series(f"trace[{k!r}]", trace[k], length=n, unit="valeurs")
    _validate.positive("lr", lr)
    if not (isinstance(betas, tuple | list) and len(betas) == 2):
        raise ValueError(f"betas doit être un couple (ρ₁, ρ₂) (reçu : {betas!r:.60})")
    betas = _validate.rate("betas[0]", betas[0]), _validate.rate("betas[1]", betas[1])
    steps = list(range(1, n + 1))
    fig, (ax_moments, ax_steps) = plt.subplots(1, 2, figsize=(11, 3.8))
    rho1, rho2 = (f"{b:g}".replace(".", ",") for b in betas)
    plot_xy({k: (steps, trace[k]) for k in moments}, xlabel="pas n°",
            ylabel="valeur", title=f"Moments d'Adam, ρ₁ = {rho1} et ρ₂ = {rho2}", logx=True,
            markers=False, ax=ax_moments)
    epsilon = f"{lr:g}".replace(".", ",")
    return plot_xy({k: (steps, trace[k]) for k in sizes},
                   xlabel="pas n°", ylabel="|Δθ|", title=f"Taille des pas (ε = {epsilon})",
                   logx=True, markers=False, ax=ax_steps)


def adaptive_explorer() -> Interactive:
    """Chapitre 5 : les six méthodes du cours, avec leurs hyper-paramètres.

    Même figure que ``figures.optim.descent_explorer``. Les curseurs sans effet sur la
    méthode choisie sont grisés (le momentum pour AdaGrad, ρ₁ et ρ₂ hors d'Adam…) ; δ est
    commun à AdaGrad, RMSProp et Adam. Par défaut, Adam (pas 0.1) sur la quadratique mal
    conditionnée : le même pas ferait diverger la descente de gradient (stable seulement sous
    2 / λ_max ≈ 0.0038).
    """
    hyper = {
        "momentum": hyper_slider("momentum α", value=0.9, low=0.0, high=0.99),
        "rho": hyper_slider("ρ (RMSProp)", value=0.9, low=0.0, high=0.999, step=0.001),
        "beta1": hyper_slider("ρ₁ (Adam)", value=0.9, low=0.0, high=0.999, step=0.001),
        "beta2": hyper_slider("ρ₂ (Adam)", value=0.999, low=0.0, high=0.9999, step=0.0001),
        "eps": log_slider("δ", value=1e-8, min_exp=-10, max_exp=-1),
    }
    optimizers = tuple(name for name, spec in OPTIMIZERS.items() if spec.update is not None)
    return descent_view(optimizers, value="adam", lr_label="pas", lr=0.1, hyper=hyper,
                        reference=False)
