"""Spec for tensors/memory: tensor_bytes, storage_bytes, predict_bytes, param_bytes, peak_during."""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
from gpu_memory import (
    MemoryReport,
    param_bytes,
    peak_during,
    predict_bytes,
    storage_bytes,
    tensor_bytes,
)
from torch import nn

MiB = 1024**2


def element_bytes(dtype: torch.dtype) -> int:
    """Bytes per element from the dtype's bit width (bool is stored in one byte)."""
    if dtype == torch.bool:
        return 1
    if dtype.is_complex:  # a real and an imaginary part
        return 2 * torch.finfo(dtype).bits // 8
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    return info.bits // 8


def linear_bytes(n_in: int, n_out: int, dtype: torch.dtype, bias: bool = True) -> int:
    return (n_in * n_out + (n_out if bias else 0)) * element_bytes(dtype)


# ------------------------------------------------------------------------------ tensor_bytes

TENSORS: list[tuple[str, Callable[[], torch.Tensor], int]] = [
    ("zeros(2, 3) float64", lambda: torch.zeros(2, 3, dtype=torch.float64), 2 * 3 * 8),
    ("ones(5) int8", lambda: torch.ones(5, dtype=torch.int8), 5),
    ("empty(1000, 1000) on meta", lambda: torch.empty(1000, 1000, device="meta"), 4_000_000),
    ("0-dim bfloat16", lambda: torch.tensor(3.0, dtype=torch.bfloat16), 2),
    ("a column slice [:, 1:4] of (4, 6)", lambda: torch.zeros(4, 6)[:, 1:4], 4 * 3 * 4),
    (
        "(1, 5) float16 expanded to (1000, 5)",
        lambda: torch.zeros(1, 5).half().expand(1000, 5),
        1000 * 5 * 2,
    ),
    ("(3,) complex64", lambda: torch.zeros(3, dtype=torch.complex64), 3 * 8),
    ("(7,) bool", lambda: torch.zeros(7, dtype=torch.bool), 7),
]


@pytest.mark.parametrize(("label", "make", "want"), TENSORS, ids=[t[0] for t in TENSORS])
def test_tensor_bytes(label: str, make: Callable[[], torch.Tensor], want: int) -> None:
    t = make()
    assert math.prod(t.shape) * element_bytes(t.dtype) == want  # the table itself is right
    got = tensor_bytes(t)
    assert got == want, (
        f"tensor_bytes({label}): expected {want} bytes ({t.numel()} elements x "
        f"{element_bytes(t.dtype)} bytes), got {got!r}"
    )
    assert type(got) is int, f"tensor_bytes should return an int, got {type(got).__name__}"


# ----------------------------------------------------------------------------- storage_bytes


def test_storage_of_a_slice_is_the_whole_tensor() -> None:
    base = torch.zeros(1000, 10)
    rows = base[3:5]
    got = storage_bytes(rows)
    want = 1000 * 10 * 4
    assert got == want, (
        f"a 2-row slice of a (1000, 10) float32 tensor shares its {want}-byte storage, "
        f"storage_bytes said {got}: look at the storage, not at the slice's own elements"
    )


def test_storage_of_a_slice_on_meta() -> None:
    base = torch.empty(10**6, 256, dtype=torch.float16, device="meta")
    got = storage_bytes(base[5:7])
    want = 10**6 * 256 * 2
    assert got == want, f"a slice of a (10**6, 256) float16 tensor: expected {want}, got {got}"


def test_storage_of_a_clone_is_its_own() -> None:
    rows = torch.zeros(1000, 10)[3:5].clone()
    got = storage_bytes(rows)
    assert got == 2 * 10 * 4, (
        f"a clone of a 2-row slice owns a fresh 80-byte storage, storage_bytes said {got}"
    )


def test_storage_of_an_expanded_tensor_is_small() -> None:
    wide = torch.zeros(1, 5, dtype=torch.float16).expand(1000, 5)
    got = storage_bytes(wide)
    assert got == 5 * 2, (
        f"expand repeats 5 float16 values 1000 times without copying: the storage holds 10 "
        f"bytes, storage_bytes said {got}"
    )


