"""Reference solution for tensors/matmul-bench."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import torch


def synchronizer(device: str | torch.device) -> Callable[[], None]:
    if torch.device(device).type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


def benchmark(
    fn: Callable[[], object],
    *,
    warmup: int,
    repeats: int,
    sync: Callable[[], None],
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    for _ in range(warmup):
        fn()
    sync()
    samples = []
    for _ in range(repeats):
        start = clock()
        fn()
        sync()
        samples.append(clock() - start)
    return samples


def median(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def matmul_tflops(n: int, seconds: float) -> float:
    return 2 * n**3 / seconds / 1e12


def time_matmul(
    n: int,
    device: str | torch.device,
    *,
    warmup: int = 2,
    repeats: int = 5,
    dtype: torch.dtype = torch.float32,
) -> float:
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    samples = benchmark(lambda: a @ b, warmup=warmup, repeats=repeats, sync=synchronizer(device))
    return median(samples)
