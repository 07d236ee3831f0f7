"""Reference solution for bugs/clip-order."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def train_step(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    max_norm: float = 1.0,
) -> tuple[float, float]:
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return loss.item(), norm.item()
