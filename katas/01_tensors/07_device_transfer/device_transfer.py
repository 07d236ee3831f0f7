"""Move batches and models between devices, and time a host-to-device copy honestly.

A GPU only helps when the data and the model are on it, and the copy from host memory to the
GPU is often the slowest step of a training loop. Learn to move whole batches and models in one
call, to check where a model really lives, and to measure what a copy costs: from ordinary
("pageable") host memory or from page-locked ("pinned") memory, which the GPU can read on its
own and copy asynchronously.

Write four functions:

1. ``move(batch, device, *, non_blocking=False)`` returns a copy of ``batch`` with every tensor
   moved to ``device`` (``tensor.to(device, non_blocking=non_blocking)``). A batch can nest
   dicts, lists, tuples and NamedTuples in any depth; each container comes back as the same
   type with the same keys or order, and anything that is not a tensor or a container (ints,
   strings, None) comes back as the very same object. ``batch`` itself is not changed.
2. ``model_to(model, device)`` puts every parameter *and* buffer (batch-norm running
   statistics, for example) of ``model`` on ``device`` and returns the same module object.
3. ``devices_of(model)`` returns the set of device types ("cpu", "cuda", "meta") that the
   model's parameters and buffers live on: ``{"cuda"}`` for a model that is wholly on the GPU,
   two names for a model split by mistake, an empty set for a model without tensors.
4. ``transfer_seconds(x, device, *, pinned, warmup=2, repeats=10, clock=time.perf_counter,
   sync=None)`` returns the seconds one copy of ``x`` to ``device`` takes, on average:

   - the source: with ``pinned=True``, pin ``x`` once (``x.pin_memory()``) before any copy;
     otherwise copy ``x`` itself. Pinning is set-up, not part of the copy being timed.
   - each copy is ``source.to(device, non_blocking=pinned)``: asynchronous only from pinned
     memory, which is what makes it worth pinning.
   - ``warmup`` copies first, untimed (the first CUDA copy pays for waking the GPU up).
   - then ``sync()``, read ``clock()``, do ``repeats`` copies, ``sync()``, read ``clock()``
     again: the clock is read exactly twice, and each read comes straight after ``sync()``,
     because a CUDA copy can return before it has finished. Return elapsed / ``repeats``.
   - ``sync=None`` means: wait for the GPU (``torch.cuda.synchronize(device)``) when
     ``device`` is a CUDA device, and do nothing for any other device.

Everything here runs on a laptop: the spec moves tensors to the "meta" device (shapes and
dtypes, no data), and times with a fake clock and a fake ``sync``. The GPU tests move to CUDA
for real and compare pinned with pageable copies.

Check it: ``kata check tensors/device-transfer``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn


def move(batch: Any, device: str | torch.device, *, non_blocking: bool = False) -> Any:
    raise NotImplementedError("move: walk the batch, move each tensor, rebuild each container")


def model_to(model: nn.Module, device: str | torch.device) -> nn.Module:
    raise NotImplementedError("model_to: put the parameters and buffers on `device`")


def devices_of(model: nn.Module) -> set[str]:
    raise NotImplementedError("devices_of: the device types of every parameter and buffer")


def transfer_seconds(
    x: torch.Tensor,
    device: str | torch.device,
    *,
    pinned: bool,
    warmup: int = 2,
    repeats: int = 10,
    clock: Callable[[], float] = time.perf_counter,
    sync: Callable[[], None] | None = None,
) -> float:
    raise NotImplementedError("transfer_seconds: warm up, then sync and time `repeats` copies")
