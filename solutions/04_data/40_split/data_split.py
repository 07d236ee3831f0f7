"""Reference solution for data/split."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch.utils.data import Dataset, Subset


def split_sizes(n: int, fractions: Sequence[float]) -> list[int]:
    if any(f < 0 for f in fractions) or not math.isclose(sum(fractions), 1):
        raise ValueError(f"fractions must be >= 0 and sum to 1, got {list(fractions)}")
    sizes = [math.floor(n * f) for f in fractions]
    for i in range(n - sum(sizes)):
        sizes[i % len(sizes)] += 1
    return sizes


def cut(items: list[int], sizes: list[int]) -> list[list[int]]:
    parts, start = [], 0
    for size in sizes:
        parts.append(items[start : start + size])
        start += size
    return parts


def split_indices(
    n: int, fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0
) -> list[list[int]]:
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    return cut(order, split_sizes(n, fractions))


def split_dataset(
    dataset: Dataset[Any], fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0
) -> list[Subset[Any]]:
    parts = split_indices(len(dataset), fractions, seed)  # type: ignore[arg-type]
    return [Subset(dataset, part) for part in parts]


def stratified_split_indices(
    labels: Sequence[int], fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0
) -> list[list[int]]:
    generator = torch.Generator().manual_seed(seed)
    parts: list[list[int]] = [[] for _ in fractions]
    for label in sorted(set(labels)):
        members = [i for i, y in enumerate(labels) if y == label]
        order = torch.randperm(len(members), generator=generator).tolist()
        for k, chunk in enumerate(cut(order, split_sizes(len(members), fractions))):
            parts[k] += [members[j] for j in chunk]
    return [sorted(part) for part in parts]
