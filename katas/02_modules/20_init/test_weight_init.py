"""Spec for modules/init: fans, xavier_std, kaiming_std, orthogonal and init_.

Oracles nobody here wrote: ``torch.nn.init``'s fan computation and ``calculate_gain``, large
samples drawn by ``torch.nn.init.xavier_normal_``, and ``torch.linalg`` for orthogonality.
Weights are checked statistically on layers big enough that the tolerances are many standard
errors wide. While the learner's functions run, ``torch.nn.init`` is switched off: deriving the
numbers is the exercise.
"""

import inspect
from collections.abc import Callable
from typing import TypeVar

import pytest
import torch
from torch import nn
from weight_init import fans, init_, kaiming_std, orthogonal, xavier_std

from katakit.testing import assert_shape, assert_tensor

T = TypeVar("T")
SCHEMES = ["xavier", "kaiming", "orthogonal"]


def derived(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call the learner's code with every function of torch.nn.init switched off."""

    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError(
            f"{fn.__name__} called torch.nn.init (or reset_parameters, which uses it): derive "
            "the numbers yourself and fill the tensors with Tensor.normal_ / copy_ / zero_"
        )

    with pytest.MonkeyPatch.context() as patch:
        for name, obj in vars(nn.init).items():
            if inspect.isfunction(obj) and obj.__module__ == nn.init.__name__:
                patch.setattr(nn.init, name, forbidden)
        return fn(*args, **kwargs)


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def moments(w: torch.Tensor) -> tuple[float, float, float]:
    """Mean, standard deviation and kurtosis (3 for a normal, 1.8 for a uniform)."""
    w = w.detach().double().flatten()
    mean, std = float(w.mean()), float(w.std())
    kurtosis = float(((w - mean) ** 4).mean()) / std**4
    return mean, std, kurtosis


def check_normal(w: torch.Tensor, std: float, what: str) -> None:
    mean, got, kurtosis = moments(w)
    assert abs(got / std - 1) < 0.03, (
        f"{what}: the weights' standard deviation should be {std:.5f}, got {got:.5f} "
        f"({got / std:.2f} times too {'big' if got > std else 'small'})"
    )
    assert abs(mean) < 0.05 * std, f"{what}: the weights should have mean 0, got {mean:.5f}"
    assert abs(kurtosis - 3) < 0.25, (
        f"{what}: the weights' kurtosis is {kurtosis:.2f}; a normal distribution has 3, a "
        "uniform one 1.8: draw from a normal distribution"
    )


def check_orthonormal_rows_or_cols(w: torch.Tensor, what: str) -> None:
    w = w.detach().double().flatten(1)
    rows, cols = w.shape
    gram = w @ w.T if rows <= cols else w.T @ w
    assert_tensor(
        gram,
        torch.eye(min(rows, cols), dtype=torch.float64),
        what=f"{what}: W @ W.T for a ({rows}, {cols}) weight (W.T @ W when it is tall) should be "
        "the identity",
        atol=1e-4,
        rtol=0,
    )


@pytest.mark.parametrize(
    "shape", [(7, 3), (3, 7), (16, 4, 3, 3), (5, 2, 7), (4, 6, 1, 1), (2, 3, 2, 3, 4)], ids=str
)
def test_fans_match_torch(shape: tuple[int, ...]) -> None:
    weight = torch.empty(shape)
    want = nn.init._calculate_fan_in_and_fan_out(weight)
    got = derived(fans, weight)
    assert tuple(got) == tuple(want), (
        f"fans of a {shape} weight: torch says (fan_in, fan_out) = {want}, got {got}. Weights "
        "are (out, in, *kernel): each input or output channel counts once per kernel position"
    )


def test_fans_refuse_a_vector() -> None:
    with pytest.raises(ValueError, match="2"):
        derived(fans, torch.empty(5))


@pytest.mark.parametrize(
    ("fan_in", "fan_out", "gain"), [(512, 256, 1.0), (100, 300, 5 / 3), (64, 64, 0.5)]
)
def test_xavier_std_matches_torch_samples(fan_in: int, fan_out: int, gain: float) -> None:
    generator, draws = seeded(fan_in), []
    for _ in range(-(-1_000_000 // (fan_in * fan_out))):  # about a million samples in all
        draws.append(nn.init.xavier_normal_(torch.empty(fan_out, fan_in), gain, generator))
    sampled = float(torch.cat([d.flatten() for d in draws]).std())
    got = derived(xavier_std, fan_in, fan_out, gain=gain)
    assert abs(got / sampled - 1) < 0.01, (
        f"xavier_std({fan_in}, {fan_out}, gain={gain:.3f}): torch.nn.init.xavier_normal_ "
        f"draws with std {sampled:.5f}, got {got:.5f}. Glorot keeps the variance of the "
        "activations and of the gradients in balance: it uses both fans"
    )


def test_xavier_std_default_gain() -> None:
    got = derived(xavier_std, 30, 70)
    assert abs(got - 0.1414213) < 1e-5, f"xavier_std(30, 70) should be 0.14142, got {got}"


@pytest.mark.parametrize(("fan_in", "slope"), [(576, 0.0), (100, 0.2), (49, 0.01), (8, 1.0)])
def test_kaiming_std_matches_torch_gain(fan_in: int, slope: float) -> None:
    want = nn.init.calculate_gain("leaky_relu", slope) / fan_in**0.5
    got = derived(kaiming_std, fan_in, negative_slope=slope)
    assert abs(got / want - 1) < 1e-6, (
        f"kaiming_std({fan_in}, negative_slope={slope}): expected {want:.6f} (torch's gain for "
        f"leaky_relu divided by sqrt(fan_in)), got {got:.6f}. ReLU zeroes half the signal, so "
        "He doubles the variance; a leaky slope lets some through"
    )


def test_kaiming_std_default_is_relu() -> None:
    got = derived(kaiming_std, 50)
    assert abs(got - 0.2) < 1e-9, f"kaiming_std(50) (plain ReLU) should be 0.2, got {got}"


@pytest.mark.parametrize(("rows", "cols"), [(64, 64), (32, 96), (96, 32), (1, 10), (10, 1)])
def test_orthogonal_is_orthogonal(rows: int, cols: int) -> None:
    w = derived(orthogonal, rows, cols, seeded(rows + cols))
    assert isinstance(w, torch.Tensor), f"orthogonal should return a tensor, got {type(w)}"
    assert_shape(w, (rows, cols), f"orthogonal({rows}, {cols})")
    assert w.dtype == torch.float32, f"orthogonal should return float32, got {w.dtype}"
    check_orthonormal_rows_or_cols(w, f"orthogonal({rows}, {cols})")


def test_orthogonal_is_random_not_a_permutation() -> None:
    a = derived(orthogonal, 64, 64, seeded(1))
    b = derived(orthogonal, 64, 64, seeded(2))
    again = derived(orthogonal, 64, 64, seeded(1))
    assert_tensor(again, a, what="orthogonal with a generator seeded the same", atol=0, rtol=0)
    assert not torch.allclose(a, b), "orthogonal gave the same matrix for two different seeds"
    assert float(a.abs().max()) < 0.7, (
        f"the largest entry of a 64x64 orthogonal init is {float(a.abs().max()):.2f}: an "
        "identity or permutation is orthogonal but not random; orthogonalise a random matrix"
    )


def test_orthogonal_signs_are_symmetric() -> None:
    corner = [float(derived(orthogonal, 8, 8, seeded(s))[0, 0]) for s in range(24)]
    negative = sum(v < 0 for v in corner)
    assert 4 <= negative <= 20, (
        f"entry (0, 0) was negative in {negative} of 24 seeded draws: a random orthogonal "
        "matrix has no preferred sign. QR alone fixes the signs of R's diagonal, which biases "
        "Q's columns; flip each column by the sign of R's diagonal entry"
    )


@pytest.mark.parametrize(
    ("scheme", "std"), [("xavier", (2 / (512 + 256)) ** 0.5), ("kaiming", (2 / 512) ** 0.5)]
)
def test_init_linear_draws_the_right_normal(scheme: str, std: float) -> None:
    layer = nn.Linear(512, 256)
    out = derived(init_, layer, scheme, seeded(3))
    assert out is layer, "init_ should return the module it was given (handy for chaining)"
    check_normal(layer.weight, std, f"init_(nn.Linear(512, 256), {scheme!r})")
    assert_tensor(layer.bias.detach(), torch.zeros(256), what="the bias after init_ (all zeros)")


@pytest.mark.parametrize(
    ("scheme", "std"),
    [("xavier", (2 / (64 * 9 + 32 * 9)) ** 0.5), ("kaiming", (2 / (64 * 9)) ** 0.5)],
)
def test_init_conv_uses_the_receptive_field(scheme: str, std: float) -> None:
    conv = nn.Conv2d(64, 32, kernel_size=3)
    derived(init_, conv, scheme, seeded(4))
    check_normal(conv.weight, std, f"init_(nn.Conv2d(64, 32, 3), {scheme!r}) (fans count the 3x3)")
    assert_tensor(conv.bias.detach(), torch.zeros(32), what="the conv bias after init_")


@pytest.mark.parametrize(
    "layer", [nn.Linear(96, 48), nn.Linear(48, 96), nn.Conv2d(16, 24, 3)], ids=str
)
def test_init_orthogonal_layers(layer: nn.Module) -> None:
    derived(init_, layer, "orthogonal", seeded(5))
    check_orthonormal_rows_or_cols(layer.weight, f"init_({layer}, 'orthogonal')")
    assert not bool(layer.bias.any()), f"the bias of {layer} after init_ should be all zeros"


def test_init_walks_every_layer_and_leaves_others_alone() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(32, 64, 3),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.Flatten(),
        nn.Sequential(nn.Linear(400, 300), nn.Linear(300, 200, bias=False)),
    )
    derived(init_, model, "kaiming", seeded(6))
    check_normal(model[0].weight, (2 / 288) ** 0.5, "the conv inside a Sequential")
    check_normal(model[4][0].weight, (2 / 400) ** 0.5, "a Linear in a nested Sequential")
    check_normal(model[4][1].weight, (2 / 300) ** 0.5, "a Linear without bias")
    assert bool((model[1].weight == 1).all()) and not bool(model[1].bias.any()), (
        "init_ changed the BatchNorm2d's weight or bias: only Linear and Conv2d layers are "
        "initialised"
    )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_init_is_reproducible_with_a_generator(scheme: str) -> None:
    a, b, c = nn.Linear(20, 10), nn.Linear(20, 10), nn.Linear(20, 10)
    derived(init_, a, scheme, seeded(7))
    derived(init_, b, scheme, seeded(7))
    derived(init_, c, scheme, seeded(8))
    assert_tensor(b.weight, a.weight, what=f"two {scheme} inits with the same seed", atol=0, rtol=0)
    assert not torch.equal(a.weight, c.weight), f"{scheme} with two seeds gave the same weights"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_init_without_a_generator_uses_torch_seed(scheme: str) -> None:
    a, b = nn.Linear(20, 10), nn.Linear(20, 10)
    torch.manual_seed(9)
    derived(init_, a, scheme)
    torch.manual_seed(9)
    derived(init_, b, scheme)
    assert_tensor(b.weight, a.weight, what=f"{scheme} after torch.manual_seed(9) twice")


def test_init_rejects_an_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="uniform"):
        derived(init_, nn.Linear(3, 2), "uniform")


def deep_relu_rms(scheme: str) -> float:
    torch.manual_seed(10)
    layers = [nn.Linear(256, 256) for _ in range(30)]
    for i, layer in enumerate(layers):
        derived(init_, layer, scheme, seeded(100 + i))
    x = torch.randn(256, 256, generator=seeded(11))
    with torch.no_grad():
        for layer in layers:
            x = torch.relu(layer(x))
    return float(x.pow(2).mean().sqrt())


def test_why_kaiming_for_relu_networks() -> None:
    kaiming, xavier = deep_relu_rms("kaiming"), deep_relu_rms("xavier")
    assert 0.3 < kaiming < 3, (
        f"after 30 Linear+ReLU layers with your kaiming init the activations' RMS is "
        f"{kaiming:.3g} (the input's is 1): He init should keep it of order 1"
    )
    assert xavier < 1e-2, (
        f"after 30 Linear+ReLU layers with your xavier init the RMS is {xavier:.3g}: Glorot "
        "ignores that ReLU halves the signal, so it should shrink by about sqrt(2) per layer"
    )


def test_why_orthogonal_keeps_norms() -> None:
    layers = [derived(init_, nn.Linear(64, 64), "orthogonal", seeded(s)) for s in range(50)]
    x = torch.randn(8, 64, generator=seeded(12))
    h = x
    with torch.no_grad():
        for layer in layers:
            h = layer(h)
    assert_tensor(
        h.norm(dim=1),
        x.norm(dim=1),
        what="each sample's norm after 50 orthogonally initialised 64x64 linear layers (an "
        "orthogonal map neither grows nor shrinks a vector)",
        atol=1e-3,
        rtol=1e-3,
    )
