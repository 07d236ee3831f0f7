"""Residual blocks: the basic block and the bottleneck of ResNet.

A deep plain stack of convolutions trains worse than a shallower one: gradients fade and the
extra layers cannot even learn to leave their input alone. ResNet's answer is the shortcut: a
block computes ``relu(F(x) + shortcut(x))``, so it only has to learn the *change* F(x) to its
input, and doing nothing is as easy as pushing F towards zero. Gradients flow back through the
shortcut's ``+`` undamped.

Build the two blocks of ResNet the way torchvision does (``torchvision.models.resnet``), so
that the spec can load your weights into torchvision's ``BasicBlock`` and ``Bottleneck`` and
demand the same outputs. Every convolution is followed by a batch norm, so the convolutions
have no bias (``bias=False``: the norm's own shift makes one redundant).

1. ``ResidualBlock(in_channels, out_channels, stride=1)``, with these submodules:

   - ``conv1``: 3x3, ``in_channels -> out_channels``, stride ``stride``, padding 1; ``bn1``
   - ``conv2``: 3x3, ``out_channels -> out_channels``, stride 1, padding 1; ``bn2``
   - ``shortcut``: ``nn.Identity()`` when the input already has the output's shape (stride 1
     and ``in_channels == out_channels``); otherwise a *projection*,
     ``nn.Sequential(1x1 conv with stride, no bias; BatchNorm2d)`` that brings ``x`` to the
     output's channels and size.

   ``forward(x)``: ``relu(bn1(conv1(x)))``, then ``bn2(conv2(.))`` (no ReLU yet), add
   ``shortcut(x)``, and only then apply the final ReLU.

2. ``Bottleneck(in_channels, mid_channels, stride=1)`` (``expansion = 4``): a 1x1 conv squeezes
   the channels to ``mid_channels``, a 3x3 conv works at that cheap width, a 1x1 conv expands
   to ``out = mid_channels * expansion``. Submodules ``conv1`` (1x1) / ``bn1``, ``conv2`` (3x3,
   stride ``stride``, padding 1) / ``bn2``, ``conv3`` (1x1) / ``bn3``, and ``shortcut`` as
   above (identity only when stride is 1 and ``in_channels == out``). ``forward``: ReLU after
   bn1 and bn2, then bn3, add the shortcut, final ReLU.

Shapes: ``(B, in_channels, H, W)`` in; ``(B, out, ceil(H / stride), ceil(W / stride))`` out.
The input tensor is never modified.

Check it: ``kata check arch/residual``. The spec copies your state_dict into torchvision's
blocks (``shortcut.*`` becomes ``downsample.*``) and compares in eval and in train mode.
"""

from __future__ import annotations

import torch
from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        raise NotImplementedError("ResidualBlock.__init__: conv1, bn1, conv2, bn2 and shortcut")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("ResidualBlock.forward: relu(F(x) + shortcut(x))")


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels: int, mid_channels: int, stride: int = 1) -> None:
        super().__init__()
        raise NotImplementedError("Bottleneck.__init__: 1x1 squeeze, 3x3, 1x1 expand, shortcut")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Bottleneck.forward: three conv-bn steps, add, final ReLU")
