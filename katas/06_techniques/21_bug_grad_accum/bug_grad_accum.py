"""Bug hunt: "with gradient accumulation the training diverges".

A colleague's GPU fits batches of 16 images, but the recipe they follow trains with batches
of 64. So they accumulate gradients: four micro-batches of 16, one ``backward`` each, and one
optimizer step per four micro-batches, which should be exactly one step on a batch of 64.
Nothing crashes, but they report:

    "With accum_steps=1 it trains as the recipe says. With accum_steps=4 and the same
    learning rate, the loss jumps around and diverges; with accum_steps=8 it is nan within a
    few steps. It behaves as if the learning rate were multiplied by accum_steps. With Adam I
    barely notice anything."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``train_accumulated(model, loader, optimizer, accum_steps)``: goes through the loader
  (whose length is a multiple of ``accum_steps``, with equal-sized micro-batches) and takes
  one optimizer step after every ``accum_steps`` micro-batches, on the gradient of the mean
  cross-entropy over all the samples of those micro-batches: the same step as one on their
  concatenation. Gradients left in ``.grad`` before the call do not count. Returns the mean
  cross-entropy of every micro-batch, as Python floats.

Check it: ``kata check bugs/grad-accum``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader


def train_accumulated(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
    accum_steps: int,
) -> list[float]:
    losses = []
    optimizer.zero_grad()
    for i, (x, y) in enumerate(loader):
        loss = F.cross_entropy(model(x), y)
        loss.backward()  # gradients add up in .grad until the step
        losses.append(loss.item())
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
    return losses
