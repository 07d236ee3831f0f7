"""Bug hunt: "asking the model how sure it is changes its answers".

A colleague predicts house prices with a small regressor (``Linear -> BatchNorm1d -> ReLU ->
Dropout -> Linear``) and wants an uncertainty with each prediction. They use Monte Carlo
dropout: keep dropout switched on at prediction time, predict the same batch many times, and
report the mean and the spread of the samples. ``mc_predict`` does that. It runs, the spreads
look plausible, and yet:

    "After I call mc_predict on a batch of new houses, the ordinary predictions of the model
    (model.eval(), then model(x)) are different from before, and they keep drifting every time
    I ask for uncertainties. The MC mean for a house also changes depending on which other
    houses are in the batch, and for a single house mc_predict crashes with 'Expected more
    than 1 value per channel when training'."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``Regressor(in_features, hidden, p=0.2)``: ``net`` is ``Linear -> BatchNorm1d -> ReLU ->
  Dropout(p) -> Linear(hidden, 1)``; ``forward(x)`` maps ``(B, in_features)`` to ``(B,)``.
- ``mc_predict(model, x, samples=20)``: ``samples`` forward passes of ``x`` with every dropout
  layer in training mode and every other layer exactly as in evaluation mode (batch norm uses
  the statistics learnt in training and never updates them); returns the per-house ``mean``
  and ``std`` of the samples, both ``(B,)``, and leaves the whole model in evaluation mode.

Check it: ``kata check bugs/batchnorm-eval``.
"""

from __future__ import annotations

import torch
from torch import nn


class Regressor(nn.Module):
    def __init__(self, in_features: int, hidden: int, p: float = 0.2) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(p),
            nn.Linear(hidden, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


@torch.no_grad()
def mc_predict(
    model: nn.Module, x: torch.Tensor, samples: int = 20
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and spread of ``samples`` predictions with dropout switched on."""
    model.train()  # dropout on, so that every pass samples a different sub-network
    preds = torch.stack([model(x) for _ in range(samples)])
    model.eval()
    return preds.mean(dim=0), preds.std(dim=0)
