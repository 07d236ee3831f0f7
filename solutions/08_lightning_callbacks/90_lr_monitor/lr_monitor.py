"""Reference solution for lightning/lr-monitor."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from lightning.pytorch.callbacks import LearningRateMonitor
from lightning.pytorch.loggers import CSVLogger
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
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
        optimizer = torch.optim.SGD(self.parameters(), lr=self.lr)
        total = int(self.trainer.estimated_stepping_batches)
        warmup = LinearLR(optimizer, start_factor=0.25, total_iters=self.warmup_steps)
        cosine = CosineAnnealingLR(optimizer, T_max=total - self.warmup_steps)
        scheduler = SequentialLR(optimizer, [warmup, cosine], milestones=[self.warmup_steps])
        schedule = {"scheduler": scheduler, "interval": "step", "name": "lr"}
        return {"optimizer": optimizer, "lr_scheduler": schedule}


def fit_with_lr_monitor(
    model: L.LightningModule,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
) -> Path:
    logger = CSVLogger(save_dir=root_dir, name="lr", version=0)
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=max_epochs,
        default_root_dir=root_dir,
        logger=logger,
        callbacks=[LearningRateMonitor()],
        log_every_n_steps=1,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, loader)
    return Path(logger.log_dir) / "metrics.csv"


def read_column(path: str | Path, column: str) -> list[float]:
    with open(path) as f:
        return [float(row[column]) for row in csv.DictReader(f) if row.get(column)]
