"""A reproducible train/validation/test split: disjoint, complete, the same every run.

Every evaluation number rests on the split. A sample in both train and test inflates the score
(leakage); a split that changes between runs makes two runs incomparable; a split drawn from
the global random state changes whenever someone adds a ``torch.rand`` call earlier in the
script. The cure is a split drawn from its *own* seeded ``torch.Generator``, which is exactly
what ``torch.utils.data.random_split(dataset, fractions, generator=...)`` does: match it.

1. ``split_sizes(n, fractions)``: how many of ``n`` samples each part gets, by
   ``random_split``'s rule: ``floor(n * fraction)`` for each part, then the samples left over
   handed out one at a time to parts 0, 1, 2, ... (round robin) until none is left. The sizes
   sum to ``n``. ``fractions`` must be non-negative and sum to 1 (``math.isclose``);
   otherwise raise ``ValueError``. A fraction of 0 is allowed (an empty part).
2. ``split_indices(n, fractions=(0.8, 0.1, 0.1), seed=0)``: a list of parts, each a list of
   sample indices: a random permutation of ``range(n)`` from
   ``torch.randperm(n, generator=torch.Generator().manual_seed(seed))``, cut in order into
   pieces of ``split_sizes(n, fractions)``. This is index for index what ``random_split`` gives
   with the same seed. The global random state is neither used nor changed.
3. ``split_dataset(dataset, fractions=(0.8, 0.1, 0.1), seed=0)``: one
   ``torch.utils.data.Subset`` of ``dataset`` per part of ``split_indices(len(dataset), ...)``.
4. ``stratified_split_indices(labels, fractions=(0.8, 0.1, 0.1), seed=0)``: with imbalanced
   classes a plain random split can leave a rare class out of the test set. Split every class
   on its own instead: one generator seeded with ``seed``; for each class in sorted order,
   take the indices ``i`` with ``labels[i] == class`` (in increasing order), permute them with
   ``torch.randperm(count, generator=generator)`` and cut them by ``split_sizes(count,
   fractions)``. Part ``k`` is the union of every class's piece ``k``, returned sorted.
   ``labels`` is a list of ints.

Check it: ``kata check data/split``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch.utils.data import Dataset, Subset


def split_sizes(n: int, fractions: Sequence[float]) -> list[int]:
    raise NotImplementedError("split_sizes: floor(n * f) each, then the remainder round robin")


def split_indices(
    n: int, fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0
) -> list[list[int]]:
    raise NotImplementedError("split_indices: a seeded permutation, cut into split_sizes")


def split_dataset(
    dataset: Dataset[Any], fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0
) -> list[Subset[Any]]:
    raise NotImplementedError("split_dataset: one Subset per part of split_indices")


def stratified_split_indices(
    labels: Sequence[int], fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0
) -> list[list[int]]:
    raise NotImplementedError("stratified_split_indices: split each class on its own")
