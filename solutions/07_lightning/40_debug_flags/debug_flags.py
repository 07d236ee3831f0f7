"""Reference solution for lightning/debug-flags."""

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
    trainer = L.Trainer(
        accelerator="cpu",
        fast_dev_run=batches,
        default_root_dir=root_dir,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train, val)
    return trainer


def overfit_one_batch(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
) -> float:
    trainer = L.Trainer(
        accelerator="cpu",
        overfit_batches=1,
        max_epochs=max_epochs,
        default_root_dir=root_dir,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train)
    return float(trainer.callback_metrics["train_loss"])


def quick_run(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    train_fraction: float,
    val_batches: int,
) -> L.Trainer:
    trainer = L.Trainer(
        accelerator="cpu",
        limit_train_batches=train_fraction,
        limit_val_batches=val_batches,
        max_epochs=1,
        default_root_dir=root_dir,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train, val)
    return trainer
