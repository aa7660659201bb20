"""Petite base pour les widgets du cours (ipywidgets 8) : des contrôles liés à une figure.

``Interactive(draw, controls)`` affiche les contrôles au-dessus d'une zone de sortie et
appelle ``draw(**valeurs)`` à chaque changement. ``draw`` renvoie une figure matplotlib.
Tout se teste sans navigateur : on change ``control.value`` et on regarde ``.figure``.

Le rendu de l'image est la part la plus coûteuse d'un retracé : ``figure_png`` encode les
pixels de la figure sans passer par PIL, et ``Backdrop`` garde le fond d'une figure (ce qui
ne change pas d'un retracé à l'autre) pour ne dessiner que le reste par-dessus.

ipywidgets, ``IPython`` et matplotlib ne sont importés qu'à la création d'un widget ou au
premier rendu : importer ce module ne coûte presque rien.
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from course_utils import _figure_inputs, _validate

if TYPE_CHECKING:
    import ipywidgets as widgets
    from matplotlib.artist import Artist
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.transforms import Bbox


def log_slider(description: str, *, value: float, min_exp: float, max_exp: float,
               step: float = 0.1) -> widgets.FloatLogSlider:
    """Curseur à échelle logarithmique : de 10**min_exp à 10**max_exp."""
    import ipywidgets as widgets

    value, step = _validate.real("value", value), _validate.positive("step", step)
    min_exp, max_exp = _validate.real("min_exp", min_exp), _validate.real("max_exp", max_exp)
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
    import ipywidgets as widgets

    _figure_inputs.options(options, value)
    dropdown = widgets.Dropdown(options=options, description=description,
                                style={"description_width": "initial"})
    if value is not None:
        dropdown.value = value
    return dropdown


def options_slider(description: str, options, *, value=None) -> widgets.SelectionSlider:
    """Curseur sur une liste de valeurs précalculées (par exemple des pas d'apprentissage).

    ``options`` : liste de valeurs, ou de paires (étiquette, valeur).
    """
    import ipywidgets as widgets

    _figure_inputs.options(options, value)
    slider = widgets.SelectionSlider(options=options, description=description,
                                     continuous_update=False,
                                     style={"description_width": "initial"})
    if value is not None:
        slider.value = value
    return slider


# --- Rendu PNG ------------------------------------------------------------------------------


def png_bytes(rgba: np.ndarray, *, level: int = 1) -> bytes:
    """Image PNG (RGBA, 8 bits par canal) d'un tableau d'octets (hauteur, largeur, 4).

    Lignes sans filtre et compression ``zlib`` rapide (``level`` de 0 à 9) : deux à trois fois
    plus rapide que l'encodeur de PIL qu'utilise ``savefig`` (il essaie plusieurs filtres
    sur chaque ligne), pour un fichier à peine plus lourd ; les pixels sont les mêmes.
    """
    rgba = np.asarray(rgba)
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4 or 0 in rgba.shape:
        raise ValueError(f"rgba doit être un tableau d'octets non vide (hauteur, largeur, 4) "
                         f"(reçu : {rgba.dtype}, forme {rgba.shape})")
    level = _validate.integer("level", level, low=0, high=9)
    height, width = rgba.shape[:2]
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # 1er octet : « sans filtre »
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))
        for tag, body in ((b"IHDR", header), (b"IDAT", zlib.compress(rows, level)),
                          (b"IEND", b"")))


def _saved_as_drawn(figure: Figure) -> bool:
    """Vrai si ``savefig`` (réglages par défaut) enregistre les pixels que le canevas Agg de
    la figure affiche : même résolution, même fond, pas de recadrage."""
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    dpi = rcParams["savefig.dpi"]
    return (isinstance(figure.canvas, FigureCanvasAgg)
            and (dpi == "figure" or dpi == figure.dpi)
            and rcParams["savefig.facecolor"] == rcParams["savefig.edgecolor"] == "auto"
            and not rcParams["savefig.transparent"] and rcParams["savefig.bbox"] is None)


def figure_png(figure: Figure) -> bytes:
    """L'image PNG de ``figure.savefig(…, format="png")`` (mêmes pixels), plus vite : la
    figure est tracée dans son canevas Agg, puis encodée par ``png_bytes``. Si les réglages
    d'enregistrement de matplotlib diffèrent de l'affichage, ``savefig`` s'en charge."""
    _figure_inputs.figure("figure", figure)
    if not _saved_as_drawn(figure):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()
    figure.canvas.draw()
    return png_bytes(np.asarray(figure.canvas.buffer_rgba()))


def agg_figure(figsize: tuple[float, float]) -> Figure:
    """Figure tenue hors de pyplot (jamais affichée d'office en fin de cellule), avec son
    propre canevas Agg : on peut la retracer autant de fois qu'on veut sans la recréer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=_figure_inputs.figsize("figsize", figsize))
    FigureCanvasAgg(figure)  # s'attache à la figure : savefig le réutilise
    return figure


def touches(lines: Sequence[Line2D], box: Bbox) -> bool:
    """Vrai si l'une des lignes (segments et marqueurs) passe à moins de quelques pixels de
    ``box`` (en pixels) : ce qui est dessiné dans ``box`` par-dessus elles ne peut alors pas
    aller dans un fond tracé avant elles."""
    from matplotlib.lines import Line2D
    from matplotlib.path import Path
    from matplotlib.transforms import BboxBase

    _validate.instance("box", box, BboxBase, "une Bbox (en pixels)")
    _figure_inputs.artists("lines", lines, Line2D)
    for line in lines:
        if not line.get_visible() or not len(line.get_xdata()):
            continue
        xy = line.get_transform().transform(line.get_xydata())  # (n, 2) en pixels
        marker = line.get_marker() not in (None, "None", "", " ")
        size = line.get_linewidth() + (line.get_markersize() + 1 if marker else 0)  # points
        margin = 2 + size * line.figure.dpi / 72  # trait, marqueurs et anticrénelage
        if not np.isfinite(xy).all() or Path(xy).intersects_bbox(box.padded(margin),
                                                                 filled=False):
            return True
    return False


@contextmanager
def _ticks_computed_once(axis: Axis) -> Iterator[None]:
    """Pendant le bloc, les graduations de ``axis`` et les boîtes de leurs étiquettes ne sont
    calculées qu'une fois : matplotlib les recalcule deux fois de plus à chaque tracé de
    l'axe, pour placer son titre (``Axis._update_ticks`` et ``_get_ticklabel_bboxes``,
    méthodes internes : sans elles, rien ne change). Le bloc ne trace que l'axe."""
    names = [name for name in ("_update_ticks", "_get_ticklabel_bboxes") if hasattr(axis, name)]
    for name in names:
        setattr(axis, name, _once(getattr(axis, name)))
    try:
        yield
    finally:
        for name in names:
            delattr(axis, name)  # la méthode de la classe reprend sa place


