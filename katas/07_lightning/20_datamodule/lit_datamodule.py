"""A LightningDataModule through its whole lifecycle.

A ``LightningDataModule`` gathers everything about the data in one class: where it comes from,
how it is split, and how it is batched, so that any model and any Trainer can use it with
``trainer.fit(model, datamodule=dm)``. The Trainer calls its methods in a fixed order, and
each has one job:

- ``prepare_data()``: runs once (on one process per machine): download or write files to disk.
  It must not set anything on ``self``, because in multi-process training the other processes
  never run it.
- ``setup(stage)``: runs in every process, with ``stage`` one of ``"fit"``, ``"validate"``,
  ``"test"``, ``"predict"``: read the files, build the datasets this stage needs.
- ``train_dataloader()``, ``val_dataloader()``, ``test_dataloader()``,
  ``predict_dataloader()``: wrap those datasets in DataLoaders.

Write ``PointsDataModule`` (its constructor is given) over a small synthetic data set that
stands in for a download:

1. ``prepare_data()`` writes ``data_dir / "points.pt"`` with ``torch.save`` unless it already
   exists (then it leaves it alone): a dict with ``"x"``, ``torch.randn(n, 2)`` drawn from
   ``torch.Generator().manual_seed(seed)``, float32, and ``"y"``, ``1`` where the two
   coordinates of a point sum to more than 0, else ``0`` (int64, shape ``(n,)``). Set nothing
   on ``self``.
2. ``setup(stage)`` loads the file and splits it with
   ``random_split(TensorDataset(x, y), [0.7, 0.15, 0.15], generator=<seeded with seed>)`` into
   train, validation and test parts. Keep them as ``self.train``, ``self.val``, ``self.test``
   as each stage needs: ``"fit"`` sets ``train`` and ``val``, ``"validate"`` sets ``val``,
   ``"test"`` and ``"predict"`` set ``test``.
3. ``train_dataloader()`` batches ``self.train`` with ``batch_size`` and shuffles it;
   ``val_dataloader()`` and ``test_dataloader()`` batch ``self.val`` / ``self.test`` in order;
   ``predict_dataloader()`` yields batches of the test *inputs* only (``x`` tensors, in order):
   a model predicts from inputs, and the labels are what it is not given. Use
   ``num_workers=0`` (the default) everywhere.

Check it: ``kata check lightning/datamodule``.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from torch.utils.data import DataLoader, Dataset


class PointsDataModule(L.LightningDataModule):
    def __init__(
        self, data_dir: str | Path, n: int = 200, batch_size: int = 16, seed: int = 0
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.n, self.batch_size, self.seed = n, batch_size, seed
        self.train: Dataset[tuple[torch.Tensor, torch.Tensor]] | None = None
        self.val: Dataset[tuple[torch.Tensor, torch.Tensor]] | None = None
        self.test: Dataset[tuple[torch.Tensor, torch.Tensor]] | None = None

    @property
    def path(self) -> Path:
        return self.data_dir / "points.pt"

    def prepare_data(self) -> None:
        raise NotImplementedError("prepare_data: write points.pt once; set nothing on self")

    def setup(self, stage: str) -> None:
        raise NotImplementedError("setup: load the file, split it, keep what `stage` needs")

    def train_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        raise NotImplementedError("train_dataloader: batches of self.train, shuffled")

    def val_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        raise NotImplementedError("val_dataloader: batches of self.val, in order")

    def test_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        raise NotImplementedError("test_dataloader: batches of self.test, in order")

    def predict_dataloader(self) -> DataLoader[torch.Tensor]:
        raise NotImplementedError("predict_dataloader: batches of the test inputs only")
