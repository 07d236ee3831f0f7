"""Spec for arch/vgg: VGGBlock and make_layer (shapes, parameter counts, torchvision's VGG)."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision.models import vgg as tv
from vgg_blocks import VGGBlock, make_layer

from katakit.testing import assert_shape, assert_tensor

VGG11 = [(64, 1), (128, 1), (256, 2), (512, 2), (512, 2)]
TOL = {"atol": 1e-5, "rtol": 1e-4}


def images(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def conv_params(cin: int, cout: int, batch_norm: bool) -> int:
    return 9 * cin * cout + cout + (2 * cout if batch_norm else 0)


def block_params(cin: int, cout: int, num_convs: int, batch_norm: bool) -> int:
    first = conv_params(cin, cout, batch_norm)
    return first + (num_convs - 1) * conv_params(cout, cout, batch_norm)


def cfg(stages: list[tuple[int, int]]) -> list[int | str]:
    """torchvision's notation: [64, "M", 128, 128, "M"] for [(64, 1), (128, 2)]."""
    out: list[int | str] = []
    for channels, num_convs in stages:
        out += [channels] * num_convs + ["M"]
    return out


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def copy_from_torchvision(mine: nn.Module, ref: nn.Module, what: str) -> None:
    """Copy torchvision's tensors into ``mine`` in order: same layers, same order, same shapes."""
    theirs = list(ref.state_dict().values())
    ours = mine.state_dict()
    shapes = [tuple(t.shape) for t in ours.values()]
    want = [tuple(t.shape) for t in theirs]
    assert shapes == want, (
        f"{what}: your parameters and buffers, in order, have shapes {shapes}; torchvision's "
        f"make_layers({cfg_text(ref)}) has {want}. Same layers in the same order: conv, "
        "[batch norm], relu, ..., max pool"
    )
    mine.load_state_dict(dict(zip(ours, theirs, strict=True)))
    g = torch.Generator().manual_seed(len(shapes))
    with torch.no_grad():  # random statistics, so eval mode is not a near-identity norm
        for m_ours, m_ref in zip(norms(mine), norms(ref), strict=True):
            mean = torch.randn(m_ref.num_features, generator=g) * 0.1
            var = torch.rand(m_ref.num_features, generator=g) + 0.5
            for m in (m_ours, m_ref):
                m.running_mean.copy_(mean)
                m.running_var.copy_(var)


def norms(module: nn.Module) -> list[nn.BatchNorm2d]:
    return [m for m in module.modules() if isinstance(m, nn.BatchNorm2d)]


def cfg_text(ref: nn.Module) -> str:
    return ", ".join(
        str(m.out_channels) if isinstance(m, nn.Conv2d) else "'M'"
        for m in ref.modules()
        if isinstance(m, nn.Conv2d | nn.MaxPool2d)
    )


# --------------------------------------------------------------------------------------- VGGBlock

BLOCKS = [(3, 8, 1, False), (4, 6, 2, False), (5, 4, 3, True), (6, 6, 2, True)]


