"""torchmetrics in a LightningModule: metric state across batches and epochs.

Averaging per-batch accuracies is wrong as soon as batches differ in size, and for F1 it is
wrong always: F1 over a data set is not the mean of per-batch F1s. ``torchmetrics`` metrics
keep *state* (counts of true positives, of samples, ...) that each batch updates, and compute
the value over everything seen. Lightning knows them: log the metric object and it computes
the value at the end of the epoch and resets the state, so the next epoch starts from zero.

``MetricClassifier`` (a linear classifier; ``forward``, ``configure_optimizers`` given) gets
batches ``(x, y)``. Write:

1. In ``__init__``, after the given lines, three metrics as attributes: ``self.train_acc`` and
   ``self.val_acc``, plain accuracy (the fraction of correct predictions: mind
   ``MulticlassAccuracy``'s default averaging) and ``self.val_f1``, macro-averaged F1, all from
   ``torchmetrics.classification`` for ``num_classes`` classes. One object per stage: a metric
   shared between training and validation would mix their batches.
2. ``training_step`` returns the cross-entropy, updates ``train_acc`` with the batch and logs
   it as ``"train_acc"`` once per epoch (the accuracy over the epoch's training samples).
3. ``validation_step`` updates ``val_acc`` and ``val_f1`` and logs them as ``"val_acc"`` and
   ``"val_f1"``: each epoch's value covers that epoch's validation samples only.

Check it: ``kata check lightning/torchmetrics``.
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F  # noqa: F401
from torch import nn
from torchmetrics.classification import MulticlassAccuracy, MulticlassF1Score  # noqa: F401


class MetricClassifier(L.LightningModule):
    def __init__(self, in_features: int, num_classes: int, lr: float) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, num_classes)
        self.lr = lr

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.lr)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        raise NotImplementedError("training_step: update train_acc, log it per epoch")

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        raise NotImplementedError("validation_step: update val_acc and val_f1, log them")
