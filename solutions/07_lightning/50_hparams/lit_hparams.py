"""Reference solution for lightning/hparams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader


class LitMLP(L.LightningModule):
    def __init__(
        self,
        in_features: int,
        hidden: int,
        num_classes: int,
        lr: float = 1e-2,
        dropout: float = 0.1,
        loss_fn: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["loss_fn"])
        self.loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
        h = self.hparams
        self.net = nn.Sequential(
            nn.Linear(h.in_features, h.hidden),
            nn.ReLU(),
            nn.Dropout(h.dropout),
            nn.Linear(h.hidden, h.num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        return self.loss_fn(self(x), y)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def train_and_checkpoint(
    model: LitMLP,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    epochs: int = 1,
) -> Path:
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=epochs,
        default_root_dir=root_dir,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, loader)
    path = Path(root_dir) / "model.ckpt"
    trainer.save_checkpoint(path)
    return path


def reload(path: str | Path, loss_fn: nn.Module | None = None, **overrides: Any) -> LitMLP:
    return LitMLP.load_from_checkpoint(path, loss_fn=loss_fn, **overrides)
