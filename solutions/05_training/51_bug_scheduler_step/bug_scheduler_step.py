"""Reference solution for bugs/scheduler-step."""

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
        losses.append(loss.item())
    scheduler.step()
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
