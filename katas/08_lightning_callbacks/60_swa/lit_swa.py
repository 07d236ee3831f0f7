"""Stochastic Weight Averaging with Lightning's WeightAveraging callback.

Late in training, SGD bounces around a wide valley of good solutions instead of settling in
it. Stochastic Weight Averaging (Izmailov et al., 2018) averages the weights visited there,
for example at the end of each of the last epochs: the average sits nearer the middle of the
valley, and often generalises better than any single point. ``torch.optim.swa_utils`` has the
building blocks (``AveragedModel``, ``SWALR``, ``update_bn``), and Lightning wraps them in
callbacks. The current one is ``WeightAveraging``: it keeps an ``AveragedModel`` beside your
model, asks ``should_update(step_idx=..., epoch_idx=...)`` after every optimizer step and
after every epoch, swaps the averaged weights in for validation, and copies them into the
model when training ends. (The older ``StochasticWeightAveraging`` callback also switches the
learning rate to an SWA schedule; it works per epoch only, and with batch norm adds one extra
epoch to recompute the statistics.)

Write:

1. ``EpochSWA(start_epoch)``, a ``WeightAveraging`` callback that averages with the default
   plain mean and adds the weights to the average at the end of every epoch whose index
   (0-based) is at least ``start_epoch``, and never after single steps.
2. ``fit_with_swa(model, train, val, root_dir, max_epochs, start_epoch) -> L.Trainer`` fits
   ``model`` on the CPU with an ``EpochSWA(start_epoch)`` (no logger, no checkpoints, no
   progress bar, no model summary) and returns the trainer. Afterwards ``model`` holds the
   average of its weights at the ends of epochs ``start_epoch`` to ``max_epochs - 1``.

One surprise to know about: from the start, validation runs on the averaged model, and before
its first update that is a copy of the *initial* weights, so the validation loss of the early
epochs looks like no training happened.

Check it: ``kata check lightning/swa``.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import WeightAveraging
from torch.utils.data import DataLoader


class EpochSWA(WeightAveraging):
    def __init__(self, start_epoch: int) -> None:
        super().__init__()
        self.start_epoch = start_epoch

    def should_update(self, step_idx: int | None = None, epoch_idx: int | None = None) -> bool:
        raise NotImplementedError("should_update: True after epochs from start_epoch on")


def fit_with_swa(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
    start_epoch: int,
) -> L.Trainer:
    raise NotImplementedError("fit_with_swa: a Trainer with an EpochSWA callback, fit")
