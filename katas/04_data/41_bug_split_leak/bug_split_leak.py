"""Bug hunt: "validation accuracy is as good as training accuracy, the test set disagrees".

A colleague splits a labelled data set into a training and a validation part with
``split_part``, called once for each part, in the training script and again in the evaluation
script::

    train_set = split_part(dataset, "train", val_fraction=0.2, seed=0)
    val_set = split_part(dataset, "val", val_fraction=0.2, seed=0)

Nothing crashes. They report:

    "Validation accuracy tracks training accuracy almost exactly, 97% and 96%, even when the
    model clearly overfits. On the separate test set it gets 81%. And every time I rerun the
    evaluation script, the validation accuracy of the same checkpoint is a bit different."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``split_part(dataset, part, val_fraction=0.2, seed=0)``: ``part`` is ``"train"`` or
  ``"val"``. The data set is shuffled by a permutation that depends only on ``seed``; the
  first ``int(len(dataset) * val_fraction)`` shuffled items form the validation part, the rest
  the training part. For one seed, the two parts never share an item and together hold every
  item once; the same seed always gives the same split, whatever ran before; a different seed
  gives a different one. Returns a ``torch.utils.data.Subset``, and leaves torch's global
  random number generator as it found it.

Check it: ``kata check bugs/split-leak``.
"""

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
    order = torch.randperm(n)
    indices = order[n_val:] if part == "train" else order[:n_val]
    return Subset(dataset, indices.tolist())
