"""Time a matrix multiply on CPU and GPU without fooling yourself.

"The GPU is 1000x faster" is usually a broken benchmark: CUDA runs asynchronously, so
``a @ b`` returns as soon as the work is queued, and a timer read right after it measures the
launch, not the multiply. The first calls also pay for start-up (CUDA context, cuBLAS handles,
memory). An honest benchmark warms up, waits for the device before each clock read, repeats,
and reports the median, which shrugs off the odd slow run.

Write five functions:

1. ``synchronizer(device)`` returns a function of no arguments that waits until ``device`` has
   finished its queued work: ``torch.cuda.synchronize(device)`` for a CUDA device ("cuda",
   "cuda:1", ``torch.device("cuda", 0)``), and nothing at all for any other device (CPU work is
   already done when the call returns). It waits when called, not when it is made.
2. ``benchmark(fn, *, warmup, repeats, sync, clock=time.perf_counter)`` calls ``fn()``
   ``warmup`` times untimed, then ``sync()``; then ``repeats`` times: read ``clock()``, call
   ``fn()``, ``sync()``, read ``clock()`` again. It returns the ``repeats`` durations in
   seconds, in order, as a list of floats. Every timed call is measured on its own, and the
   clock is always read after ``sync()``, never while the device may still be busy.
3. ``median(samples)`` returns the median of a non-empty sequence of numbers: the middle value
   of the sorted samples, or the mean of the two middle values when their count is even. The
   sequence it is given stays as it was.
4. ``matmul_tflops(n, seconds)``: an ``n x n`` by ``n x n`` matmul does ``n**3``
   multiply-adds, counted as ``2 * n**3`` floating-point operations. Return the rate in
   TFLOP/s (10**12 operations per second) when one such matmul takes ``seconds``.
5. ``time_matmul(n, device, *, warmup=2, repeats=5, dtype=torch.float32)`` creates two random
   ``n x n`` operands of ``dtype`` directly on ``device`` (once, outside the timing), then
   returns the ``median`` of ``benchmark`` over a function that multiplies them, with
   ``sync=synchronizer(device)``. Call ``benchmark``, ``median`` and ``synchronizer`` by those
   names: the spec watches them.

The spec checks the timing logic on a laptop with a fake clock and a fake ``sync`` that record
the order of events, and runs the real thing on the CPU and on the "meta" device. The GPU tests
time real matmuls on CUDA.

Check it: ``kata check tensors/matmul-bench``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import torch


def synchronizer(device: str | torch.device) -> Callable[[], None]:
    raise NotImplementedError("synchronizer: wait for CUDA devices, do nothing for others")


def benchmark(
    fn: Callable[[], object],
    *,
    warmup: int,
    repeats: int,
    sync: Callable[[], None],
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    raise NotImplementedError("benchmark: warm up, then time each call between synced clocks")


def median(samples: Sequence[float]) -> float:
    raise NotImplementedError("median: the middle of the sorted samples")


def matmul_tflops(n: int, seconds: float) -> float:
    raise NotImplementedError("matmul_tflops: 2 * n**3 operations in `seconds`, in TFLOP/s")


def time_matmul(
    n: int,
    device: str | torch.device,
    *,
    warmup: int = 2,
    repeats: int = 5,
    dtype: torch.dtype = torch.float32,
) -> float:
    raise NotImplementedError("time_matmul: build the operands, benchmark a @ b, take the median")
