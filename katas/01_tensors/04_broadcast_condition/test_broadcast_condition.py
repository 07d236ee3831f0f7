"""Spec for tensors/broadcast-condition: condition_feature_map and add_condition.

Inputs hold integer values (exact in float32), the condition values differ from every feature
value, and the oracles are plain Python loops over ``tolist()`` data.
"""

from collections.abc import Callable

import pytest
import torch
from broadcast_condition import add_condition, condition_feature_map

from katakit.testing import assert_shape, assert_tensor

# (B, C, D, H, W): no two sizes alike, H and W swapped, batches of one, D == 1, H == 1, all equal
COND_SHAPES = [
    (3, 4, 5, 6, 7),
    (3, 4, 5, 7, 6),
    (1, 2, 3, 4, 5),
    (2, 3, 1, 5, 4),
    (4, 1, 2, 1, 3),
    (3, 3, 3, 3, 3),
]
# (B, C, H, W) for add_condition: the all-equal ones let a wrongly placed bias broadcast silently
ADD_SHAPES = [(3, 4, 6, 7), (3, 4, 7, 6), (1, 2, 4, 5), (2, 5, 1, 3), (2, 3, 3, 3), (3, 3, 3, 3)]

CAT_HINT = (
    "torch.cat does not broadcast: every dim except the joined one must already have the same "
    "size, so stretch the condition to (B, D, H, W) first"
)
ADD_HINT = (
    "broadcasting lines dims up from the right, so a (B, C) bias meets W and H first: give it "
    "two trailing size-1 dims"
)


