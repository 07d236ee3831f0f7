"""Bug hunt: "the validation loss depends on the batch size; the accuracy does not".

A colleague's ``evaluate`` reports the validation loss and accuracy of a classifier over a
validation loader. Nothing crashes and the numbers look plausible, but they report:

    "Same model, same 1010 validation samples: with batch_size=101 the validation loss is
    0.412, with batch_size=100 it is 0.437, with batch_size=1000 it is 0.569. The accuracy is
    91.3% every time. Which loss is the real one? My early stopping picks different epochs
    depending on the batch size."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``evaluate(model, loader)``: the model in evaluation mode, no gradients; returns
  ``(loss, accuracy)`` as Python floats: the cross-entropy averaged over every validation
  sample and the fraction of samples classified correctly, the same numbers whatever the
  batch size, as if the whole set were one batch.

Check it: ``kata check bugs/batch-mean``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader


@torch.no_grad()
def evaluate(
    model: nn.Module, loader: DataLoader[tuple[torch.Tensor, torch.Tensor]]
) -> tuple[float, float]:
    model.eval()
    total_loss, correct = 0.0, 0
    for x, y in loader:
        logits = model(x)
        total_loss += F.cross_entropy(logits, y).item()
        correct += (logits.argmax(dim=1) == y).sum().item()
    return total_loss / len(loader), correct / len(loader.dataset)
