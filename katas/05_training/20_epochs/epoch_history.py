"""Train for several epochs and keep a history of the metrics.

One epoch is rarely enough, and a number printed once is soon forgotten. A real run
alternates a training epoch and a validation pass, records what each one measured, and prints
a line per epoch so you can watch it learn (or stop learning). The history is what you plot,
compare between runs, and later use to pick the best epoch or to stop early.

``train_one_epoch`` and ``validate`` from the two previous katas are given below, finished
(simplified: everything here lives on the CPU, so they do not move batches).

Write ``train_for_epochs(model, train_loader, val_loader, loss_fn, optimizer, epochs, *,
verbose=True) -> list[dict[str, float]]``:

- For each epoch ``1 .. epochs``: one training epoch on ``train_loader``, then one validation
  pass on ``val_loader``, using the two helpers.
- Append one entry per epoch to the history, a dict with exactly these keys:
  ``"epoch"`` (the epoch number, an int counted from 1), ``"train_loss"`` (what
  ``train_one_epoch`` returned), ``"val_loss"`` and ``"val_accuracy"`` (from ``validate``).
- When ``verbose`` is true, print one line per epoch, right after its validation, exactly::

      epoch 2/5: train_loss 0.4321, val_loss 0.5012, val_accuracy 0.8125

  (``f"{value:.4f}"`` for the three numbers). When it is false, print nothing.
- Return the history. ``epochs=0`` trains nothing and returns ``[]``.

The spec replays the run with a loop written by hand and compares every number, and watches
the order of training and validation forwards, epoch by epoch.

Check it: ``kata check training/epochs``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_one_epoch(
    model: nn.Module, loader: Loader, loss_fn: LossFn, optimizer: torch.optim.Optimizer
) -> float:
    """Given (from training/step): one pass over ``loader``; returns the mean batch loss."""
    model.train()
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def validate(model: nn.Module, loader: Loader, loss_fn: LossFn) -> dict[str, float]:
    """Given (from training/validate): per-sample mean loss and accuracy, in eval mode,
    without gradients."""
    model.eval()
    loss_sum, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            outputs = model(inputs)
            loss_sum += loss_fn(outputs, targets).item() * len(targets)
            correct += (outputs.argmax(dim=1) == targets).sum().item()
            count += len(targets)
    return {"loss": loss_sum / count, "accuracy": correct / count}


def train_for_epochs(
    model: nn.Module,
    train_loader: Loader,
    val_loader: Loader,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    *,
    verbose: bool = True,
) -> list[dict[str, float]]:
    raise NotImplementedError("train_for_epochs: train, validate, record, print; every epoch")
