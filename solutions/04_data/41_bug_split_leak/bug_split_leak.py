"""Reference solution for bugs/split-leak."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset, Subset


def split_part(
    dataset: Dataset[tuple[torch.Tensor, torch.Tensor]],
    part: str,
    val_fraction: float = 0.2,
    seed: int = 0,
) -> Subset[tuple[torch.Tensor, torch.Tensor]]:
    """One part ("train" or "val") of a shuffled train/validation split of ``dataset``."""
    n = len(dataset)
    n_val = int(n * val_fraction)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    indices = order[n_val:] if part == "train" else order[:n_val]
    return Subset(dataset, indices.tolist())
