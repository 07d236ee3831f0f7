"""Reference solution for modules/conditional-mlp."""

from __future__ import annotations

import torch
from torch import nn


class ConditionalMLP(nn.Module):
    def __init__(
        self, in_features: int, cond_dim: int, hidden: int, out_features: int, depth: int = 2
    ) -> None:
        super().__init__()
        sizes = [in_features] + [hidden] * (depth - 1)
        self.layers = nn.ModuleList(nn.Linear(size + cond_dim, hidden) for size in sizes)
        self.head = nn.Linear(hidden, out_features)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        if cond.dim() == 1:
            cond = cond.expand(x.shape[0], -1)
        h = x
        for layer in self.layers:
            h = torch.relu(layer(torch.cat([h, cond], dim=1)))
        return self.head(h)
