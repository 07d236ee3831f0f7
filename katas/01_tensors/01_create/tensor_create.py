"""Create tensors with the shape, dtype and device you mean.

Every PyTorch program starts by making tensors, and a large share of early bugs is a tensor
with the wrong shape, the wrong dtype or on the wrong device. Learn to say all three when you
create one, and to read them back.

Write four functions:

1. ``ramp(rows, cols, *, device="cpu")`` returns a ``float32`` tensor of shape ``(rows, cols)``
   whose entry ``(i, j)`` is ``i * cols + j`` (0, 1, 2, ... filled row by row). Create it
   directly on ``device`` ("cpu", "cuda", or "meta": a device that has shapes but no data).
2. ``like(t, fill)`` returns a new tensor with the shape, dtype and device of ``t``, every
   entry equal to ``fill``. ``t`` itself is left untouched.
3. ``describe(t)`` returns a ``TensorInfo``: ``shape`` as a tuple of ints, ``dtype``, ``device``
   as its short name ("cpu", "cuda", "meta") and ``nbytes``, the bytes its elements take.
4. ``best_device()`` returns "cuda" when a CUDA GPU is available and "cpu" otherwise, so the
   same script runs on a laptop and on a GPU box.

Check it: ``kata check tensors/create``. The GPU test runs only where CUDA is present.
"""

from __future__ import annotations

from typing import NamedTuple

import torch


class TensorInfo(NamedTuple):
    shape: tuple[int, ...]
    dtype: torch.dtype
    device: str
    nbytes: int


def ramp(rows: int, cols: int, *, device: str | torch.device = "cpu") -> torch.Tensor:
    raise NotImplementedError("ramp: build the 0, 1, 2, ... grid as float32 on `device`")


def like(t: torch.Tensor, fill: float) -> torch.Tensor:
    raise NotImplementedError("like: a new tensor shaped like `t`, filled with `fill`")


def describe(t: torch.Tensor) -> TensorInfo:
    raise NotImplementedError("describe: read shape, dtype, device and size back from `t`")


def best_device() -> str:
    raise NotImplementedError("best_device: 'cuda' when available, else 'cpu'")
