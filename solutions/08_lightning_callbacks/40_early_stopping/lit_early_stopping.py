"""Reference solution for lightning/early-stopping."""

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
    return EarlyStopping(
        monitor=monitor,
        patience=patience,
        min_delta=min_delta,
        mode=mode,
        stopping_threshold=stopping_threshold,
    )


def fit_until_plateau(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
    stopper: EarlyStopping,
) -> int:
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=max_epochs,
        default_root_dir=root_dir,
        callbacks=[stopper],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train, val)
    return trainer.current_epoch
