"""Reference solution for training/two-stage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_one_epoch(
    model: nn.Module, loader: Loader, loss_fn: LossFn, optimizer: torch.optim.Optimizer
) -> float:
    """Given (from training/step): one pass over ``loader``; returns the mean batch loss."""
    model.train()
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


class BackboneHead(nn.Module):
    """A feature extractor (the backbone, with batch norm) and a linear classifier (the head)."""

    def __init__(self, in_features: int, hidden: int, num_classes: int) -> None:
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Linear(in_features, hidden), nn.BatchNorm1d(hidden), nn.ReLU()
        )
        self.head = nn.Linear(hidden, num_classes)
        self.backbone_frozen = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))

    def freeze_backbone(self) -> None:
        self.backbone.requires_grad_(False)
        self.backbone_frozen = True
        self.backbone.eval()

    def train(self, mode: bool = True) -> BackboneHead:
        super().train(mode)
        if self.backbone_frozen:
            self.backbone.eval()
        return self


def train_two_stage(
    model: BackboneHead,
    loader: Loader,
    loss_fn: LossFn,
    *,
    full_epochs: int,
    head_epochs: int,
    lr: float,
    head_lr: float,
) -> list[float]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = [train_one_epoch(model, loader, loss_fn, optimizer) for _ in range(full_epochs)]
    model.freeze_backbone()
    trainable = [p for p in model.parameters() if p.requires_grad]
    head_optimizer = torch.optim.SGD(trainable, lr=head_lr)
    losses += [train_one_epoch(model, loader, loss_fn, head_optimizer) for _ in range(head_epochs)]
    return losses
