"""Reference solution for bugs/shuffled-validation."""

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

Pair = tuple[torch.Tensor, torch.Tensor]


def make_loaders(
    train_set: Dataset[Pair], val_set: Dataset[Pair], batch_size: int = 32
) -> tuple[DataLoader[Pair], DataLoader[Pair]]:
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=batch_size)
    return train_loader, val_loader


@torch.no_grad()
def predict(model: nn.Module, loader: DataLoader[Pair]) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x).argmax(dim=1) for x, _ in loader])


def val_accuracy(model: nn.Module, val_set: Dataset[Pair], val_loader: DataLoader[Pair]) -> float:
    predictions = predict(model, val_loader)
    labels = torch.stack([label for _, label in val_set])
    return (predictions == labels).float().mean().item()
