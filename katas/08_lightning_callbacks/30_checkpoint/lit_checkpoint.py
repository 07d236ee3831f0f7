"""ModelCheckpoint: monitor, mode, top-k, and restoring the best model.

The last epoch is rarely the best one: validation loss wanders, and past some point the model
overfits. ``ModelCheckpoint`` watches a metric you log, keeps the ``k`` best checkpoints on
disk (deleting the rest as better ones arrive) and remembers which one was best, so that after
training you can load the best weights instead of the last. It is the Lightning form of the
"keep the best model" loop you wrote in the training track.

Write:

1. ``checkpoint_callback(dirpath, monitor="val_loss", mode="min", top_k=2)`` returns a
   ``ModelCheckpoint`` that writes into ``dirpath``, watches ``monitor``, ranks it by ``mode``
   (``"min"``: lower is better; ``"max"``: higher is better) and keeps the ``top_k`` best
   checkpoints.
2. ``fit_with_checkpoints(model, train, val, root_dir, max_epochs, callback)`` fits ``model`` on
   the CPU for ``max_epochs`` epochs with ``callback`` as its checkpoint callback (no logger, no
   progress bar, no model summary) and returns the trainer.
3. ``restore_best(trainer, model)`` returns a new model of ``model``'s class, loaded from the
   best checkpoint the trainer's checkpoint callback found (the models used here save their
   hyper-parameters).

Check it: ``kata check lightning/checkpoint``.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from torch.utils.data import DataLoader


def checkpoint_callback(
    dirpath: str | Path, monitor: str = "val_loss", mode: str = "min", top_k: int = 2
) -> ModelCheckpoint:
    raise NotImplementedError("checkpoint_callback: a ModelCheckpoint keeping the top_k best")


def fit_with_checkpoints(
    model: L.LightningModule,
    train: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    val: DataLoader[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
    callback: ModelCheckpoint,
) -> L.Trainer:
    raise NotImplementedError("fit_with_checkpoints: a Trainer with the callback, fit")


def restore_best(trainer: L.Trainer, model: L.LightningModule) -> L.LightningModule:
    raise NotImplementedError("restore_best: load the best checkpoint into a new model")
