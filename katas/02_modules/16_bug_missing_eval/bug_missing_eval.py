"""Bug hunt: "validation accuracy changes between two runs on the same model".

A colleague trains a small classifier for tabular data: an MLP with a dropout layer, a
``train_epoch`` that makes one pass of SGD over the training loader, and an ``evaluate`` that
reports the validation loss and accuracy. Nothing crashes, but they report:

    "I trained once, saved nothing, and called evaluate(model, val_loader) twice in a row: I
    got 0.71 and then 0.64 accuracy, and two different losses. Nothing trained in between. And
    the validation numbers are always a bit worse than I expect from the training curves."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``MLP(in_features, hidden, num_classes, p=0.5)``: ``net`` is ``Linear -> ReLU ->
  Dropout(p) -> Linear``, returning ``(B, num_classes)`` logits.
- ``train_epoch(model, loader, optimizer)``: trains the model (dropout active) with one
  optimizer step per batch on the mean cross-entropy; returns the mean of the batch losses.
- ``evaluate(model, loader)``: returns ``(mean loss per sample, accuracy)`` over the whole
  loader, as Python floats, computed by the model as it will be used for predictions; it
  changes no parameter, and a ``train_epoch`` after it trains exactly as one before it would.

Check it: ``kata check bugs/missing-eval``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader


class MLP(nn.Module):
    def __init__(self, in_features: int, hidden: int, num_classes: int, p: float = 0.5) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Dropout(p),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def train_epoch(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
) -> float:
    model.train()
    losses = []
    for x, y in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


@torch.no_grad()
def evaluate(
    model: nn.Module, loader: DataLoader[tuple[torch.Tensor, torch.Tensor]]
) -> tuple[float, float]:
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in loader:
        logits = model(x)
        total_loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen
