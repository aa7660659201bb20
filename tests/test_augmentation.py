"""Tests de l'augmentation de données (course_utils.augmentation) : décalages contre
torch.roll, rotations contre torch.rot90, fond préservé ; Mixup, Cutout et CutMix par leurs
propriétés (cibles douces de somme 1, poids de CutMix = fraction d'aire réellement collée,
Cutout = size² pixels ou moins au bord) ; loi de λ ; déterminisme sous un générateur sans
toucher au générateur global ; le crochet Augmentation et les réglages du chapitre ;
erreurs en français."""

import math

import pytest
import torch
import torch.nn.functional as F

from course_utils.augmentation import (
    AUGMENTATION_NAMES,
    AUGMENTATIONS,
    BACKGROUND,
    Augmentation,
    _box,
    _box_mask,
    cutmix,
    cutout,
    gaussian_noise,
    mixup,
    mixup_batch,
    random_rotation,
    random_shift,
    rotate,
    shift,
)
from course_utils.data import normalize
from course_utils.models import mlp
from course_utils.training import train

DELTA = 1e-7


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _digits(n: int, seed: int = 0, border: int = 0) -> torch.Tensor:
    """n « images » normalisées (n, 784) : fond noir, intérieur aléatoire à ``border`` du bord."""
    images = torch.full((n, 28, 28), BACKGROUND)
    inner = torch.rand(n, 28 - 2 * border, 28 - 2 * border, generator=_gen(seed))
    images[:, border:28 - border, border:28 - border] = normalize(inner)
    return images.reshape(n, 784)


def _rectangle(mask: torch.Tensor) -> tuple[int, int, int, int] | None:
    """(r0, r1, c0, c1) si le masque booléen (28, 28) est exactement un rectangle plein."""
    rows, cols = mask.any(1).nonzero().flatten(), mask.any(0).nonzero().flatten()
    if len(rows) == 0:
        return None
    r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    expected = torch.zeros_like(mask)
    expected[r0:r1, c0:c1] = True
    return (r0, r1, c0, c1) if torch.equal(mask, expected) else None


# --- Décalages et rotations -----------------------------------------------------------------


def test_background_is_a_normalised_black_pixel():
    assert BACKGROUND == pytest.approx((0 - 0.1307) / 0.3081)


def test_shift_matches_torch_roll_when_the_border_is_background():
    x = _digits(4, border=3)
    offsets = torch.tensor([[1, -2], [-3, 3], [0, 0], [2, 1]])
    out = shift(x, offsets).reshape(4, 28, 28)
    for i, (dy, dx) in enumerate(offsets.tolist()):
        assert torch.equal(out[i], torch.roll(x.reshape(4, 28, 28)[i], (dy, dx), dims=(0, 1)))


def test_shift_fills_with_background():
    x = torch.zeros(1, 784)  # aucun pixel de fond : ce qui entre est du fond
    out = shift(x, torch.tensor([[2, -1]])).reshape(28, 28)
    assert (out[:2] == BACKGROUND).all() and (out[:, -1:] == BACKGROUND).all()
    assert (out[2:, :-1] == 0).all()
    assert (shift(x, torch.tensor([[1, 1]]), background=0.5).reshape(28, 28)[0] == 0.5).all()


def test_random_shift_keeps_shape_content_and_background():
    x = _digits(50, border=2)
    out = random_shift(x, max_shift=2, generator=_gen(1))
    assert out.shape == x.shape and out.dtype == x.dtype
    # bord de 2 pixels en fond et décalage ≤ 2 : aucun pixel ne sort, rien n'est perdu
    assert torch.allclose(out.sort(1).values, x.sort(1).values)
    assert torch.equal(random_shift(x, max_shift=0, generator=_gen(1)), x)
    blank = torch.full((3, 784), BACKGROUND)
    assert torch.equal(random_shift(blank, max_shift=5, generator=_gen(2)), blank)


