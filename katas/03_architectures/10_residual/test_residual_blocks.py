"""Spec for arch/residual: ResidualBlock and Bottleneck against torchvision's blocks."""

from __future__ import annotations

import math

import pytest
import torch
from residual_blocks import Bottleneck, ResidualBlock
from torch import nn
from torchvision.models import resnet as tv

from katakit.testing import assert_shape, assert_tensor

# (in_channels, out_channels, stride): identity shortcut, projection for the stride, projection
# for the channels, projection for both.
BASIC = [(8, 8, 1), (8, 8, 2), (4, 8, 1), (6, 12, 2)]
# (in_channels, mid_channels, stride): the output has 4 * mid channels.
BOTTLENECK = [(16, 4, 1), (16, 4, 2), (8, 4, 1), (12, 6, 2)]
TOL = {"atol": 1e-5, "rtol": 1e-4}


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def images(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=gen(seed))


def randomize(module: nn.Module, seed: int) -> nn.Module:
    """Random weights and batch-norm statistics, so eval mode is not a near-identity norm."""
    g = gen(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * 0.3)
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.2)
                assert m.running_mean is not None and m.running_var is not None
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    return module


def projection(in_channels: int, out_channels: int, stride: int) -> nn.Module | None:
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.Sequential(
        tv.conv1x1(in_channels, out_channels, stride), nn.BatchNorm2d(out_channels)
    )


def torchvision_twin(mine: nn.Module, reference: nn.Module, what: str) -> nn.Module:
    """Load ``mine``'s state into torchvision's block, renaming shortcut.* to downsample.*."""
    state = {k.replace("shortcut.", "downsample.", 1): v for k, v in mine.state_dict().items()}
    want = reference.state_dict()
    missing = sorted(set(want) - set(state))
    unexpected = sorted(set(state) - set(want))
    assert not missing and not unexpected, (
        f"{what}: your state_dict cannot be loaded into torchvision's block. Missing (after "
        f"renaming shortcut.* to downsample.*): {missing}; unexpected: {unexpected}. Check the "
        "submodule names, that the convolutions have no bias, and when the shortcut needs a "
        "projection"
    )
    wrong = {
        k: (tuple(state[k].shape), tuple(v.shape))
        for k, v in want.items()
        if state[k].shape != v.shape
    }
    assert not wrong, (
        f"{what}: tensors with the wrong shape, name: (yours, torchvision's): {wrong}. Check "
        "each layer's in/out channels and kernel size"
    )
    reference.load_state_dict(state)
    return reference


def basic_pair(cin: int, cout: int, stride: int, seed: int) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(seed)
    mine = randomize(ResidualBlock(cin, cout, stride), seed)
    ref = tv.BasicBlock(cin, cout, stride, downsample=projection(cin, cout, stride))
    return mine, torchvision_twin(mine, ref, f"ResidualBlock({cin}, {cout}, stride={stride})")


def bottleneck_pair(cin: int, mid: int, stride: int, seed: int) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(seed)
    mine = randomize(Bottleneck(cin, mid, stride), seed)
    ref = tv.Bottleneck(cin, mid, stride, downsample=projection(cin, mid * 4, stride))
    return mine, torchvision_twin(mine, ref, f"Bottleneck({cin}, {mid}, stride={stride})")


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# ---------------------------------------------------------------------------------- ResidualBlock


@pytest.mark.parametrize(("cin", "cout", "stride"), BASIC)
@pytest.mark.parametrize(("h", "w"), [(8, 8), (7, 10)])
def test_residual_block_output_shape(cin: int, cout: int, stride: int, h: int, w: int) -> None:
    block = ResidualBlock(cin, cout, stride)
    x = images((2, cin, h, w), seed=h * w)
    before = x.clone()
    out = block(x)
    want = (2, cout, math.ceil(h / stride), math.ceil(w / stride))
    assert_shape(out, want, f"ResidualBlock({cin}, {cout}, stride={stride}) on {tuple(x.shape)}")
    assert_tensor(x, before, what="the input after the block ran (it must not be modified)")


