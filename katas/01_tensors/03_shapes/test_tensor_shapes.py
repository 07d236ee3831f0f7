"""Spec for tensors/shapes: flatten, permute, stack, cat, squeeze and indexing.

Inputs hold distinct values (a shuffled 0, 1, 2, ...), so a function that gets the shape right
but puts numbers in the wrong places cannot pass. The oracles are plain Python loops.
"""

import math
from collections.abc import Callable

import pytest
import torch
from tensor_shapes import (
    batch_images,
    drop_channel,
    flatten_images,
    join_features,
    last_step,
    select_rows,
    to_nhwc,
)

from katakit.testing import assert_tensor

IMAGE_SHAPES = [(2, 3, 4, 5), (3, 2, 5, 4), (1, 3, 2, 4), (1, 1, 1, 1)]


def distinct(
    shape: tuple[int, ...], *, seed: int = 0, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """A tensor of ``shape`` holding 0, 1, 2, ... in a seeded random order."""
    g = torch.Generator().manual_seed(seed)
    return torch.randperm(math.prod(shape), generator=g).reshape(shape).to(dtype)


def assert_same(actual: object, expected: torch.Tensor, what: str, hint: str) -> None:
    """Exact comparison; a mismatch also gets ``hint``."""
    try:
        assert_tensor(actual, expected, what=what, atol=0, rtol=0)
    except AssertionError as err:
        if not isinstance(actual, torch.Tensor):
            raise
        moved = (
            actual.shape == expected.shape
            and actual.dtype == expected.dtype
            and torch.equal(actual.flatten().sort().values, expected.flatten().sort().values)
        )
        lead = "right shape and the right numbers, in the wrong places" if moved else "hint"
        raise AssertionError(f"{err}\n{lead}: {hint}") from None


SCRAMBLED = (
    "reshape and view re-read the numbers in memory order, they never move a dim; "
    "moving dims is a permutation"
)


@pytest.mark.parametrize("shape", IMAGE_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64], ids=str)
def test_flatten_images_keeps_the_batch_dim(shape: tuple[int, ...], dtype: torch.dtype) -> None:
    images = distinct(shape, seed=1, dtype=dtype)
    v = images.tolist()
    b_, c_, h_, w_ = shape
    expected = torch.tensor(
        [
            [v[b][c][h][w] for c in range(c_) for h in range(h_) for w in range(w_)]
            for b in range(b_)
        ],
        dtype=dtype,
    )
    assert_same(flatten_images(images), expected, f"flatten_images(<{shape}>)", SCRAMBLED)


def test_flatten_images_accepts_a_non_contiguous_tensor() -> None:
    images = distinct((2, 4, 5, 3), seed=2).permute(0, 3, 1, 2)  # (B, C, H, W), channels last
    v = images.tolist()
    expected = torch.tensor(
        [[v[b][c][h][w] for c in range(3) for h in range(4) for w in range(5)] for b in range(2)]
    )
    try:
        out = flatten_images(images)
    except RuntimeError as err:
        if isinstance(err, NotImplementedError):
            raise
        raise AssertionError(
            f"flatten_images failed on a permuted (non-contiguous) tensor: {err}\n"
            "view() only works when the memory layout allows it; use an operation that copies "
            "when it has to"
        ) from None
    assert_same(out, expected, "flatten_images(<permuted (2, 3, 4, 5)>)", SCRAMBLED)


@pytest.mark.parametrize("shape", [*IMAGE_SHAPES, (2, 3, 5, 4)], ids=str)
def test_to_nhwc_moves_channels_last(shape: tuple[int, ...]) -> None:
    images = distinct(shape, seed=3)
    v = images.tolist()
    b_, c_, h_, w_ = shape
    expected = torch.tensor(
        [
            [[[v[b][c][h][w] for c in range(c_)] for w in range(w_)] for h in range(h_)]
            for b in range(b_)
        ]
    )
    assert_same(to_nhwc(images), expected, f"to_nhwc(<{shape}>)", SCRAMBLED)


@pytest.mark.parametrize("count", [3, 1])
def test_batch_images_stacks_along_a_new_dim(count: int) -> None:
    images = [distinct((2, 3, 4), seed=10 + n) for n in range(count)]
    out = batch_images(images)
    if isinstance(out, torch.Tensor) and out.dim() == 3:
        raise AssertionError(
            f"batch_images of {count} images (2, 3, 4) returned {tuple(out.shape)}: the images "
            "were joined along an existing dim; a batch needs a new leading dim"
        )
    expected = torch.tensor([image.tolist() for image in images])
    assert_same(out, expected, f"batch_images(<{count} x (2, 3, 4)>)", "keep image n at index n")


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((4, 3), (4, 5)), ((1, 2), (1, 6)), ((3, 3), (3, 3)), ((2, 2), (2, 2))],
    ids=str,
)
def test_join_features_concatenates_per_sample(
    shape_a: tuple[int, int], shape_b: tuple[int, int]
) -> None:
    a = distinct(shape_a, seed=4)
    b = distinct(shape_b, seed=5) + 100
    expected = torch.tensor([ra + rb for ra, rb in zip(a.tolist(), b.tolist(), strict=True)])
    assert_same(
        join_features(a, b),
        expected,
        f"join_features(<{shape_a}>, <{shape_b}>)",
        "each output row is a's row followed by b's row: join along the feature dim, a first",
    )