def test_rotate_matches_rot90_and_zero_is_identity():
    x = _digits(3, seed=3)
    images = x.reshape(3, 28, 28)
    quarter = rotate(x, torch.full((3,), 90.0)).reshape(3, 28, 28)
    assert torch.allclose(quarter, torch.rot90(images, 1, dims=(1, 2)), atol=1e-5)
    half = rotate(x, torch.full((3,), -180.0)).reshape(3, 28, 28)
    assert torch.allclose(half, torch.rot90(images, 2, dims=(1, 2)), atol=1e-5)
    assert torch.allclose(rotate(x, torch.zeros(3)), x, atol=1e-5)


def test_rotation_fills_corners_with_background():
    white = torch.full((2, 784), normalize(1.0))
    out = rotate(white, torch.tensor([45.0, -30.0])).reshape(2, 28, 28)
    assert torch.allclose(out[:, 0, 0], torch.full((2,), BACKGROUND))  # coin hors du cadre
    assert torch.allclose(out[:, 14, 14], white[:, 0])  # centre inchangé
    assert out.min() >= BACKGROUND - 1e-5 and out.max() <= white.max() + 1e-5
    blank = torch.full((4, 784), BACKGROUND)
    assert torch.allclose(random_rotation(blank, max_degrees=40, generator=_gen(4)), blank,
                          atol=1e-6)
    out = random_rotation(_digits(5), generator=_gen(5))
    assert out.shape == (5, 784) and torch.isfinite(out).all()


def test_gaussian_noise_statistics():
    x = torch.zeros(200, 500)
    noise = gaussian_noise(x, std=0.3, generator=_gen(6))
    assert noise.shape == x.shape
    assert abs(noise.mean().item()) < 5 * 0.3 / math.sqrt(x.numel())
    assert noise.std().item() == pytest.approx(0.3, rel=0.01)
    assert torch.equal(gaussian_noise(x, std=0.0, generator=_gen(6)), x)


# --- Mixup, Cutout, CutMix --------------------------------------------------------------------


def _partners(y_soft: torch.Tensor, y: torch.Tensor):
    """Pour des étiquettes toutes différentes : (λ, partenaire de chaque exemple)."""
    own = y_soft.gather(1, y[:, None]).flatten()
    lam = own.min().item()  # un exemple mélangé à un autre (les points fixes donnent 1)
    other = y_soft.scatter(1, y[:, None], 0.0).argmax(1)
    return lam, torch.where(own > 1 - 1e-6, y, other)


def test_mixup_is_a_convex_mix_with_a_permutation_partner():
    x, y = _digits(10, seed=7), torch.arange(10)
    for seed in range(20):
        x_mix, y_soft = mixup(x, y, alpha=1.0, generator=_gen(seed))
        assert torch.allclose(y_soft.sum(1), torch.ones(10)) and (y_soft >= 0).all()
        lam, partner = _partners(y_soft, y)
        assert sorted(partner.tolist()) == list(range(10))  # une permutation
        assert torch.allclose(x_mix, lam * x + (1 - lam) * x[partner], atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.2, 1.0])
def test_mixup_lambda_follows_beta(alpha):
    """E[λ] = 1/2 et E[λ²] = 1/4 + 1/(4(2α + 1)) pour λ ~ Beta(α, α) (λ ∈ [0, 1])."""
    x, y, n = _digits(10, seed=8), torch.arange(10), 2000
    gen = _gen(9)
    lams = torch.tensor([_partners(mixup(x, y, alpha=alpha, generator=gen)[1], y)[0]
                         for _ in range(n)], dtype=torch.float64)
    t = math.sqrt(math.log(2 / DELTA) / (2 * n))  # Hoeffding
    assert abs(lams.mean().item() - 0.5) < t
    assert abs((lams**2).mean().item() - (0.25 + 1 / (4 * (2 * alpha + 1)))) < t


def test_mixup_batch_formula():
    x, y = torch.randn(4, 6), F.one_hot(torch.tensor([0, 1, 2, 1]), 3).float()
    perm = torch.tensor([2, 0, 3, 1])
    x_mix, y_mix = mixup_batch(x, y, 0.25, perm)
    assert torch.allclose(x_mix[1], 0.25 * x[1] + 0.75 * x[0])
    assert torch.allclose(y_mix[1], torch.tensor([0.75, 0.25, 0.0]))


