"""Petite base pour les widgets du cours (ipywidgets 8) : des contrôles liés à une figure.

``Interactive(draw, controls)`` affiche les contrôles au-dessus d'une zone de sortie et
appelle ``draw(**valeurs)`` à chaque changement. ``draw`` renvoie une figure matplotlib.
Tout se teste sans navigateur : on change ``control.value`` et on regarde ``.figure``.
"""

import io
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Image, display


def log_slider(description: str, *, value: float, min_exp: float, max_exp: float,
               step: float = 0.1) -> widgets.FloatLogSlider:
    """Curseur à échelle logarithmique : de 10**min_exp à 10**max_exp."""
    if not min_exp < max_exp:
        raise ValueError(f"min_exp doit être < max_exp (reçu : {min_exp}, {max_exp})")
    if not 10**min_exp <= value <= 10**max_exp:
        raise ValueError(f"value doit être entre 1e{min_exp:g} et 1e{max_exp:g} (reçu : {value})")
    return widgets.FloatLogSlider(
        value=value, base=10, min=min_exp, max=max_exp, step=step, description=description,
        continuous_update=False, readout_format=".3g", style={"description_width": "initial"},
    )


def choice(description: str, options, *, value=None) -> widgets.Dropdown:
    """Liste déroulante ; ``options`` est une liste ou un dictionnaire {étiquette : valeur}."""
    if not options:
        raise ValueError("options ne doit pas être vide")
    dropdown = widgets.Dropdown(options=options, description=description,
                                style={"description_width": "initial"})
    if value is not None:
        dropdown.value = value
    return dropdown


class Interactive:
    """Des contrôles (curseurs, listes) liés à une fonction de tracé.

    draw : fonction ``draw(**valeurs) -> Figure`` ; les noms de ses paramètres sont les
        clés de ``controls``.
    controls : ``{nom du paramètre : widget}``.
    """

    def __init__(self, draw: Callable, controls: dict[str, widgets.ValueWidget]):
        if not callable(draw):
            raise TypeError("draw doit être une fonction qui renvoie une figure")
        if not isinstance(controls, dict) or not controls:
            raise ValueError("controls doit être un dictionnaire non vide {nom : widget}")
        self.draw = draw
        self.controls = controls
        self.output = widgets.Output()
        self.figure = None  # dernière figure tracée
        self.n_draws = 0
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(controls.values())), self.output])
        self.redraw()

    def values(self) -> dict:
        """Valeurs actuelles des contrôles."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Retrace la figure avec les valeurs actuelles des contrôles.

        L'image est placée directement dans la zone de sortie du widget (et non affichée
        comme sortie de la cellule) : elle reste à jour dans JupyterLab et n'ajoute rien aux
        sorties enregistrées du notebook.
        """
        figure = self.draw(**self.values())
        self.n_draws += 1
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})  # plus rapide
        plt.close(figure)
        self.output.outputs = ()
        self.output.append_display_data(Image(data=buffer.getvalue(), format="png"))
        self.figure = figure

    def _ipython_display_(self) -> None:
        display(self.widget)


def options_slider(description: str, options, *, value=None) -> widgets.SelectionSlider:
    """Curseur sur une liste de valeurs précalculées (par exemple des pas d'apprentissage).

    ``options`` : liste de valeurs, ou de paires (étiquette, valeur).
    """
    if not options:
        raise ValueError("options ne doit pas être vide")
    slider = widgets.SelectionSlider(options=options, description=description,
                                     continuous_update=False,
                                     style={"description_width": "initial"})
    if value is not None:
        slider.value = value
    return slider
