"""Bug hunt: "the hidden layers never learn, and the checkpoint forgets them".

A colleague writes an MLP whose depth is a setting: ``DeepMLP([8, 32, 32, 16], num_classes=3)``
builds three hidden ``Linear`` layers (8 -> 32 -> 32 -> 16, each followed by ReLU) and a
linear ``head`` to the class scores. Training runs and the loss goes down a little, but:

    "print(sum(p.numel() for p in model.parameters())) says 51, but my hidden layers alone
    have 1872 weights and biases. After training, the hidden layers hold exactly their initial
    values. When I save the state_dict and load it into a fresh model, the fresh model gives
    different predictions. And model.to('cuda') crashes in forward with a device mismatch."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``DeepMLP(sizes, num_classes)``: ``hidden`` holds one ``nn.Linear(sizes[i], sizes[i + 1])``
  per consecutive pair of ``sizes``, in order, and ``head`` is ``nn.Linear(sizes[-1],
  num_classes)``. Every layer is a registered submodule: its parameters are in
  ``model.parameters()`` and its weights in ``model.state_dict()``, and ``model.to(...)``,
  ``model.double()`` reach it.
- ``forward(x)``: every hidden layer followed by ReLU, then ``head``; ``(B, sizes[0])`` in,
  ``(B, num_classes)`` logits out.

Check it: ``kata check bugs/module-list``.
"""

from __future__ import annotations

from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn


class DeepMLP(nn.Module):
    def __init__(self, sizes: list[int], num_classes: int) -> None:
        super().__init__()
        self.hidden = [nn.Linear(a, b) for a, b in pairwise(sizes)]
        self.head = nn.Linear(sizes[-1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.hidden:
            x = F.relu(layer(x))
        return self.head(x)
