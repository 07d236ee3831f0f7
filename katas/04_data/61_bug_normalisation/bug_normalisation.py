"""Bug hunt: "95% on the training images, 10% on the validation images".

A colleague fine-tunes an ImageNet-pretrained network on photos stored as ``uint8`` RGB arrays
of shape ``(H, W, 3)``. Training images go through ``train_transform`` (random crop and flip
for augmentation), validation images through ``eval_transform`` (a plain resize); both are
meant to end with the same ImageNet normalisation: scale the pixels to ``[0, 1]``, then
subtract the ImageNet mean and divide by its standard deviation, channel by channel. Nothing
crashes, but they report:

    "The training accuracy climbs to 95%, the validation accuracy stays at 10% from the first
    epoch on. Even a training image gets misclassified when I push it through eval_transform.
    The validation tensors have values in the hundreds; the training tensors stay between
    about -2 and 2.6."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``train_transform(size=32)``: a ``torchvision.transforms.v2`` pipeline from an ``(H, W, 3)``
  ``uint8`` array to a ``(3, size, size)`` ``float32`` tensor: ``RandomResizedCrop(size)``,
  ``RandomHorizontalFlip()``, scaling to ``[0, 1]``, ImageNet normalisation.
- ``eval_transform(size=32)``: the same without randomness: ``Resize((size, size))``, scaling to
  ``[0, 1]``, ImageNet normalisation. A pixel of value ``v`` in channel ``c`` comes out as
  ``(v / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]``, exactly as in training.

Check it: ``kata check bugs/normalisation``.
"""

import torch
from torchvision.transforms import v2

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def train_transform(size: int = 32) -> v2.Compose:
    return v2.Compose(
        [
            v2.ToImage(),
            v2.RandomResizedCrop(size),
            v2.RandomHorizontalFlip(),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(IMAGENET_MEAN, IMAGENET_STD),
        ]
    )


def eval_transform(size: int = 32) -> v2.Compose:
    return v2.Compose(
        [
            v2.ToImage(),
            v2.Resize((size, size)),
            v2.ToDtype(torch.float32),
            v2.Normalize(IMAGENET_MEAN, IMAGENET_STD),
        ]
    )
