"""describe counts elements, not bytes: forgets element_size."""

from __future__ import annotations

from typing import NamedTuple

import torch


class TensorInfo(NamedTuple):
    shape: tuple[int, ...]
    dtype: torch.dtype
    device: str
    nbytes: int


def ramp(rows: int, cols: int, *, device: str | torch.device = "cpu") -> torch.Tensor:
    return torch.arange(rows * cols, dtype=torch.float32, device=device).reshape(rows, cols)


def like(t: torch.Tensor, fill: float) -> torch.Tensor:
    return torch.full_like(t, fill)


def describe(t: torch.Tensor) -> TensorInfo:
    return TensorInfo(
        shape=tuple(t.shape),
        dtype=t.dtype,
        device=t.device.type,
        nbytes=t.numel(),
    )


def best_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"
