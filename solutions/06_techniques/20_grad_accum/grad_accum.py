"""Reference solution for tech/grad-accum."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def accumulate_gradients(
    model: nn.Module,
    loss_fn: LossFn,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    micro_batch_size: int,
) -> float:
    model.zero_grad()
    total = 0.0
    for start in range(0, len(inputs), micro_batch_size):
        chunk = slice(start, start + micro_batch_size)
        x, y = inputs[chunk], targets[chunk]
        loss = loss_fn(model(x), y) * len(x) / len(inputs)
        loss.backward()
        total += loss.item()
    return total


def train_accumulated(
    model: nn.Module,
    loader: Loader,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    accum_steps: int,
) -> int:
    model.train()
    optimizer.zero_grad()
    steps = 0
    for i, (inputs, targets) in enumerate(loader, start=1):
        (loss_fn(model(inputs), targets) / accum_steps).backward()
        if i % accum_steps == 0 or i == len(loader):
            optimizer.step()
            optimizer.zero_grad()
            steps += 1
    return steps
