"""Reference solution for training/early-stopping."""

from __future__ import annotations

import copy
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
        if val_loss < self.best - self.min_delta:
            self.best = val_loss
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


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
    stopper = EarlyStopping(patience, min_delta)
    best_state = copy.deepcopy(model.state_dict())
    history = []
    for _ in range(max_epochs):
        train_one_epoch(model, train_loader, loss_fn, optimizer)
        history.append(validate(model, val_loader, loss_fn))
        stop = stopper.step(history[-1])
        if stopper.bad_epochs == 0:
            best_state = copy.deepcopy(model.state_dict())
        if stop:
            break
    model.load_state_dict(best_state)
    return history
