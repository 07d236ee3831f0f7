"""Reference solution for tensors/memory."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch
from torch import nn


class MemoryReport(NamedTuple):
    allocated_before: int
    peak: int
    allocated_after: int
    reserved: int


def tensor_bytes(t: torch.Tensor) -> int:
    return t.numel() * t.element_size()


def storage_bytes(t: torch.Tensor) -> int:
    return t.untyped_storage().nbytes()


def predict_bytes(shape: Sequence[int], dtype: torch.dtype) -> int:
    return math.prod(shape) * dtype.itemsize


def param_bytes(model: nn.Module, *, buffers: bool = False) -> int:
    total = sum(tensor_bytes(p) for p in model.parameters())
    if buffers:
        total += sum(tensor_bytes(b) for b in model.buffers())
    return total


def peak_during(fn: Callable[[], object], device: str | torch.device = "cuda") -> MemoryReport:
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    fn()
    return MemoryReport(
        allocated_before=before,
        peak=torch.cuda.max_memory_allocated(device),
        allocated_after=torch.cuda.memory_allocated(device),
        reserved=torch.cuda.memory_reserved(device),
    )
