"""Reference solution for bugs/cat-dim."""

from __future__ import annotations

import torch
from torch import nn


def fuse(image_emb: torch.Tensor, text_emb: torch.Tensor) -> torch.Tensor:
    """Join each product's image and text embeddings into one row of features."""
    return torch.cat([image_emb, text_emb], dim=1)


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
