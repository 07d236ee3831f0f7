"""Bug hunt: "the loss drops for a few batches, then climbs and turns into nan".

A colleague's first training loop: a small MLP classifier, SGD, cross-entropy, one optimizer
step per batch. On a toy data set it seems to learn for a handful of batches, then the loss
swings up and down more and more wildly, and on longer epochs it ends as ``nan``. They report:

    "Lowering the learning rate only delays it. The longer the epoch, the worse it gets, and
    the first batch of every epoch is no better than the last one of the epoch before."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``make_model(in_features, num_classes)``: ``Linear(in_features, 32) -> ReLU ->
  Linear(32, num_classes)``.
- ``train_epoch(model, loader, optimizer)``: for each batch, one optimizer step on the
  gradient of that batch's mean cross-entropy, and of that batch only; returns the mean of the
  batch losses as a Python float.

Check it: ``kata check bugs/missing-zero-grad``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader


def make_model(in_features: int, num_classes: int) -> nn.Module:
    return nn.Sequential(nn.Linear(in_features, 32), nn.ReLU(), nn.Linear(32, num_classes))


def train_epoch(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
) -> float:
    total = 0.0
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)
