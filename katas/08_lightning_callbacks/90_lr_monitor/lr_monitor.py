"""A warmup + cosine schedule per step, LearningRateMonitor and a CSV logger.

A learning-rate schedule you cannot see is a schedule you cannot trust: a scheduler stepped
per epoch instead of per batch, or sized for the wrong number of steps, trains quietly worse.
Lightning's ``LearningRateMonitor`` callback logs every optimizer's learning rate to your
logger, at every step or epoch, next to the loss curves. Here the logger is a ``CSVLogger``
(TensorBoard works the same way, with ``TensorBoardLogger``), and you read the log back.

Write:

1. ``WarmupCosine.configure_optimizers()`` (the rest of the module is given): SGD with
   ``lr=self.lr``, and a schedule stepped after every optimizer step: a linear warmup over
   ``self.warmup_steps`` steps from a quarter of the lr (``LinearLR(start_factor=0.25)``), then
   cosine annealing to 0 over the remaining steps of the run (``CosineAnnealingLR``), chained
   with ``SequentialLR``. The run's total number of optimizer steps is
   ``self.trainer.estimated_stepping_batches``. Name the schedule ``"lr"`` (the ``"name"``
   entry of the scheduler dict), so that the monitor logs it under that key.
2. ``fit_with_lr_monitor(model, loader, root_dir, max_epochs) -> Path``: fit on the CPU with a
   ``CSVLogger(save_dir=root_dir, name="lr", version=0)``, a ``LearningRateMonitor`` logging at
   every step, a row for every step (``log_every_n_steps=1``), no checkpoints, no progress
   bar, no model summary; return the path of the ``metrics.csv`` the logger wrote.
3. ``read_column(path, column) -> list[float]``: the values of one column of such a CSV file,
   in file order, skipping the rows where that column is empty (each row holds the metrics
   logged at one step; other metrics leave it empty).

Check it: ``kata check lightning/lr-monitor``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader


class WarmupCosine(L.LightningModule):
    def __init__(self, lr: float = 0.1, warmup_steps: int = 4) -> None:
        super().__init__()
        self.layer = nn.Linear(3, 1)
        self.lr, self.warmup_steps = lr, warmup_steps

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        return F.mse_loss(self.layer(x), y)

    def configure_optimizers(self) -> Any:
        raise NotImplementedError("configure_optimizers: SGD, warmup then cosine, per step")


def fit_with_lr_monitor(
    model: L.LightningModule,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
) -> Path:
    raise NotImplementedError("fit_with_lr_monitor: CSVLogger + LearningRateMonitor, fit")


def read_column(path: str | Path, column: str) -> list[float]:
    raise NotImplementedError("read_column: the non-empty values of one CSV column")
