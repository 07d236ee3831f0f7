"""Reference solution for arch/small-resnet."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from residual_blocks import ResidualBlock
from torch import nn


def make_stage(in_channels: int, out_channels: int, num_blocks: int, stride: int) -> nn.Sequential:
    blocks = [ResidualBlock(in_channels, out_channels, stride)]
    blocks += [ResidualBlock(out_channels, out_channels) for _ in range(num_blocks - 1)]
    return nn.Sequential(*blocks)


class SmallResNet(nn.Module):
    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 3,
        widths: Sequence[int] = (16, 32, 64),
        depths: Sequence[int] = (2, 2, 2),
    ) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        )
        stages = []
        channels = widths[0]
        for i, (width, depth) in enumerate(zip(widths, depths, strict=True)):
            stages.append(make_stage(channels, width, depth, stride=1 if i == 0 else 2))
            channels = width
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.pool(self.stages(self.stem(x)))
        return self.fc(torch.flatten(features, 1))
