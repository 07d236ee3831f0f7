"""Measure a DataLoader: workers, pinned memory, persistent workers.

A GPU that waits for data is an expensive heater. The ``DataLoader`` has three knobs for
feeding it faster, and each has a cost worth measuring rather than guessing:

- ``num_workers``: that many worker processes load batches in parallel while the main process
  trains; but each worker is a process to start (and, by default, to start again every epoch).
- ``persistent_workers``: keep the workers alive between epochs, so only the first epoch pays
  for starting them. Only meaningful with workers: ``DataLoader`` refuses it when
  ``num_workers == 0``.
- ``pin_memory``: put each batch in page-locked host memory, from which the copy to a GPU is
  faster and can run asynchronously. Without a GPU there is nothing to gain (the loader only
  warns).

Whatever the settings, the loader must deliver the same data: measure, then check.

1. ``make_loader(dataset, *, batch_size, num_workers=0, pin_memory=False,
   persistent_workers=False, shuffle=False)`` returns a ``DataLoader`` with those settings,
   made safe: ``pin_memory`` only when ``torch.cuda.is_available()``, ``persistent_workers``
   only when ``num_workers > 0``.
2. ``time_loader(loader, *, epochs=2, clock=time.perf_counter)`` iterates over the whole loader
   ``epochs`` times (``epochs >= 1``). Each epoch is timed on its own: read ``clock()`` once
   before starting to iterate (starting the workers is part of the cost) and once after the
   last batch, exactly two reads per epoch. Return a ``LoaderReport`` with the loader's
   ``num_workers``, ``pin_memory`` and ``persistent_workers`` (read them from the loader, so
   the report says what really ran), the number of ``batches`` and of ``samples`` in one epoch
   (a batch is a tuple or list whose first element has one row per sample), and the list of
   ``epoch_seconds``. ``LoaderReport.samples_per_second`` is all the samples of all epochs
   divided by the total time.
3. ``compare(dataset, settings, *, batch_size, epochs=2, clock=time.perf_counter)``: one
   ``LoaderReport`` per entry of ``settings`` (each a dict of ``make_loader`` keyword
   arguments such as ``{"num_workers": 2, "persistent_workers": True}``), in order.
4. ``gather(loader)`` checks what a loader delivers: its samples are ``(index, x)`` pairs, so
   its batches are ``(indices, xs)``; concatenate all of them and return ``(indices, xs)``
   sorted by index, whatever order the loader produced them in.

The spec times a dataset that sleeps a known time per sample (so the measurement has a floor
it cannot beat), checks the timing logic with a fake clock, sees from the worker process ids
that persistent workers really persist, and, on a GPU, that pinned batches come back pinned.

Check it: ``kata check data/loader-perf``.
"""

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
        raise NotImplementedError("samples_per_second: all samples of all epochs / total time")


def make_loader(
    dataset: Dataset[Any],
    *,
    batch_size: int,
    num_workers: int = 0,
    pin_memory: bool = False,
    persistent_workers: bool = False,
    shuffle: bool = False,
) -> DataLoader[Any]:
    raise NotImplementedError(
        "make_loader: a DataLoader; pin only with CUDA, persist only with workers"
    )


def time_loader(
    loader: DataLoader[Any], *, epochs: int = 2, clock: Callable[[], float] = time.perf_counter
) -> LoaderReport:
    raise NotImplementedError("time_loader: time every epoch between two clock reads")


def compare(
    dataset: Dataset[Any],
    settings: Sequence[dict[str, Any]],
    *,
    batch_size: int,
    epochs: int = 2,
    clock: Callable[[], float] = time.perf_counter,
) -> list[LoaderReport]:
    raise NotImplementedError("compare: make_loader and time_loader for every setting")


def gather(loader: DataLoader[Any]) -> tuple[torch.Tensor, torch.Tensor]:
    raise NotImplementedError("gather: concatenate every batch, then sort by index")
