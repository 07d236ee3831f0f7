"""Reference solution for modules/custom-module."""

from __future__ import annotations

import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


class TinyRegressor(nn.Module):
    def __init__(
        self, mean: torch.Tensor, std: torch.Tensor, hidden: int, out_features: int
    ) -> None:
        super().__init__()
        in_features = mean.numel()
        self.norm = Standardize(mean, std)
        self.weight = nn.Parameter(torch.randn(hidden, in_features) / in_features**0.5)
        self.bias = nn.Parameter(torch.zeros(hidden))
        self.head = nn.Linear(hidden, out_features)
        self.register_buffer("seen", torch.zeros((), dtype=torch.int64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.seen += x.shape[0]
        hidden = torch.relu(self.norm(x) @ self.weight.T + self.bias)
        return self.head(hidden)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