def _once(method: Callable) -> Callable:
    """``method`` dont chaque résultat est gardé, par identité des arguments."""
    results = {}

    def cached(*args, **kwargs):
        key = tuple(map(id, args)) + tuple((name, id(v)) for name, v in kwargs.items())
        if key not in results:  # les arguments restent en vie avec le résultat
            results[key] = (args, kwargs, method(*args, **kwargs))
        return results[key][2]

    return cached


class Backdrop:
    """Le fond d'une figure, tracé une fois puis réutilisé : ses pixels sont copiés du
    canevas Agg (``copy_from_bbox``), puis recopiés (``restore_region``) avant chaque tracé.

    ``png(foreground, key=…, layers=…)`` trace d'abord la figure sans les artistes des
    couches (``layers``) ni du premier plan (``foreground``) : c'est le fond, gardé sous la
    clé ``key`` ; chaque couche ``(clé, artistes)`` y ajoute ses artistes, et l'image obtenue
    est gardée sous les clés jusqu'à elle. Au tracé suivant, seul le premier plan est
    redessiné, après les couches dont la clé a changé. Les pixels sont ceux de
    ``figure_png`` si chaque clé résume ce dont dépend son image et si les artistes suivent
    l'ordre où matplotlib dessine la figure (axes puis ``zorder``) : c'est à l'appelant d'y
    veiller (un titre d'axes, placé au tracé de ses axes, reste dans le fond). Sans canevas
    Agg, ou si ``savefig`` n'enregistrerait pas les pixels affichés, ``png`` revient à
    ``figure_png``.

    ``capacity`` : nombre d'images gardées (les moins récemment servies partent).
    """

    def __init__(self, figure: Figure, *, capacity: int = 16):
        self.figure = _figure_inputs.figure("figure", figure)
        self.capacity = _validate.integer("capacity", capacity, low=1)
        self.n_backgrounds = 0  # fonds tracés depuis la création (figure entière)
        self._regions = OrderedDict()  # clés → zone de pixels copiée du canevas

    def clear(self) -> None:
        """Oublie les images gardées (si la figure a changé hors de ce que disent les clés)."""
        self._regions.clear()

    def png(self, foreground: Sequence[Artist], *, key: Hashable = None,
            layers: Sequence[tuple[Hashable, Sequence[Artist]]] = ()) -> bytes:
        """Image PNG : le fond de clé ``key``, les couches ``[(clé, artistes), …]``, puis
        ``foreground``."""
        _figure_inputs.artists("foreground", foreground)
        _figure_inputs.layers("layers", layers)
        figure, canvas = self.figure, self.figure.canvas
        if not _saved_as_drawn(figure):
            return figure_png(figure)
        keys = [(figure.dpi, canvas.get_width_height(physical=True), key)]  # fond, couches
        for layer_key, _ in layers:
            keys.append((*keys[-1], layer_key))
        depth = max((i for i, known in enumerate(keys) if known in self._regions), default=-1)
        if depth < 0:
            hidden = [artist for _, artists in layers for artist in artists]
            hidden = [artist for artist in [*hidden, *foreground] if artist.get_visible()]
            for artist in hidden:
                artist.set_visible(False)
            try:
                canvas.draw()
            finally:
                for artist in hidden:
                    artist.set_visible(True)
            self.n_backgrounds += 1
            self._keep(keys[0])
            depth = 0
        else:
            canvas.restore_region(self._regions[keys[depth]])
            self._regions.move_to_end(keys[depth])
        renderer = canvas.get_renderer()
        for (_, artists), key in zip(layers[depth:], keys[depth + 1:], strict=True):
            _draw(artists, renderer)
            self._keep(key)
        _draw(foreground, renderer)
        return png_bytes(np.asarray(canvas.buffer_rgba()))

    def _keep(self, key) -> None:
        self._regions[key] = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self._regions.move_to_end(key)
        while len(self._regions) > self.capacity:
            self._regions.popitem(last=False)


