"""Reference solution for lightning/custom-metric."""

from __future__ import annotations

import torch
from torchmetrics import Metric


class BalancedAccuracy(Metric):
    full_state_update = False

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.add_state("correct", torch.zeros(num_classes, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("total", torch.zeros(num_classes, dtype=torch.long), dist_reduce_fx="sum")

    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        if preds.ndim == 2:
            preds = preds.argmax(dim=1)
        self.correct += torch.bincount(target[preds == target], minlength=self.num_classes)
        self.total += torch.bincount(target, minlength=self.num_classes)

    def compute(self) -> torch.Tensor:
        seen = self.total > 0
        return (self.correct[seen] / self.total[seen]).mean()


class MaxAbsoluteError(Metric):
    full_state_update = False

    def __init__(self) -> None:
        super().__init__()
        self.add_state("max_error", torch.tensor(0.0), dist_reduce_fx="max")

    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        self.max_error = torch.maximum(self.max_error, (preds - target).abs().max())

    def compute(self) -> torch.Tensor:
        return self.max_error
