"""Wafer maps: a seeded generator of the nine WM-811K defect patterns, and a DataModule.

A semiconductor wafer carries hundreds of dies; after testing, each die is good or defective,
and the map of defective dies tells an engineer what went wrong: a defect ring at the edge
points at one process step, a scratch at wafer handling, a blob in the centre at another. The
public WM-811K data set labels real wafer maps with nine patterns. It cannot be downloaded
here, so you will write a generator that draws maps with the same nine patterns, seeded, so
that every run sees the same data. The next kata trains a classifier on them.

A map is a ``(size, size)`` int64 tensor with WM-811K's encoding: ``0`` off the wafer, ``1`` a
good die, ``2`` a defective die. ``wafer_grid(size)`` (given) returns the coordinates ``x``,
``y`` and the radius ``r`` of every pixel, scaled so that the wafer is the unit disc: the
pixels with ``r <= 1`` are on the wafer. Use them to draw each pattern (a random direction is
``(cos a, sin a)`` for an angle ``a`` drawn uniformly from 0 to 2 pi):

- ``center``: a filled disc around the centre, radius 0.2 to 0.35.
- ``donut``: a ring around the centre: inner radius 0.3 to 0.45, width 0.15 to 0.25.
- ``edge-loc``: the rim (``r > 0.8``) within 0.3 to 0.6 radians of a random direction.
- ``edge-ring``: the whole rim, all around: ``r`` above ``1 - t``, ``t`` from 0.1 to 0.15.
- ``loc``: one disc of radius 0.15 to 0.25, centred 0.3 to 0.6 from the wafer's centre in a
  random direction.
- ``near-full``: each die defective with probability 0.85.
- ``random``: each die defective with a probability drawn from 0.15 to 0.3.
- ``scratch``: a straight segment in a random direction, within 0.05 of its line (so about
  0.1 wide), 0.6 to 1.0 long (half-length 0.3 to 0.5); its line passes within 0.4 of the
  centre, and its middle lies within 0.3 of the point of the line nearest the centre.
- ``none``: no pattern.

Every number drawn "from a to b" is uniform over that range, a new draw for every map.

Every die on the wafer may also fail on its own, with probability ``noise``, whatever the
pattern. Draw every random number from the ``generator`` you are given
(``torch.rand(..., generator=g)``), never from the global one, so that the same seed gives the
same maps.

Write:

1. ``wafer_map(kind, size, generator, noise=0.01)``: one map of pattern ``kind`` (one of
   ``CLASSES``; anything else raises ``ValueError``).
2. ``make_wafer_dataset(n_per_class, size=32, seed=0) -> (x, y)``: one generator seeded with
   ``seed``; for each class in ``CLASSES`` order, ``n_per_class`` maps drawn one after the other
   from that generator. ``x`` is float32 ``(9 * n_per_class, 1, size, size)``, the map divided
   by 2 (0, 0.5, 1: an image with one channel); ``y`` holds the class indices (int64).
3. ``WaferDataModule.setup(stage)``: make the data set and split it 60/20/20 into
   ``self.train``, ``self.val``, ``self.test``, *stratified*: within each class,
   ``round(0.6 * n)`` maps for training, ``round(0.2 * n)`` for validation, the rest for
   testing, chosen at random with a generator seeded with ``seed``. Then the three loaders
   (``batch_size``; only the training loader shuffles).

Check it: ``kata check lightning/wafer-data``.
"""

from __future__ import annotations

import lightning as L
import torch
from torch.utils.data import DataLoader, Dataset

CLASSES = (
    "center",
    "donut",
    "edge-loc",
    "edge-ring",
    "loc",
    "near-full",
    "random",
    "scratch",
    "none",
)
OFF, GOOD, BAD = 0, 1, 2


def wafer_grid(size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """x, y and radius of every pixel, normalised so that the wafer is the unit disc."""
    coords = (torch.arange(size) - (size - 1) / 2) / (size / 2)
    x, y = coords.expand(size, size), coords[:, None].expand(size, size)
    return x, y, torch.sqrt(x**2 + y**2)


def wafer_map(
    kind: str, size: int, generator: torch.Generator, noise: float = 0.01
) -> torch.Tensor:
    raise NotImplementedError("wafer_map: draw the pattern's defects on the disc r <= 1")


def make_wafer_dataset(
    n_per_class: int, size: int = 32, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    raise NotImplementedError("make_wafer_dataset: n maps per class from one seeded generator")


class WaferDataModule(L.LightningDataModule):
    def __init__(
        self, n_per_class: int = 40, size: int = 32, batch_size: int = 32, seed: int = 0
    ) -> None:
        super().__init__()
        self.n_per_class, self.size, self.batch_size, self.seed = (
            n_per_class,
            size,
            batch_size,
            seed,
        )
        self.train: Dataset[tuple[torch.Tensor, torch.Tensor]]
        self.val: Dataset[tuple[torch.Tensor, torch.Tensor]]
        self.test: Dataset[tuple[torch.Tensor, torch.Tensor]]

    def setup(self, stage: str) -> None:
        raise NotImplementedError("setup: make the data set, split it 60/20/20 per class")

    def train_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        raise NotImplementedError("train_dataloader: shuffled batches of self.train")

    def val_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        raise NotImplementedError("val_dataloader: batches of self.val in order")

    def test_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        raise NotImplementedError("test_dataloader: batches of self.test in order")