def test_storage_of_a_transpose_is_the_same() -> None:
    t = torch.zeros(3, 7, dtype=torch.float64).t()
    got = storage_bytes(t)
    assert got == 3 * 7 * 8, f"a transposed (3, 7) float64 tensor: expected 168, got {got}"


# ----------------------------------------------------------------------------- predict_bytes

SHAPES: list[tuple[Any, torch.dtype]] = [
    ((3, 4), torch.float32),
    (torch.Size([2, 5, 7]), torch.float16),
    ((), torch.float64),
    ((10,), torch.bool),
    ((4, 4), torch.bfloat16),
    ((3, 2), torch.complex64),
    ([6], torch.int8),
    ((0, 5), torch.float32),
    ((2, 3, 4, 5), torch.int64),
]


@pytest.mark.parametrize(("shape", "dtype"), SHAPES)
def test_predict_bytes(shape: Any, dtype: torch.dtype) -> None:
    probe = torch.empty(shape, dtype=dtype, device="meta")
    want = probe.numel() * probe.element_size()
    got = predict_bytes(shape, dtype)
    assert got == want, f"predict_bytes({shape!r}, {dtype}): expected {want} bytes, got {got!r}" + (
        ": a shape of () still holds one element" if shape == () else ""
    )


def test_predict_bytes_of_something_too_big_to_exist() -> None:
    got = predict_bytes((10**9, 10**9), torch.float32)
    assert got == 4 * 10**18, (
        f"a (10**9, 10**9) float32 tensor would take 4 * 10**18 bytes, got {got!r}"
    )


# ------------------------------------------------------------------------------- param_bytes


def mixed_model() -> nn.Sequential:
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(300, 200), nn.BatchNorm1d(200), nn.Linear(200, 10))
    model[2].to(torch.float16)
    model[0].requires_grad_(False)  # frozen: still takes memory
    return model


MIXED_PARAMS = (
    linear_bytes(300, 200, torch.float32)
    + 2 * 200 * 4  # batch-norm weight and bias
    + linear_bytes(200, 10, torch.float16)
)
MIXED_BUFFERS = 2 * 200 * 4 + 8  # running mean and var, and an int64 batch counter


def test_param_bytes_of_a_mixed_model() -> None:
    got = param_bytes(mixed_model())
    assert got == MIXED_PARAMS, (
        f"a float32 Linear(300, 200) (frozen), a BatchNorm1d(200) and a float16 "
        f"Linear(200, 10): expected {MIXED_PARAMS} bytes of parameters, got {got!r}. Frozen "
        "parameters take memory too; mind each parameter's own dtype"
    )


def test_param_bytes_with_buffers() -> None:
    got = param_bytes(mixed_model(), buffers=True)
    want = MIXED_PARAMS + MIXED_BUFFERS
    assert got == want, (
        f"with buffers=True expected {MIXED_PARAMS} + {MIXED_BUFFERS} (running mean, running "
        f"var, the int64 num_batches_tracked) = {want} bytes, got {got!r}"
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float64])
def test_param_bytes_of_a_big_model_on_meta(dtype: torch.dtype) -> None:
    with torch.device("meta"):
        model = nn.Sequential(*[nn.Linear(8192, 8192) for _ in range(4)]).to(dtype)
    got = param_bytes(model)
    want = 4 * linear_bytes(8192, 8192, dtype)
    assert got == want, (
        f"four {dtype} Linear(8192, 8192) layers: expected {want} bytes "
        f"({want / 2**30:.2f} GiB), got {got!r}"
    )


def test_param_bytes_counts_tied_weights_once() -> None:
    embed = nn.Embedding(50, 16)
    head = nn.Linear(16, 50, bias=False)
    head.weight = embed.weight
    model = nn.Sequential(embed, nn.LayerNorm(16), head)
    got = param_bytes(model)
    want = 50 * 16 * 4 + 2 * 16 * 4
    assert got == want, (
        f"the output layer shares the embedding's (50, 16) weight: expected {want} bytes, "
        f"got {got!r}. A shared tensor is stored once (and a state_dict lists it twice)"
    )


