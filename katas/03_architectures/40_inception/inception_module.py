"""The Inception module: look at the same input through several windows at once.

Which kernel size is right, 1x1, 3x3 or 5x5? GoogLeNet (2014) refused to choose: an Inception
module runs four *branches* side by side on the same input and concatenates their outputs
along the channel dim. 1x1 convolutions first shrink the channels ("reduce") so the 3x3 and 5x5
branches stay cheap, and a max-pool branch keeps the strongest local responses. Every branch
preserves the height and width, which is what lets their outputs be stacked.

``InceptionModule(in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)`` (the
argument names of the GoogLeNet paper and of ``torchvision.models.googlenet.Inception``) has
four submodules; "conv k" means ``nn.Conv2d`` with a k x k kernel, stride 1, padding ``k // 2``
(so the size is kept) and a bias, always followed by a ReLU:

- ``branch1``: conv 1, ``in_channels -> ch1x1``, ReLU;
- ``branch2``: conv 1, ``in_channels -> ch3x3red``, ReLU, conv 3, ``ch3x3red -> ch3x3``, ReLU;
- ``branch3``: conv 1, ``in_channels -> ch5x5red``, ReLU, conv 5, ``ch5x5red -> ch5x5``, ReLU;
- ``branch4``: ``nn.MaxPool2d(3, stride=1, padding=1)``, conv 1, ``in_channels -> pool_proj``,
  ReLU.

It also stores ``out_channels = ch1x1 + ch3x3 + ch5x5 + pool_proj``, so the next module knows
its input width. ``forward(x)``: ``(B, in_channels, H, W)`` in, ``(B, out_channels, H, W)`` out,
with channels ``[0, ch1x1)`` from branch1, the next ``ch3x3`` from branch2, then ``ch5x5`` from
branch3, and the last ``pool_proj`` from branch4.

The spec recomputes each branch with ``torch.nn.functional`` from your conv weights and checks
that it lands in its slice. (torchvision's GoogLeNet adds batch norm, and its "5x5" branch
really uses a 3x3 kernel, a bug kept for its pretrained weights: build the paper's version.)

Check it: ``kata check arch/inception``.
"""

from __future__ import annotations

import torch
from torch import nn


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
        raise NotImplementedError("InceptionModule.__init__: four branches and out_channels")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("InceptionModule.forward: run every branch, concat on channels")
