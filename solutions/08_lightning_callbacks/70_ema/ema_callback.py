"""Reference solution for lightning/ema."""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback


class EMA(Callback):
    def __init__(self, decay: float = 0.99) -> None:
        self.decay = decay
        self.shadow: dict[str, torch.Tensor] = {}
        self.backup: dict[str, torch.Tensor] = {}

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.shadow = {}

    def on_train_batch_end(
        self,
        trainer: L.Trainer,
        pl_module: L.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        if not self.shadow:
            self.shadow = self._copy(pl_module)
            return
        for name, param in pl_module.named_parameters():
            self.shadow[name].lerp_(param.detach(), 1 - self.decay)

    @staticmethod
    def _copy(pl_module: L.LightningModule) -> dict[str, torch.Tensor]:
        return {name: p.detach().clone() for name, p in pl_module.named_parameters()}

    def _load(self, pl_module: L.LightningModule, values: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for name, param in pl_module.named_parameters():
                param.copy_(values[name])

    def on_validation_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self.shadow:
            self.backup = self._copy(pl_module)
            self._load(pl_module, self.shadow)

    def on_validation_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self.backup:
            self._load(pl_module, self.backup)
            self.backup = {}

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._load(pl_module, self.shadow)