def test_box_rule_at_the_borders():
    """Côté 8 : rangées cy − 4 … cy + 3, rognées à [0, 28) ; 64 pixels au centre, 16 dans
    un coin (0, 0), 25 dans le coin (27, 27)."""
    r0, r1, c0, c1 = _box(8, torch.tensor([[14, 14], [0, 0], [27, 27], [3, 20]]))
    assert r0.tolist() == [10, 0, 23, 0] and r1.tolist() == [18, 4, 28, 7]
    mask = _box_mask(r0, r1, c0, c1)
    assert mask.shape == (4, 1, 28, 28)
    assert mask.sum((1, 2, 3)).tolist() == [64, 16, 25, 56]


def test_cutout_sets_one_clipped_square_to_background_and_keeps_labels():
    x, y, size = torch.ones(500, 784), torch.randint(0, 10, (500,), generator=_gen(10)), 8
    out, y_soft = cutout(x, y, size=size, generator=_gen(11))
    assert torch.equal(y_soft, F.one_hot(y, 10).float())
    changed = (out != 1).reshape(500, 28, 28)
    assert (out[out != 1] == BACKGROUND).all()
    areas = []
    for mask in changed:
        r0, r1, c0, c1 = _rectangle(mask)
        assert size - size // 2 <= r1 - r0 <= size and size - size // 2 <= c1 - c0 <= size
        inside = r0 > 0 and c0 > 0 and r1 < 28 and c1 < 28
        assert not inside or (r1 - r0, c1 - c0) == (size, size)
        areas.append((r1 - r0) * (c1 - c0))
    assert max(areas) == size**2 and min(areas) < size**2  # rognés au bord : moins de 64


def test_cutmix_label_weight_is_the_pasted_area_fraction():
    n, clipped = 8, 0
    x = torch.arange(1.0, n + 1)[:, None].expand(n, 784).contiguous()  # image i : la valeur i + 1
    y = torch.arange(n)
    for seed in range(40):
        out, y_soft = cutmix(x, y, alpha=1.0, generator=_gen(seed))
        assert torch.allclose(y_soft.sum(1), torch.ones(n))
        for i in range(n):
            pasted = (out[i] != x[i, 0]).reshape(28, 28)
            a = pasted.sum().item() / 784
            if a == 0:  # boîte vide ou partenaire = soi-même
                assert y_soft[i, i].item() == pytest.approx(1.0, abs=1e-6)
                continue
            partner = int(out[i][pasted.flatten()][0].item()) - 1
            box = _rectangle(pasted)
            assert box is not None and (out[i][pasted.flatten()] == partner + 1).all()
            clipped += box[0] == 0 or box[2] == 0 or box[1] == 28 or box[3] == 28
            assert y_soft[i, partner].item() == pytest.approx(a, abs=1e-6)
            assert y_soft[i, i].item() == pytest.approx(1 - a, abs=1e-6)
    assert clipped > 0  # des boîtes rognées au bord ont bien été rencontrées


RANDOM_FUNCTIONS = {
    "random_shift": lambda x, y, g: random_shift(x, generator=g),
    "random_rotation": lambda x, y, g: random_rotation(x, generator=g),
    "gaussian_noise": lambda x, y, g: gaussian_noise(x, std=0.5, generator=g),
    "mixup": lambda x, y, g: mixup(x, y, generator=g),
    "cutout": lambda x, y, g: cutout(x, y, generator=g),
    "cutmix": lambda x, y, g: cutmix(x, y, generator=g),
}


@pytest.mark.parametrize("name", list(RANDOM_FUNCTIONS))
def test_determinism_under_a_generator_and_global_rng_untouched(name):
    fn, x, y = RANDOM_FUNCTIONS[name], _digits(16, seed=12), torch.arange(16) % 10

    def as_tuple(out):
        return out if isinstance(out, tuple) else (out,)

    state = torch.get_rng_state()
    first, again = as_tuple(fn(x, y, _gen(13))), as_tuple(fn(x, y, _gen(13)))
    other = as_tuple(fn(x, y, _gen(14)))
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True))
    assert first[0].shape == x.shape and first[0].dtype == x.dtype


