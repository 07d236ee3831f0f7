"""Autograd: where gradients go, and how to stop recording.

Training is "compute a loss, get its gradient with respect to the weights, take a step", and
autograd gets the gradient for you. Every operation on a tensor that ``requires_grad`` is
recorded (its result carries a ``grad_fn``), and ``loss.backward()`` walks that record back,
adding d loss / d t into ``t.grad`` for every *leaf* ``t`` it reaches: a tensor you created
(a parameter, an input) rather than one computed from others. Three facts cause most autograd
bugs: ``backward()`` *adds* into ``.grad`` instead of overwriting it; only leaves keep their
``.grad``; and whenever something requires grad a graph is recorded, holding memory, unless
you say otherwise.

Write six functions:

1. ``grad_at(f, x)`` returns the gradient of ``f`` at the point ``x``: a tensor shaped like
   ``x`` holding d f(x) / d x. When ``f`` returns several values rather than a single number,
   return the gradient of their sum. The caller's ``x`` is left exactly as it was: its
   ``requires_grad`` flag unchanged and its ``.grad`` untouched (``x`` may be a parameter that
   already holds a gradient).
2. ``accumulated_grad(loss_fn, w, batches)``: gradient accumulation, how you train on a batch
   too large for memory by splitting it into micro-batches. ``w`` is a leaf that requires grad
   and may still hold a stale ``.grad`` from an earlier step. Leave in ``w.grad``, and return,
   the gradient of the *mean* of ``loss_fn(w, batch)`` over the batches (at least one), with
   one backward pass per batch: batch ``i``'s backward has run before batch ``i + 1`` is read,
   so only one batch's graph is ever in memory.
3. ``hidden_grad(encode, head, x)``: ``x`` is a leaf that requires grad and has no ``.grad``
   yet; ``h = encode(x)`` and ``loss = head(h)``, a single number. Run backward once, as a
   training step would, so that ``x.grad`` holds d loss / d x, and return the pair
   ``(d loss / d x, d loss / d h)``. ``h`` is not a leaf: autograd passes through it on the way
   to ``x`` but does not keep its gradient unless asked to.
4. ``straight_through(x)``: ``torch.round(x)`` in the forward pass, but gradients pass through
   as if nothing happened: d out / d x is 1 everywhere, where rounding's own derivative is 0.
   This "straight-through estimator" is how quantized and discrete models are trained; build
   it by hiding part of the computation from autograd. ``x`` is left unchanged.
5. ``predict(model, x)``: ``model(x)`` for pure inference, a result never used for gradients.
   Record nothing, in the mode made for exactly this: the output is an inference tensor
   (``torch.is_inference(out)`` is True) with no ``grad_fn``. The model is left as it was (its
   parameters still require grad).
6. ``frozen_features(encoder, x)``: ``encoder(x)`` from an encoder that is not being trained,
   whose output feeds a head that is (transfer learning). Record nothing for the encoder (no
   graph, no tensors saved for backward, so no memory held for them) and leave the encoder as
   it was. Unlike ``predict``'s, this output goes on into autograd: the head's backward saves
   it, and an inference tensor cannot be saved for backward, so it must be an ordinary tensor.

Check it: ``kata check tensors/autograd``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn


def grad_at(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("grad_at: d f / d x at x, leaving the caller's x as it was")


def accumulated_grad(
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    w: torch.Tensor,
    batches: Sequence[torch.Tensor],
) -> torch.Tensor:
    raise NotImplementedError("accumulated_grad: one backward per batch into a clean w.grad")


def hidden_grad(
    encode: Callable[[torch.Tensor], torch.Tensor],
    head: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    raise NotImplementedError("hidden_grad: one backward, keeping the gradient of h = encode(x)")


def straight_through(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("straight_through: round's values, the identity's gradient")


def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("predict: model(x) in the mode made for pure inference")


def frozen_features(encoder: nn.Module, x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("frozen_features: encoder(x), unrecorded but usable by autograd")
