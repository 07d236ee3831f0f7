"""EarlyStopping: patience, min_delta, mode and a threshold.

Training longer than the validation metric keeps improving wastes compute and, worse, lets the
model overfit. ``EarlyStopping`` is a callback that watches a logged metric after every
validation and stops the Trainer once it has not improved for ``patience`` validations in a
row. What counts as an improvement is the whole question: how much better (``min_delta``), in
which direction (``mode``), and whether some value is simply good enough to stop at once
(``stopping_threshold``).

Write:

1. ``early_stopping(monitor="val_loss", patience=2, min_delta=0.0, mode="min",
   stopping_threshold=None)`` returns an ``EarlyStopping`` callback with those settings.
2. ``fit_until_plateau(model, train, val, root_dir, max_epochs, stopper) -> int`` fits
   ``model`` on the CPU with ``stopper`` among the Trainer's callbacks, for at most
   ``max_epochs`` epochs (no logger, no checkpoints, no progress bar, no model summary), and
   returns the number of epochs that ran.

The spec scripts the validation values (the model trains, but reports a fixed sequence), so it
knows exactly when a correct setup must stop.

Check it: ``kata check lightning/early-stopping``.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import EarlyStopping
from torch.utils.data import DataLoader


def early_stopping(
    monitor: str = "val_loss",
    patience: int = 2,
    min_delta: float = 0.0,
    mode: str = "min",
    stopping_threshold: float | None = None,
) -> EarlyStopping:
    raise NotImplementedError("early_stopping: an EarlyStopping with these settings")


def fit_until_plateau(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
    stopper: EarlyStopping,
) -> int:
    raise NotImplementedError("fit_until_plateau: fit with the stopper, count the epochs")
