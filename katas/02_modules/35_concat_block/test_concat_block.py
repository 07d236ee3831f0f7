"""Spec for modules/concat-block: ConcatBlock.

Oracles: ``torch.nn.functional.linear`` on the concatenated vectors and, for feature maps,
``torch.nn.functional.conv2d`` with the block's weight as a 1x1 kernel (a 1x1 convolution is a
linear map applied at every pixel).
"""

import pytest
import torch
import torch.nn.functional as F
from concat_block import ConcatBlock
from torch import nn

from katakit.testing import assert_shape, assert_tensor

# (channels_a, channels_b, out_channels): no two alike, and a one-channel input
CHANNELS = [(3, 5, 4), (6, 2, 7), (1, 4, 2), (5, 5, 3)]


def randn(*shape: int, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def make(ca: int, cb: int, out: int, seed: int) -> ConcatBlock:
    torch.manual_seed(seed)
    return ConcatBlock(ca, cb, out)


@pytest.mark.parametrize(("ca", "cb", "out"), CHANNELS)
@pytest.mark.parametrize("batch", [1, 4])
def test_vectors(ca: int, cb: int, out: int, batch: int) -> None:
    block = make(ca, cb, out, seed=ca + cb)
    a, b = randn(batch, ca, seed=ca), randn(batch, cb, seed=cb + 10)
    got = block(a, b)
    assert isinstance(got, torch.Tensor), f"forward should return a tensor, got {type(got)}"
    assert_shape(
        got,
        (batch, out),
        f"ConcatBlock({ca}, {cb}, {out}) on ({batch}, {ca}) and ({batch}, {cb}) vectors",
    )
    want = F.relu(F.linear(torch.cat((a, b), dim=1), block.proj.weight, block.proj.bias))
    assert_tensor(
        got,
        want,
        what="ConcatBlock on vectors: relu(proj([a, b])), a's features first",
        atol=1e-6,
        rtol=1e-5,
    )


@pytest.mark.parametrize(("ca", "cb", "out"), CHANNELS)
@pytest.mark.parametrize(("batch", "height", "width"), [(2, 5, 7), (3, 4, 4), (1, 1, 6)])
def test_feature_maps(ca: int, cb: int, out: int, batch: int, height: int, width: int) -> None:
    block = make(ca, cb, out, seed=ca * cb)
    a = randn(batch, ca, height, width, seed=height)
    b = randn(batch, cb, height, width, seed=width + 20)
    got = block(a, b)
    assert isinstance(got, torch.Tensor), f"forward should return a tensor, got {type(got)}"
    assert_shape(
        got,
        (batch, out, height, width),
        f"ConcatBlock({ca}, {cb}, {out}) on {tuple(a.shape)} and {tuple(b.shape)} maps",
    )
    kernel = block.proj.weight.reshape(out, ca + cb, 1, 1)
    want = F.relu(F.conv2d(torch.cat((a, b), dim=1), kernel, block.proj.bias))
    assert_tensor(
        got,
        want,
        what="ConcatBlock on feature maps: the same linear map over the channels at every pixel "
        "(a 1x1 convolution), then ReLU",
        atol=1e-5,
        rtol=1e-5,
    )


def test_sequences_keep_their_length() -> None:
    block = make(2, 3, 4, seed=1)
    a, b = randn(5, 2, 9, seed=2), randn(5, 3, 9, seed=3)
    got = block(a, b)
    assert_shape(got, (5, 4, 9), "ConcatBlock on (5, 2, 9) and (5, 3, 9) sequences")
    want = torch.stack([block(a[..., t], b[..., t]) for t in range(9)], dim=-1)
    assert_tensor(got, want, what="each position of a sequence on its own", atol=1e-6, rtol=1e-5)


def test_changing_one_pixel_changes_only_that_pixel() -> None:
    block = make(3, 4, 5, seed=4)
    with torch.no_grad():
        block.proj.bias.fill_(5.0)  # keep the ReLU open so every change shows
    a, b = randn(3, 3, 4, 6, seed=5), randn(3, 4, 4, 6, seed=6)
    with torch.no_grad():
        base = block(a, b)
        for which in ("a", "b"):
            changed_a, changed_b = a.clone(), b.clone()
            (changed_a if which == "a" else changed_b)[1, :, 2, 3] += 1.0
            diff = (block(changed_a, changed_b) - base).abs().sum(dim=1)
            moved = [tuple(int(i) for i in idx) for idx in diff.nonzero()]
            assert moved == [(1, 2, 3)], (
                f"changing {which}[1, :, 2, 3] (sample 1, pixel (2, 3)) changed the output at "
                f"(sample, row, col) {moved}: fusing mixes channels only, never samples or pixels"
            )


def test_inputs_are_used_in_order() -> None:
    block = make(2, 3, 4, seed=7)
    with torch.no_grad():
        block.proj.weight.zero_()
        block.proj.weight[:, :2] = 1.0  # only a's channels count
    a, b = randn(3, 2, seed=8).abs(), randn(3, 3, seed=9).abs() + 100
    got = block(a, b)
    want = (a.sum(dim=1, keepdim=True) + block.proj.bias).relu().expand(3, 4)
    assert_tensor(
        got,
        want.detach(),
        what="output when only the first channels_a weights are non-zero (so only a should "
        "count: are a's channels first in the concatenation?)",
        atol=1e-5,
        rtol=1e-5,
    )


@pytest.mark.parametrize(("ca", "cb", "out"), CHANNELS)
def test_parameter_count(ca: int, cb: int, out: int) -> None:
    block = make(ca, cb, out, seed=10)
    assert isinstance(getattr(block, "proj", None), nn.Linear), (
        "ConcatBlock should hold its linear layer as the submodule `proj` (an nn.Linear)"
    )
    got = sum(p.numel() for p in block.parameters())
    want = (ca + cb) * out + out
    assert got == want, (
        f"ConcatBlock({ca}, {cb}, {out}) should have (channels_a + channels_b) * out + out = "
        f"{want} parameters, got {got}"
    )


def test_gradients_reach_both_inputs_and_every_parameter() -> None:
    block = make(3, 2, 4, seed=11)
    with torch.no_grad():
        block.proj.bias.fill_(1.0)
    a = randn(4, 3, 5, 5, seed=12).requires_grad_()
    b = randn(4, 2, 5, 5, seed=13).requires_grad_()
    block(a, b).sum().backward()
    for name, tensor in [("a", a), ("b", b), *block.named_parameters()]:
        grad = tensor.grad
        assert grad is not None and bool(grad.abs().sum() > 0), (
            f"no gradient reached {name}: is it part of the computation (and not detached)?"
        )


def test_output_is_non_negative_and_keeps_the_dtype() -> None:
    block = make(2, 2, 3, seed=14).double()
    out = block(
        randn(6, 2, 3, 3, seed=15, dtype=torch.float64),
        randn(6, 2, 3, 3, seed=16, dtype=torch.float64),
    )
    assert out.dtype == torch.float64, f"float64 in, float64 out expected, got {out.dtype}"
    assert bool((out >= 0).all()) and bool((out == 0).any()), (
        "the block ends with a ReLU: outputs are >= 0 and some are exactly 0"
    )


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [
        ((4, 3, 5, 5), (3, 2, 5, 5)),
        ((4, 3, 5, 5), (4, 2, 6, 5)),
        ((4, 3, 5, 5), (4, 2, 5, 6)),
        ((4, 3), (5, 2)),
    ],
    ids=["batch", "height", "width", "vector-batch"],
)
def test_mismatched_inputs_raise_value_error(
    shape_a: tuple[int, ...], shape_b: tuple[int, ...]
) -> None:
    block = make(3, 2, 4, seed=17)
    a, b = torch.zeros(shape_a), torch.zeros(shape_b)
    with pytest.raises(ValueError, match=r"\(") as info:
        block(a, b)
    text = str(info.value)
    assert str(shape_a) in text and str(shape_b) in text, (
        f"the ValueError should name both shapes, {shape_a} and {shape_b}, got: {text}"
    )
