"""Spec for arch/small-resnet: make_stage and SmallResNet."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from residual_blocks import ResidualBlock
from small_resnet import SmallResNet, make_stage
from torch import nn

from katakit.testing import assert_shape, assert_tensor


def images(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def block_params(cin: int, cout: int, stride: int) -> int:
    shortcut = 0 if (cin, stride) == (cout, 1) else cin * cout + 2 * cout
    return 9 * cin * cout + 9 * cout * cout + 4 * cout + shortcut


def resnet_params(
    num_classes: int, in_channels: int, widths: tuple[int, ...], depths: tuple[int, ...]
) -> int:
    total = 9 * in_channels * widths[0] + 2 * widths[0]  # stem conv (no bias) + its norm
    channels = widths[0]
    for i, (width, depth) in enumerate(zip(widths, depths, strict=True)):
        total += block_params(channels, width, 1 if i == 0 else 2)
        total += (depth - 1) * block_params(width, width, 1)
        channels = width
    return total + channels * num_classes + num_classes  # fc


def strides(block: nn.Module) -> int:
    conv = block.conv1
    assert isinstance(conv, nn.Conv2d)
    return int(conv.stride[0])


# ------------------------------------------------------------------------------------- make_stage


@pytest.mark.parametrize(("cin", "cout", "num_blocks", "stride"), [(4, 8, 3, 2), (6, 6, 2, 1)])
def test_make_stage_builds_residual_blocks(
    cin: int, cout: int, num_blocks: int, stride: int
) -> None:
    stage = make_stage(cin, cout, num_blocks, stride)
    assert isinstance(stage, nn.Sequential), f"make_stage should return nn.Sequential, got {stage}"
    kinds = [type(b).__name__ for b in stage]
    assert kinds == ["ResidualBlock"] * num_blocks and all(
        isinstance(b, ResidualBlock) for b in stage
    ), (
        f"make_stage(..., num_blocks={num_blocks}, ...) should hold that many "
        f"ResidualBlocks, got {kinds}"
    )
    got = [(b.conv1.in_channels, b.conv2.out_channels, strides(b)) for b in stage]
    want = [(cin, cout, stride)] + [(cout, cout, 1)] * (num_blocks - 1)
    assert got == want, (
        f"make_stage({cin}, {cout}, {num_blocks}, stride={stride}): (in, out, stride) of each "
        f"block should be {want}, got {got}. Only the first block changes the shape"
    )


@pytest.mark.parametrize(("h", "w"), [(8, 8), (9, 6)])
def test_make_stage_output_shape(h: int, w: int) -> None:
    stage = make_stage(3, 5, 2, stride=2)
    out = stage(images((2, 3, h, w), seed=h))
    assert_shape(
        out, (2, 5, math.ceil(h / 2), math.ceil(w / 2)), f"make_stage(3, 5, 2, 2) on {h}x{w}"
    )


# ------------------------------------------------------------------------------------ SmallResNet

CONFIGS = [
    (10, 3, (16, 32, 64), (2, 2, 2)),
    (7, 1, (4, 8), (1, 3)),
    (3, 2, (6, 6, 10, 12), (1, 1, 2, 1)),
]


@pytest.mark.parametrize(("num_classes", "cin", "widths", "depths"), CONFIGS)
@pytest.mark.parametrize(("h", "w"), [(32, 32), (28, 28), (40, 24), (17, 9)])
def test_logits_shape_for_any_input_size(
    num_classes: int, cin: int, widths: tuple[int, ...], depths: tuple[int, ...], h: int, w: int
) -> None:
    model = SmallResNet(num_classes, cin, widths, depths)
    out = model(images((2, cin, h, w), seed=h + w))
    assert_shape(
        out,
        (2, num_classes),
        f"SmallResNet({num_classes}, {cin}, {widths}, {depths}) on a {h}x{w} input (the global "
        "average pool is what makes any input size give one vector per image)",
    )


@pytest.mark.parametrize(("h", "w"), [(32, 32), (40, 24), (17, 9)])
def test_each_stage_halves_the_size(h: int, w: int) -> None:
    widths = (4, 6, 8)
    model = SmallResNet(5, 3, widths, (1, 2, 1))
    features = model.stem(images((2, 3, h, w), seed=h * w))
    assert_shape(features, (2, 4, h, w), f"the stem's output for a {h}x{w} input (keep the size)")
    assert len(model.stages) == len(widths), (
        f"SmallResNet with widths {widths} should have {len(widths)} stages, got "
        f"{len(model.stages)}"
    )
    for i, stage in enumerate(model.stages):
        features = stage(features)
        size = (math.ceil(h / 2**i), math.ceil(w / 2**i))
        assert_shape(
            features,
            (2, widths[i], *size),
            f"the output of stage {i} (stride {1 if i == 0 else 2} on its first block)",
        )


@pytest.mark.parametrize(("num_classes", "cin", "widths", "depths"), CONFIGS)
def test_parameter_count(
    num_classes: int, cin: int, widths: tuple[int, ...], depths: tuple[int, ...]
) -> None:
    want = resnet_params(num_classes, cin, widths, depths)
    got = count(SmallResNet(num_classes, cin, widths, depths))
    assert got == want, (
        f"SmallResNet({num_classes}, {cin}, {widths}, {depths}) should have {want:,} "
        f"parameters, got {got:,}: compare stem, each stage and fc with the docstring"
    )


def test_defaults_are_the_cifar_resnet() -> None:
    got = count(SmallResNet())
    want = resnet_params(10, 3, (16, 32, 64), (2, 2, 2))
    assert got == want, (
        f"SmallResNet() should be the CIFAR ResNet with 10 classes, RGB input, widths "
        f"(16, 32, 64) and two blocks per stage: {want:,} parameters, got {got:,}"
    )
    assert SmallResNet()(images((1, 3, 32, 32), seed=0)).shape == (1, 10)


@pytest.mark.parametrize(("widths", "depths"), [((8, 16), (1, 1, 1)), ((8, 16, 32), (2, 2))])
def test_widths_and_depths_must_pair_up(widths: tuple[int, ...], depths: tuple[int, ...]) -> None:
    try:
        SmallResNet(10, 3, widths, depths)
    except ValueError:
        return
    raise AssertionError(
        f"SmallResNet(widths={widths}, depths={depths}) should raise ValueError: one depth per "
        "width, or a stage is silently dropped (plain zip stops at the shorter list)"
    )


def test_stem_layers() -> None:
    model = SmallResNet(4, 2, (6, 8), (1, 1))
    kinds = [type(m).__name__ for m in model.stem]
    assert kinds == ["Conv2d", "BatchNorm2d", "ReLU"], f"stem layers: {kinds}"
    conv = model.stem[0]
    got = (conv.in_channels, conv.out_channels, conv.kernel_size, conv.bias is None)
    assert got == (2, 6, (3, 3), True), (
        f"the stem conv should be 3x3 from in_channels=2 to widths[0]=6 without a bias; got "
        f"(in, out, kernel, no-bias) = {got}"
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_forward_runs_stem_stages_pool_fc(seed: int) -> None:
    torch.manual_seed(seed)
    model = SmallResNet(6, 3, (4, 8, 8), (1, 1, 2)).eval()
    x = images((3, 3, 12, 10), seed=seed + 5)
    with torch.no_grad():
        features = model.stages(model.stem(x))
        want = model.fc(features.mean(dim=(2, 3)))
        got = model(x)
    assert_tensor(
        got,
        want,
        what="SmallResNet's logits against fc(mean over H and W of stages(stem(x)))",
        atol=1e-5,
        rtol=1e-4,
    )


def test_gradients_reach_every_parameter() -> None:
    model = SmallResNet(5, 3, (4, 6, 8), (2, 1, 1)).train()
    x = images((4, 3, 16, 12), seed=7)
    loss = F.cross_entropy(model(x), torch.tensor([0, 1, 2, 4]))
    loss.backward()
    dead = [
        name
        for name, p in model.named_parameters()
        if p.grad is None or not bool(p.grad.abs().sum() > 0)
    ]
    assert not dead, (
        f"no gradient reached {dead}: every parameter must take part in forward (is a layer "
        "built but never called, or its output thrown away?)"
    )
