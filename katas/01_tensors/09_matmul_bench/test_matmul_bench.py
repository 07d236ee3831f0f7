"""Spec for tensors/matmul-bench: synchronizer, benchmark, median, matmul_tflops, time_matmul."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from typing import Any

import matmul_bench
import pytest
import torch
from matmul_bench import benchmark, matmul_tflops, median, synchronizer, time_matmul
from torch.overrides import TorchFunctionMode

# ---------------------------------------------------------------- a recorder for calls and time

STEPS = [0.5, 2.0, 0.25, 4.0, 1.0, 0.75, 3.0, 0.125]  # exact in binary: differences stay exact


class Timeline:
    """A fake clock, fn and sync writing to one list of events.

    The clock starts at 100 s and moves on by a different step at every read, so every timed
    call lasts a different, exactly known time.
    """

    def __init__(self) -> None:
        self.events: list[tuple[str, float]] = []
        self.now = 100.0
        self.reads = 0

    def clock(self) -> float:
        self.now += STEPS[self.reads % len(STEPS)]
        self.reads += 1
        self.events.append(("clock", self.now))
        return self.now

    def fn(self) -> None:
        self.events.append(("fn", 0.0))

    def sync(self) -> None:
        self.events.append(("sync", 0.0))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def calls(self) -> list[int]:
        return [i for i, kind in enumerate(self.kinds()) if kind == "fn"]

    def clocks(self) -> list[int]:
        return [i for i, kind in enumerate(self.kinds()) if kind == "clock"]

    def run(self, warmup: int, repeats: int) -> list[float]:
        return benchmark(self.fn, warmup=warmup, repeats=repeats, sync=self.sync, clock=self.clock)

    def brackets(self, warmup: int) -> list[tuple[int, int, int]]:
        """(clock read before, call, clock read after) for every timed call."""
        out = []
        for call in self.calls()[warmup:]:
            before = [c for c in self.clocks() if c < call]
            after = [c for c in self.clocks() if c > call]
            assert before and after, (
                f"the call at event {call} is not between two clock reads; events: {self.kinds()}"
            )
            out.append((before[-1], call, after[0]))
        return out


CASES = [(0, 1), (2, 5), (3, 4), (1, 6)]


@pytest.mark.parametrize(("warmup", "repeats"), CASES)
def test_benchmark_calls_fn_warmup_plus_repeats_times(warmup: int, repeats: int) -> None:
    line = Timeline()
    line.run(warmup, repeats)
    calls = len(line.calls())
    assert calls == warmup + repeats, (
        f"benchmark(warmup={warmup}, repeats={repeats}) should call fn {warmup + repeats} "
        f"times, it called it {calls} times"
    )


@pytest.mark.parametrize(("warmup", "repeats"), CASES)
def test_benchmark_does_not_time_warmup_calls(warmup: int, repeats: int) -> None:
    line = Timeline()
    line.run(warmup, repeats)
    assert line.clocks(), "benchmark never read the clock"
    early = sum(1 for call in line.calls() if call < line.clocks()[0])
    assert early == warmup, (
        f"with warmup={warmup}, expected {warmup} calls before the clock is first read, "
        f"counted {early}; events: {line.kinds()}"
    )


@pytest.mark.parametrize(("warmup", "repeats"), [(1, 2), (3, 4)])
def test_benchmark_waits_for_warmup_before_timing(warmup: int, repeats: int) -> None:
    line = Timeline()
    line.run(warmup, repeats)
    first_clock = line.clocks()[0]
    last_warmup = line.calls()[warmup - 1]
    assert "sync" in line.kinds()[last_warmup:first_clock], (
        f"the warm-up calls were not waited for before the clock started; events: "
        f"{line.kinds()}. On a GPU they would still be running inside the first measurement"
    )


@pytest.mark.parametrize(("warmup", "repeats"), CASES)
def test_benchmark_times_each_call_on_its_own(warmup: int, repeats: int) -> None:
    line = Timeline()
    line.run(warmup, repeats)
    for before, _, after in line.brackets(warmup):
        inside = line.kinds()[before:after].count("fn")
        assert inside == 1, (
            f"{inside} calls happened between two clock reads (events {before}..{after}): "
            f"measure every timed call on its own; events: {line.kinds()}"
        )


@pytest.mark.parametrize(("warmup", "repeats"), CASES)
def test_benchmark_syncs_before_stopping_the_clock(warmup: int, repeats: int) -> None:
    line = Timeline()
    line.run(warmup, repeats)
    for _, call, after in line.brackets(warmup):
        assert "sync" in line.kinds()[call:after], (
            f"the clock was read at event {after}, after the call at event {call}, with no "
            f"sync() in between; events: {line.kinds()}. On a GPU that times the launch, "
            "not the work"
        )


@pytest.mark.parametrize(("warmup", "repeats"), CASES)
def test_benchmark_returns_the_clock_differences(warmup: int, repeats: int) -> None:
    line = Timeline()
    samples = line.run(warmup, repeats)
    assert isinstance(samples, list), f"expected a list of floats, got {type(samples).__name__}"
    reads = [
        (line.events[before][1], line.events[after][1])
        for before, _, after in line.brackets(warmup)
    ]
    want = [stop - start for start, stop in reads]
    assert samples == want, (
        f"the fake clock says the timed calls took {want} s, benchmark returned {samples}: "
        "one sample per repeat, each the stop reading minus the start reading"
    )


# ---------------------------------------------------------------------------------- median


@pytest.mark.parametrize(
    "samples",
    [[3.0, 1.0, 2.0], [4.0, 1.0, 3.0, 2.0], [5.0], [2.0, 9.0], [0.5, 0.5, 8.0, 0.25, 7.0, 1.0]],
)
def test_median_of_small_lists(samples: list[float]) -> None:
    got = median(samples)
    want = statistics.median(samples)
    advice = ": with an even count, average the two middle values" if len(samples) % 2 == 0 else ""
    assert got == want, f"median({samples}): expected {want}, got {got}{advice}"


@pytest.mark.parametrize("seed", range(6))
def test_median_of_random_samples(seed: int) -> None:
    rng = random.Random(seed)
    samples = tuple(rng.uniform(0.001, 0.01) for _ in range(rng.randint(1, 9)))
    got = median(samples)
    want = statistics.median(samples)
    assert got == pytest.approx(want, rel=1e-12, abs=0), (
        f"median of {len(samples)} samples: expected {want}, got {got}"
    )


def test_median_leaves_samples_alone() -> None:
    samples = [3.0, 1.0, 4.0, 1.5]
    median(samples)
    assert samples == [3.0, 1.0, 4.0, 1.5], (
        f"median sorted the caller's list in place (it is now {samples}): sort a copy"
    )


# --------------------------------------------------------------------------- matmul_tflops


@pytest.mark.parametrize(("n", "seconds"), [(1000, 1.0), (2048, 0.01), (7, 3e-6), (4096, 0.25)])
def test_matmul_tflops(n: int, seconds: float) -> None:
    multiply_adds = n * n * n
    want = multiply_adds * 2 / (seconds * 10**12)
    got = matmul_tflops(n, seconds)
    assert got == pytest.approx(want, rel=1e-14), (
        f"matmul_tflops({n}, {seconds}): expected {want} TFLOP/s, got {got}: count 2 * n**3 "
        "operations and divide by seconds and by 10**12"
    )


# ----------------------------------------------------------------------------- synchronizer


@pytest.fixture
def cuda_syncs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []

    def fake_synchronize(*args: Any, **kwargs: Any) -> None:
        calls.append((*args, *kwargs.values()))

    monkeypatch.setattr(torch.cuda, "synchronize", fake_synchronize)
    return calls


def test_synchronizer_waits_for_cuda_when_called(cuda_syncs: list[tuple[Any, ...]]) -> None:
    wait = synchronizer("cuda")
    assert callable(wait), f"synchronizer should return a function, got {type(wait).__name__}"
    assert not cuda_syncs, "synchronizer('cuda') synchronized right away: wait when called"
    wait()
    wait()
    assert len(cuda_syncs) == 2, (
        f"calling the function synchronizer('cuda') returned twice should call "
        f"torch.cuda.synchronize twice, it was called {len(cuda_syncs)} times"
    )


@pytest.mark.parametrize("device", ["cuda:1", torch.device("cuda", 1)])
def test_synchronizer_waits_for_the_right_gpu(
    cuda_syncs: list[tuple[Any, ...]], device: str | torch.device
) -> None:
    synchronizer(device)()
    assert len(cuda_syncs) == 1, f"expected one torch.cuda.synchronize call for {device!r}"
    args = cuda_syncs[0]
    assert args and torch.device(args[0]) == torch.device("cuda", 1), (
        f"synchronizer({device!r}) called torch.cuda.synchronize with {args}: pass the device "
        "on, or it waits for the current GPU instead of GPU 1"
    )


@pytest.mark.parametrize("device", ["cpu", "meta", torch.device("cpu")])
def test_synchronizer_does_nothing_off_the_gpu(
    cuda_syncs: list[tuple[Any, ...]], device: str | torch.device
) -> None:
    wait = synchronizer(device)
    assert callable(wait), f"synchronizer should return a function, got {type(wait).__name__}"
    wait()
    assert not cuda_syncs, (
        f"synchronizer({device!r})() called torch.cuda.synchronize: only CUDA devices run "
        "asynchronously here"
    )


# ------------------------------------------------------------------------------ time_matmul


class OpRecorder(TorchFunctionMode):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.operands: list[torch.Tensor] = []

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: Any,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        self.names.append(getattr(func, "__name__", str(func)))
        self.operands += [a for a in args if isinstance(a, torch.Tensor)]
        return func(*args, **(kwargs or {}))


MATMULS = {"matmul", "__matmul__", "mm", "einsum"}


class Spy:
    """Stands in for benchmark and synchronizer inside matmul_bench."""

    def __init__(self, samples: list[float]) -> None:
        self.samples = samples
        self.kwargs: dict[str, Any] = {}
        self.fn: Callable[[], Any] | None = None
        self.devices: list[Any] = []

    def benchmark(self, fn: Callable[[], Any], **kwargs: Any) -> list[float]:
        self.fn = fn
        self.kwargs = kwargs
        return list(self.samples)

    def wait(self) -> None:  # the marker sync that synchronizer hands out
        pass

    def synchronizer(self, device: Any) -> Callable[[], None]:
        self.devices.append(device)
        return self.wait


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    s = Spy([3.0, 1.0, 2.0, 5.0])
    monkeypatch.setattr(matmul_bench, "benchmark", s.benchmark)
    monkeypatch.setattr(matmul_bench, "synchronizer", s.synchronizer)
    return s


def test_time_matmul_returns_the_median(spy: Spy) -> None:
    got = time_matmul(4, "cpu")
    assert got == 2.5, (
        f"benchmark returned samples [3.0, 1.0, 2.0, 5.0], so time_matmul should return their "
        f"median 2.5, got {got}"
    )


def test_time_matmul_passes_warmup_and_repeats(spy: Spy) -> None:
    time_matmul(4, "cpu", warmup=4, repeats=7)
    got = (spy.kwargs.get("warmup"), spy.kwargs.get("repeats"))
    assert got == (4, 7), f"time_matmul(warmup=4, repeats=7) called benchmark with {got}"
    time_matmul(4, "cpu")
    got = (spy.kwargs.get("warmup"), spy.kwargs.get("repeats"))
    assert got == (2, 5), f"by default benchmark should get warmup=2, repeats=5, got {got}"


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_time_matmul_syncs_for_its_device(spy: Spy, device: str) -> None:
    time_matmul(4, device)
    assert spy.devices == [device], (
        f"time_matmul(4, {device!r}) should call synchronizer({device!r}) once, calls were "
        f"with {spy.devices}"
    )
    assert spy.kwargs.get("sync") == spy.wait, (
        f"benchmark should get sync=synchronizer(device), it got {spy.kwargs.get('sync')!r}"
    )


@pytest.mark.parametrize(("n", "dtype"), [(6, torch.float64), (3, torch.float16)])
def test_time_matmul_multiplies_on_the_device(spy: Spy, n: int, dtype: torch.dtype) -> None:
    time_matmul(n, "meta", dtype=dtype)
    assert spy.fn is not None, "time_matmul did not call benchmark"
    with OpRecorder() as ops:
        out = spy.fn()
    assert isinstance(out, torch.Tensor), f"the timed function returned {type(out).__name__}"
    got = (tuple(out.shape), out.dtype, out.device.type)
    assert got == ((n, n), dtype, "meta"), (
        f"time_matmul({n}, 'meta', dtype={dtype}): the timed function should return an "
        f"{n} x {n} {dtype} product on meta, it returned shape, dtype, device {got}"
    )
    assert MATMULS & set(ops.names), (
        f"the timed function ran {ops.names}, but no matrix multiply: use a @ b "
        "(elementwise * is a different operation)"
    )
    for operand in ops.operands:
        got = (tuple(operand.shape), operand.dtype, operand.device.type)
        assert got == ((n, n), dtype, "meta"), (
            f"time_matmul({n}, 'meta', dtype={dtype}) multiplied an operand with shape, dtype, "
            f"device {got}: create both operands {n} x {n}, as {dtype}, on the device"
        )
    assert set(ops.names) <= MATMULS, (
        f"the timed function also ran {sorted(set(ops.names) - MATMULS)}: create the operands "
        "once, before timing, so only the multiply is measured"
    )


def test_time_matmul_on_cpu_for_real() -> None:
    got = time_matmul(24, "cpu", warmup=1, repeats=3)
    assert isinstance(got, float) and math.isfinite(got) and got > 0, (
        f"time_matmul(24, 'cpu') should be a positive number of seconds, got {got!r}"
    )


# ------------------------------------------------------------------------------------ on a GPU


@pytest.mark.gpu
def test_cuda_matmul_beats_cpu() -> None:
    cuda = time_matmul(2048, "cuda", warmup=2, repeats=5)
    cpu = time_matmul(2048, "cpu", warmup=1, repeats=3)
    assert 0 < cuda < cpu, (
        f"a 2048 x 2048 matmul took {cuda * 1e3:.3f} ms on cuda and {cpu * 1e3:.3f} ms on cpu"
    )


@pytest.mark.gpu
def test_cuda_timing_is_physically_possible() -> None:
    n = 8192
    a = torch.randn(n, n, device="cuda")
    b = torch.randn(n, n, device="cuda")
    samples = benchmark(lambda: a @ b, warmup=1, repeats=3, sync=synchronizer("cuda"))
    assert len(samples) == 3 and all(s > 0 for s in samples), f"samples: {samples}"
    rate = matmul_tflops(n, median(samples))
    assert math.isfinite(rate) and rate < 5000, (
        f"measured {rate:.0f} TFLOP/s in float32, faster than any GPU: the clock was read "
        "before the GPU finished (sync before reading it)"
    )
