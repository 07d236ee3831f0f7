"""Reference solution for training/seed."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]


def train_one_epoch(
    model: nn.Module, loader: DataLoader[Batch], optimizer: torch.optim.Optimizer
) -> float:
    """Given (from training/step), with cross-entropy built in: returns the mean batch loss."""
    model.train()
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def seed_everything(seed: int, *, deterministic: bool = False) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if deterministic:
        os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False


def make_loader(dataset: Dataset[Batch], batch_size: int, seed: int) -> DataLoader[Batch]:
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)


def run_experiment(
    dataset: Dataset[Batch],
    seed: int,
    *,
    model_fn: Callable[[], nn.Module],
    epochs: int,
    lr: float,
    batch_size: int,
) -> tuple[list[float], dict[str, torch.Tensor]]:
    seed_everything(seed)
    model = model_fn()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loader = make_loader(dataset, batch_size, seed)
    losses = [train_one_epoch(model, loader, optimizer) for _ in range(epochs)]
    return losses, model.state_dict()
