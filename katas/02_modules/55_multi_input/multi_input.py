"""A model with several inputs: an image, a row of numbers and a category.

Real predictions rarely rest on one kind of data. A defect classifier sees the wafer image
*and* the machine's sensor readings *and* which production line it came from; a product model
sees a photo, a price and a brand. Each kind of input gets its own small "tower" that turns it
into a feature vector, the vectors are concatenated, and one head makes the prediction.
Categories (line, brand) are integer ids: an ``nn.Embedding`` learns a vector for each.

Write ``MultiInputNet(image_channels, num_tabular, num_categories, num_classes, width=16,
embed_dim=8)``, an ``nn.Module`` with four submodules:

- ``image_tower``: ``nn.Sequential(Conv2d(image_channels, width, 3, padding=1), ReLU,
  AdaptiveAvgPool2d(1), Flatten)``: ``(B, image_channels, H, W)`` -> ``(B, width)``, for any
  ``H`` and ``W``;
- ``tabular_tower``: ``nn.Sequential(Linear(num_tabular, width), ReLU)``:
  ``(B, num_tabular)`` -> ``(B, width)``;
- ``embedding``: ``nn.Embedding(num_categories, embed_dim)``: ``(B,)`` int64 ids ->
  ``(B, embed_dim)``;
- ``head``: ``nn.Linear(2 * width + embed_dim, num_classes)``.

``forward(image, tabular, category)`` -> ``(B, num_classes)`` logits: the head applied to the
three feature vectors joined in that order (image, tabular, category). The argument names
matter: a DataLoader that yields dicts lets you call ``model(**batch)``. If the three inputs do
not hold the same number of samples, raise ``ValueError`` saying they need "the same number of
samples" and naming the three sizes as a tuple, e.g. ``(4, 3, 3)``. Sample ``i``'s logits
depend on sample ``i``'s inputs only.

Check it: ``kata check modules/multi-input``.
"""

from __future__ import annotations

import torch
from torch import nn


class MultiInputNet(nn.Module):
    def __init__(
        self,
        image_channels: int,
        num_tabular: int,
        num_categories: int,
        num_classes: int,
        width: int = 16,
        embed_dim: int = 8,
    ) -> None:
        super().__init__()
        raise NotImplementedError("MultiInputNet.__init__: three towers and a head")

    def forward(
        self, image: torch.Tensor, tabular: torch.Tensor, category: torch.Tensor
    ) -> torch.Tensor:
        raise NotImplementedError("MultiInputNet.forward: check sizes, run towers, join, head")
