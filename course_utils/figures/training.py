"""L'apprentissage : l'effet du pas d'apprentissage sur la perte, mini-lot par mini-lot."""

from course_utils.plots import plot_losses
from course_utils.sweeps import Runs
from course_utils.widgets import Interactive, options_slider


def learning_rate_explorer(runs: Runs, *, reference: float) -> Interactive:
    """Courbe de perte par mini-lot d'un run de ``runs`` choisi par son pas, à côté de celle
    du pas ``reference``.

    runs : un balayage sur le pas (``sweep([RunConfig(lr=…) for …], …)``), un run par pas,
    dont les historiques gardent la perte de chaque mini-lot (``history.batch_loss``).
    """
    if not isinstance(runs, Runs) or not len(runs):
        raise TypeError("runs doit être un Runs non vide (résultat de sweeps.sweep)")
    rates = runs.values("lr")
    if reference not in rates:
        raise ValueError("reference doit être l'un des pas de runs, "
                         f"{', '.join(f'{lr:g}' for lr in rates)} (reçu : {reference!r})")
    if len(rates) != len(runs):
        raise ValueError("runs doit contenir un seul run par pas")

    def draw(lr):
        curves = {f"pas {reference:g} (référence)": runs.get(lr=reference).history.batch_loss,
                  f"pas {lr:g}": runs.get(lr=lr).history.batch_loss}
        return plot_losses(curves, title="Perte par mini-lot", smooth=20)

    return Interactive(draw, {"lr": options_slider("pas d'apprentissage", rates,
                                                   value=reference)})
