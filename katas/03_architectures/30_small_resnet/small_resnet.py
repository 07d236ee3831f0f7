"""A small ResNet for CIFAR-sized images, assembled from your residual blocks.

ResNet is a recipe more than a model: a *stem* turns pixels into a first set of feature maps;
*stages* of residual blocks follow, each stage after the first halving the height and width
with the stride of its first block while widening the channels; a global average pool turns
whatever spatial size is left into one vector per image; a linear layer maps it to class
scores. The CIFAR ResNets of the original paper are exactly this with widths 16, 32, 64.

Reuse ``ResidualBlock`` from ``arch/residual`` (it is imported below: do that kata first).

1. ``make_stage(in_channels, out_channels, num_blocks, stride)`` returns an ``nn.Sequential``
   of ``num_blocks`` ``ResidualBlock``s: the first goes from ``in_channels`` to
   ``out_channels`` with ``stride`` (its shortcut projects when it must), every other one keeps
   ``out_channels`` with stride 1.
2. ``SmallResNet(num_classes=10, in_channels=3, widths=(16, 32, 64), depths=(2, 2, 2))`` with
   the submodules:

   - ``stem``: ``nn.Sequential(3x3 conv in_channels -> widths[0], padding 1, no bias;
     BatchNorm2d; ReLU)``, keeping the image size;
   - ``stages``: an ``nn.Sequential`` with one ``make_stage`` per entry of ``widths`` /
     ``depths`` (stage ``i`` has ``depths[i]`` blocks of width ``widths[i]``, stride 1 for the
     first stage and 2 for every later one, and starts from the previous stage's width);
   - ``pool``: ``nn.AdaptiveAvgPool2d(1)``;
   - ``fc``: ``nn.Linear(widths[-1], num_classes)``.

   ``forward(x)``: stem, stages, pool, flatten to ``(B, widths[-1])``, fc. Input
   ``(B, in_channels, H, W)`` of any size, square or not; output ``(B, num_classes)`` logits.
   After stage ``i`` the feature maps are ``ceil(H / 2**i) x ceil(W / 2**i)``.
   ``widths`` and ``depths`` of different lengths are a mistake: raise ``ValueError``.

Check it: ``kata check arch/small-resnet``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from residual_blocks import ResidualBlock
from torch import nn

__all__ = ["ResidualBlock", "SmallResNet", "make_stage"]


def make_stage(in_channels: int, out_channels: int, num_blocks: int, stride: int) -> nn.Sequential:
    raise NotImplementedError("make_stage: the first block changes shape, the rest keep it")


class SmallResNet(nn.Module):
    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 3,
        widths: Sequence[int] = (16, 32, 64),
        depths: Sequence[int] = (2, 2, 2),
    ) -> None:
        super().__init__()
        raise NotImplementedError("SmallResNet.__init__: stem, stages, pool and fc")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("SmallResNet.forward: stem, stages, pool, flatten, fc")
