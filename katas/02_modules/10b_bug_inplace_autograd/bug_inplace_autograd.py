"""Bug hunt: "predictions work, but the first backward() crashes".

A colleague wrote a small gated MLP for tabular data and, to save memory, reused buffers with
in-place operations wherever they looked harmless. Each ``GatedBlock`` computes

    out = x + sigmoid(gate(x)) * relu(value(x))

(a gate between 0 and 1 decides how much of the value branch is added to the input), and
``GatedClassifier`` stacks two blocks and a linear head. Predicting works, and so does the
forward pass of training; the first ``loss.backward()`` dies with::

    RuntimeError: one of the variables needed for gradient computation has been modified by an
    inplace operation: [torch.FloatTensor [8, 16]], which is output 0 of Sigmoid, is
    at version 1; expected version 0 instead.

"But in-place ReLU right after a Linear layer is what everybody does, and it never crashed."
Not every in-place op here is a problem: find the one that is and fix it, changing as little
as possible.

The contract (the spec checks it):

- ``GatedBlock(dim)`` with submodules ``gate`` and ``value`` (``nn.Linear(dim, dim)``);
  ``forward(x)`` takes ``(B, dim)`` and returns ``x + sigmoid(gate(x)) * relu(value(x))``,
  without changing ``x``, and autograd gives the gradients of that formula.
- ``GatedClassifier(dim, num_classes)``: ``blocks`` (two ``GatedBlock``) then ``head``
  (``nn.Linear(dim, num_classes)``); returns ``(B, num_classes)`` logits.
- ``train_step(model, x, y, optimizer)``: one optimizer step on the mean cross-entropy;
  returns that loss (before the step) as a Python float.

Check it: ``kata check bugs/inplace-autograd``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class GatedBlock(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.gate = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        value = self.value(x).relu_()  # fine: Linear's backward never needs its output
        gate = torch.sigmoid(self.gate(x))
        gate.mul_(value)  # reuse the gate's buffer for the product
        return x + gate


class GatedClassifier(nn.Module):
    def __init__(self, dim: int, num_classes: int) -> None:
        super().__init__()
        self.blocks = nn.Sequential(GatedBlock(dim), GatedBlock(dim))
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(x))


def train_step(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, optimizer: torch.optim.Optimizer
) -> float:
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
