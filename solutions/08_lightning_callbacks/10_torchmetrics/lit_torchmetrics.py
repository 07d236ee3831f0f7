"""Reference solution for lightning/torchmetrics."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torchmetrics.classification import MulticlassAccuracy, MulticlassF1Score


class MetricClassifier(L.LightningModule):
    def __init__(self, in_features: int, num_classes: int, lr: float) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, num_classes)
        self.lr = lr
        self.train_acc = MulticlassAccuracy(num_classes, average="micro")
        self.val_acc = MulticlassAccuracy(num_classes, average="micro")
        self.val_f1 = MulticlassF1Score(num_classes)  # average="macro" is the default

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.lr)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        logits = self(x)
        self.train_acc.update(logits, y)
        self.log("train_acc", self.train_acc, on_step=False, on_epoch=True)
        return F.cross_entropy(logits, y)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        x, y = batch
        logits = self(x)
        self.val_acc.update(logits, y)
        self.val_f1.update(logits, y)
        self.log("val_acc", self.val_acc)
        self.log("val_f1", self.val_f1)
