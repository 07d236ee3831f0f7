"""Bug hunt: "training stalls after the first epoch; the learning rate is almost zero".

A colleague trains a classifier with SGD and momentum and a step learning-rate schedule: start
at 0.1 and halve the rate every 2 epochs (``StepLR(step_size=2, gamma=0.5)``). ``fit`` logs,
for each epoch, the learning rate the epoch trained with and its mean loss. Nothing crashes,
but the log looks like this::

    epoch 0  lr 0.1      loss 1.04
    epoch 1  lr 0.025    loss 0.91
    epoch 2  lr 0.00625  loss 0.90
    epoch 3  lr 0.00156  loss 0.90   <- and then it barely moves

"The schedule should give 0.1, 0.1, 0.05, 0.05, 0.025 ... The longer the loader, the
earlier it stalls." Find the bug and fix it, changing as little as possible.

The contract (the spec checks it):

- ``make_optimizer(model, lr=0.1)``: SGD with momentum 0.9 and a ``StepLR`` that halves the
  rate every 2 epochs; returns ``(optimizer, scheduler)``.
- ``train_epoch(model, loader, optimizer, scheduler)``: one pass over the loader with one
  optimizer step per batch on the mean cross-entropy, then moves the schedule on by one
  epoch; returns the mean of the batch losses.
- ``fit(model, loader, optimizer, scheduler, epochs)``: returns one ``(lr, loss)`` pair per
  epoch, ``lr`` being the learning rate that epoch trained with.

Check it: ``kata check bugs/scheduler-step``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, StepLR
from torch.utils.data import DataLoader


def make_optimizer(model: nn.Module, lr: float = 0.1) -> tuple[torch.optim.SGD, StepLR]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    return optimizer, StepLR(optimizer, step_size=2, gamma=0.5)


def train_epoch(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
    scheduler: LRScheduler,
) -> float:
    losses = []
    for x, y in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


def fit(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
    scheduler: LRScheduler,
    epochs: int,
) -> list[tuple[float, float]]:
    history = []
    for _ in range(epochs):
        lr = optimizer.param_groups[0]["lr"]
        history.append((lr, train_epoch(model, loader, optimizer, scheduler)))
    return history
