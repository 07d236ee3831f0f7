"""Reference solution for lightning/wafer."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader

NUM_CLASSES = 9


def conv_stage(channels_in: int, channels_out: int) -> list[nn.Module]:
    """Conv, ReLU, 2x2 max-pool: the kernel, padding and pool sizes are free design choices."""
    conv = nn.Conv2d(channels_in, channels_out, 3, padding=1)  # mutate: skip (design choice)
    return [conv, nn.ReLU(), nn.MaxPool2d(2)]  # mutate: skip (design choice)


class WaferCNN(L.LightningModule):
    def __init__(self, num_classes: int = NUM_CLASSES, lr: float = 3e-3) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            *conv_stage(1, 8),
            *conv_stage(8, 16),
            *conv_stage(16, 16),
            nn.AdaptiveAvgPool2d(4),
        )
        self.head = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        return F.cross_entropy(self(x), y)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def train_classifier(
    model: WaferCNN,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
) -> L.Trainer:
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=max_epochs,
        default_root_dir=root_dir,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train, val)
    return trainer


def predict(
    model: nn.Module, loader: DataLoader[tuple[torch.Tensor, torch.Tensor]]
) -> tuple[torch.Tensor, torch.Tensor]:
    model.eval()
    preds, targets = [], []
    with torch.no_grad():
        for x, y in loader:
            preds.append(model(x).argmax(dim=1))
            targets.append(y)
    return torch.cat(preds), torch.cat(targets)


def confusion_matrix(preds: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    flat = targets * num_classes + preds
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def macro_scores(preds: torch.Tensor, targets: torch.Tensor, num_classes: int) -> dict[str, float]:
    cm = confusion_matrix(preds, targets, num_classes).double()
    hits = cm.diag()
    precision = torch.nan_to_num(hits / cm.sum(dim=0))
    recall = torch.nan_to_num(hits / cm.sum(dim=1))
    f1 = torch.nan_to_num(2 * precision * recall / (precision + recall))
    return {
        "precision": precision.mean().item(),
        "recall": recall.mean().item(),
        "f1": f1.mean().item(),
    }


def save_confusion_png(cm: torch.Tensor, path: str | Path, cell: int = 16) -> None:
    shade = 255 - torch.round(255 * cm.double() / max(int(cm.max()), 1))
    pixels = shade.repeat_interleave(cell, dim=0).repeat_interleave(cell, dim=1)
    Image.fromarray(pixels.numpy().astype(np.uint8)).save(path)
