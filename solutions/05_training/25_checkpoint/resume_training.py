"""Reference solution for training/checkpoint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
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


def save_checkpoint(
    path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int
) -> None:
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": epoch,
        "rng_state": torch.get_rng_state(),
    }
    torch.save(checkpoint, path)


def load_checkpoint(path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    torch.set_rng_state(checkpoint["rng_state"])
    return int(checkpoint["epoch"])


def fit(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loader: Loader,
    loss_fn: LossFn,
    epochs: int,
    checkpoint_path: str | Path,
    *,
    resume: bool = False,
) -> list[float]:
    start = 0
    if resume and Path(checkpoint_path).exists():
        start = load_checkpoint(checkpoint_path, model, optimizer)
    losses = []
    for epoch in range(start, epochs):
        losses.append(train_one_epoch(model, loader, loss_fn, optimizer))
        save_checkpoint(checkpoint_path, model, optimizer, epoch + 1)
    return losses
