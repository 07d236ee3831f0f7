"""Reference solution for training/epochs."""

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
    history = []
    for epoch in range(1, epochs + 1):
        train_loss = train_one_epoch(model, train_loader, loss_fn, optimizer)
        metrics = validate(model, val_loader, loss_fn)
        entry = {
            "epoch": epoch,
            "train_loss": train_loss,
            "val_loss": metrics["loss"],
            "val_accuracy": metrics["accuracy"],
        }
        history.append(entry)
        if verbose:
            print(
                f"epoch {epoch}/{epochs}: train_loss {train_loss:.4f}, "
                f"val_loss {entry['val_loss']:.4f}, val_accuracy {entry['val_accuracy']:.4f}"
            )
    return history