def values(
    shape: tuple[int, ...], *, seed: int, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Seeded integers in [-20, 20): exact in every float dtype used here."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(-20, 20, shape, generator=g).to(dtype)


def run(fn: Callable[..., object], *args: torch.Tensor, what: str, hint: str) -> object:
    """Call ``fn``; a shape error from torch becomes an explained failure."""
    try:
        return fn(*args)
    except RuntimeError as err:
        if isinstance(err, NotImplementedError):
            raise
        raise AssertionError(f"{what} raised: {err}\n{hint}") from None


def cond_channels_oracle(cond: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """out[b, d, i, j] = cond[b, d] for every pixel (i, j)."""
    rows = [[[[v] * w for _ in range(h)] for v in sample] for sample in cond.tolist()]
    return torch.tensor(rows, dtype=cond.dtype)


@pytest.mark.parametrize("shape", COND_SHAPES, ids=str)
def test_feature_channels_come_first_unchanged(shape: tuple[int, ...]) -> None:
    b, c, d, h, w = shape
    fmap, cond = values((b, c, h, w), seed=1), values((b, d), seed=2) + 100
    what = f"condition_feature_map(<fmap {(b, c, h, w)}>, <cond {(b, d)}>)"
    out = run(condition_feature_map, fmap, cond, what=what, hint=CAT_HINT)
    assert isinstance(out, torch.Tensor), f"{what} should return a tensor, got {type(out)}"
    assert_shape(out, (b, c + d, h, w), what)
    assert_tensor(
        out[:, :c], fmap, what=f"the first C = {c} channels of {what} (fmap first)", atol=0, rtol=0
    )


@pytest.mark.parametrize("shape", COND_SHAPES, ids=str)
def test_condition_channels_repeat_cond_at_every_pixel(shape: tuple[int, ...]) -> None:
    b, c, d, h, w = shape
    fmap, cond = values((b, c, h, w), seed=3), values((b, d), seed=4) + 100
    what = f"condition_feature_map(<fmap {(b, c, h, w)}>, <cond {(b, d)}>)"
    out = run(condition_feature_map, fmap, cond, what=what, hint=CAT_HINT)
    assert isinstance(out, torch.Tensor), f"{what} should return a tensor, got {type(out)}"
    assert_shape(out, (b, c + d, h, w), what)
    assert_tensor(
        out[:, c:],
        cond_channels_oracle(cond, h, w),
        what=f"channels C.. of {what}, which should hold cond[b, d] at every pixel",
        atol=0,
        rtol=0,
    )


def test_each_sample_sees_only_its_own_condition() -> None:
    fmap, cond = values((3, 4, 6, 7), seed=5), values((3, 5), seed=6)
    changed = cond.clone()
    changed[0] += 1000
    before = condition_feature_map(fmap, cond)
    after = condition_feature_map(fmap, changed)
    assert torch.equal(after[1:], before[1:]), (
        "changing the condition of sample 0 changed the output of samples 1 and 2: the batch "
        "dim of cond must line up with the batch dim of fmap (no averaging or mixing across it)"
    )
    assert not torch.equal(after[0], before[0]), (
        "changing the condition of sample 0 left its output as it was: is cond used at all?"
    )


@pytest.mark.parametrize("shape", ADD_SHAPES, ids=str)
def test_add_condition_adds_bias_per_sample_and_channel(shape: tuple[int, ...]) -> None:
    b, c, h, w = shape
    fmap, bias = values(shape, seed=7), values((b, c), seed=8) * 50
    f, s = fmap.tolist(), bias.tolist()
    expected = torch.tensor(
        [
            [[[f[i][k][y][x] + s[i][k] for x in range(w)] for y in range(h)] for k in range(c)]
            for i in range(b)
        ]
    )
    what = f"add_condition(<fmap {shape}>, <bias {(b, c)}>)"
    out = run(add_condition, fmap, bias, what=what, hint=ADD_HINT)
    try:
        assert_tensor(out, expected, what=what, atol=0, rtol=0)
    except AssertionError as err:
        raise AssertionError(
            f"{err}\nbias[b, c] belongs to channel c of sample b, at every pixel: {ADD_HINT}"
        ) from None


def test_add_condition_mixes_no_samples() -> None:
    fmap, bias = values((3, 4, 6, 7), seed=9), values((3, 4), seed=10)
    changed = bias.clone()
    changed[0] += 1000
    before, after = add_condition(fmap, bias), add_condition(fmap, changed)
    assert torch.equal(after[1:], before[1:]), (
        "changing the bias of sample 0 changed the output of other samples: line the batch dim "
        "of bias up with the batch dim of fmap"
    )
    assert_tensor(
        after[0] - before[0], torch.full((4, 6, 7), 1000.0), what="the change in sample 0"
    )


@pytest.mark.parametrize("fn", [condition_feature_map, add_condition], ids=lambda f: f.__name__)
def test_inputs_are_left_unchanged(fn: Callable[[torch.Tensor, torch.Tensor], object]) -> None:
    fmap = values((2, 3, 4, 5), seed=11)
    vector = values((2, 3), seed=12)
    fmap_before, vector_before = fmap.clone(), vector.clone()
    out = fn(fmap, vector)
    assert out is not fmap, f"{fn.__name__} must return a new tensor, not fmap itself"
    assert_tensor(fmap, fmap_before, what=f"fmap after {fn.__name__} (it must not change)")
    assert_tensor(vector, vector_before, what=f"the vector after {fn.__name__} (must not change)")


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16, torch.int64], ids=str)
def test_dtype_is_kept(dtype: torch.dtype) -> None:
    fmap, vector = values((2, 3, 4, 5), seed=13, dtype=dtype), values((2, 3), seed=14, dtype=dtype)
    joined = condition_feature_map(fmap, vector)
    assert_tensor(
        joined,
        torch.cat((fmap, cond_channels_oracle(vector, 4, 5)), dim=1),
        what=f"condition_feature_map on {dtype} inputs",
        atol=0,
        rtol=0,
    )
    added = add_condition(fmap, vector)
    assert_tensor(
        added,
        torch.stack([torch.stack([fmap[i, k] + vector[i, k] for k in range(3)]) for i in range(2)]),
        what=f"add_condition on {dtype} inputs",
        atol=0,
        rtol=0,
    )


def test_works_on_the_meta_device() -> None:
    """Meta tensors have shapes and no data: a real-sized batch costs nothing to check."""
    fmap = torch.empty(64, 256, 32, 24, device="meta")
    joined = run(
        condition_feature_map,
        fmap,
        torch.empty(64, 16, device="meta"),
        what="condition_feature_map on the meta device",
        hint="only shape operations are needed: no .item(), .tolist() or moves to another device",
    )
    assert_tensor(joined, torch.empty(64, 272, 32, 24, device="meta"), what="condition_feature_map")
    added = run(
        add_condition,
        fmap,
        torch.empty(64, 256, device="meta"),
        what="add_condition on the meta device",
        hint="only shape operations are needed: no .item(), .tolist() or moves to another device",
    )
    assert_tensor(added, torch.empty(64, 256, 32, 24, device="meta"), what="add_condition")
