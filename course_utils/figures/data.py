"""Les données : parcourir MNIST mini-lot par mini-lot."""

from course_utils import _validate
from course_utils.data import Dataset
from course_utils.plots import show_images
from course_utils.widgets import Interactive, options_slider


def batch_explorer(data: Dataset, *, batch_size: int = 16, n_batches: int = 50) -> Interactive:
    """Parcourt les ``n_batches`` premiers mini-lots de ``batch_size`` images de ``data``
    (x : (N, 784), dans l'ordre du jeu), avec leur classe."""
    if not isinstance(data, Dataset):
        raise TypeError(f"data doit être un Dataset (par ex. load_mnist().train) "
                        f"(reçu : {type(data).__name__})")
    batch_size = _validate.integer("batch_size", batch_size, low=1)
    n_batches = _validate.integer("n_batches", n_batches, low=1)
    if len(data) < batch_size * n_batches:
        raise ValueError(f"data doit contenir au moins {batch_size * n_batches} images "
                         f"(reçu : {len(data)})")

    def draw(batch):
        chosen = slice(batch_size * batch, batch_size * (batch + 1))
        return show_images(data.x[chosen], data.y[chosen], title=f"Mini-lot n° {batch}")

    return Interactive(draw, {"batch": options_slider("mini-lot n°", list(range(n_batches)))})
