"""LightningCLI: run experiments from a YAML config, override anything from the command line.

Hard-coded hyper-parameters in a training script turn every experiment into an edit, and after
a week nobody knows which settings produced which result. ``LightningCLI`` reads the
constructor signatures of your LightningModule and LightningDataModule (their type hints and
defaults) and of the Trainer, and turns them into a command line and a config file format:

    python lit_cli.py fit --config experiment.yaml --trainer.max_epochs=20 --model.lr=0.1

Every run saves the complete config it used (``config.yaml``, next to the logs), so any run
can be repeated exactly.

``CliRegressor``'s steps and optimizer and the whole ``CliData`` module are given. Write:

1. ``CliRegressor.__init__(in_features: int, hidden: int = 16, lr: float = 0.01)``: save the
   hyper-parameters and build ``self.net``: ``Linear(in_features, hidden)``, ``ReLU``,
   ``Linear(hidden, 1)``. Keep the type hints and defaults: the CLI reads them.
2. ``RegressionCLI(LightningCLI).add_arguments_to_parser(parser)``: link ``data.features`` to
   ``model.in_features``, so the number of input features is set once, for the data, and the
   model follows (``parser.link_arguments``).
3. ``cli_main(args=None, run=True)`` builds and returns a ``RegressionCLI`` for ``CliRegressor``
   and ``CliData``, passing ``args`` and ``run`` through, with these ``trainer_defaults`` (a
   config can still override them): ``accelerator="cpu"``, ``enable_checkpointing=False``,
   ``enable_progress_bar=False``, ``enable_model_summary=False``; and
   ``save_config_kwargs={"overwrite": True}`` so a re-run may replace its saved config.
   With ``run=True`` the first argument is a subcommand (``fit``, ``validate``, ``test``, ...);
   with ``run=False`` there is none and nothing runs: the CLI only builds the objects.

The file already ends with ``if __name__ == "__main__": cli_main()``, so the spec can run it
as a script, in a subprocess, the way you would from a terminal. It needs ``jsonargparse``
(``pip install "lightning[pytorch-extra]"`` brings it).

Check it: ``kata check lightning/cli``.
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from lightning.pytorch.cli import LightningArgumentParser, LightningCLI
from torch.utils.data import DataLoader, TensorDataset


class CliRegressor(L.LightningModule):
    def __init__(self, in_features: int, hidden: int = 16, lr: float = 0.01) -> None:
        super().__init__()
        raise NotImplementedError("__init__: save the hyper-parameters, build self.net")

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
        raise NotImplementedError("add_arguments_to_parser: link data.features to the model")


def cli_main(args: list[str] | None = None, run: bool = True) -> LightningCLI:
    raise NotImplementedError("cli_main: a RegressionCLI with quiet CPU trainer defaults")


if __name__ == "__main__":
    cli_main()
