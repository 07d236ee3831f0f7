"""The layers of a small CNN: output shapes, and what train() and eval() change.

``nn.Conv2d``, ``nn.MaxPool2d``, ``nn.BatchNorm2d``, ``nn.Dropout`` and ``nn.Linear`` make up
most image classifiers. Two things trip people up: the size of the feature map after each
conv/pool (you need it to size the first ``nn.Linear``), and the layers that behave
differently in training and evaluation. Dropout zeroes random features only in training;
batch norm normalises with the current batch's statistics in training (and updates its running
statistics), and with the stored running statistics in evaluation.

Write:

1. ``conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1)``: the output
   height (or width) of ``nn.Conv2d`` with those settings on an input of that height. Pooling
   layers follow the same rule (``nn.MaxPool2d(k)`` has stride ``k``).
2. ``batch_norm_eval(x, running_mean, running_var, weight, bias, eps=1e-5)``: what
   ``nn.BatchNorm2d`` computes in eval mode for ``x`` of shape ``(B, C, H, W)``; the other
   tensors have shape ``(C,)``.
3. ``batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5)``:
   training mode. Returns ``(out, new_running_mean, new_running_var)``: ``out`` normalises
   with this batch's per-channel mean and biased variance (over dims 0, 2, 3), and the new
   running stats blend ``momentum`` of the batch's statistics into the old ones, exactly as
   PyTorch does (look up which variance it stores). Return new tensors, change no input.
   Both functions use plain tensor ops: torch's batch norm is what the spec checks them
   against, so calling it (or ``nn.BatchNorm2d``) from them fails.
4. ``SmallConvNet(in_channels, num_classes, image_size, p_drop=0.5)`` with submodules, in
   this order: ``conv1`` (``in_channels`` -> 8 channels, kernel 3, padding 1), ``bn``
   (``BatchNorm2d(8)``), ``pool`` (``MaxPool2d(2)``), ``conv2`` (8 -> 16, kernel 3, stride 2,
   no padding), ``dropout`` (``nn.Dropout(p_drop)``) and ``fc`` (an ``nn.Linear`` from the
   flattened features to ``num_classes``). ``image_size`` is ``(H, W)``; size ``fc`` from it.
   ``forward(x)``: ``(B, in_channels, H, W)`` -> ``(B, num_classes)`` logits via
   conv1 -> bn -> ReLU -> pool -> conv2 -> ReLU -> flatten -> dropout -> fc (ReLU and flatten
   as functions or as modules, as you like).

Check it: ``kata check modules/layers``.
"""

from __future__ import annotations

import torch
from torch import nn


def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    raise NotImplementedError("conv_output_size: count the windows that fit in the padded input")


def batch_norm_eval(
    x: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    raise NotImplementedError("batch_norm_eval: normalise each channel with the running stats")


def batch_norm_train(
    x: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    raise NotImplementedError("batch_norm_train: batch statistics, then the running-stat blend")


class SmallConvNet(nn.Module):
    def __init__(
        self, in_channels: int, num_classes: int, image_size: tuple[int, int], p_drop: float = 0.5
    ) -> None:
        super().__init__()
        raise NotImplementedError("SmallConvNet.__init__: the six layers; size fc from image_size")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("SmallConvNet.forward: chain the layers in the contract's order")
