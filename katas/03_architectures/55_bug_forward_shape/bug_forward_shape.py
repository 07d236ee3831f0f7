"""Bug hunt: "it classifies one image fine, but crashes on a batch".

A colleague built a small CNN for 16x16 grayscale images (handwritten digits scaled up): two
``conv -> ReLU -> max-pool`` stages, then a linear classifier on the flattened feature maps.
They checked it on a single image, ``model(image[None])``, and got ten numbers back. Training,
with batches of 4 images, crashes in the first forward pass::

    RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x1024 and 256x10)

"256 is right: 16 channels of 4x4 after two poolings. Where does 1024 come from?" Find the
bug and fix it, changing as little as possible.

The contract (the spec checks it):

- ``SimpleCNN(num_classes=10)``: ``conv1 = Conv2d(1, 8, 3, padding=1)``, ``conv2 =
  Conv2d(8, 16, 3, padding=1)``, each followed by ReLU and ``MaxPool2d(2)``, then ``fc =
  Linear(16 * 4 * 4, num_classes)``.
- ``forward(x)``: ``x`` is ``(B, 1, 16, 16)`` for any ``B >= 1``; returns ``(B, num_classes)``
  logits, row ``i`` computed from image ``i`` alone.
- ``train_step(model, images, labels, optimizer)``: one optimizer step on the mean
  cross-entropy of the batch; returns the loss before the step as a Python float.

Check it: ``kata check bugs/forward-shape``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SimpleCNN(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv1(x)))  # (B, 8, 8, 8)
        x = self.pool(F.relu(self.conv2(x)))  # (B, 16, 4, 4)
        x = torch.flatten(x)  # one feature vector per image
        return self.fc(x)


def train_step(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    optimizer: torch.optim.Optimizer,
) -> float:
    optimizer.zero_grad()
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()
