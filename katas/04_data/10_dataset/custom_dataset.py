"""A custom Dataset: hand out one (features, label) pair at a time, with the right dtypes.

Every training loop in PyTorch reads its data through a ``torch.utils.data.Dataset``: an
object that knows its length and returns sample ``i`` on request. The ``DataLoader`` does the
rest (batching, shuffling, worker processes) by calling ``len(dataset)`` and
``dataset[i]``. Get the contract right once, and every loader, sampler and split in the
library works with your data.

1. ``ArrayDataset(features, labels, transform=None)``:

   - ``features``: anything ``torch.as_tensor`` understands with ``N`` rows (a NumPy array of
     any dtype, nested lists, a tensor), one row per sample, each row of any shape; ``labels``:
     ``N`` integer class ids (a list, a NumPy array, a tensor). Convert both once, in
     ``__init__``: features to ``float32``, labels to ``int64`` (the dtype ``cross_entropy``
     wants). Different lengths are a bug in the caller: raise ``ValueError`` saying so.
   - ``__len__`` returns ``N``.
   - ``__getitem__(i)`` returns ``(x, y)``: ``x`` is row ``i`` of the features, passed through
     ``transform`` when one was given (at access time, once per access, never in
     ``__init__``: random augmentations must differ every epoch); ``y`` is a 0-d ``int64``
     tensor. Negative ``i`` counts from the end, as in a list; an ``i`` out of range raises
     ``IndexError`` (plain ``for x, y in dataset`` relies on it to stop).

2. ``Standardize(mean, std)``, a transform: calling it on a row returns ``(x - mean) / std``,
   a new tensor (the row is not modified). ``Standardize.fit(features)`` builds one from a
   ``(N, D)`` float tensor: the per-feature mean and standard deviation over the ``N`` rows
   (population std, ``correction=0``, as NumPy's default), with a std of exactly 0 (a constant
   feature) replaced by 1 so that feature is centred instead of divided by zero.

Check it: ``kata check data/dataset``. The spec compares with ``TensorDataset``, NumPy and a
real ``DataLoader``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.utils.data import Dataset


class ArrayDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    def __init__(
        self,
        features: Any,
        labels: Any,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        raise NotImplementedError("ArrayDataset.__init__: convert and keep the data, check sizes")

    def __len__(self) -> int:
        raise NotImplementedError("ArrayDataset.__len__: the number of samples")

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError("ArrayDataset.__getitem__: row `index`, transformed; its label")


class Standardize:
    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.mean = mean
        self.std = std

    @classmethod
    def fit(cls, features: torch.Tensor) -> Standardize:
        raise NotImplementedError("Standardize.fit: per-feature mean and std over the rows")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Standardize.__call__: (x - mean) / std, as a new tensor")
