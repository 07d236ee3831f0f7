"""Reference solution for tech/grad-clip."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def grad_norm(model: nn.Module) -> float:
    norms = [p.grad.norm() for p in model.parameters() if p.grad is not None]
    return torch.stack(norms).norm().item()


def train_step(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    *,
    max_norm: float | None = None,
    clip_value: float | None = None,
) -> float:
    optimizer.zero_grad()
    loss_fn(model(inputs), targets).backward()
    norm = grad_norm(model)
    if max_norm is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    if clip_value is not None:
        torch.nn.utils.clip_grad_value_(model.parameters(), clip_value)
    optimizer.step()
    return norm
