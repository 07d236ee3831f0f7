"""Reference solution for lightning/checkpoint."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from torch.utils.data import DataLoader


def checkpoint_callback(
    dirpath: str | Path, monitor: str = "val_loss", mode: str = "min", top_k: int = 2
) -> ModelCheckpoint:
    return ModelCheckpoint(dirpath=dirpath, monitor=monitor, mode=mode, save_top_k=top_k)


def fit_with_checkpoints(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
    callback: ModelCheckpoint,
) -> L.Trainer:
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=max_epochs,
        default_root_dir=root_dir,
        callbacks=[callback],
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train, val)
    return trainer


def restore_best(trainer: L.Trainer, model: L.LightningModule) -> L.LightningModule:
    callback = trainer.checkpoint_callback
    assert isinstance(callback, ModelCheckpoint)
    return type(model).load_from_checkpoint(callback.best_model_path)
