"""save_hyperparameters, and a model that rebuilds itself from its checkpoint.

A checkpoint of weights alone is half a model: to load it you must first build the same
architecture, with the same sizes, and somebody has to remember what they were. Lightning
solves this with ``self.save_hyperparameters()``: it records the arguments of ``__init__`` in
``self.hparams`` and writes them into every checkpoint, so that
``LitMLP.load_from_checkpoint(path)`` can rebuild the model and load its weights in one call,
and keyword arguments can override what was saved (a new learning rate for fine-tuning).

Write:

1. ``LitMLP.__init__(in_features, hidden, num_classes, lr=1e-2, dropout=0.1, loss_fn=None)``:
   save the hyper-parameters (every argument except ``loss_fn``: a module is not a
   hyper-parameter, and it would be pickled into every checkpoint), keep ``loss_fn`` as
   ``self.loss_fn`` (``nn.CrossEntropyLoss()`` when ``None``), and build ``self.net``:
   ``Linear(in_features, hidden)``, ``ReLU``, ``Dropout(dropout)``,
   ``Linear(hidden, num_classes)``, reading the sizes back from ``self.hparams``.
   ``forward``, ``training_step`` and ``configure_optimizers`` are given and read
   ``self.hparams`` too.
2. ``train_and_checkpoint(model, loader, root_dir, epochs=1) -> Path`` fits the model on the CPU
   (no logger, no automatic checkpoints, no progress bar, no model summary), then saves one
   checkpoint with the trainer to ``root_dir / "model.ckpt"`` and returns that path.
3. ``reload(path, loss_fn=None, **overrides) -> LitMLP`` rebuilds the model from the checkpoint
   alone, passing ``loss_fn`` again and any hyper-parameter overrides.

Check it: ``kata check lightning/hparams``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader


class LitMLP(L.LightningModule):
    def __init__(
        self,
        in_features: int,
        hidden: int,
        num_classes: int,
        lr: float = 1e-2,
        dropout: float = 0.1,
        loss_fn: nn.Module | None = None,
    ) -> None:
        super().__init__()
        raise NotImplementedError("__init__: save the hyper-parameters, then build from them")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        return self.loss_fn(self(x), y)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def train_and_checkpoint(
    model: LitMLP,
    loader: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    epochs: int = 1,
) -> Path:
    raise NotImplementedError("train_and_checkpoint: fit, then trainer.save_checkpoint(...)")


def reload(path: str | Path, loss_fn: nn.Module | None = None, **overrides: Any) -> LitMLP:
    raise NotImplementedError("reload: one classmethod rebuilds the model from the file")
