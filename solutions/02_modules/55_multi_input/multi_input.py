"""Reference solution for modules/multi-input."""

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
        self.image_tower = nn.Sequential(
            nn.Conv2d(image_channels, width, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.tabular_tower = nn.Sequential(nn.Linear(num_tabular, width), nn.ReLU())
        self.embedding = nn.Embedding(num_categories, embed_dim)
        self.head = nn.Linear(2 * width + embed_dim, num_classes)

    def forward(
        self, image: torch.Tensor, tabular: torch.Tensor, category: torch.Tensor
    ) -> torch.Tensor:
        sizes = (len(image), len(tabular), len(category))
        if len(set(sizes)) > 1:
            raise ValueError(
                f"image, tabular and category must hold the same number of samples, got {sizes}"
            )
        features = torch.cat(
            [self.image_tower(image), self.tabular_tower(tabular), self.embedding(category)], dim=1
        )
        return self.head(features)
