"""A LightningModule and a Trainer: fit, validate, test.

In the training track you wrote the loop yourself: zero_grad, forward, loss, backward, step,
an evaluation pass under ``no_grad`` in eval mode, a scheduler stepped once per epoch. Lightning
keeps the parts that are *yours* (the model, what one step computes, which optimizer) in a
``LightningModule`` and runs the loop for you in a ``Trainer``. The loop is the same; it is
just written once, correctly, by somebody else.

Write the missing parts of ``LitClassifier`` (a small MLP classifier; ``__init__`` and
``forward`` are given):

1. ``training_step(batch, batch_idx)``: ``batch`` is ``(x, y)`` with ``x`` ``(B, in_features)``
   float32 and ``y`` ``(B,)`` int64 class indices. Return the cross-entropy loss of the batch
   (a scalar tensor that still has its graph: the Trainer calls ``backward`` on it) and log it
   as ``"train_loss"``.
2. ``validation_step(batch, batch_idx)`` logs ``"val_loss"`` (cross-entropy) and ``"val_acc"``
   (the fraction of correct argmax predictions); ``test_step`` logs ``"test_loss"`` and
   ``"test_acc"`` the same way. Neither returns anything: the Trainer averages every logged
   value over the epoch.
3. ``configure_optimizers()`` returns a dict: SGD over the module's parameters with
   ``lr=self.lr`` and momentum 0.9 under ``"optimizer"``, and under ``"lr_scheduler"`` a dict
   holding a ``StepLR(step_size=self.step_size, gamma=self.gamma)`` as ``"scheduler"``, stepped
   once per epoch (``"interval": "epoch"``).

And two functions:

4. ``make_trainer(root_dir, max_epochs)`` returns an ``L.Trainer`` that trains on the CPU for
   ``max_epochs`` epochs, writes anything it writes under ``root_dir`` (``default_root_dir``),
   and stays quiet and light for tests: no logger, no checkpoints, no progress bar, no model
   summary.
5. ``fit_validate_test(model, train, val, test, root_dir, max_epochs)`` builds the trainer with
   ``make_trainer``, fits ``model`` on the ``train`` loader (validating on ``val`` each epoch),
   then runs ``trainer.validate`` on ``val`` and ``trainer.test`` on ``test`` and returns one
   dict with the four numbers they report: ``val_loss``, ``val_acc``, ``test_loss``,
   ``test_acc`` (plain floats).

Check it: ``kata check lightning/module``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader


class LitClassifier(L.LightningModule):
    def __init__(
        self,
        in_features: int,
        num_classes: int,
        hidden: int = 32,
        lr: float = 0.05,
        step_size: int = 2,
        gamma: float = 0.5,
    ) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, num_classes)
        )
        self.lr, self.step_size, self.gamma = lr, step_size, gamma

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int
    ) -> torch.Tensor:
        raise NotImplementedError("training_step: return the batch's cross-entropy, log it")

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        raise NotImplementedError("validation_step: log val_loss and val_acc")

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        raise NotImplementedError("test_step: log test_loss and test_acc")

    def configure_optimizers(self) -> Any:
        raise NotImplementedError("configure_optimizers: SGD plus a StepLR in a scheduler dict")


def make_trainer(root_dir: str | Path, max_epochs: int) -> L.Trainer:
    raise NotImplementedError("make_trainer: a quiet CPU Trainer rooted at root_dir")


def fit_validate_test(
    model: LitClassifier,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    test: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
) -> dict[str, float]:
    raise NotImplementedError("fit_validate_test: fit, then validate and test; collect results")
