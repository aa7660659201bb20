"""Tests des initialiseurs de référence (course_utils.init) : mêmes lois que torch.nn.init,
vérifiées par des tests statistiques qui ne peuvent échouer par hasard qu'au plus une
fois sur un million, générateur respecté, erreurs en français."""

import math

import pytest
import torch
from torch import nn
from torch.nn import init as tinit

from course_utils import init
from course_utils.models import mlp

NBSP = "\u00a0"
Z = 5.0  # P(|N(0, 1)| > 5) = 2(1 − Φ(5)) ≈ 5.7e-7 < 1e-6
N_IN, N_OUT = 1024, 512  # matrice (m, n) = (512, 1024) : 524 288 poids
SHAPE = (N_OUT, N_IN)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _even_moment(law, spread, k):
    """E[w^(2k)] : a^(2k)/(2k + 1) pour U(−a, a), σ^(2k)·(2k − 1)!! pour N(0, σ²)."""
    if law == "uniform":
        return spread ** (2 * k) / (2 * k + 1)
    return spread ** (2 * k) * math.prod(range(1, 2 * k, 2))


def _assert_mean_close(samples, expected, variance, what):
    """|moyenne empirique − expected| ≤ Z · √(variance / N) (erreur standard de la moyenne)."""
    mean, n = samples.mean().item(), samples.numel()
    tol = Z * math.sqrt(variance / n)
    assert abs(mean - expected) <= tol, f"{what} : {mean:.6g} ≠ {expected:.6g} ± {tol:.2g}"


def assert_follows(w, law, spread):
    """Vérifie que les poids ``w`` suivent U(−a, a) (law="uniform", spread=a) ou N(0, σ²)
    (law="normal", spread=σ), par trois tests de moyenne empirique au seuil z = 5.

    Pour N tirages indépendants d'une variable X de moyenne μ et de variance v, la moyenne
    empirique a pour erreur standard √(v/N) ; par le théorème central limite (N ≥ 10⁵),
    P(|moyenne − μ| > 5 √(v/N)) ≈ 2(1 − Φ(5)) ≈ 5.7e-7 < 1e-6. La correction d'Edgeworth
    en 1/√N (asymétrie) s'annule entre les deux queues : chaque assertion échoue par
    hasard moins d'une fois sur un million.

    - moyenne : X = w, μ = 0, v = Var(w) = E[w²] (a²/3 ou σ²) ;
    - variance (moyenne connue, nulle) : X = w², μ = E[w²],
      v = Var(w²) = E[w⁴] − E[w²]² ; uniforme : a⁴/5 − a⁴/9 = 4a⁴/45 ; normale :
      3σ⁴ − σ⁴ = 2σ⁴ ;
    - forme de la loi : X = w⁴, μ = E[w⁴] (a⁴/5 ou 3σ⁴), v = E[w⁸] − E[w⁴]²
      (a⁸/9 − a⁸/25 = 16a⁸/225 ou 105σ⁸ − 9σ⁸ = 96σ⁸) : sépare uniforme et normale.

    Loi uniforme, en plus : max |w| ≤ a et les deux extrêmes proches de ±a. Pour chaque
    côté, P(max w < a(1 − ε)) = (1 − ε/2)^N ≤ e^(−εN/2) = e^(−16) ≈ 1.1e-7 avec ε = 32/N.
    """
    w = w.detach().double().flatten()
    m2, m4, m8 = (_even_moment(law, spread, k) for k in (1, 2, 4))
    _assert_mean_close(w, 0.0, m2, "moyenne")
    _assert_mean_close(w**2, m2, m4 - m2**2, "variance")
    _assert_mean_close(w**4, m4, m8 - m4**2, "moment d'ordre 4")
    if law == "uniform":
        eps = 32 / w.numel()
        assert w.abs().max().item() <= spread * (1 + 1e-6)
        assert w.max().item() >= spread * (1 - eps) and w.min().item() <= -spread * (1 - eps)


