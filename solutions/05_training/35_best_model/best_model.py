"""Reference solution for training/best-model."""

from __future__ import annotations

import copy
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


class BestModel:
    """Remembers the best weights seen so far, judged by a validation score.

    ``mode="max"`` when a higher score is better (accuracy), ``"min"`` when lower is better
    (a loss). Until the first update every ``best_*`` attribute is None.
    """

    def __init__(self, mode: str = "max") -> None:
        self.mode = mode
        self.best_score: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None

    def update(self, model: nn.Module, score: float, epoch: int) -> bool:
        if self.best_score is not None:
            better = score > self.best_score if self.mode == "max" else score < self.best_score
            if not better:
                return False
        self.best_score, self.best_epoch = score, epoch
        self.best_state = copy.deepcopy(model.state_dict())
        return True

    def restore(self, model: nn.Module) -> None:
        assert self.best_state is not None, "no best state yet: call update first"
        model.load_state_dict(self.best_state)


def train_keep_best(
    model: nn.Module,
    train_loader: Loader,
    val_loader: Loader,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    *,
    metric: str = "accuracy",
) -> BestModel:
    best = BestModel(mode="min" if metric == "loss" else "max")
    for epoch in range(1, epochs + 1):
        train_one_epoch(model, train_loader, loss_fn, optimizer)
        best.update(model, validate(model, val_loader, loss_fn)[metric], epoch)
    best.restore(model)
    return best
