"""Reference solution for bugs/device-mismatch."""

from __future__ import annotations

import torch
from torch import nn


def masked_mean(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Average ``x`` over its first ``lengths[i]`` positions, sentence by sentence."""
    positions = torch.arange(x.shape[1], device=x.device)
    mask = positions[None, :] < lengths[:, None]  # (B, T): True on real tokens
    summed = (x * mask[..., None]).sum(dim=1)
    return summed / lengths[:, None]


class BagOfWordsClassifier(nn.Module):
    def __init__(self, vocab_size: int, embed_dim: int, num_classes: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(masked_mean(self.embed(tokens), lengths))
