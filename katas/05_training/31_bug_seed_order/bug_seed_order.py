"""Bug hunt: "two runs with the same seed give different results".

A colleague compares model variants and wants every run to be reproducible: ``run(data,
seed)`` seeds PyTorch, builds a fresh model, shuffles the training data in batches of 8 and
trains it with SGD for a few epochs. Yet:

    "I call run(data, seed=0) twice in the same notebook and get two different final
    losses, 0.6121 and 0.5874, and different weights. Restarting the kernel and running the
    notebook from the top (its first cell calls torch.manual_seed(0)) reproduces the first
    number, so the seed is doing something, but not enough."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``make_model()``: ``Linear(4, 16) -> ReLU -> Dropout(0.2) -> Linear(16, 3)``.
- ``run(data, seed, epochs=3)``: everything random in the run (the initial weights, the
  shuffling, the dropout masks) is drawn from torch's global generator seeded with ``seed``,
  in this order: the model is built, then the data is shuffled each epoch by a
  ``DataLoader(data, batch_size=8, shuffle=True)``, and trained with ``SGD(lr=0.1)`` on the
  cross-entropy, one step per batch. Returns the trained model and the mean
  batch loss of the last epoch; the same seed gives the same model and loss whatever ran
  before.

Check it: ``kata check bugs/seed-order``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))


def run(data: TensorDataset, seed: int, epochs: int = 3) -> tuple[nn.Module, float]:
    model = make_model()
    torch.manual_seed(seed)
    loader = DataLoader(data, batch_size=8, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(epochs):
        losses = []
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return model, sum(losses) / len(losses)
