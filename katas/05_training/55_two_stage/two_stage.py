"""Two-stage training: train it all, then freeze the backbone and fine-tune the head.

A classifier is usually a *backbone* that turns inputs into features and a small *head* that
turns features into classes. A common recipe trains the whole model first, then freezes the
backbone and fine-tunes only the head (on new classes, new data, or just with a smaller
learning rate). Transfer learning is the same second stage on a pretrained backbone.

Freezing takes more than stopping gradients. A backbone with batch norm keeps updating its
running statistics in every forward pass made in training mode, gradients or not, and the
usual training loop calls ``model.train()`` every epoch, which switches *every* submodule back
to training mode. A frozen backbone must stay in eval mode through that.

``train_one_epoch`` (it calls ``model.train()``) and the ``BackboneHead`` model are given.
Write:

1. ``BackboneHead.freeze_backbone()``: stop gradients for every backbone parameter, record
   the fact in ``self.backbone_frozen``, and put the backbone in eval mode.
2. ``BackboneHead.train(mode=True)``: override ``nn.Module.train`` (``eval()`` calls it with
   ``False``): set the modes as usual, but keep a frozen backbone in eval mode. Return
   ``self``, as ``nn.Module.train`` does.
3. ``train_two_stage(model, loader, loss_fn, *, full_epochs, head_epochs, lr, head_lr)
   -> list[float]``: stage one trains every parameter with ``torch.optim.SGD(lr=lr)`` for
   ``full_epochs`` epochs; then freeze the backbone; stage two trains for ``head_epochs``
   epochs with a new SGD optimizer at ``head_lr`` that holds only the parameters that still
   need gradients. Use ``train_one_epoch`` for every epoch and return all epoch losses, stage
   one first.

The spec checks that stage two leaves the backbone, batch-norm statistics included, exactly
as stage one left it, and compares both stages with training done by hand.

Check it: ``kata check training/two-stage``.
"""

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
        raise NotImplementedError("freeze_backbone: no gradients, and eval mode, for the backbone")

    def train(self, mode: bool = True) -> BackboneHead:
        raise NotImplementedError("train: the usual modes, but a frozen backbone stays in eval")


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
    raise NotImplementedError("train_two_stage: everything, then freeze, then the head alone")
