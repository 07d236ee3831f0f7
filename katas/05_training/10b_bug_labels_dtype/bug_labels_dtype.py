"""Bug hunt: training crashes on the first batch, "expected target dtype to be Long".

A colleague wrote this small pipeline for a tabular classifier: a ``Dataset`` over a feature
matrix and its class labels, a ``DataLoader``, a helper that moves each batch to the device,
and a training step with cross-entropy. The very first call to ``train_step`` dies with::

    RuntimeError: expected target dtype to be Long or Byte, but got Float

"But the labels are whole class numbers 0 .. C-1 in an integer NumPy array, and the model
returns (B, C) logits, which is exactly what nn.CrossEntropyLoss wants." Find the bug and fix
it, changing as little as possible: the code below is otherwise what the colleague meant.

The contract (the spec checks it):

- ``LabelledDataset(features, labels)``: ``features`` is a float NumPy array ``(N, F)``,
  ``labels`` an integer array ``(N,)``; item ``i`` is ``(features[i], labels[i])`` as tensors,
  the label an ``int64`` scalar tensor.
- ``make_loader(dataset, batch_size, shuffle=False)``: a ``DataLoader`` of ``(x, y)`` batches.
- ``to_device(batch, device)``: ``x`` as ``float32`` (the model's dtype) and ``y`` as class
  indices, both on ``device``.
- ``train_step(model, batch, optimizer, device="cpu")``: one optimizer step on the mean
  cross-entropy of the batch; returns that loss (before the step) as a Python float.
- ``train_epoch(model, loader, optimizer, device="cpu")``: one ``train_step`` per batch;
  returns the mean of the batch losses.

Check it: ``kata check bugs/labels-dtype``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

Batch = tuple[torch.Tensor, torch.Tensor]

loss_fn = nn.CrossEntropyLoss()


class LabelledDataset(Dataset[Batch]):
    """Rows of a feature matrix, each with one integer class label."""

    def __init__(self, features: np.ndarray, labels: np.ndarray) -> None:
        self.features = torch.as_tensor(features)
        self.labels = torch.as_tensor(labels, dtype=torch.long)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> Batch:
        return self.features[index], self.labels[index]


def make_loader(
    dataset: LabelledDataset, batch_size: int, shuffle: bool = False
) -> DataLoader[Batch]:
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)


def to_device(batch: Batch, device: str | torch.device) -> Batch:
    """Move a batch to ``device``, in the dtype the model computes in."""
    x, y = (t.to(device).float() for t in batch)
    return x, y


def train_step(
    model: nn.Module,
    batch: Batch,
    optimizer: torch.optim.Optimizer,
    device: str | torch.device = "cpu",
) -> float:
    x, y = to_device(batch, device)
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def train_epoch(
    model: nn.Module,
    loader: DataLoader[Batch],
    optimizer: torch.optim.Optimizer,
    device: str | torch.device = "cpu",
) -> float:
    losses = [train_step(model, batch, optimizer, device) for batch in loader]
    return sum(losses) / len(losses)
