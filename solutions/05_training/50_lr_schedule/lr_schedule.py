"""Reference solution for training/lr-schedule."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeAlias

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def step_schedule(optimizer: torch.optim.Optimizer, step_size: int, gamma: float) -> LRScheduler:
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)


def cosine_schedule(
    optimizer: torch.optim.Optimizer, total_steps: int, min_lr: float = 0.0
) -> LRScheduler:
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps, eta_min=min_lr)


def warmup_cosine_schedule(
    optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int
) -> LRScheduler:
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train_with_schedule(
    model: nn.Module,
    loader: Loader,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    scheduler: LRScheduler,
    epochs: int,
    *,
    per_batch: bool,
) -> list[float]:
    lrs = []
    for _ in range(epochs):
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss_fn(model(inputs), targets).backward()
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if per_batch:
                scheduler.step()
        if not per_batch:
            scheduler.step()
    return lrs
