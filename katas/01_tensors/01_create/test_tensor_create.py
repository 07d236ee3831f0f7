"""Spec for tensors/create: ramp, like, describe, best_device."""

import pytest
import torch
from tensor_create import TensorInfo, best_device, describe, like, ramp

from katakit.testing import assert_tensor

SHAPES = [(1, 1), (3, 4), (5, 2), (2, 7)]


@pytest.mark.parametrize(("rows", "cols"), SHAPES)
def test_ramp_counts_row_by_row(rows: int, cols: int) -> None:
    expected = torch.tensor(
        [[float(i * cols + j) for j in range(cols)] for i in range(rows)], dtype=torch.float32
    )
    assert_tensor(ramp(rows, cols), expected, what=f"ramp({rows}, {cols})", atol=0, rtol=0)


def test_ramp_is_created_on_the_requested_device() -> None:
    out = ramp(3, 4, device="meta")
    assert isinstance(out, torch.Tensor), f"ramp should return a tensor, got {type(out).__name__}"
    assert out.device.type == "meta", (
        f"ramp(3, 4, device='meta') returned a tensor on {out.device.type}: pass device= to "
        "the factory function instead of ignoring it"
    )
    assert (tuple(out.shape), out.dtype) == ((3, 4), torch.float32), (
        f"on the meta device ramp still needs shape (3, 4) and float32, got "
        f"{tuple(out.shape)} and {out.dtype}"
    )


@pytest.mark.gpu
def test_ramp_on_cuda() -> None:
    out = ramp(3, 4, device="cuda")
    assert out.is_cuda, f"ramp(..., device='cuda') returned a tensor on {out.device}"
    assert_tensor(out.cpu(), ramp(3, 4), what="ramp on cuda, brought back to cpu")


@pytest.mark.parametrize(
    ("dtype", "device", "fill"),
    [(torch.float32, "cpu", 2.5), (torch.int64, "cpu", 7), (torch.float16, "meta", -1.0)],
)
def test_like_copies_shape_dtype_device(dtype: torch.dtype, device: str, fill: float) -> None:
    source = torch.zeros(2, 3, 4, dtype=dtype, device=device)
    out = like(source, fill)
    assert_tensor(out, torch.full_like(source, fill), what=f"like(<{dtype} on {device}>, {fill})")
    assert out is not source and (device == "meta" or out.data_ptr() != source.data_ptr()), (
        "like must return a new tensor, not fill the one it was given"
    )
    if device == "cpu":
        assert bool((source == 0).all()), "like changed the tensor it was given: leave it as it was"


@pytest.mark.parametrize(
    ("make", "info"),
    [
        (lambda: torch.zeros(2, 3, dtype=torch.float64), ((2, 3), torch.float64, "cpu", 48)),
        (lambda: torch.ones(5, dtype=torch.int8), ((5,), torch.int8, "cpu", 5)),
        (
            lambda: torch.empty(1000, 1000, device="meta"),
            ((1000, 1000), torch.float32, "meta", 4_000_000),
        ),
        (lambda: torch.tensor(3.0, dtype=torch.bfloat16), ((), torch.bfloat16, "cpu", 2)),
    ],
)
def test_describe_reads_the_attributes_back(make: object, info: tuple[object, ...]) -> None:
    tensor = make()  # type: ignore[operator]
    got = describe(tensor)
    assert isinstance(got, TensorInfo), f"describe should return a TensorInfo, got {type(got)}"
    want = TensorInfo(*info)  # type: ignore[arg-type]
    for field in TensorInfo._fields:
        assert getattr(got, field) == getattr(want, field), (
            f"describe(<{tuple(tensor.shape)} {tensor.dtype} on {tensor.device.type}>)."
            f"{field}: expected {getattr(want, field)!r}, got {getattr(got, field)!r}"
        )
    assert type(got.device) is str, f"device should be a short string, got {type(got.device)}"


@pytest.mark.parametrize(("available", "want"), [(True, "cuda"), (False, "cpu")])
def test_best_device_follows_cuda_availability(
    monkeypatch: pytest.MonkeyPatch, available: bool, want: str
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    got = best_device()
    assert got == want, (
        f"with torch.cuda.is_available() == {available}, best_device() should be {want!r}, "
        f"got {got!r}: ask torch each time rather than hard-coding a device"
    )
