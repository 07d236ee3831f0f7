"""Bug hunt: "the prediction for one product changes when I change a different product".

A shop classifies its products from two inputs: features of the product photo (``image``,
``(B, image_dim)``) and features of its title (``text``, ``(B, text_dim)``). Each input goes
through its own small tower that projects it to ``embed_dim`` features; ``fuse`` joins the two
embeddings of each product into one row of ``2 * embed_dim`` features, image part first, and a
linear head turns that row into ``num_classes`` logits.

Nothing crashes, every shape looks right, and yet the colleague who wrote it reports:

    "Validation accuracy is stuck near chance. Weirder: if I change the photo of product 0,
    the predictions for products 1 and 2 in the same batch change too. With a batch of a single
    product it seems fine. The outputs look scrambled."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``fuse(image_emb, text_emb)``: two ``(B, D)`` tensors in, one ``(B, 2 * D)`` tensor out; row
  ``i`` is product ``i``'s image embedding followed by its text embedding.
- ``TwoTowerClassifier(image_dim, text_dim, embed_dim, num_classes)`` with submodules
  ``image_proj``, ``text_proj`` (``nn.Linear`` to ``embed_dim``, then ReLU) and ``head``
  (``nn.Linear(2 * embed_dim, num_classes)``); ``forward(image, text)`` returns
  ``(B, num_classes)`` logits, and row ``i`` depends on product ``i`` only.

Check it: ``kata check bugs/cat-dim``.
"""

from __future__ import annotations

import torch
from torch import nn


def fuse(image_emb: torch.Tensor, text_emb: torch.Tensor) -> torch.Tensor:
    """Join each product's image and text embeddings into one row of features."""
    return torch.cat([image_emb, text_emb]).reshape(len(image_emb), -1)


class TwoTowerClassifier(nn.Module):
    def __init__(self, image_dim: int, text_dim: int, embed_dim: int, num_classes: int) -> None:
        super().__init__()
        self.image_proj = nn.Linear(image_dim, embed_dim)
        self.text_proj = nn.Linear(text_dim, embed_dim)
        self.head = nn.Linear(2 * embed_dim, num_classes)

    def forward(self, image: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        image_emb = torch.relu(self.image_proj(image))
        text_emb = torch.relu(self.text_proj(text))
        return self.head(fuse(image_emb, text_emb))