@pytest.mark.parametrize(
    "shape", [(3, 1, 2, 4), (1, 1, 4, 5), (1, 1, 1, 5), (2, 1, 3, 1), (1, 1, 1, 1)], ids=str
)
def test_drop_channel_removes_only_dim_1(shape: tuple[int, ...]) -> None:
    masks = distinct(shape, seed=6, dtype=torch.int64) % 2 == 0
    v = masks.tolist()
    b_, _, h_, w_ = shape
    expected = torch.tensor(
        [[[v[b][0][h][w] for w in range(w_)] for h in range(h_)] for b in range(b_)]
    )
    out = drop_channel(masks)
    if isinstance(out, torch.Tensor) and out.dim() < 3:
        raise AssertionError(
            f"drop_channel(<{shape}>) returned {tuple(out.shape)}, expected {(b_, h_, w_)}: "
            "a squeeze without a dim drops every size-1 dim, the batch of one included"
        )
    assert_same(out, expected, f"drop_channel(<{shape}>)", "only dim 1 should go away")


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 2, 1, 1), (3, 4, 1, 1)], ids=str)
def test_drop_channel_rejects_several_channels(shape: tuple[int, ...]) -> None:
    masks = torch.zeros(shape, dtype=torch.bool)
    try:
        out = drop_channel(masks)
    except ValueError:
        return
    got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
    raise AssertionError(
        f"drop_channel(<{shape}>) returned {got} instead of raising ValueError: dim 1 holds "
        f"{shape[1]} channels, so there is no single channel to drop (and squeeze leaves a dim "
        "that is not of size 1 as it is, without a word)"
    )


@pytest.mark.parametrize("shape", [(2, 5, 3), (1, 4, 2), (3, 3, 2), (4, 1, 3)], ids=str)
def test_last_step_picks_the_final_time_step(shape: tuple[int, int, int]) -> None:
    seq = distinct(shape, seed=7)
    b_, t_, f_ = shape
    v = seq.tolist()
    expected = torch.tensor([[v[b][t_ - 1][f] for f in range(f_)] for b in range(b_)])
    assert_same(
        last_step(seq),
        expected,
        f"last_step(<(B, T, F) = {shape}>)",
        "take the last step of the time dim (dim 1) for every sample, not the last sample",
    )


@pytest.mark.parametrize(
    "keep",
    [
        [True, False, True, True, False, False],
        [False] * 6,
        [True] * 6,
        [False, False, False, False, False, True],
    ],
    ids=["some", "none", "all", "last"],
)
def test_select_rows_keeps_masked_rows_in_order(keep: list[bool]) -> None:
    x = distinct((6, 3), seed=8, dtype=torch.int64)
    mask = torch.tensor(keep)
    rows = [row for row, k in zip(x.tolist(), keep, strict=True) if k]
    expected = torch.tensor(rows, dtype=torch.int64).reshape(len(rows), 3)
    assert_same(select_rows(x, mask), expected, f"select_rows(<(6, 3)>, {keep})", "keep row order")


def test_select_rows_with_a_batch_of_one() -> None:
    x = distinct((1, 4), seed=9)
    assert_tensor(select_rows(x, torch.tensor([True])), x, what="select_rows(<(1, 4)>, [True])")
    assert_tensor(
        select_rows(x, torch.tensor([False])),
        torch.empty(0, 4),
        what="select_rows(<(1, 4)>, [False])",
    )


META_CALLS: list[tuple[str, Callable[[], torch.Tensor], tuple[int, ...]]] = [
    (
        "flatten_images",
        lambda: flatten_images(torch.empty(64, 3, 32, 30, device="meta")),
        (64, 2880),
    ),
    ("to_nhwc", lambda: to_nhwc(torch.empty(64, 3, 32, 30, device="meta")), (64, 32, 30, 3)),
    (
        "batch_images",
        lambda: batch_images([torch.empty(3, 32, 30, device="meta")] * 5),
        (5, 3, 32, 30),
    ),
    (
        "join_features",
        lambda: join_features(torch.empty(64, 7, device="meta"), torch.empty(64, 9, device="meta")),
        (64, 16),
    ),
    ("drop_channel", lambda: drop_channel(torch.empty(64, 1, 32, 30, device="meta")), (64, 32, 30)),
    ("last_step", lambda: last_step(torch.empty(64, 50, 8, device="meta")), (64, 8)),
]


@pytest.mark.parametrize(("name", "call", "shape"), META_CALLS, ids=[c[0] for c in META_CALLS])
def test_shapes_only_need_shapes(
    name: str, call: Callable[[], torch.Tensor], shape: tuple[int, ...]
) -> None:
    """On the meta device tensors have shapes but no values: pure shape code runs there."""
    try:
        out = call()
    except (RuntimeError, NotImplementedError) as err:
        if isinstance(err, NotImplementedError):
            raise
        raise AssertionError(
            f"{name} failed on the meta device: {err}\nit should only rearrange dims, without "
            "reading values (.item(), .tolist(), Python loops over the data) or leaving the device"
        ) from None
    assert_tensor(out, torch.empty(shape, device="meta"), what=f"{name} on the meta device")


def test_inputs_are_left_unchanged() -> None:
    images = distinct((2, 3, 4, 5), seed=11)
    a, b = distinct((2, 3), seed=12), distinct((2, 4), seed=13)
    seq = distinct((2, 5, 3), seed=14)
    masks = distinct((2, 1, 4, 5), seed=15)
    keep = torch.tensor([True, False])
    inputs = [images, a, b, seq, masks, keep]
    before = [t.clone() for t in inputs]
    flatten_images(images)
    to_nhwc(images)
    batch_images([images[0], images[1]])
    join_features(a, b)
    drop_channel(masks)
    last_step(seq)
    select_rows(a, keep)
    for t, old in zip(inputs, before, strict=True):
        assert_tensor(t, old, what="an input after the calls (none of them may change it)")
