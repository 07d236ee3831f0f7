"""self.log: per step, per epoch, and how values are aggregated.

``self.log(name, value)`` inside a step records a number, and the Trainer decides when it is
written and how the values of one epoch are combined. The defaults are sensible (a training
loss per step, a validation loss per epoch, averaged), but a count has to be summed, a worst
case has to take the maximum, and a metric you want to watch live belongs in the progress bar.
Get these wrong and your plots lie: an average of per-batch counts is not a count, and the
mean of per-batch maxima is not the worst case.

``LitRegressor`` (a linear regression; ``__init__``, ``forward`` and ``configure_optimizers``
are given) gets batches ``(x, y)``, ``x`` of shape ``(B, 3)`` and ``y`` of shape ``(B, 1)``.
Write its two steps:

1. ``training_step`` returns the batch's mean squared error and logs it as ``"train_loss"``
   both every step and as an epoch average (so the logger receives ``"train_loss_step"`` and
   ``"train_loss_epoch"``), shown in the progress bar. It also logs ``"train_seen"``: the
   number of samples in the batch, summed over the epoch (only an epoch value: the number of
   training samples the epoch saw).
2. ``validation_step`` logs ``"val_loss"``, the epoch's mean squared error (the mean over all
   validation samples, also when the last batch is smaller), and ``"val_worst"``, the largest
   squared error of any single validation sample in the epoch.

Check it: ``kata check lightning/logging``. The spec trains with ``lr=0`` (nothing moves, so it
can recompute every number) and reads what a logger received.
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F  # noqa: F401
from torch import nn


class LitRegressor(L.LightningModule):
    def __init__(self, lr: float) -> None:
        super().__init__()
        self.linear = nn.Linear(3, 1)
        self.lr = lr

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.lr)

    def training_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int
    ) -> torch.Tensor:
        raise NotImplementedError("training_step: log train_loss (step and epoch) and train_seen")

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        raise NotImplementedError("validation_step: log val_loss and val_worst per epoch")
