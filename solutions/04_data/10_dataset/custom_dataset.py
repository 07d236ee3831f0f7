"""Reference solution for data/dataset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.utils.data import Dataset


class ArrayDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    def __init__(
        self,
        features: Any,
        labels: Any,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        self.features = torch.as_tensor(features, dtype=torch.float32)
        self.labels = torch.as_tensor(labels, dtype=torch.int64)
        if len(self.features) != len(self.labels):
            raise ValueError(
                f"{len(self.features)} feature rows but {len(self.labels)} labels: one label each"
            )
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.features[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.labels[index]


class Standardize:
    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.mean = mean
        self.std = std

    @classmethod
    def fit(cls, features: torch.Tensor) -> Standardize:
        std = features.std(dim=0, correction=0)
        return cls(features.mean(dim=0), torch.where(std > 0, std, 1.0))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std
