"""In-place operations: save memory without breaking autograd.

``x.add_(y)``, ``x.mul_(s)``, ``x.relu_()`` (the trailing underscore) write their result into
``x`` instead of allocating a new tensor. That saves memory (a ReLU on a large activation, a
running sum over many batches) and it is how optimizers update parameters. It can also break
training: autograd keeps some tensors for the backward pass, and if one of them is overwritten
before ``backward()``, PyTorch refuses with "one of the variables needed for gradient
computation has been modified by an inplace operation". Which tensors are kept depends on the
op: a ReLU right after a Linear may run in place (Linear's backward never looks at its output),
but the output of sigmoid, tanh or exp must be left alone (their backward is computed from that
output). PyTorch detects such writes through ``t._version``, a counter every in-place op bumps.

Write four functions:

1. ``scale_(x, s)``: multiply ``x`` by the number ``s`` in place and return ``x`` itself (the
   same object and memory, its ``_version`` bumped), like a weight-decay step. It must also work
   on a parameter (a leaf tensor with ``requires_grad=True``), which stays a leaf with no
   ``grad_fn`` afterwards: autograd must not record the update, nor have it hidden from it.
2. ``accumulate_(total, parts)``: add every tensor of the list ``parts`` (each shaped like
   ``total``) into ``total`` in place and return ``total``: no new total tensor is allocated and
   ``parts`` are left unchanged. An empty list leaves ``total`` as it was.
3. ``linear_relu(layer, x)``: ``relu(layer(x))`` for an ``nn.Linear``, with the ReLU applied
   in place on the Linear's output (the output's ``_version`` is 1). Gradients must still be
   right for ``x``, the weight and the bias.
4. ``bounded(x, low, high)``: ``low + (high - low) * sigmoid(x)``, squashing any value into
   ``(low, high)`` (as for a predicted scale or probability range). It must support
   ``backward()`` with correct gradients, and leave ``x`` unchanged.

Check it: ``kata check tensors/inplace``.
"""

from __future__ import annotations

import torch
from torch import nn


def scale_(x: torch.Tensor, s: float) -> torch.Tensor:
    raise NotImplementedError("scale_: multiply x by s in place, unseen by autograd's graph")


def accumulate_(total: torch.Tensor, parts: list[torch.Tensor]) -> torch.Tensor:
    raise NotImplementedError("accumulate_: add each part into total, in place")


def linear_relu(layer: nn.Linear, x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("linear_relu: the Linear, then a ReLU in place on its output")


def bounded(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    raise NotImplementedError("bounded: low + (high - low) * sigmoid(x), backward-safe")