# --- Le crochet de train et les réglages du chapitre ---------------------------------------


def test_augmentation_is_a_batch_hook_for_train(blobs):
    x, y, g = _digits(6), torch.arange(6), _gen(15)
    shifted = Augmentation((random_shift, {"max_shift": 1}))
    assert repr(shifted) == "Augmentation(random_shift, max_shift=1)"
    out, target = shifted.on_batch(x, y, g)
    assert target is y and out.shape == x.shape
    out, target = Augmentation((random_shift, {}), (cutmix, {"alpha": 0.5})).on_batch(x, y, g)
    assert target.shape == (6, 10) and torch.allclose(target.sum(1), torch.ones(6))
    with pytest.raises(ValueError, match="placez-la en dernier"):
        Augmentation((mixup, {}), (cutout, {})).on_batch(x, y, g)
    model = mlp([784, 16, 3], activation="relu", seed=0)
    history = train(model, blobs.train, torch.optim.SGD(model.parameters(), lr=0.05), epochs=2,
                    batch_size=30, eval_data=blobs.test, progress=None,
                    hooks=[Augmentation((mixup, {"num_classes": 3}))])
    assert history.eval_acc[-1] > 0.9


def test_the_chapter_presets_have_french_names_and_draw_from_the_training_generator():
    assert list(AUGMENTATIONS) == list(AUGMENTATION_NAMES)
    x, y = _digits(8, seed=16), torch.arange(8) % 10
    for name, hook in AUGMENTATIONS.items():
        first, again = hook.on_batch(x, y, _gen(17)), hook.on_batch(x, y, _gen(17))
        assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True)), name
        assert first[0].shape == x.shape and not torch.equal(first[0], x), name
    assert AUGMENTATIONS["noise"].on_batch(x, y, _gen(18))[1] is y


# --- Erreurs en français --------------------------------------------------------------------


@pytest.mark.parametrize(("call", "exc", "words"), [
    (lambda: random_shift(torch.ones(2, 783)), ValueError, "(…, 784)"),
    (lambda: random_shift(torch.ones(2, 784, dtype=torch.long)), TypeError, "flottant"),
    (lambda: random_shift(torch.ones(2, 784), max_shift=-1), ValueError, "max_shift"),
    (lambda: random_rotation(torch.ones(2, 784), max_degrees=-5), ValueError, "max_degrees"),
    (lambda: random_rotation(torch.ones(2, 784), generator=1), TypeError, "torch.Generator"),
    (lambda: gaussian_noise(torch.ones(3), std=-1.0), ValueError, "std"),
    (lambda: mixup(torch.ones(2, 784), torch.tensor([0, 1]), alpha=0.0), ValueError, "Beta"),
    (lambda: mixup(torch.ones(2, 784), torch.tensor([0, 10])), ValueError, "entre 0 et 9"),
    (lambda: mixup(torch.ones(2, 784), torch.tensor([0.0, 1.0])), TypeError, "int64"),
    (lambda: mixup_batch(torch.ones(2, 3), torch.ones(2, 4), 1.5, torch.tensor([1, 0])),
     ValueError, "lam"),
    (lambda: mixup_batch(torch.ones(2, 3), torch.ones(3, 4), 0.5, torch.tensor([1, 0])),
     ValueError, "y_onehot"),
    (lambda: cutout(torch.ones(2, 784), torch.tensor([0, 1]), size=0), ValueError, "size"),
    (lambda: cutmix(torch.ones(3, 784), torch.tensor([0, 1])), ValueError, "(3,)"),
    (lambda: shift(torch.ones(2, 784), torch.zeros(2, 3, dtype=torch.long)), ValueError,
     "offsets"),
    (lambda: rotate(torch.ones(2, 784), torch.zeros(3)), ValueError, "degrees"),
    (lambda: Augmentation((torch.relu, {})), ValueError, "random_shift"),
    (lambda: Augmentation((mixup, {"alpha": 0.2, "beta": 1})), TypeError, "beta"),
    (lambda: Augmentation(), ValueError, "au moins un couple"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_argument_errors_are_in_french(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    assert words in message
    assert "\x20:" not in message and "\x20;" not in message  # typographie française