@pytest.mark.parametrize(("cin", "cout", "num_convs", "bn"), BLOCKS)
@pytest.mark.parametrize(("h", "w"), [(8, 8), (9, 12)])
def test_vgg_block_output_shape(
    cin: int, cout: int, num_convs: int, bn: bool, h: int, w: int
) -> None:
    block = VGGBlock(cin, cout, num_convs, batch_norm=bn)
    out = block(images((2, cin, h, w), seed=h + w))
    assert_shape(
        out,
        (2, cout, h // 2, w // 2),
        f"VGGBlock({cin}, {cout}, {num_convs}, batch_norm={bn}) on a {h}x{w} input (3x3 convs "
        "with padding 1 keep the size, the 2x2 max pool halves it, rounding down)",
    )


@pytest.mark.parametrize(("cin", "cout", "num_convs", "bn"), BLOCKS)
def test_vgg_block_parameter_count(cin: int, cout: int, num_convs: int, bn: bool) -> None:
    want = block_params(cin, cout, num_convs, bn)
    got = count(VGGBlock(cin, cout, num_convs, batch_norm=bn))
    assert got == want, (
        f"VGGBlock({cin}, {cout}, {num_convs}, batch_norm={bn}) should have {want} parameters: "
        f"the first conv {conv_params(cin, cout, bn)} (9 * {cin} * {cout} weights + {cout} "
        f"biases{' + 2 * ' + str(cout) + ' in its norm' if bn else ''}), each further conv "
        f"{conv_params(cout, cout, bn)}; got {got}"
    )


@pytest.mark.parametrize(("num_convs", "bn"), [(1, False), (2, False), (2, True), (3, True)])
def test_vgg_block_layers_in_order(num_convs: int, bn: bool) -> None:
    block = VGGBlock(3, 4, num_convs, batch_norm=bn)
    assert isinstance(getattr(block, "layers", None), nn.Sequential), (
        "VGGBlock should keep its layers in an nn.Sequential called `layers`"
    )
    step = ["Conv2d", "BatchNorm2d", "ReLU"] if bn else ["Conv2d", "ReLU"]
    want = step * num_convs + ["MaxPool2d"]
    got = [type(m).__name__ for m in block.layers]
    assert got == want, f"VGGBlock(3, 4, {num_convs}, batch_norm={bn}).layers: {got}, want {want}"
    for conv in [m for m in block.layers if isinstance(m, nn.Conv2d)]:
        geometry = (conv.kernel_size, conv.padding, conv.stride, conv.bias is not None)
        assert geometry == ((3, 3), (1, 1), (1, 1), True), (
            f"every conv is 3x3, padding 1, stride 1, with a bias; got kernel, padding, stride, "
            f"has-bias = {geometry}"
        )
    pool = block.layers[-1]
    assert isinstance(pool, nn.MaxPool2d)
    assert (pool.kernel_size, pool.stride) in ((2, 2), ((2, 2), (2, 2))), (
        f"the max pool should be 2x2 with stride 2, got kernel {pool.kernel_size}, stride "
        f"{pool.stride}"
    )


@pytest.mark.parametrize(("cout", "num_convs", "bn"), [(8, 1, False), (6, 2, True), (4, 3, False)])
def test_vgg_block_matches_torchvision(cout: int, num_convs: int, bn: bool) -> None:
    stages = [(cout, num_convs)]
    block = VGGBlock(3, cout, num_convs, batch_norm=bn)
    ref = tv.make_layers(cfg(stages), batch_norm=bn)
    copy_from_torchvision(block, ref, f"VGGBlock(3, {cout}, {num_convs}, batch_norm={bn})")
    block.eval()
    ref.eval()
    x = images((2, 3, 10, 9), seed=cout)
    with torch.no_grad():
        assert_tensor(
            block(x),
            ref(x),
            what=f"VGGBlock(3, {cout}, {num_convs}, batch_norm={bn}) against torchvision's "
            f"make_layers({cfg(stages)}) with the same weights",
            **TOL,
        )


# ------------------------------------------------------------------------------------- make_layer


def test_make_layer_builds_one_block_per_stage() -> None:
    stages = [(4, 1), (6, 2), (8, 3)]
    layer = make_layer(stages, in_channels=2)
    assert isinstance(layer, nn.Sequential), (
        f"make_layer should return an nn.Sequential, got {layer}"
    )
    assert [type(b).__name__ for b in layer] == ["VGGBlock"] * 3, (
        f"make_layer({stages}) should hold three VGGBlocks, got {[type(b).__name__ for b in layer]}"
    )
    got = [
        [(c.in_channels, c.out_channels) for c in b.modules() if isinstance(c, nn.Conv2d)]
        for b in layer
    ]
    want = [[(2, 4)], [(4, 6), (6, 6)], [(6, 8), (8, 8), (8, 8)]]
    assert got == want, (
        f"(in, out) channels of the convs, block by block: expected {want}, got {got}: each "
        "block starts from the channels the previous one produced"
    )


@pytest.mark.parametrize(
    ("stages", "cin", "h", "w"),
    [([(4, 1), (8, 2)], 3, 16, 16), ([(5, 2), (6, 1), (7, 1)], 1, 24, 40), ([(3, 3)], 2, 7, 5)],
)
def test_make_layer_output_shape(stages: list[tuple[int, int]], cin: int, h: int, w: int) -> None:
    layer = make_layer(stages, in_channels=cin)
    out = layer(images((2, cin, h, w), seed=h * w))
    n = len(stages)
    assert_shape(
        out,
        (2, stages[-1][0], h // 2**n, w // 2**n),
        f"make_layer({stages}, in_channels={cin}) on a {h}x{w} input ({n} blocks: {n} halvings)",
    )


@pytest.mark.parametrize("bn", [False, True])
def test_make_layer_vgg11_parameter_count(bn: bool) -> None:
    want = 9_220_480 + (2 * sum(c * n for c, n in VGG11) if bn else 0)
    cin, formula = 3, 0
    for cout, num_convs in VGG11:
        formula += block_params(cin, cout, num_convs, bn)
        cin = cout
    assert formula == want  # the formula agrees with torchvision's VGG-11 features
    got = count(make_layer(VGG11, batch_norm=bn))
    assert got == want, (
        f"VGG-11's features (batch_norm={bn}) hold {want:,} parameters, make_layer({VGG11}) "
        f"built {got:,}"
    )


def test_make_layer_defaults_to_rgb_without_norm() -> None:
    layer = make_layer([(4, 2)])
    first = next(m for m in layer.modules() if isinstance(m, nn.Conv2d))
    assert first.in_channels == 3, f"in_channels defaults to 3 (RGB), got {first.in_channels}"
    assert not norms(layer), "batch_norm defaults to False: no BatchNorm2d expected"


@pytest.mark.parametrize(
    ("stages", "bn"),
    [([(4, 1), (8, 2)], False), ([(4, 2), (6, 1), (8, 2)], True), ([(5, 1)] * 3, False)],
)
@pytest.mark.parametrize("train", [False, True])
def test_make_layer_matches_torchvision(
    stages: list[tuple[int, int]], bn: bool, train: bool
) -> None:
    layer = make_layer(stages, batch_norm=bn)
    ref = tv.make_layers(cfg(stages), batch_norm=bn)
    copy_from_torchvision(layer, ref, f"make_layer({stages}, batch_norm={bn})")
    layer.train(train)
    ref.train(train)
    x = images((3, 3, 16, 24), seed=len(stages))
    with torch.no_grad():
        assert_tensor(
            layer(x),
            ref(x),
            what=f"make_layer({stages}, batch_norm={bn}) in {'train' if train else 'eval'} mode "
            f"against torchvision's make_layers({cfg(stages)})",
            **TOL,
        )
