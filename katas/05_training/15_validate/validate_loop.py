"""Validate honestly: eval mode, no gradients, per-sample metrics.

A validation pass measures the model; it must not change it, and it must measure the model
you will actually use. Two switches matter. ``model.eval()`` turns dropout off and makes batch
norm use its running statistics instead of the batch's (in training mode batch norm even
updates those statistics while you "only" validate). ``torch.no_grad()`` stops autograd from
recording the graph: no gradients are needed, and recording them costs memory and time.

Write ``validate(model, loader, loss_fn, device) -> dict[str, float]``:

- ``model`` is a classifier already on ``device``, returning ``(B, num_classes)`` logits;
  ``loader`` is any iterable of ``(inputs, targets)`` batches (targets are class indices) whose
  tensors may sit on another device; ``loss_fn(outputs, targets)`` returns the *mean* loss of a
  batch.
- Put the model in eval mode and run every batch without autograd recording; move each batch
  to ``device`` first.
- Return ``{"loss": ..., "accuracy": ...}`` as plain Python floats, both per *sample* over the
  whole loader: the mean loss over all samples, and the fraction of samples whose highest
  logit is the true class. The last batch is often smaller than the others: a plain average of
  the batch means would over-weight its samples.
- Leave the weights, the batch-norm statistics and every ``.grad`` as they were.

The spec compares your numbers with scikit-learn's ``log_loss`` and ``accuracy_score`` over
the whole data set, watches the mode and the autograd state during every forward, checks that
nothing in the model changed and that every batch was moved to the device.

Check it: ``kata check training/validate``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def validate(
    model: nn.Module,
    loader: Iterable[Batch],
    loss_fn: LossFn,
    device: str | torch.device,
) -> dict[str, float]:
    raise NotImplementedError("validate: eval mode, no_grad, then per-sample loss and accuracy")
