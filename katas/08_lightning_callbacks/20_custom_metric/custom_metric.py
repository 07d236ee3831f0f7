"""A custom torchmetrics Metric: states, reductions, update and compute.

When the metric you need is not in torchmetrics, write it as a ``Metric`` and it behaves like
the built-in ones: it accumulates over batches, resets between epochs, logs from a
LightningModule, and in multi-GPU training merges its state across processes. All of that
follows from one design decision: which *states* the metric keeps, and how two states combine.
A metric that stored every prediction would work but grow without bound; a good one keeps a
few counts.

Write two metrics:

1. ``BalancedAccuracy(num_classes)``: the mean over classes of the per-class recall (correct
   predictions of a class / samples of that class), counting only classes that occur in the
   targets. It is what scikit-learn's ``balanced_accuracy_score`` computes, and unlike plain
   accuracy it is not fooled by a majority class. ``update(preds, target)`` takes ``target``
   int64 ``(N,)`` and ``preds`` either labels ``(N,)`` or scores ``(N, num_classes)`` (take the
   argmax). Keep two states, per-class counts ``correct`` and ``total`` (int64,
   ``(num_classes,)``), that add up across batches and processes.
2. ``MaxAbsoluteError()``: the largest ``|preds - target|`` over everything seen (scikit-learn's
   ``max_error``), float tensors of any (equal) shape. One state, ``max_error``, a scalar
   float32 starting at 0, that combines by taking the maximum.

For both: register the states with ``self.add_state(..., dist_reduce_fx=...)`` so that
``reset()``, merging (``merge_state``) and distributed sync know them, and set the class
attribute ``full_state_update = False`` (the batch value needs only the batch).

Check it: ``kata check lightning/custom-metric``.
"""

from __future__ import annotations

import torch
from torchmetrics import Metric


class BalancedAccuracy(Metric):
    def __init__(self, num_classes: int) -> None:
        super().__init__()
        raise NotImplementedError("__init__: add the states correct and total (per class)")

    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        raise NotImplementedError("update: count correct predictions and samples per class")

    def compute(self) -> torch.Tensor:
        raise NotImplementedError("compute: mean recall over the classes seen")


class MaxAbsoluteError(Metric):
    def __init__(self) -> None:
        super().__init__()
        raise NotImplementedError("__init__: add the state max_error")

    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        raise NotImplementedError("update: keep the largest absolute error so far")

    def compute(self) -> torch.Tensor:
        raise NotImplementedError("compute: the largest absolute error")