def _draw(artists, renderer) -> None:
    """Dessine les artistes visibles ; un axe seul calcule ses graduations une fois."""
    from matplotlib.axis import Axis

    for artist in artists:
        if not artist.get_visible():
            continue
        if isinstance(artist, Axis):
            with _ticks_computed_once(artist):
                artist.draw(renderer)
        else:
            artist.draw(renderer)


# --- Le widget ------------------------------------------------------------------------------


class Interactive:
    """Des contrôles (curseurs, listes) liés à une fonction de tracé.

    ``draw`` : fonction ``draw(**valeurs) -> Figure`` ; les noms de ses paramètres sont les
        clés de ``controls``.
    ``controls`` : ``{nom du paramètre : widget}``.
    ``render`` : fonction ``render(figure) -> bytes`` qui produit l'image PNG affichée ;
        par défaut ``figure_png`` (une figure qui garde son fond en cache fournit la sienne).
    """

    def __init__(self, draw: Callable, controls: dict[str, widgets.ValueWidget], *,
                 render: Callable | None = None):
        import ipywidgets as widgets

        if not callable(draw):
            raise TypeError("draw doit être une fonction qui renvoie une figure")
        if not isinstance(controls, dict) or not controls:
            raise ValueError("controls doit être un dictionnaire non vide {nom : widget}")
        if any(not isinstance(k, str) or not isinstance(c, widgets.ValueWidget)
               for k, c in controls.items()):
            raise TypeError("controls doit associer un widget à chaque nom "
                            f"(reçu : {controls!r:.60})")
        if render is not None and not callable(render):
            raise TypeError("render doit être une fonction qui renvoie une image PNG")
        self.draw = draw
        self.controls = controls
        self.render = render or figure_png
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
        from IPython.display import Image

        figure = self.draw(**self.values())
        self.n_draws += 1
        png = self.render(figure)
        pyplot = sys.modules.get("matplotlib.pyplot")  # une figure de pyplot l'a importé
        if pyplot is not None:
            pyplot.close(figure)
        self.output.outputs = ()
        self.output.append_display_data(Image(data=png, format="png"))
        self.figure = figure

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
