"""Reshape, permute, squeeze, stack, cat and index without scrambling the data.

Most of the glue code in a model moves tensors from one shape to another: flatten an image for
a linear layer, move channels last for plotting, batch samples, join features, pick the last
step of a sequence. A wrong shape fails loudly; a right shape with the numbers in the wrong
places fails silently and trains badly. Every function here must get both right, and must keep
the batch dim even when the batch holds a single sample. Return new tensors (views are fine);
never change the inputs.

Write seven short functions (dtype and device stay those of the input):

1. ``flatten_images(images)``: ``(B, C, H, W)`` -> ``(B, C*H*W)``, each sample's values in
   ``(c, h, w)`` order. Must also work when ``images`` is not contiguous (a permuted tensor).
2. ``to_nhwc(images)``: ``(B, C, H, W)`` -> ``(B, H, W, C)`` with
   ``out[b, h, w, c] == images[b, c, h, w]``, the layout matplotlib and PIL expect. (This is
   not ``memory_format=torch.channels_last``, which keeps the logical shape ``(B, C, H, W)``.)
3. ``batch_images(images)``: a list of ``N`` tensors ``(C, H, W)`` -> one ``(N, C, H, W)``
   batch with ``out[n] == images[n]``.
4. ``join_features(a, b)``: ``(B, F1)`` and ``(B, F2)`` -> ``(B, F1 + F2)``, the features of
   ``a`` first, then those of ``b``, sample by sample.
5. ``drop_channel(masks)``: ``(B, 1, H, W)`` -> ``(B, H, W)``, dropping only the channel dim,
   even when ``B``, ``H`` or ``W`` is 1 as well. Raise ``ValueError`` when dim 1 is not of
   size 1 (torch would silently leave such a tensor as it is).
6. ``last_step(seq)``: ``(B, T, F)`` -> ``(B, F)``, the last time step of every sequence.
7. ``select_rows(x, keep)``: ``x`` of shape ``(N, F)`` and a boolean ``keep`` of shape ``(N,)``
   -> ``(K, F)``, the rows where ``keep`` is True, in their original order (``K`` may be 0).

Check it: ``kata check tensors/shapes``.
"""

from __future__ import annotations

import torch


def flatten_images(images: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("flatten_images: merge C, H and W into one dim, keep B")


def to_nhwc(images: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("to_nhwc: move the channel dim to the end")


def batch_images(images: list[torch.Tensor]) -> torch.Tensor:
    raise NotImplementedError("batch_images: put the images along a new batch dim")


def join_features(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("join_features: glue b's features after a's, per sample")


def drop_channel(masks: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("drop_channel: remove dim 1, and only dim 1")


def last_step(seq: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("last_step: index the last time step of each sequence")


def select_rows(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("select_rows: index the rows with the boolean mask")
