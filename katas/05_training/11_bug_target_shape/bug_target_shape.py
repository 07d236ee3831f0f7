"""Bug hunt: "the regressor predicts the same price for every house".

A colleague trains a small MLP to predict house prices from a few numeric features. The
``DataLoader`` yields ``(features, price)`` batches: features ``(B, F)`` float32 and prices
``(B,)`` float32. ``train_step`` makes one optimizer step on the mean squared error and
``fit`` runs a few epochs. Nothing crashes. They report:

    "The loss drops a little in the first epoch and then sits at about the variance of the
    prices, whatever learning rate I pick. After training, every house gets almost the same
    price, close to the average price of the training set. A linear regression from sklearn
    fits the same data almost perfectly."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``make_model(in_features)``: ``Linear(in_features, 16) -> ReLU -> Linear(16, 1)``; it maps
  ``(B, in_features)`` to ``(B, 1)``.
- ``train_step(model, batch, optimizer)``: one optimizer step on the mean over the batch of
  ``(predicted price - price) ** 2``, each house compared with its own price; returns that
  loss (before the step) as a Python float.
- ``fit(model, loader, optimizer, epochs)``: ``epochs`` passes of ``train_step`` over the
  loader; returns the list of per-epoch mean batch losses.

Check it: ``kata check bugs/target-shape``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader

loss_fn = nn.MSELoss()


def make_model(in_features: int) -> nn.Module:
    return nn.Sequential(nn.Linear(in_features, 16), nn.ReLU(), nn.Linear(16, 1))


def train_step(
    model: nn.Module,
    batch: tuple[torch.Tensor, torch.Tensor],
    optimizer: torch.optim.Optimizer,
) -> float:
    features, prices = batch
    optimizer.zero_grad()
    predicted = model(features)
    loss = loss_fn(predicted, prices)
    loss.backward()
    optimizer.step()
    return loss.item()


def fit(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
    epochs: int,
) -> list[float]:
    history = []
    for _ in range(epochs):
        losses = [train_step(model, batch, optimizer) for batch in loader]
        history.append(sum(losses) / len(losses))
    return history