def test_param_bytes_leaves_out_buffers_by_default() -> None:
    model = nn.BatchNorm1d(12)
    got = param_bytes(model)
    assert got == 2 * 12 * 4, (
        f"BatchNorm1d(12) has 96 bytes of parameters (weight, bias); got {got!r}: buffers are "
        "counted only with buffers=True"
    )


# ------------------------------------------------------------------------------- peak_during


class FakeCuda:
    """Stands in for torch.cuda's memory statistics; records the order of calls.

    1024 bytes are allocated before fn runs, and an old peak of 99_999 bytes is left over from
    earlier work. fn allocates 6000 bytes and frees 4000 of them; the allocator reserves
    memory in 2048-byte chunks and keeps what it reserved until empty_cache.
    """

    def __init__(self) -> None:
        self.allocated, self.peak, self.reserved = 1024, 99_999, 2048
        self.events: list[str] = []
        self.calls: list[tuple[str, Any]] = []  # (statistics function, device asked about)

    def _log(self, name: str, device: Any) -> None:
        self.events.append(name)
        self.calls.append((name, device))

    def reset_peak_memory_stats(self, device: Any = None) -> None:
        self._log("reset_peak_memory_stats", device)
        self.peak = self.allocated

    def memory_allocated(self, device: Any = None) -> int:
        self._log("memory_allocated", device)
        return self.allocated

    def max_memory_allocated(self, device: Any = None) -> int:
        self._log("max_memory_allocated", device)
        return self.peak

    def memory_reserved(self, device: Any = None) -> int:
        self._log("memory_reserved", device)
        return self.reserved

    def synchronize(self, device: Any = None) -> None:
        pass

    def empty_cache(self) -> None:
        self.events.append("empty_cache")
        self.reserved = -(-self.allocated // 2048) * 2048

    def work(self) -> str:
        self.events.append("fn")
        self.allocated += 6000
        self.peak = max(self.peak, self.allocated)
        self.reserved = max(self.reserved, -(-self.allocated // 2048) * 2048)
        self.allocated -= 4000
        return "some result"

    def before_and_after(self, name: str) -> tuple[int, int]:
        assert "fn" in self.events, f"peak_during never called fn; calls made: {self.events}"
        fn = self.events.index("fn")
        return self.events[:fn].count(name), self.events[fn:].count(name)


EXPECTED = MemoryReport(allocated_before=1024, peak=7024, allocated_after=3024, reserved=8192)


@pytest.fixture
def fake_cuda(monkeypatch: pytest.MonkeyPatch) -> FakeCuda:
    fake = FakeCuda()
    for name in (
        "reset_peak_memory_stats",
        "memory_allocated",
        "max_memory_allocated",
        "memory_reserved",
        "synchronize",
        "empty_cache",
    ):
        monkeypatch.setattr(torch.cuda, name, getattr(fake, name))
    return fake


def test_peak_during_reports_the_numbers(fake_cuda: FakeCuda) -> None:
    got = peak_during(fake_cuda.work, "cuda")
    assert isinstance(got, MemoryReport), f"expected a MemoryReport, got {type(got).__name__}"
    for field in MemoryReport._fields:
        assert getattr(got, field) == getattr(EXPECTED, field), (
            f"{field}: expected {getattr(EXPECTED, field)}, got {getattr(got, field)}. "
            f"(1024 bytes in use, fn allocates 6000 and frees 4000; calls made: "
            f"{fake_cuda.events})"
        )


def test_peak_during_resets_the_peak_before_fn(fake_cuda: FakeCuda) -> None:
    peak_during(fake_cuda.work, "cuda")
    assert fake_cuda.before_and_after("reset_peak_memory_stats") == (1, 0), (
        f"reset the peak statistics once, before fn runs; calls made: {fake_cuda.events}. "
        "Without it, max_memory_allocated remembers an older, larger peak"
    )


def test_peak_during_reads_the_peak_after_fn(fake_cuda: FakeCuda) -> None:
    peak_during(fake_cuda.work, "cuda")
    _, after = fake_cuda.before_and_after("max_memory_allocated")
    assert after >= 1, f"read max_memory_allocated after fn runs; calls made: {fake_cuda.events}"


def test_peak_during_reads_allocated_before_and_after(fake_cuda: FakeCuda) -> None:
    peak_during(fake_cuda.work, "cuda")
    before, after = fake_cuda.before_and_after("memory_allocated")
    assert before >= 1 and after >= 1, (
        f"read memory_allocated once before fn and once after; calls made: {fake_cuda.events}"
    )


@pytest.mark.parametrize("device", ["cuda:1", torch.device("cuda", 1)])
def test_peak_during_asks_about_the_given_device(
    fake_cuda: FakeCuda, device: str | torch.device
) -> None:
    peak_during(fake_cuda.work, device)
    wrong = [
        (name, d)
        for name, d in fake_cuda.calls
        if d is None or torch.device(d) != torch.device("cuda", 1)
    ]
    assert len(fake_cuda.calls) >= 4 and not wrong, (
        f"peak_during(fn, {device!r}) made these calls about another GPU (None means the "
        f"current one): {wrong}. Pass the device to every statistics call"
    )


def test_peak_during_defaults_to_cuda(fake_cuda: FakeCuda) -> None:
    peak_during(fake_cuda.work)
    devices = {str(d) for _, d in fake_cuda.calls}
    assert devices == {"cuda"}, (
        f"by default peak_during should ask about 'cuda', it asked about {devices}"
    )


# ------------------------------------------------------------------------------------ on a GPU


@pytest.mark.gpu
def test_a_temporary_tensor_shows_only_in_the_peak() -> None:
    def work() -> None:
        x = torch.empty(MiB, device="cuda")  # 4 MiB of float32
        y = x + 1
        del x, y

    gc.collect()
    report = peak_during(work, "cuda:0")
    assert report.peak - report.allocated_before >= 4 * MiB, (
        f"fn held at least 4 MiB at once, but the peak rose only by "
        f"{report.peak - report.allocated_before} bytes: {report}"
    )
    assert report.allocated_after == report.allocated_before, (
        f"fn freed what it allocated, yet allocated changed: {report}"
    )
    assert report.reserved >= report.peak, f"reserved never falls below the peak: {report}"


@pytest.mark.gpu
def test_a_kept_tensor_stays_allocated() -> None:
    kept: list[torch.Tensor] = []
    gc.collect()
    report = peak_during(lambda: kept.append(torch.empty(MiB, device="cuda")))
    grown = report.allocated_after - report.allocated_before
    assert grown >= tensor_bytes(kept[0]) == 4 * MiB, (
        f"fn kept a 4 MiB tensor alive, allocated grew by {grown} bytes: {report}"
    )


@pytest.mark.gpu
def test_del_and_empty_cache_give_memory_back() -> None:
    gc.collect()
    torch.cuda.empty_cache()
    before = torch.cuda.memory_allocated()
    x = torch.empty(MiB, device="cuda")
    during = torch.cuda.memory_allocated()
    assert during - before >= tensor_bytes(x), f"allocated grew by {during - before} bytes only"
    held = torch.cuda.memory_reserved()
    assert held >= during, f"reserved {held} < allocated {during}"
    del x
    assert torch.cuda.memory_allocated() == before, "del gave the tensor's memory back"
    assert torch.cuda.memory_reserved() == held, "the cache keeps the freed block reserved"
    torch.cuda.empty_cache()
    assert torch.cuda.memory_reserved() <= held, "empty_cache hands cached blocks back"


@pytest.mark.gpu
def test_param_bytes_matches_what_cuda_allocates() -> None:
    gc.collect()
    before = torch.cuda.memory_allocated()
    model = nn.Sequential(nn.Linear(1000, 3000), nn.BatchNorm1d(3000)).cuda()
    grown = torch.cuda.memory_allocated() - before
    want = param_bytes(model, buffers=True)
    # The caching allocator rounds every block up (to 512 bytes, and a big block may keep an
    # unsplit tail of up to 1 MiB), so CUDA's count is a little larger, never smaller.
    assert want <= grown < want + 2 * MiB, (
        f"moving the model to cuda allocated {grown} bytes, but param_bytes(buffers=True) "
        f"says {want}: the two should agree up to the allocator's rounding"
    )
