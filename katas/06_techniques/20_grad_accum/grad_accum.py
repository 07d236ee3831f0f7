"""Gradient accumulation: a large batch in small pieces.

The batch size you want does not always fit in memory. Because ``backward()`` *adds* into
``.grad``, you can run several small micro-batches forward and backward, let their gradients
pile up, and take one optimizer step: the same step a large batch would have taken, with the
memory of a small one. The one thing to get right is the scale: the large batch's loss is a
mean over all its samples, so each micro-batch's mean loss must be weighted by its share of
the samples before its backward. (Batch norm is the exception: it sees only the micro-batch,
so its statistics differ from the large batch's.)

Write two functions:

1. ``accumulate_gradients(model, loss_fn, inputs, targets, micro_batch_size) -> float``:
   clear the model's gradients, then go through ``(inputs, targets)`` in consecutive chunks of
   ``micro_batch_size`` samples (the last may be smaller), one forward and one backward per
   chunk, so that afterwards every ``.grad`` equals the gradient of ``loss_fn`` (a mean loss)
   over the *whole* batch. Return that whole-batch loss as a float. No optimizer here.
2. ``train_accumulated(model, loader, loss_fn, optimizer, accum_steps) -> int``: one epoch in
   training mode that takes one optimizer step per group of ``accum_steps`` consecutive
   batches: each batch's loss is divided by ``accum_steps`` before its backward, and the
   gradients are cleared before the first batch and after every step. A last, incomplete
   group still gets its step. Return the number of optimizer steps taken.

The spec compares the accumulated gradients with the gradient of the whole batch from
autograd, and an epoch of accumulated steps with training on batches ``accum_steps`` times as
large.

Check it: ``kata check tech/grad-accum``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def accumulate_gradients(
    model: nn.Module,
    loss_fn: LossFn,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    micro_batch_size: int,
) -> float:
    raise NotImplementedError("accumulate_gradients: weight each chunk's loss by its share")


def train_accumulated(
    model: nn.Module,
    loader: Loader,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    accum_steps: int,
) -> int:
    raise NotImplementedError("train_accumulated: backward every batch, step every accum_steps")
