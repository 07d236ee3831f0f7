"""Reference solution for training/validate."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def validate(
    model: nn.Module,
    loader: Iterable[Batch],
    loss_fn: LossFn,
    device: str | torch.device,
) -> dict[str, float]:
    model.eval()
    loss_sum, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            loss_sum += loss_fn(outputs, targets).item() * len(targets)
            correct += (outputs.argmax(dim=1) == targets).sum().item()
            count += len(targets)
    return {"loss": loss_sum / count, "accuracy": correct / count}
