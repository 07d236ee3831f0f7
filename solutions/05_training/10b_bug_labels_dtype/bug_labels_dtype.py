"""Reference solution for bugs/labels-dtype."""

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
    x, y = batch
    return x.to(device).float(), y.to(device)


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