@pytest.mark.parametrize(("cin", "cout", "stride"), BASIC)
def test_residual_block_loads_into_torchvision(cin: int, cout: int, stride: int) -> None:
    basic_pair(cin, cout, stride, seed=0)


@pytest.mark.parametrize(("cin", "cout", "stride"), BASIC)
@pytest.mark.parametrize("seed", [1, 2])
def test_residual_block_matches_torchvision_in_eval(
    cin: int, cout: int, stride: int, seed: int
) -> None:
    mine, ref = basic_pair(cin, cout, stride, seed)
    mine.eval()
    ref.eval()
    x = images((3, cin, 9, 8), seed=seed + 10)
    with torch.no_grad():
        want = ref(x.clone())
        got = mine(x)
    assert_tensor(
        got,
        want,
        what=f"ResidualBlock({cin}, {cout}, stride={stride}) in eval mode against torchvision's "
        "BasicBlock with the same weights (order: conv1, bn1, relu, conv2, bn2, + shortcut, relu)",
        **TOL,
    )


@pytest.mark.parametrize(("cin", "cout", "stride"), BASIC)
def test_residual_block_matches_torchvision_in_train(cin: int, cout: int, stride: int) -> None:
    mine, ref = basic_pair(cin, cout, stride, seed=3)
    mine.train()
    ref.train()
    x = images((4, cin, 6, 6), seed=cin + cout + stride)
    got = mine(x)
    want = ref(x.clone())
    what = f"ResidualBlock({cin}, {cout}, stride={stride}) in train mode"
    assert_tensor(got, want, what=f"{what} against torchvision's BasicBlock", **TOL)
    for name, buffer in ref.state_dict().items():
        if "running" in name:
            mine_name = name.replace("downsample.", "shortcut.", 1)
            assert_tensor(
                mine.state_dict()[mine_name],
                buffer,
                what=f"{what}: batch-norm statistic {mine_name} after one forward",
                **TOL,
            )


@pytest.mark.parametrize(("cin", "cout", "stride"), BASIC)
def test_residual_block_parameter_count(cin: int, cout: int, stride: int) -> None:
    convs = 9 * cin * cout + 9 * cout * cout  # two 3x3 convolutions, no bias
    norms = 2 * cout + 2 * cout  # weight and bias of bn1 and bn2
    shortcut = 0 if (cin, stride) == (cout, 1) else cin * cout + 2 * cout  # 1x1 conv + its norm
    want = convs + norms + shortcut
    got = count(ResidualBlock(cin, cout, stride))
    assert got == want, (
        f"ResidualBlock({cin}, {cout}, stride={stride}) should have {want} parameters "
        f"({convs} in the 3x3 convs, {norms} in bn1/bn2, {shortcut} in the shortcut), got {got}"
    )


def test_identity_shortcut_lets_the_block_do_nothing() -> None:
    block = randomize(ResidualBlock(6, 6), seed=4).eval()
    with torch.no_grad():
        block.bn2.weight.zero_()
        block.bn2.bias.zero_()
    x = images((2, 6, 5, 5), seed=5).relu()
    with torch.no_grad():
        out = block(x)
    assert_tensor(
        out,
        x,
        what="a ResidualBlock(6, 6) whose bn2 scale and shift are zero, on a non-negative input "
        "(F(x) is 0, so relu(0 + x) must give x back: is x itself added before the last ReLU?)",
        **TOL,
    )


# ------------------------------------------------------------------------------------ Bottleneck


@pytest.mark.parametrize(("cin", "mid", "stride"), BOTTLENECK)
@pytest.mark.parametrize(("h", "w"), [(8, 8), (9, 6)])
def test_bottleneck_output_shape(cin: int, mid: int, stride: int, h: int, w: int) -> None:
    block = Bottleneck(cin, mid, stride)
    x = images((2, cin, h, w), seed=h + w)
    before = x.clone()
    out = block(x)
    want = (2, mid * 4, math.ceil(h / stride), math.ceil(w / stride))
    assert_shape(out, want, f"Bottleneck({cin}, {mid}, stride={stride}) on {tuple(x.shape)}")
    assert_tensor(x, before, what="the input after the block ran (it must not be modified)")


