"""Data augmentation with torchvision.transforms.v2: random, reproducible, and consistent.

Augmentation shows the model a slightly different version of every image at every epoch
(another crop, a mirror image, other lighting), so it learns the object rather than the
pixels. Three things make or break it: the randomness must be reproducible under
``torch.manual_seed`` (v2 transforms draw from torch's global RNG), evaluation must not be
random at all, and every target that lives in pixel coordinates (boxes, masks) must move
*together with* the image: flip the image but not its box, and the label teaches the model the
wrong place. ``transforms.v2`` handles that for you if, and only if, it knows what each input
is: wrap them as ``tv_tensors`` (a plain tensor next to an image is passed through untouched).

1. ``train_transform(size=32)`` returns this ``v2.Compose``, in this order (the spec rebuilds
   it and compares outputs under the same seed):

   - ``v2.ToImage()`` (accepts a PIL image or a ``(C, H, W)`` uint8 tensor),
   - ``v2.RandomResizedCrop(size, scale=(0.6, 1.0))`` (antialiased, the v2 default),
   - ``v2.RandomHorizontalFlip()`` (``p=0.5``, the default),
   - ``v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3)``,
   - ``v2.ToDtype(torch.float32, scale=True)`` (uint8 0..255 becomes float 0..1; given one
     dtype, it converts images only, so masks keep their integer dtype).

   Anything that is not an image (an int label, a string) passes through unchanged, so
   ``transform((image, label))`` returns ``(new_image, label)``.
2. ``eval_transform(size=32)``: no randomness: ``ToImage``, ``v2.Resize(size)``
   (shorter side to ``size``), ``v2.CenterCrop(size)``, ``ToDtype(torch.float32, scale=True)``.
3. ``augment_sample(transform, image, boxes, mask, label)`` applies ``transform`` to one
   detection/segmentation sample given as plain tensors: ``image`` ``(3, H, W)`` uint8,
   ``boxes`` ``(N, 4)`` float in pixels as ``(x1, y1, x2, y2)``, ``mask`` ``(H, W)`` integer.
   Wrap them as ``tv_tensors.Image``, ``tv_tensors.BoundingBoxes`` (``format="XYXY"``,
   ``canvas_size=(H, W)``) and ``tv_tensors.Mask``, call ``transform`` once on the dict
   ``{"image": ..., "boxes": ..., "mask": ..., "label": label}`` (one call, so all of them get
   the same random crop and flip) and return the dict it gives back.

Check it: ``kata check data/augment``. The spec flips a sample and checks the new box against
the bright rectangle in the flipped image, and after random crops against the mask.
"""

from __future__ import annotations

from typing import Any

import torch
from torchvision.transforms import v2


def train_transform(size: int = 32) -> v2.Compose:
    raise NotImplementedError("train_transform: ToImage, crop, flip, jitter, ToDtype")


def eval_transform(size: int = 32) -> v2.Compose:
    raise NotImplementedError("eval_transform: ToImage, Resize, CenterCrop, ToDtype")


def augment_sample(
    transform: v2.Transform,
    image: torch.Tensor,
    boxes: torch.Tensor,
    mask: torch.Tensor,
    label: int,
) -> dict[str, Any]:
    raise NotImplementedError("augment_sample: wrap as tv_tensors, transform the dict once")
