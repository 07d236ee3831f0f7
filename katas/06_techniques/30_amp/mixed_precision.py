"""Mixed precision with ``torch.amp``: autocast, and ``GradScaler`` for float16.

Half-precision numbers take half the memory and run matmuls much faster on modern GPUs.
*Mixed* precision keeps the weights in float32 and runs only the heavy operations of the
forward pass in 16 bits: ``torch.autocast`` picks, op by op, what is safe in low precision
(matmuls, convolutions) and what is not (reductions, losses, softmax). The two 16-bit formats
differ in one decisive way. ``bfloat16`` has float32's range and runs on CPUs too: autocast is
all it needs. ``float16`` (the usual CUDA choice) has a tiny range, so small gradients
underflow to zero; ``torch.amp.GradScaler`` multiplies the loss by a large factor before
backward, divides the gradients back before the optimizer step, and skips any step whose
gradients overflowed (then lowers the factor). Use ``torch.amp``: ``torch.cuda.amp`` is the
deprecated spelling of the same tools.

Write four functions:

1. ``autocast_dtype(device_type) -> torch.dtype``: ``torch.float16`` for ``"cuda"``,
   ``torch.bfloat16`` for anything else (``"cpu"``).
2. ``make_scaler(device_type, dtype) -> torch.amp.GradScaler``: a scaler for that device,
   enabled only when ``dtype`` is ``torch.float16`` (a disabled scaler passes everything
   through unchanged, so the training step needs no ``if``).
3. ``amp_train_step(model, inputs, targets, loss_fn, optimizer, scaler, *, dtype) -> float``:
   zero the gradients; run the forward pass *and the loss* under
   ``torch.autocast(inputs.device.type, dtype=dtype)``; then, outside autocast, backward
   through the scaler, step the optimizer through the scaler, and update the scaler. Return
   the loss as a float.
4. ``amp_predict(model, inputs, *, dtype) -> torch.Tensor``: the model's outputs for
   ``inputs`` in eval mode, without autograd, under autocast, returned as float32.

The spec runs it all on the CPU: bfloat16, and float16 too (CPU autocast supports it, and a
CPU ``GradScaler`` exists), where a deliberately tiny loss shows the underflow the scaler
prevents, and an ``inf`` input shows a skipped step. The GPU tests train with float16 on CUDA.

Check it: ``kata check tech/amp``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def autocast_dtype(device_type: str) -> torch.dtype:
    raise NotImplementedError("autocast_dtype: float16 on cuda, bfloat16 elsewhere")


def make_scaler(device_type: str, dtype: torch.dtype) -> torch.amp.GradScaler:
    raise NotImplementedError("make_scaler: a GradScaler, enabled for float16 only")


def amp_train_step(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler,
    *,
    dtype: torch.dtype,
) -> float:
    raise NotImplementedError("amp_train_step: forward and loss under autocast, the rest outside")


def amp_predict(model: nn.Module, inputs: torch.Tensor, *, dtype: torch.dtype) -> torch.Tensor:
    raise NotImplementedError("amp_predict: eval mode, no gradients, autocast, float32 out")
