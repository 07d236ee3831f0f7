"""Condition a feature map on a vector: broadcast, then concatenate.

Conditional models (a generator told which class to draw, a U-Net told the diffusion time
step, a segmenter told the scanner type) feed a per-sample vector into a convolutional feature
map. The vector has shape ``(B, D)``, the feature map ``(B, C, H, W)``: the vector has to be
spread over every pixel before it can be joined to, or added to, the map. Broadcasting does
that without Python loops and without copying the vector H * W times by hand.

Write two functions. Both return a new tensor with the dtype and device of ``fmap`` (the
inputs share dtype and device), never change their inputs, and mix nothing between samples:
output sample ``b`` depends only on input sample ``b``.

1. ``condition_feature_map(fmap, cond)``: ``fmap`` ``(B, C, H, W)`` and ``cond`` ``(B, D)``
   -> ``(B, C + D, H, W)``. The first ``C`` channels are ``fmap`` unchanged; channel
   ``C + d`` is the constant ``cond[b, d]`` at every pixel:
   ``out[b, C + d, h, w] == cond[b, d]`` for every ``h`` and ``w``.
2. ``add_condition(fmap, bias)``: ``fmap`` ``(B, C, H, W)`` and ``bias`` ``(B, C)`` ->
   ``(B, C, H, W)`` with ``out[b, c, h, w] == fmap[b, c, h, w] + bias[b, c]``: a per-sample,
   per-channel shift (the way FiLM layers and time embeddings are added).

Check it: ``kata check tensors/broadcast-condition``.
"""

from __future__ import annotations

import torch


def condition_feature_map(fmap: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("condition_feature_map: spread cond over H and W, then join it")


def add_condition(fmap: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("add_condition: give bias size-1 spatial dims and add it")
