"""Debug like a pro: fast_dev_run, overfit_batches, limit_*_batches.

A training run that crashes in the validation loop after an hour of training, or a model that
never learns because of a silly bug, costs far more than it should. Lightning's Trainer has
flags for the checks every practitioner runs before a long job:

- ``fast_dev_run``: run a handful of batches through training and validation once, with
  loggers and checkpoints off: does the code run at all, end to end, in seconds?
- ``overfit_batches``: train again and again on the same few batches. A model that is wired
  correctly can memorise one batch and drive its loss to almost zero; if it cannot, the bug is
  in the model or the loss, not in the data or the hyper-parameters.
- ``limit_train_batches`` / ``limit_val_batches``: shorter epochs for quick iterations (an
  ``int`` is a number of batches, a ``float`` a fraction of the loader).

Write three functions; each builds an ``L.Trainer`` on the CPU with ``default_root_dir=root_dir``,
no progress bar and no model summary, and fits ``model``:

1. ``smoke_test(model, train, val, root_dir, batches=1)`` uses ``fast_dev_run`` to run
   ``batches`` training batches and (up to) ``batches`` validation batches, writing nothing to
   disk; returns the trainer.
2. ``overfit_one_batch(model, train, root_dir, max_epochs)`` trains for ``max_epochs`` epochs on
   the first batch of ``train`` only, no logger, no checkpoints, and returns the last logged
   ``"train_loss"`` as a float (the models this is used with log it).
3. ``quick_run(model, train, val, root_dir, train_fraction, val_batches)`` trains one epoch on
   the first ``train_fraction`` of the training batches and validates on ``val_batches``
   batches, no logger, no checkpoints; returns the trainer.

Check it: ``kata check lightning/debug-flags``.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from torch.utils.data import DataLoader


def smoke_test(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    batches: int = 1,
) -> L.Trainer:
    raise NotImplementedError("smoke_test: one Trainer flag runs `batches` batches end to end")


def overfit_one_batch(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
) -> float:
    raise NotImplementedError("overfit_one_batch: one Trainer flag trains on one batch only")


def quick_run(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    train_fraction: float,
    val_batches: int,
) -> L.Trainer:
    raise NotImplementedError("quick_run: limit the training and validation batches")
