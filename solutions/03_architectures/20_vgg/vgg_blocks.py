"""Reference solution for arch/vgg."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class VGGBlock(nn.Module):
    def __init__(
        self, in_channels: int, out_channels: int, num_convs: int, *, batch_norm: bool = False
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for _ in range(num_convs):
            layers.append(nn.Conv2d(in_channels, out_channels, 3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(out_channels))
            layers.append(nn.ReLU())
            in_channels = out_channels
        layers.append(nn.MaxPool2d(2))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def make_layer(
    stages: Sequence[tuple[int, int]], in_channels: int = 3, *, batch_norm: bool = False
) -> nn.Sequential:
    blocks = []
    for out_channels, num_convs in stages:
        blocks.append(VGGBlock(in_channels, out_channels, num_convs, batch_norm=batch_norm))
        in_channels = out_channels
    return nn.Sequential(*blocks)
