"""Bug hunt: "training fits in memory, validation runs out of it".

A colleague trains a regressor on a GPU. Training runs for hours with a steady memory use, but
every validation pass needs more memory the more batches it goes through: with the full
validation set it dies halfway with ``CUDA out of memory``, and with a smaller validation set
it finishes, slowly, and the reported number prints as ``tensor(0.0213, grad_fn=<DivBackward0>)``
in the logs. They report:

    "Validation uses the same batch size as training and does not even call backward. How can
    it need more memory than training?"

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``train_epoch(model, loader, optimizer)``: the model in training mode, one optimizer step
  per batch on the batch's mean squared error; returns the mean of the batch losses as a
  Python float.
- ``validate(model, loader)``: the model in evaluation mode; returns the mean squared error
  per element over the whole validation set as a Python float, and keeps nothing of a batch
  alive once the batch is done.

Check it: ``kata check bugs/loss-graph``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader


def train_epoch(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
) -> float:
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def validate(model: nn.Module, loader: DataLoader[tuple[torch.Tensor, torch.Tensor]]) -> float:
    model.eval()
    total, count = 0.0, 0
    for x, y in loader:
        total += F.mse_loss(model(x), y, reduction="sum")
        count += y.numel()
    return total / count
