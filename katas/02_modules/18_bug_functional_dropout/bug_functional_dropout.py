"""Bug hunt: "model.eval() makes no difference: the same input gives a new answer every call".

A colleague writes a classifier for sensor readings with two hidden layers and dropout after
each, using the functional API in ``forward`` rather than ``nn.Dropout`` modules. Training
looks normal. At deployment they do everything by the book, ``model.eval()`` and
``torch.no_grad()``, and still:

    "Calling the model twice on the same reading gives two different class probabilities,
    and the validation accuracy is a few points lower than I expected and changes from run to
    run. I checked: model.training is False."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``SensorNet(in_features, hidden, num_classes, p=0.3)``: ``fc1 = Linear(in_features,
  hidden)``, ``fc2 = Linear(hidden, hidden)``, ``out = Linear(hidden, num_classes)``; ``forward``
  is ``out(dropout(relu(fc2(dropout(relu(fc1(x)))))))`` with dropout probability ``p``.
- Dropout is active in training mode (zeroing each activation with probability ``p`` and
  scaling the others by ``1 / (1 - p)``, exactly as ``torch.nn.functional.dropout`` does) and
  switched off in evaluation mode, so that evaluation is deterministic.

Check it: ``kata check bugs/functional-dropout``.
"""

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
        x = F.dropout(F.relu(self.fc2(x)), p=self.p)
        return self.out(x)