@pytest.mark.parametrize("make", [lambda: ResidualBlock(8, 8), lambda: Bottleneck(32, 8)])
def test_blocks_default_to_stride_1(make: object) -> None:
    block = make()  # type: ignore[operator]
    name = type(block).__name__
    x = images((1, 8 if name == "ResidualBlock" else 32, 6, 6), seed=6)
    out = block(x)
    assert tuple(out.shape[-2:]) == (6, 6), (
        f"{name} built without a stride turned a 6x6 input into {tuple(out.shape[-2:])}: "
        "stride defaults to 1, which keeps the size"
    )


@pytest.mark.parametrize(("cin", "mid", "stride"), BOTTLENECK)
def test_bottleneck_loads_into_torchvision(cin: int, mid: int, stride: int) -> None:
    bottleneck_pair(cin, mid, stride, seed=0)


@pytest.mark.parametrize(("cin", "mid", "stride"), BOTTLENECK)
@pytest.mark.parametrize("seed", [1, 2])
def test_bottleneck_matches_torchvision_in_eval(cin: int, mid: int, stride: int, seed: int) -> None:
    mine, ref = bottleneck_pair(cin, mid, stride, seed)
    mine.eval()
    ref.eval()
    x = images((3, cin, 7, 8), seed=seed + 20)
    with torch.no_grad():
        want = ref(x.clone())
        got = mine(x)
    assert_tensor(
        got,
        want,
        what=f"Bottleneck({cin}, {mid}, stride={stride}) in eval mode against torchvision's "
        "Bottleneck with the same weights (ReLU after bn1 and bn2, none after bn3 until the "
        "shortcut is added)",
        **TOL,
    )


@pytest.mark.parametrize(("cin", "mid", "stride"), BOTTLENECK)
def test_bottleneck_matches_torchvision_in_train(cin: int, mid: int, stride: int) -> None:
    mine, ref = bottleneck_pair(cin, mid, stride, seed=5)
    mine.train()
    ref.train()
    x = images((4, cin, 6, 5), seed=cin + mid)
    got = mine(x)
    want = ref(x.clone())
    what = f"Bottleneck({cin}, {mid}, stride={stride}) in train mode"
    assert_tensor(got, want, what=f"{what} against torchvision's Bottleneck", **TOL)
    for name, buffer in ref.state_dict().items():
        if "running" in name:
            mine_name = name.replace("downsample.", "shortcut.", 1)
            assert_tensor(
                mine.state_dict()[mine_name],
                buffer,
                what=f"{what}: batch-norm statistic {mine_name} after one forward",
                **TOL,
            )


@pytest.mark.parametrize(("cin", "mid", "stride"), BOTTLENECK)
def test_bottleneck_parameter_count(cin: int, mid: int, stride: int) -> None:
    out = 4 * mid
    convs = cin * mid + 9 * mid * mid + mid * out  # 1x1 squeeze, 3x3, 1x1 expand
    norms = 2 * mid + 2 * mid + 2 * out
    shortcut = 0 if (cin, stride) == (out, 1) else cin * out + 2 * out
    want = convs + norms + shortcut
    got = count(Bottleneck(cin, mid, stride))
    assert got == want, (
        f"Bottleneck({cin}, {mid}, stride={stride}) should have {want} parameters ({convs} in "
        f"the convs, {norms} in the norms, {shortcut} in the shortcut), got {got}"
    )


def test_bottleneck_is_cheaper_than_two_wide_convs() -> None:
    wide = count(ResidualBlock(64, 64))
    narrow = count(Bottleneck(64, 16))
    assert narrow * 8 < wide, (
        f"Bottleneck(64, 16) has {narrow} parameters, ResidualBlock(64, 64) {wide}: squeezing "
        "to 16 channels around the 3x3 conv should make it far cheaper"
    )
