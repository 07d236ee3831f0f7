"""Reference solution for data/loader-perf."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset


@dataclass
class LoaderReport:
    num_workers: int
    pin_memory: bool
    persistent_workers: bool
    batches: int
    samples: int
    epoch_seconds: list[float]

    @property
    def samples_per_second(self) -> float:
        return self.samples * len(self.epoch_seconds) / sum(self.epoch_seconds)


def make_loader(
    dataset: Dataset[Any],
    *,
    batch_size: int,
    num_workers: int = 0,
    pin_memory: bool = False,
    persistent_workers: bool = False,
    shuffle: bool = False,
) -> DataLoader[Any]:
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=num_workers,
        pin_memory=pin_memory and torch.cuda.is_available(),
        persistent_workers=persistent_workers and num_workers > 0,
    )


def time_loader(
    loader: DataLoader[Any], *, epochs: int = 2, clock: Callable[[], float] = time.perf_counter
) -> LoaderReport:
    epoch_seconds = []
    for _ in range(epochs):
        batches = samples = 0
        start = clock()
        for batch in loader:
            batches += 1
            samples += len(batch[0])
        epoch_seconds.append(clock() - start)
    return LoaderReport(
        num_workers=loader.num_workers,
        pin_memory=loader.pin_memory,
        persistent_workers=loader.persistent_workers,
        batches=batches,
        samples=samples,
        epoch_seconds=epoch_seconds,
    )


def compare(
    dataset: Dataset[Any],
    settings: Sequence[dict[str, Any]],
    *,
    batch_size: int,
    epochs: int = 2,
    clock: Callable[[], float] = time.perf_counter,
) -> list[LoaderReport]:
    return [
        time_loader(make_loader(dataset, batch_size=batch_size, **s), epochs=epochs, clock=clock)
        for s in settings
    ]


def gather(loader: DataLoader[Any]) -> tuple[torch.Tensor, torch.Tensor]:
    batches = list(loader)
    index = torch.cat([batch[0] for batch in batches])
    data = torch.cat([batch[1] for batch in batches])
    order = torch.argsort(index)
    return index[order], data[order]
