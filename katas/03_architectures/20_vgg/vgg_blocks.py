"""VGG blocks: a few 3x3 convolutions, then halve the size; stack the blocks into a network.

VGG (2014) showed that depth built from one simple brick goes a long way: every convolution is
3x3 with padding 1 (two stacked 3x3 convs see as far as one 5x5, with fewer weights and one more
non-linearity), and after a few of them a 2x2 max pool halves the height and width while the
next block doubles the channels. torchvision's VGG models are built exactly this way, from a
list such as VGG-11's ``[64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]``
(a number is a conv with that many output channels, "M" a max pool).

1. ``VGGBlock(in_channels, out_channels, num_convs, *, batch_norm=False)``: ``num_convs``
   times a 3x3 ``nn.Conv2d`` with padding 1 (the first from ``in_channels``, the others from
   ``out_channels``; with its bias), followed by ``nn.BatchNorm2d`` when ``batch_norm`` is
   true, then ``nn.ReLU``; and one ``nn.MaxPool2d(2)`` at the very end. Keep the layers, in
   this order, in an ``nn.Sequential`` called ``layers``; ``forward`` runs it.
   Shapes: ``(B, in_channels, H, W)`` in, ``(B, out_channels, H // 2, W // 2)`` out.
2. ``make_layer(stages, in_channels=3, *, batch_norm=False)``: ``stages`` is a list of
   ``(out_channels, num_convs)`` pairs, one per block; return an ``nn.Sequential`` of one
   ``VGGBlock`` per pair, each taking the previous block's output channels. VGG-11's features
   are ``make_layer([(64, 1), (128, 1), (256, 2), (512, 2), (512, 2)])``.

The spec counts parameters with the formula (a 3x3 conv from c_in to c_out holds
``9 * c_in * c_out`` weights and ``c_out`` biases; a batch norm ``2 * c_out``), and copies the
weights of torchvision's ``vgg.make_layers`` into yours to demand the same outputs.

Check it: ``kata check arch/vgg``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class VGGBlock(nn.Module):
    def __init__(
        self, in_channels: int, out_channels: int, num_convs: int, *, batch_norm: bool = False
    ) -> None:
        super().__init__()
        raise NotImplementedError("VGGBlock.__init__: num_convs x (conv3x3, [bn], relu), pool")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("VGGBlock.forward: run self.layers")


def make_layer(
    stages: Sequence[tuple[int, int]], in_channels: int = 3, *, batch_norm: bool = False
) -> nn.Sequential:
    raise NotImplementedError("make_layer: one VGGBlock per (out_channels, num_convs) pair")
