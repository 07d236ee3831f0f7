"""ConcatBlock: fuse two feature tensors by concatenating their channels.

Many models have two sources of features for the same thing: an image's features and a depth
map's, a skip connection and an upsampled map (U-Net), two parallel branches (Inception). The
simplest fusion joins them along the channel dim and mixes the joined channels with a learned
linear map, so the network decides how much of each source to use.

Write ``ConcatBlock(channels_a, channels_b, out_channels)``, an ``nn.Module`` with one
submodule ``proj = nn.Linear(channels_a + channels_b, out_channels)``.

``forward(a, b)``:

- ``a`` has shape ``(B, channels_a, *positions)`` and ``b`` ``(B, channels_b, *positions)``:
  channels are dim 1, and ``positions`` are whatever trailing dims the features have (none for
  vectors ``(B, C)``, ``(L,)`` for sequences, ``(H, W)`` for feature maps).
- If ``a`` and ``b`` differ in any dim other than dim 1, raise ``ValueError`` with a message
  that names both shapes (as tuples, e.g. ``(4, 3, 5, 5)``): ``torch.cat`` would give a less
  helpful error, or worse, none.
- Join them on the channel dim (``a``'s channels first), apply ``proj`` to the channels at
  every position (``nn.Linear`` works on the *last* dim, so move the channel dim there and
  back), then ReLU. The result has shape ``(B, out_channels, *positions)``; for feature maps
  this is exactly a 1x1 convolution.

Each output position depends only on the same position of the same sample in ``a`` and ``b``.

Check it: ``kata check modules/concat-block``.
"""

from __future__ import annotations

import torch
from torch import nn


class ConcatBlock(nn.Module):
    def __init__(self, channels_a: int, channels_b: int, out_channels: int) -> None:
        super().__init__()
        raise NotImplementedError("ConcatBlock.__init__: one nn.Linear called proj")

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("ConcatBlock.forward: check, join on dim 1, project, ReLU")