# (nom, le nôtre, celui de torch, loi, écart attendu pour une matrice (m, n) = SHAPE)
AGAINST_TORCH = [
    ("uniform_", lambda w, g: init.uniform_(w, bound=0.3, generator=g),
     lambda w, g: tinit.uniform_(w, -0.3, 0.3, generator=g), "uniform", 0.3),
    ("normal_", lambda w, g: init.normal_(w, std=0.7, generator=g),
     lambda w, g: tinit.normal_(w, 0.0, 0.7, generator=g), "normal", 0.7),
    ("xavier_uniform_", lambda w, g: init.xavier_uniform_(w, generator=g),
     lambda w, g: tinit.xavier_uniform_(w, generator=g), "uniform", math.sqrt(6 / 1536)),
    ("xavier_uniform_-gain", lambda w, g: init.xavier_uniform_(w, gain=2.0, generator=g),
     lambda w, g: tinit.xavier_uniform_(w, gain=2.0, generator=g), "uniform",
     2 * math.sqrt(6 / 1536)),
    ("xavier_normal_", lambda w, g: init.xavier_normal_(w, generator=g),
     lambda w, g: tinit.xavier_normal_(w, generator=g), "normal", math.sqrt(2 / 1536)),
    ("kaiming_uniform_", lambda w, g: init.kaiming_uniform_(w, generator=g),
     lambda w, g: tinit.kaiming_uniform_(w, generator=g), "uniform", math.sqrt(6 / N_IN)),
    ("kaiming_normal_", lambda w, g: init.kaiming_normal_(w, generator=g),
     lambda w, g: tinit.kaiming_normal_(w, generator=g), "normal", math.sqrt(2 / N_IN)),
]
IDS = [case[0] for case in AGAINST_TORCH]


@pytest.mark.parametrize(("name", "ours", "theirs", "law", "spread"), AGAINST_TORCH, ids=IDS)
def test_same_law_as_torch(name, ours, theirs, law, spread):
    assert_follows(ours(torch.empty(SHAPE), _gen(1)), law, spread)
    assert_follows(theirs(torch.empty(SHAPE), _gen(2)), law, spread)


@pytest.mark.parametrize(("name", "ours", "theirs", "law", "spread"), AGAINST_TORCH, ids=IDS)
def test_same_seed_gives_same_draw_as_torch(name, ours, theirs, law, spread):
    a, b = ours(torch.empty(SHAPE), _gen(3)), theirs(torch.empty(SHAPE), _gen(3))
    torch.testing.assert_close(a, b, rtol=1e-6, atol=0.0)


@pytest.mark.parametrize(("name", "ours", "theirs", "law", "spread"), AGAINST_TORCH, ids=IDS)
def test_generator_is_used_and_global_rng_untouched(name, ours, theirs, law, spread):
    state = torch.random.get_rng_state()
    a, b = ours(torch.empty(20, 30), _gen(4)), ours(torch.empty(20, 30), _gen(4))
    assert torch.equal(a, b)
    assert not torch.equal(a, ours(torch.empty(20, 30), _gen(5)))
    assert torch.equal(torch.random.get_rng_state(), state)


def test_without_generator_uses_global_rng():
    torch.manual_seed(7)
    a = init.xavier_uniform_(torch.empty(20, 30))
    torch.manual_seed(7)
    assert torch.equal(a, init.xavier_uniform_(torch.empty(20, 30)))


def test_in_place_on_parameter_without_autograd():
    weight = nn.Linear(30, 20).weight
    out = init.xavier_normal_(weight, generator=_gen(0))
    assert out is weight and weight.requires_grad and weight.grad_fn is None
    assert init.constant_(weight, -0.5) is weight and bool((weight == -0.5).all())
    tinit.constant_(expected := torch.empty(20, 30), -0.5)
    assert torch.equal(weight.detach(), expected)


