"""A simple CNN from scratch for CIFAR-10-shaped images.

Before reaching for a pretrained ResNet, write the classic small image classifier yourself
and know where every number in it comes from. CIFAR-10 images are 3 x 32 x 32 with 10 classes;
three conv blocks each double the channels and halve the size (32 -> 16 -> 8 -> 4), and a small
fully connected head turns the final 128 x 4 x 4 feature maps into class scores.

``SimpleCNN(num_classes=10, in_channels=3, dropout=0.5)`` with two submodules:

- ``features``: an ``nn.Sequential`` of three conv blocks, going ``in_channels -> 32 -> 64 ->
  128`` channels. One block, in this order: a 3x3 ``nn.Conv2d`` with padding 1 and no bias
  (the batch norm right after it has its own shift), ``nn.BatchNorm2d``, ``nn.ReLU``,
  ``nn.MaxPool2d(2)``. Keep each block as an ``nn.Sequential`` of those four layers.
  ``(B, in_channels, 32, 32)`` in, ``(B, 128, 4, 4)`` out.
- ``classifier``: ``nn.Sequential(nn.Flatten(), nn.Linear(128 * 4 * 4, 256), nn.ReLU(),
  nn.Dropout(dropout), nn.Linear(256, num_classes))``.

``forward(x)`` returns raw logits ``(B, num_classes)``: no softmax, because
``nn.CrossEntropyLoss`` applies log-softmax itself. The head's 128 * 4 * 4 inputs assume
32 x 32 images; other sizes are not this model's job.

With the defaults the model has 620,586 parameters: the spec asks you to hit that number and
checks it with the formula (a 3x3 conv holds ``9 * c_in * c_out`` weights, a batch norm
``2 * c``, a linear layer ``n_in * n_out + n_out``). It then trains the model on a single batch
of 8 random images for a few steps: a model that is wired right memorises them quickly, which
is the first sanity check to run on any new model before a long training job.

Check it: ``kata check arch/simple-cnn``.
"""

from __future__ import annotations

import torch
from torch import nn


class SimpleCNN(nn.Module):
    def __init__(self, num_classes: int = 10, in_channels: int = 3, dropout: float = 0.5) -> None:
        super().__init__()
        raise NotImplementedError("SimpleCNN.__init__: three conv blocks, then the classifier")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("SimpleCNN.forward: features, then classifier; no softmax")
