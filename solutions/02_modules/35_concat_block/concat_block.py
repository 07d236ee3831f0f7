"""Reference solution for modules/concat-block."""

from __future__ import annotations

import torch
from torch import nn


class ConcatBlock(nn.Module):
    def __init__(self, channels_a: int, channels_b: int, out_channels: int) -> None:
        super().__init__()
        self.proj = nn.Linear(channels_a + channels_b, out_channels)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if a.shape[0] != b.shape[0] or a.shape[2:] != b.shape[2:]:
            raise ValueError(
                f"ConcatBlock: a {tuple(a.shape)} and b {tuple(b.shape)} must agree on every "
                "dim except the channels (dim 1)"
            )
        joined = torch.cat([a, b], dim=1)
        out = self.proj(joined.movedim(1, -1)).movedim(-1, 1)
        return torch.relu(out)
