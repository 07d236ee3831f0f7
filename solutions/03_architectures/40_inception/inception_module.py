"""Reference solution for arch/inception."""

from __future__ import annotations

import torch
from torch import nn


def conv_relu(in_channels: int, out_channels: int, kernel_size: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2), nn.ReLU()
    )


class InceptionModule(nn.Module):
    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
    ) -> None:
        super().__init__()
        self.branch1 = conv_relu(in_channels, ch1x1, 1)
        self.branch2 = nn.Sequential(
            conv_relu(in_channels, ch3x3red, 1), conv_relu(ch3x3red, ch3x3, 3)
        )
        self.branch3 = nn.Sequential(
            conv_relu(in_channels, ch5x5red, 1), conv_relu(ch5x5red, ch5x5, 5)
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1), conv_relu(in_channels, pool_proj, 1)
        )
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + pool_proj

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)
