"""Reference solution for lightning/logging."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
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
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, prog_bar=True)
        self.log("train_seen", float(len(x)), on_step=False, on_epoch=True, reduce_fx="sum")
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        x, y = batch
        errors = (self(x) - y) ** 2
        self.log("val_loss", errors.mean())
        self.log("val_worst", errors.max(), reduce_fx="max")
