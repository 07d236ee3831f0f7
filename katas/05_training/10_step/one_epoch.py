"""One epoch of training: zero_grad, forward, loss, backward, step.

Every PyTorch training loop, however large, is built around the same five moves per batch:
clear the old gradients, run the model forward, measure the loss, backpropagate, and let the
optimizer change the weights. Get one of them missing or out of order and nothing crashes:
the model just learns badly, or not at all. This kata is that loop, written once, carefully.

Write ``train_one_epoch(model, loader, loss_fn, optimizer, device) -> torch.Tensor``:

- ``model`` is an ``nn.Module`` already on ``device``; ``loader`` is any iterable of
  ``(inputs, targets)`` batches (a ``DataLoader``, or a plain list of pairs), whose tensors may
  sit on another device; ``loss_fn(outputs, targets)`` returns the mean loss of a batch as a
  0-dim tensor; ``optimizer`` holds the model's parameters; ``device`` is a ``torch.device``
  or a name such as ``"cpu"`` or ``"cuda"``.
- Put the model in training mode first (it may arrive in eval mode: dropout and batch norm
  behave differently in the two modes).
- For every batch, in order: move the inputs and the targets to ``device``; clear the
  gradients left by the previous batch; run the model; compute the loss; backpropagate; take
  exactly one optimizer step.
- Return the loss of every batch, in order, as a 1-D ``float32`` tensor with one entry per
  batch, on ``device``. Detach each loss before you keep it: a loss still attached to its
  graph keeps that batch's activations alive for as long as you hold it. (Keeping the values
  on the device instead of calling ``.item()`` every batch also spares a GPU a sync per batch.)

The spec replays your epoch by hand with plain gradient descent and compares every loss and
every weight, counts your optimizer steps, watches the model's mode during each forward, and
checks that every batch was moved to the device. A GPU test trains on CUDA from CPU batches.

Check it: ``kata check training/step``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_one_epoch(
    model: nn.Module,
    loader: Iterable[Batch],
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    device: str | torch.device,
) -> torch.Tensor:
    raise NotImplementedError("train_one_epoch: train mode, then five moves per batch")
