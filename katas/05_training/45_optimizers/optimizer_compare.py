"""SGD, Adam and AdamW compared on one problem.

The optimizer decides how a gradient becomes a change of weights. SGD with momentum follows
a running sum of gradients; Adam divides each weight's step by a running estimate of that
weight's gradient size, so badly scaled parameters all move at a sensible speed. Weight decay
is where Adam and AdamW part ways: Adam's ``weight_decay`` adds ``decay * weight`` to the
gradient (and Adam's scaling then mostly cancels it for large-gradient weights), while AdamW
shrinks the weights directly, "decoupled" from the gradient, which is what regularises well.

Write three functions:

1. ``make_optimizer(name, params, lr, weight_decay=0.0) -> torch.optim.Optimizer``:
   ``"sgd"`` is ``torch.optim.SGD`` with ``momentum=0.9``; ``"adam"`` is ``torch.optim.Adam``
   and ``"adamw"`` is ``torch.optim.AdamW``, both with their default betas and eps. All three
   get ``lr`` and ``weight_decay`` (AdamW's own default decay is 0.01: pass it explicitly). Any
   other name raises ``ValueError``.
2. ``compare_optimizers(model, inputs, targets, loss_fn, names, *, steps, lr,
   weight_decay=0.0) -> dict[str, list[float]]``: for each name, in order, train a separate
   copy of ``model`` (so every optimizer starts from the same weights, and ``model`` itself is
   left as it was) for ``steps`` full-batch steps on ``(inputs, targets)``, and record the loss
   of every step (computed before that step's update) as a float.
3. ``best_optimizer(curves) -> str``: the name whose final loss is the lowest.

The spec replays each optimizer's update rule by hand (from the PyTorch docs) and compares
the weights, and checks the comparison starts every optimizer from the same point.

Check it: ``kata check training/optimizers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import torch
from torch import nn


def make_optimizer(
    name: str, params: Iterable[nn.Parameter], lr: float, weight_decay: float = 0.0
) -> torch.optim.Optimizer:
    raise NotImplementedError("make_optimizer: 'sgd' (momentum 0.9), 'adam' or 'adamw'")


def compare_optimizers(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    names: Sequence[str],
    *,
    steps: int,
    lr: float,
    weight_decay: float = 0.0,
) -> dict[str, list[float]]:
    raise NotImplementedError("compare_optimizers: a fresh copy of the model per optimizer")


def best_optimizer(curves: dict[str, list[float]]) -> str:
    raise NotImplementedError("best_optimizer: the lowest final loss wins")