def test_fan_in_and_fan_out_uses_linear_layout():
    assert init.fan_in_and_fan_out(nn.Linear(784, 120).weight) == (784, 120)
    assert init.fan_in_and_fan_out(torch.empty(SHAPE)) == (N_IN, N_OUT)


def test_nn_linear_default_is_the_first_solution():
    """nn.Linear(n, m) : poids U(−1/√n, 1/√n), de variance 1/(3n), comme fan_in_uniform_."""
    torch.manual_seed(8)
    layer = nn.Linear(N_IN, N_OUT)
    assert_follows(layer.weight, "uniform", 1 / math.sqrt(N_IN))
    assert layer.bias.abs().max().item() <= 1 / math.sqrt(N_IN)
    torch.manual_seed(8)
    ours = init.fan_in_uniform_(torch.empty(SHAPE))
    torch.testing.assert_close(ours, layer.weight.detach(), rtol=1e-6, atol=0.0)


def test_fan_in_uniform_law():
    assert_follows(init.fan_in_uniform_(torch.empty(SHAPE), generator=_gen(9)), "uniform",
                   1 / math.sqrt(N_IN))


# schéma → (loi, écart pour scale = 1 d'une couche (m, n)), réécrit indépendamment du module
SCHEMES = {
    "normal": ("normal", lambda n, m: 1.0),
    "fan_in_uniform": ("uniform", lambda n, m: n**-0.5),
    "xavier_uniform": ("uniform", lambda n, m: (6 / (n + m)) ** 0.5),
    "xavier_normal": ("normal", lambda n, m: (2 / (n + m)) ** 0.5),
    "kaiming_normal": ("normal", lambda n, m: (2 / n) ** 0.5),
    "kaiming_uniform": ("uniform", lambda n, m: (6 / n) ** 0.5),
}


def _std(law, spread):
    return spread / math.sqrt(3) if law == "uniform" else spread


@pytest.mark.parametrize("scale", [1.0, 0.1, 2.5])
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_initialize_mlp_follows_scheme(scheme, scale):
    model = mlp([N_IN, N_OUT, 256], activation="relu", seed=0)
    assert init.initialize_(model, scheme, scale=scale, generator=_gen(10)) is model
    law, spread = SCHEMES[scheme]
    for layer in (model[0], model[2]):
        m, n = layer.weight.shape
        assert torch.equal(layer.bias, torch.zeros(m))
        assert_follows(layer.weight, law, scale * spread(n, m))
        assert init.expected_std(scheme, n, m, scale=scale) == pytest.approx(
            _std(law, scale * spread(n, m)), rel=1e-12)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_initialize_scale_multiplies_the_same_draw(scheme):
    make = lambda: mlp([30, 20, 10], seed=0)  # noqa: E731
    base = init.initialize_(make(), scheme, generator=_gen(11))
    scaled = init.initialize_(make(), scheme, scale=2.5, generator=_gen(11))
    for a, b in zip(base.parameters(), scaled.parameters(), strict=True):
        torch.testing.assert_close(b, 2.5 * a, rtol=1e-6, atol=0.0)


def test_initialize_constant_and_global_rng():
    model = mlp([5, 4, 3], seed=0)
    state = torch.random.get_rng_state()
    init.initialize_(model, "constant", scale=0.25)
    assert all(bool((layer.weight == 0.25).all()) for layer in (model[0], model[2]))
    assert all(bool((layer.bias == 0).all()) for layer in (model[0], model[2]))
    init.initialize_(model, "xavier_uniform", generator=_gen(0))
    assert torch.equal(torch.random.get_rng_state(), state)


