"""Reference solution for lightning/cli."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from lightning.pytorch.cli import LightningArgumentParser, LightningCLI
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class CliRegressor(L.LightningModule):
    def __init__(self, in_features: int, hidden: int = 16, lr: float = 0.01) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        loss = F.mse_loss(self.net(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        x, y = batch
        self.log("val_loss", F.mse_loss(self.net(x), y))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


class CliData(L.LightningDataModule):
    """y is the sum of the features: a target any small network can learn."""

    def __init__(self, features: int = 3, n: int = 128, batch_size: int = 32) -> None:
        super().__init__()
        self.features, self.n, self.batch_size = features, n, batch_size

    def setup(self, stage: str) -> None:
        x = torch.randn(self.n, self.features, generator=torch.Generator().manual_seed(0))
        self.data = TensorDataset(x, x.sum(dim=1, keepdim=True))

    def train_dataloader(self) -> DataLoader[tuple[torch.Tensor, ...]]:
        return DataLoader(self.data, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self) -> DataLoader[tuple[torch.Tensor, ...]]:
        return DataLoader(self.data, batch_size=self.batch_size)


class RegressionCLI(LightningCLI):
    def add_arguments_to_parser(self, parser: LightningArgumentParser) -> None:
        parser.link_arguments("data.features", "model.in_features")


def cli_main(args: list[str] | None = None, run: bool = True) -> LightningCLI:
    return RegressionCLI(
        CliRegressor,
        CliData,
        args=args,
        run=run,
        trainer_defaults={
            "accelerator": "cpu",
            "enable_checkpointing": False,
            "enable_progress_bar": False,
            "enable_model_summary": False,
        },
        save_config_kwargs={"overwrite": True},
    )


if __name__ == "__main__":
    cli_main()
