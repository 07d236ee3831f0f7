"""Gradient clipping by norm and by value.

One bad batch (an outlier, a label error, a loss spike in a recurrent net or a transformer)
can produce a gradient thousands of times larger than usual, and a single step along it throws
the weights somewhere they never come back from: the loss turns to ``inf`` and then ``nan``.
Clipping caps the step. *By norm* rescales all gradients together so their combined L2 norm is
at most ``max_norm`` (the direction is kept); *by value* clamps every entry to
``[-clip_value, clip_value]`` on its own (the direction may change). Logging the norm *before*
clipping tells you how often clipping kicked in.

Write two functions:

1. ``grad_norm(model) -> float``: the total L2 norm of all gradients of ``model``'s parameters
   (the norm of all gradient entries taken together), skipping parameters whose ``.grad`` is
   None (frozen or unused ones).
2. ``train_step(model, inputs, targets, loss_fn, optimizer, *, max_norm=None,
   clip_value=None) -> float``: one training step (zero_grad, forward, loss, backward, step)
   that, when ``max_norm`` is given, clips the gradients by their total norm and, when
   ``clip_value`` is given, clips them by value, in between backward and the optimizer step.
   Return the total gradient norm measured *before* clipping. ``torch.nn.utils`` has both
   clipping functions.

The spec replays each step by hand (raw gradients from autograd, the clipping formulas) and
compares the weights, and shows a regression with outliers that blows up without clipping and
trains with it.

Check it: ``kata check tech/grad-clip``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def grad_norm(model: nn.Module) -> float:
    raise NotImplementedError("grad_norm: the L2 norm of every gradient entry taken together")


def train_step(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    *,
    max_norm: float | None = None,
    clip_value: float | None = None,
) -> float:
    raise NotImplementedError("train_step: clip after backward, before the optimizer step")
