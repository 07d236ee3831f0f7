"""Reference solution for bugs/functional-dropout."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SensorNet(nn.Module):
    def __init__(self, in_features: int, hidden: int, num_classes: int, p: float = 0.3) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, num_classes)
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.dropout(F.relu(self.fc1(x)), p=self.p, training=self.training)
        x = F.dropout(F.relu(self.fc2(x)), p=self.p, training=self.training)
        return self.out(x)
