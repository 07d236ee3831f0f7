"""Bug hunt: "I clip the gradients, and the loss still explodes".

A colleague's regression data has a few wild outliers, and on those batches the gradients are
huge: one step throws the weights far away and the loss goes to ``nan``. They added gradient
clipping by norm (``max_norm=1.0``), so that no step can be longer than ``lr * 1.0``. Nothing
crashes, but they report:

    "The logged gradient norms are in the thousands on the outlier batches, which is why I
    clip. But the weights still jump just as far as without clipping, and the loss still
    turns into nan. It is as if clip_grad_norm_ did nothing."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``train_step(model, x, y, optimizer, max_norm=1.0)``: computes the batch's mean squared
  error, its gradients, and rescales them so that their total L2 norm (all parameters
  together) is at most ``max_norm`` before the optimizer uses them; returns ``(loss, norm)``
  as Python floats, ``loss`` before the step and ``norm`` the total gradient norm before
  clipping.

Check it: ``kata check bugs/clip-order``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def train_step(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    max_norm: float = 1.0,
) -> tuple[float, float]:
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    return loss.item(), norm.item()
