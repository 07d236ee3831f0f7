"""Reference solution for data/augment."""

from __future__ import annotations

from typing import Any

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2


def train_transform(size: int = 32) -> v2.Compose:
    return v2.Compose(
        [
            v2.ToImage(),
            v2.RandomResizedCrop(size, scale=(0.6, 1.0)),
            v2.RandomHorizontalFlip(),
            v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3),
            v2.ToDtype(torch.float32, scale=True),
        ]
    )


def eval_transform(size: int = 32) -> v2.Compose:
    return v2.Compose(
        [
            v2.ToImage(),
            v2.Resize(size),
            v2.CenterCrop(size),
            v2.ToDtype(torch.float32, scale=True),
        ]
    )


def augment_sample(
    transform: v2.Transform,
    image: torch.Tensor,
    boxes: torch.Tensor,
    mask: torch.Tensor,
    label: int,
) -> dict[str, Any]:
    sample = {
        "image": tv_tensors.Image(image),
        "boxes": tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=image.shape[-2:]),
        "mask": tv_tensors.Mask(mask),
        "label": label,
    }
    return transform(sample)
