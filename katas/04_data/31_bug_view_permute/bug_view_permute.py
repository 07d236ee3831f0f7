"""Bug hunt: "the images come out as stripes of noise".

A colleague stores a small image data set as NumPy arrays, one ``.npy`` file per image, in one
folder per class::

    root/cat/0001.npy  root/cat/0002.npy  ...  root/dog/0001.npy  ...

Each file holds an ``(H, W, 3)`` ``uint8`` RGB array, the layout NumPy, PIL and OpenCV use.
``NpyImageFolder`` turns every file into what PyTorch's convolutions want: a ``(3, H, W)``
``float32`` tensor with values in ``[0, 1]``. The shapes are right, nothing crashes, but:

    "When I plot a loaded image with plt.imshow(image.permute(1, 2, 0)) I see colourful
    stripes, not the photo. A photo that is all red comes out with stripes of red, green and
    blue. The CNN trains to chance level."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``NpyImageFolder(root)``: ``classes`` is the sorted list of sub-folder names, label ``k``
  stands for ``classes[k]``; the samples are every ``*.npy`` file of every class folder,
  class by class, files in sorted order.
- ``dataset[i]`` is ``(image, label)``: ``image[c, y, x]`` is channel ``c`` of the pixel in row
  ``y``, column ``x`` of the stored array, divided by 255, as ``float32``; ``label`` an int.

Check it: ``kata check bugs/view-permute``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset


class NpyImageFolder(Dataset[tuple[torch.Tensor, int]]):
    def __init__(self, root: str | Path) -> None:
        root = Path(root)
        self.classes = sorted(d.name for d in root.iterdir() if d.is_dir())
        self.samples = [
            (path, label)
            for label, name in enumerate(self.classes)
            for path in sorted((root / name).glob("*.npy"))
        ]

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        path, label = self.samples[index]
        array = np.load(path)  # (H, W, 3) uint8
        height, width, channels = array.shape
        image = torch.from_numpy(array).view(channels, height, width)
        return image / 255, label  # uint8 / int gives float32
