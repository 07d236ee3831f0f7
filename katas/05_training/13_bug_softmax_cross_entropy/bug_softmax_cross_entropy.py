"""Bug hunt: "the loss will not go below 0.55, even on the training data".

A colleague classifies points into three classes with a small MLP. Following a tutorial, the
model ends in a softmax "so that it outputs probabilities", ``train_step`` minimises
``nn.CrossEntropyLoss`` and ``predict_proba`` gives the class probabilities. Nothing crashes,
but they report:

    "Training is painfully slow and the loss flattens out around 0.55, although the classes
    are perfectly separable and training accuracy reaches 100%. The probabilities from
    predict_proba never go above 0.58, even for points far inside a class, so my confidence
    threshold of 0.9 rejects everything."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``Classifier(in_features, hidden, num_classes)``: ``net`` is ``Linear -> ReLU -> Linear``
  (plus anything that adds no parameters); ``forward(x)`` returns ``(B, num_classes)`` raw,
  unnormalised scores (logits), the input ``nn.CrossEntropyLoss`` expects.
- ``train_step(model, x, y, optimizer)``: one optimizer step on the mean cross-entropy;
  returns the loss before the step as a Python float.
- ``predict_proba(model, x)``: ``(B, num_classes)`` class probabilities (each row sums to 1),
  computed without tracking gradients.

Check it: ``kata check bugs/softmax-cross-entropy``.
"""

from __future__ import annotations

import torch
from torch import nn

loss_fn = nn.CrossEntropyLoss()


class Classifier(nn.Module):
    def __init__(self, in_features: int, hidden: int, num_classes: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, num_classes),
            nn.Softmax(dim=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def train_step(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, optimizer: torch.optim.Optimizer
) -> float:
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


@torch.no_grad()
def predict_proba(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return torch.softmax(model(x), dim=1)
