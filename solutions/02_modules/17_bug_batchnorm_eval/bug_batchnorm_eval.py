"""Reference solution for bugs/batchnorm-eval."""

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
    model.eval()
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.train()  # dropout on, so that every pass samples a different sub-network
    preds = torch.stack([model(x) for _ in range(samples)])
    model.eval()
    return preds.mean(dim=0), preds.std(dim=0)
