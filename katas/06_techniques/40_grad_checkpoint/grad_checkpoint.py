"""Gradient checkpointing: trade compute for memory.

Training memory is mostly not the weights: it is the *activations* that autograd keeps from
the forward pass because backward will need them (a Linear keeps its input, a GELU its input,
a LayerNorm its input and statistics). They grow with batch size and depth. Gradient
checkpointing keeps only each block's *input*, throws the rest away, and runs the block's
forward a second time during backward to get it back: about one extra forward pass of
compute for a fraction of the activation memory. ``torch.utils.checkpoint.checkpoint`` does it
for one call; pass ``use_reentrant=False``, the recommended variant (the old default gives
no gradients to the weights when the input itself needs none).

To see the effect on a CPU, count what autograd saves: inside
``torch.autograd.graph.saved_tensors_hooks(pack, unpack)`` every tensor saved for backward
goes through ``pack``. On a GPU, ``torch.cuda.max_memory_allocated`` shows the same story.

``make_block`` and the constructor of ``CheckpointedMLP`` are given. Write:

1. ``CheckpointedMLP.forward(x)``: run the blocks in order; when ``self.checkpointing`` is
   true, run each block through ``checkpoint(block, x, use_reentrant=False)``.
2. ``saved_activation_bytes(model, inputs) -> int``: run ``model(inputs)`` once (with autograd
   on) and return how many bytes of tensors autograd saved for backward. Count each storage
   once (``t.untyped_storage()``: its ``data_ptr()`` tells storages apart, its ``nbytes()`` is
   the size), however many saved tensors share it, and leave out the storages of the model's
   parameters (they take memory whether or not you train).

The spec counts bytes on its own: an 8-block MLP of width 256 on a batch of 128 saves
3,153,920 bytes plain and 1,048,576 checkpointed. It checks both versions give the same
outputs and gradients, and that a checkpointed block really runs twice per training step.
The GPU test compares peak memory on CUDA.

Check it: ``kata check tech/grad-checkpoint``.
"""

from __future__ import annotations

import torch
from torch import nn


def make_block(width: int) -> nn.Module:
    """Given: one block of the MLP."""
    return nn.Sequential(nn.Linear(width, width), nn.LayerNorm(width), nn.GELU())


class CheckpointedMLP(nn.Module):
    """``depth`` blocks of width ``width``, checkpointed block by block when asked."""

    def __init__(self, width: int, depth: int, *, checkpointing: bool) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(make_block(width) for _ in range(depth))
        self.checkpointing = checkpointing

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("forward: the blocks in order, checkpointed when asked")


def saved_activation_bytes(model: nn.Module, inputs: torch.Tensor) -> int:
    raise NotImplementedError("saved_activation_bytes: pack hooks, distinct storages, no params")
