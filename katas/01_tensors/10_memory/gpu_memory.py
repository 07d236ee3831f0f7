"""Count the bytes: tensor sizes, model sizes and GPU memory stats.

"CUDA out of memory" is the error every GPU user meets. Avoiding it starts with arithmetic:
how many bytes a tensor, a view or a whole model takes, known before anything is allocated.
Then PyTorch's own numbers: its caching allocator keeps memory it has freed ("reserved") to
hand out again quickly, so ``nvidia-smi`` shows more than your tensors use ("allocated"), and
the number that decides whether a step fits is the *peak* allocated during it.

Write five functions:

1. ``tensor_bytes(t)``: the bytes ``t``'s own elements take (elements times bytes per element).
2. ``storage_bytes(t)``: the bytes of the storage behind ``t``. A view (a slice, a transpose,
   an ``expand``) shares the storage of the tensor it came from, so a two-row slice of a
   million-row tensor keeps all million rows in memory; an expanded tensor can be larger than
   its storage.
3. ``predict_bytes(shape, dtype)``: the bytes a tensor of this shape and dtype would take,
   without creating it (the shape may describe a tensor far larger than any memory).
   ``shape`` is a tuple of ints or a ``torch.Size``; ``()`` is a single element.
4. ``param_bytes(model, *, buffers=False)``: the bytes of the model's parameters, each counted
   once (weights shared by two layers count once; frozen parameters count too), plus its
   buffers (batch-norm running statistics and the like) when ``buffers=True``. Models built on
   the "meta" device have shapes and dtypes but no memory, so you can size a model that would
   not fit.
5. ``peak_during(fn, device="cuda")`` runs ``fn()`` and returns a ``MemoryReport`` for
   ``device``, all in bytes:

   - ``allocated_before``: ``torch.cuda.memory_allocated(device)`` before ``fn`` runs;
   - ``peak``: the most allocated at any moment while ``fn`` ran: call
     ``torch.cuda.reset_peak_memory_stats(device)`` before ``fn``, and read
     ``torch.cuda.max_memory_allocated(device)`` after it;
   - ``allocated_after``: ``torch.cuda.memory_allocated(device)`` after ``fn``;
   - ``reserved``: ``torch.cuda.memory_reserved(device)`` after ``fn``.

   Pass ``device`` to every one of these calls: each GPU keeps its own statistics. What ``fn``
   returns is thrown away.

The spec runs on a laptop: it sizes models on the meta device, and replaces the
``torch.cuda`` memory functions with fakes that record the order of calls. The GPU tests
allocate real CUDA memory and watch the numbers move.

Check it: ``kata check tensors/memory``.
"""

from __future__ import annotations

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
    raise NotImplementedError("tensor_bytes: elements times bytes per element")


def storage_bytes(t: torch.Tensor) -> int:
    raise NotImplementedError("storage_bytes: the size of the storage behind `t`")


def predict_bytes(shape: Sequence[int], dtype: torch.dtype) -> int:
    raise NotImplementedError("predict_bytes: count elements from the shape, size from the dtype")


def param_bytes(model: nn.Module, *, buffers: bool = False) -> int:
    raise NotImplementedError("param_bytes: add up the parameters (and buffers if asked)")


def peak_during(fn: Callable[[], object], device: str | torch.device = "cuda") -> MemoryReport:
    raise NotImplementedError("peak_during: reset the peak, run fn, read the stats")
