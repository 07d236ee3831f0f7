"""Spec for arch/inception: four branches, each in its own channel slice."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from inception_module import InceptionModule
from torch import nn

from katakit.testing import assert_shape, assert_tensor

# (in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj): every branch a different
# width, so a slice in the wrong place cannot line up by accident.
CONFIGS = [(8, 2, 3, 4, 2, 5, 6), (5, 7, 2, 3, 4, 2, 1), (6, 1, 5, 6, 3, 2, 4)]
GOOGLENET_3A = (192, 64, 96, 128, 16, 32, 32)
GOOGLENET_3B = (256, 128, 128, 192, 32, 96, 64)
BRANCHES = ["branch1", "branch2", "branch3", "branch4"]
TOL = {"atol": 1e-5, "rtol": 1e-4}


def images(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def make(config: tuple[int, ...], seed: int = 0) -> InceptionModule:
    torch.manual_seed(seed)
    return InceptionModule(*config)


def widths(config: tuple[int, ...]) -> list[int]:
    _, ch1x1, _, ch3x3, _, ch5x5, pool_proj = config
    return [ch1x1, ch3x3, ch5x5, pool_proj]


def convs(module: InceptionModule, branch: str) -> list[nn.Conv2d]:
    found = getattr(module, branch, None)
    assert isinstance(found, nn.Module), f"InceptionModule should have a submodule `{branch}`"
    return [m for m in found.modules() if isinstance(m, nn.Conv2d)]


def expected_branch(module: InceptionModule, branch: str, x: torch.Tensor) -> torch.Tensor:
    """The branch recomputed with torch.nn.functional from the module's own conv weights."""
    layers = convs(module, branch)

    def conv_relu(t: torch.Tensor, conv: nn.Conv2d, padding: int) -> torch.Tensor:
        return F.relu(F.conv2d(t, conv.weight, conv.bias, padding=padding))

    if branch == "branch1":
        return conv_relu(x, layers[0], 0)
    if branch == "branch2":
        return conv_relu(conv_relu(x, layers[0], 0), layers[1], 1)
    if branch == "branch3":
        return conv_relu(conv_relu(x, layers[0], 0), layers[1], 2)
    return conv_relu(F.max_pool2d(x, 3, stride=1, padding=1), layers[0], 0)


def params(config: tuple[int, ...]) -> int:
    cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj = config

    def conv(k: int, a: int, b: int) -> int:
        return k * k * a * b + b

    return (
        conv(1, cin, ch1x1)
        + conv(1, cin, ch3x3red)
        + conv(3, ch3x3red, ch3x3)
        + conv(1, cin, ch5x5red)
        + conv(5, ch5x5red, ch5x5)
        + conv(1, cin, pool_proj)
    )


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize(("h", "w"), [(8, 8), (7, 11), (1, 1)])
def test_output_shape_keeps_height_and_width(config: tuple[int, ...], h: int, w: int) -> None:
    module = make(config)
    out = module(images((2, config[0], h, w), seed=h + w))
    assert_shape(
        out,
        (2, sum(widths(config)), h, w),
        f"InceptionModule{config} on a {h}x{w} input (channels "
        f"{' + '.join(map(str, widths(config)))}; every branch keeps H and W)",
    )


@pytest.mark.parametrize("config", CONFIGS)
def test_out_channels_attribute(config: tuple[int, ...]) -> None:
    got = getattr(make(config), "out_channels", None)
    assert got == sum(widths(config)), (
        f"InceptionModule{config}.out_channels should be ch1x1 + ch3x3 + ch5x5 + pool_proj = "
        f"{sum(widths(config))}, got {got!r}"
    )


@pytest.mark.parametrize("config", CONFIGS)
def test_branch_layers(config: tuple[int, ...]) -> None:
    cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj = config
    module = make(config)
    want = {
        "branch1": [(cin, ch1x1, 1)],
        "branch2": [(cin, ch3x3red, 1), (ch3x3red, ch3x3, 3)],
        "branch3": [(cin, ch5x5red, 1), (ch5x5red, ch5x5, 5)],
        "branch4": [(cin, pool_proj, 1)],
    }
    for branch, layers in want.items():
        got = [(c.in_channels, c.out_channels, c.kernel_size[0]) for c in convs(module, branch)]
        assert got == layers, (
            f"InceptionModule{config}.{branch}: convs as (in, out, kernel) should be {layers}, "
            f"got {got}"
        )
    pools = [m for m in module.branch4.modules() if isinstance(m, nn.MaxPool2d)]
    assert len(pools) == 1, f"branch4 should start with one MaxPool2d, found {len(pools)}"


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("index", range(4))
def test_each_branch_lands_in_its_slice(config: tuple[int, ...], index: int) -> None:
    module = make(config, seed=index)
    x = images((3, config[0], 9, 7), seed=index + 10)
    with torch.no_grad():
        out = module(x)
        want = expected_branch(module, BRANCHES[index], x)
    start = sum(widths(config)[:index])
    stop = start + widths(config)[index]
    assert_tensor(
        out[:, start:stop],
        want,
        what=f"channels {start}:{stop} of InceptionModule{config}'s output, which should be "
        f"{BRANCHES[index]} (recomputed with torch.nn.functional from your weights: check the "
        "branch's layers, their padding and ReLUs, and the order of the concatenation)",
        **TOL,
    )


@pytest.mark.parametrize("index", range(4))
def test_silencing_one_branch_zeroes_only_its_slice(index: int) -> None:
    config = CONFIGS[0]
    module = make(config, seed=3)
    x = images((2, config[0], 6, 6), seed=4)
    with torch.no_grad():
        before = module(x)
        last = convs(module, BRANCHES[index])[-1]
        last.weight.zero_()
        last.bias.zero_()
        after = module(x)
    start = sum(widths(config)[:index])
    stop = start + widths(config)[index]
    assert_tensor(
        after[:, start:stop],
        torch.zeros_like(after[:, start:stop]),
        what=f"channels {start}:{stop} after zeroing {BRANCHES[index]}'s last conv",
        **TOL,
    )
    keep = torch.ones(after.shape[1], dtype=torch.bool)
    keep[start:stop] = False
    assert_tensor(
        after[:, keep],
        before[:, keep],
        what=f"the other branches' channels after zeroing {BRANCHES[index]} (they must not move)",
        **TOL,
    )


@pytest.mark.parametrize("config", [*CONFIGS, GOOGLENET_3A])
def test_parameter_count(config: tuple[int, ...]) -> None:
    want = params(config)
    got = sum(p.numel() for p in make(config).parameters())
    assert got == want, (
        f"InceptionModule{config} should have {want:,} parameters (six convs with biases), "
        f"got {got:,}"
    )


def test_googlenet_modules_stack() -> None:
    first = make(GOOGLENET_3A)
    second = make(GOOGLENET_3B)
    x = images((1, 192, 7, 7), seed=5)
    with torch.no_grad():
        out = second(first(x))
    assert_shape(out, (1, 480, 7, 7), "GoogLeNet's inception 3a (192 -> 256) then 3b (256 -> 480)")


def test_gradients_reach_every_branch() -> None:
    module = make(CONFIGS[1])
    x = images((2, CONFIGS[1][0], 5, 5), seed=6)
    module(x).square().sum().backward()
    dead = [
        name
        for name, p in module.named_parameters()
        if p.grad is None or not bool(p.grad.abs().sum() > 0)
    ]
    assert not dead, f"no gradient reached {dead}: is every branch used in forward?"
