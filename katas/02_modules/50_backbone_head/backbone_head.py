"""Backbone + head: split a classifier into a feature extractor and a small classifier.

Most classifiers are two parts: a **backbone** that turns an image into a feature vector, and a
**head** that turns the features into class scores. The split is what makes transfer learning
work: keep a backbone trained on a million images, put a fresh head on it for your ten classes,
and train the head faster (or alone) than the backbone. Global average pooling at the end of
the backbone makes the feature vector the same size whatever the image size.

Write:

1. ``Backbone(in_channels, width)`` with ``feature_dim = 2 * width`` and one submodule
   ``layers``, an ``nn.Sequential`` of, in order: ``Conv2d(in_channels, width, 3, padding=1)``,
   ``BatchNorm2d(width)``, ``ReLU``, ``Conv2d(width, 2 * width, 3, stride=2, padding=1)``,
   ``BatchNorm2d(2 * width)``, ``ReLU``, ``AdaptiveAvgPool2d(1)``, ``Flatten``.
   ``forward(x)``: ``(B, in_channels, H, W)`` -> ``(B, feature_dim)`` for any ``H`` and ``W``.
2. ``Classifier(backbone, feature_dim, num_classes)``: any backbone module that maps images to
   ``(B, feature_dim)`` (yours, or a torchvision ResNet whose ``fc`` is ``nn.Identity()``),
   kept as the submodule ``backbone``, and ``head = nn.Linear(feature_dim, num_classes)``.

   - ``features(x)``: the backbone's ``(B, feature_dim)`` features;
   - ``forward(x)``: ``(B, num_classes)`` logits, the head applied to the features;
   - ``replace_head(num_classes)``: put a fresh ``nn.Linear`` for ``num_classes`` classes in
     place of the head; the backbone is untouched. Returns nothing;
   - ``param_groups(backbone_lr, head_lr)``: a list of two optimizer parameter groups,
     ``{"params": [...], "lr": ...}``, the backbone's parameters first, then the head's, ready
     for ``torch.optim.SGD(model.param_groups(1e-4, 1e-2))``.

In eval mode each image's logits depend on that image only.

Check it: ``kata check modules/backbone-head``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class Backbone(nn.Module):
    def __init__(self, in_channels: int, width: int) -> None:
        super().__init__()
        raise NotImplementedError("Backbone.__init__: feature_dim and the layers Sequential")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Backbone.forward: run the layers")


class Classifier(nn.Module):
    def __init__(self, backbone: nn.Module, feature_dim: int, num_classes: int) -> None:
        super().__init__()
        raise NotImplementedError("Classifier.__init__: keep the backbone, add a Linear head")

    def features(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Classifier.features: the backbone's output")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Classifier.forward: head over features")

    def replace_head(self, num_classes: int) -> None:
        raise NotImplementedError("Classifier.replace_head: a new Linear, same in_features")

    def param_groups(self, backbone_lr: float, head_lr: float) -> list[dict[str, Any]]:
        raise NotImplementedError("Classifier.param_groups: two dicts with params and lr")
