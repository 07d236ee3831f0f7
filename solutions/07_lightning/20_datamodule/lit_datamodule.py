"""Reference solution for lightning/datamodule."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split


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
        if self.path.exists():
            return
        x = torch.randn(self.n, 2, generator=torch.Generator().manual_seed(self.seed))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        y = (x.sum(dim=1) > 0).long()  # mutate: skip (>= or mean: the same labels, no sum is 0)
        torch.save({"x": x, "y": y}, self.path)

    def setup(self, stage: str) -> None:
        data = torch.load(self.path)
        generator = torch.Generator().manual_seed(self.seed)
        train, val, test = random_split(
            TensorDataset(data["x"], data["y"]), [0.7, 0.15, 0.15], generator=generator
        )
        if stage == "fit":
            self.train, self.val = train, val
        elif stage == "validate":
            self.val = val
        else:
            self.test = test

    def train_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        assert self.train is not None, "call setup('fit') first"
        return DataLoader(self.train, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        assert self.val is not None, "call setup('fit') or setup('validate') first"
        return DataLoader(self.val, batch_size=self.batch_size)

    def test_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        assert self.test is not None, "call setup('test') first"
        return DataLoader(self.test, batch_size=self.batch_size)

    def predict_dataloader(self) -> DataLoader[torch.Tensor]:
        assert self.test is not None, "call setup('predict') first"
        return DataLoader([x for x, _ in self.test], batch_size=self.batch_size)