def test_expected_std_values():
    assert init.expected_std("constant", 10, 5, scale=3.0) == 0.0
    assert init.expected_std("normal", 10, 5, scale=0.3) == 0.3
    assert init.expected_std("fan_in_uniform", 300, 7) == pytest.approx(1 / 30)
    for n, m in [(784, 120), (10, 1000)]:
        assert init.expected_std("xavier_uniform", n, m) == pytest.approx(math.sqrt(2 / (n + m)))
        assert init.expected_std("xavier_normal", n, m) == pytest.approx(math.sqrt(2 / (n + m)))
        assert init.expected_std("kaiming_uniform", n, m) == pytest.approx(math.sqrt(2 / n))
        assert init.expected_std("kaiming_normal", n, m, scale=2) == pytest.approx(
            2 * math.sqrt(2 / n))


def test_registry_is_immutable_and_complete():
    assert list(init.INITIALIZERS) == ["constant", "normal", "fan_in_uniform",
                                       "xavier_uniform", "xavier_normal", "kaiming_normal",
                                       "kaiming_uniform"]
    with pytest.raises(TypeError):
        init.INITIALIZERS["zeros"] = init.constant_
    w = init.INITIALIZERS["kaiming_normal"](torch.empty(SHAPE), scale=0.5, generator=_gen(12))
    assert_follows(w, "normal", 0.5 * math.sqrt(2 / N_IN))


def test_invalid_scale_leaves_model_untouched():
    model = mlp([5, 4, 3], seed=0)
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(ValueError, match="scale"):
        init.initialize_(model, "xavier_uniform", scale=-1.0)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


ERRORS = [
    (lambda: init.fan_in_and_fan_out(torch.empty(5)), ValueError, ["matrice", "(5,)"]),
    (lambda: init.xavier_uniform_(torch.empty(5)), ValueError, ["(m, n)"]),
    (lambda: init.kaiming_normal_(torch.empty(0, 3)), ValueError, ["vide"]),
    (lambda: init.normal_(torch.empty(3), std=-1.0), ValueError, ["std", "≥ 0"]),
    (lambda: init.uniform_(torch.empty(3), bound=-0.1), ValueError, ["bound", "≥ 0"]),
    (lambda: init.uniform_(torch.empty(3), bound=math.nan), ValueError, ["bound", "fini"]),
    (lambda: init.xavier_normal_(torch.empty(3, 3), gain=-2), ValueError, ["gain"]),
    (lambda: init.constant_([1.0], 0.0), TypeError, ["torch.Tensor", "list"]),
    (lambda: init.normal_(torch.zeros(3, dtype=torch.long), std=1.0), TypeError, ["flottant"]),
    (lambda: init.uniform_(torch.empty(3), bound=True), TypeError, ["réel"]),
    (lambda: init.uniform_(torch.empty(3), bound=1.0, generator=0), TypeError, ["generator"]),
    (lambda: init.initialize_(mlp([3, 2]), "glorot"), ValueError,
     ["inconnu", "'glorot'", "'constant', 'normal', 'fan_in_uniform', 'xavier_uniform', "
      "'xavier_normal', 'kaiming_normal', 'kaiming_uniform'"]),
    (lambda: init.initialize_(nn.ReLU(), "normal"), ValueError, ["nn.Linear"]),
    (lambda: init.initialize_(lambda x: x, "normal"), TypeError, ["nn.Module"]),
    (lambda: init.expected_std("xavier", 3, 2), ValueError, ["inconnu", "xavier_uniform"]),
    (lambda: init.expected_std("normal", 0, 2), ValueError, ["n", "entier ≥ 1"]),
    (lambda: init.expected_std("normal", 3, 2, scale=-1.0), ValueError, ["scale"]),
]


@pytest.mark.parametrize(("call", "exc", "words"), ERRORS, ids=range(len(ERRORS)))
def test_errors_are_in_french(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    assert "\x20:" not in message and "\x20;" not in message  # typographie française


def test_scheme_names_are_french_and_cover_every_scheme():
    assert list(init.SCHEME_NAMES) == list(init.INITIALIZERS)
    assert all(name and "_" not in name for name in init.SCHEME_NAMES.values())
    assert init.SCHEME_NAMES["xavier_uniform"] == "Xavier uniforme"
