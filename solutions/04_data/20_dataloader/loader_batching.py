"""Reference solution for data/dataloader."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset


class PaddedBatch(NamedTuple):
    sequences: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor


def num_batches(num_samples: int, batch_size: int, drop_last: bool) -> int:
    if drop_last:
        return num_samples // batch_size
    return -(-num_samples // batch_size)


def make_loader(
    dataset: Dataset[Any],
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int | None = None,
    drop_last: bool = False,
    collate_fn: Callable[[list[Any]], Any] | None = None,
) -> DataLoader[Any]:
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
        drop_last=drop_last,
        collate_fn=collate_fn,
    )


def pad_collate(
    batch: Sequence[tuple[torch.Tensor, int]], padding_value: float = 0.0
) -> PaddedBatch:
    sequences = [seq for seq, _ in batch]
    return PaddedBatch(
        sequences=pad_sequence(sequences, batch_first=True, padding_value=padding_value),
        lengths=torch.tensor([len(seq) for seq in sequences]),
        labels=torch.tensor([label for _, label in batch]),
    )
