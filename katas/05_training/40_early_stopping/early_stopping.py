"""Stop early when validation stops improving.

Train too long and the model starts memorising the training set: the training loss keeps
falling while the validation loss turns back up. Early stopping watches the validation loss
and ends the run once it has not improved for ``patience`` epochs in a row, then hands back
the weights of the best epoch (the lesson of training/best-model). Noise makes tiny "gains"
meaningless, so an improvement can be required to beat the best by more than ``min_delta``.

``train_one_epoch``, ``validate`` (it returns the per-sample validation loss) and
``EarlyStopping.__init__`` are given. Write:

1. ``EarlyStopping.step(val_loss) -> bool``: when ``val_loss < best - min_delta``, it is an
   improvement: ``best`` becomes ``val_loss`` and ``bad_epochs`` goes back to 0. Anything else
   (an equal loss, a worse one, a gain of ``min_delta`` or less) adds one to ``bad_epochs``.
   Return True, "stop now", once ``bad_epochs`` reaches ``patience``.
2. ``fit_early_stopping(model, train_loader, val_loader, loss_fn, optimizer, *, max_epochs,
   patience, min_delta=0.0) -> list[float]``: at most ``max_epochs`` times, train one epoch,
   validate, and ask an ``EarlyStopping`` whether to stop; keep a copy of the weights (the
   whole ``state_dict``) whenever the validation loss improved. When the loop ends, stopped
   early or not, load the best weights back into ``model``. Return the validation losses of
   the epochs that ran, in order.

The spec checks ``step`` on scripted sequences of losses, drives the loop with scripted
validation losses to see when it stops and which weights it keeps, and compares a real run
with one done by hand.

Check it: ``kata check training/early-stopping``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_one_epoch(
    model: nn.Module, loader: Loader, loss_fn: LossFn, optimizer: torch.optim.Optimizer
) -> None:
    """Given (from training/step): one pass over ``loader``."""
    model.train()
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss_fn(model(inputs), targets).backward()
        optimizer.step()


def validate(model: nn.Module, loader: Loader, loss_fn: LossFn) -> float:
    """Given (from training/validate): the per-sample mean loss, in eval mode, without
    gradients."""
    model.eval()
    loss_sum, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            loss_sum += loss_fn(model(inputs), targets).item() * len(targets)
            count += len(targets)
    return loss_sum / count


class EarlyStopping:
    """Says when to stop: after ``patience`` validations in a row without improvement.

    ``best`` is the lowest validation loss so far (infinity before the first), and
    ``bad_epochs`` the number of validations since it last improved.
    """

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.best = math.inf
        self.bad_epochs = 0

    def step(self, val_loss: float) -> bool:
        raise NotImplementedError("step: improvement resets the count, anything else adds one")


def fit_early_stopping(
    model: nn.Module,
    train_loader: Loader,
    val_loader: Loader,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    *,
    max_epochs: int,
    patience: int,
    min_delta: float = 0.0,
) -> list[float]:
    raise NotImplementedError("fit_early_stopping: train, validate, keep the best, maybe stop")
