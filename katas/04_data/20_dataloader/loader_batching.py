"""DataLoader: batches, a reproducible shuffle, drop_last, and a collate_fn that pads.

A ``Dataset`` hands out one sample at a time; a ``DataLoader`` groups samples into batches.
Its knobs decide what a training run sees: ``shuffle`` reorders the samples every epoch (from
a random generator, so a seeded generator makes the order reproducible without touching the
global seed), ``drop_last`` throws away a final batch that would be smaller than the rest, and
``collate_fn`` turns a list of samples into one batch. The default collate stacks samples, which
fails for sequences of different lengths: padding them to the longest one in the batch is the
classic custom collate.

1. ``num_batches(num_samples, batch_size, drop_last)``: how many batches one epoch has, as an
   ``int`` (what ``len(loader)`` will say): a partial last batch counts unless ``drop_last``.
2. ``make_loader(dataset, batch_size, *, shuffle=False, seed=None, drop_last=False,
   collate_fn=None)`` returns a ``DataLoader`` with those settings. With a ``seed``, it gets
   its own ``torch.Generator`` seeded with it: two loaders made with the same seed then give
   the same order, epoch after epoch, whatever else draws random numbers in the meantime;
   different seeds give different orders. Without a seed, shuffling uses the global RNG.
   ``collate_fn=None`` keeps the default collate.
3. ``pad_collate(batch, padding_value=0.0)``: ``batch`` is a list of ``(sequence, label)``
   samples, each ``sequence`` a tensor of shape ``(L_i,)`` or ``(L_i, D)`` (any dtype, e.g.
   int64 token ids) and ``label`` an int. Return a ``PaddedBatch``:

   - ``sequences``: ``(B, L_max)`` or ``(B, L_max, D)``, same dtype, sample ``i`` in row ``i``
     followed by ``padding_value`` up to the longest sequence *of this batch*;
   - ``lengths``: ``(B,)`` int64, the true lengths (a model needs them to ignore the padding);
   - ``labels``: ``(B,)`` int64.

   ``torch.nn.utils.rnn.pad_sequence`` is the spec's oracle: you may use it.

Check it: ``kata check data/dataloader``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import torch
from torch.utils.data import DataLoader, Dataset


class PaddedBatch(NamedTuple):
    sequences: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor


def num_batches(num_samples: int, batch_size: int, drop_last: bool) -> int:
    raise NotImplementedError("num_batches: full batches, plus a partial one unless drop_last")


def make_loader(
    dataset: Dataset[Any],
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int | None = None,
    drop_last: bool = False,
    collate_fn: Callable[[list[Any]], Any] | None = None,
) -> DataLoader[Any]:
    raise NotImplementedError("make_loader: a DataLoader, with its own generator when seeded")


def pad_collate(
    batch: Sequence[tuple[torch.Tensor, int]], padding_value: float = 0.0
) -> PaddedBatch:
    raise NotImplementedError("pad_collate: pad to the longest sequence; lengths and labels")
