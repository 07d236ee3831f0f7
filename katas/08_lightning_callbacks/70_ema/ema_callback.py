"""An exponential moving average of the weights, as your own callback.

The weights after the last optimizer step carry the noise of the last few batches. An
exponential moving average (EMA) of the weights over the steps smooths that noise away, and
many modern recipes (diffusion models, vision transformers, YOLO) evaluate and ship the EMA
weights instead of the raw ones. Lightning has a callback for it (``EMAWeightAveraging``);
here you write it yourself, which shows what a callback can do: run code at any point of the
loop, and even swap the model's weights in and out.

Write ``EMA(decay)``, a ``lightning.pytorch.callbacks.Callback``:

1. ``on_fit_start``: start with an empty average.
2. ``on_train_batch_end`` (after every optimizer step): the first time, the average is a copy
   of the current parameters; after that ``avg = decay * avg + (1 - decay) * param`` for every
   parameter (this is what ``torch.optim.swa_utils.AveragedModel`` with
   ``get_ema_multi_avg_fn(decay)`` computes, and the spec checks against it). Parameters only,
   by name (``named_parameters()``), detached: the average is not part of any graph.
3. ``on_validation_epoch_start`` / ``on_validation_epoch_end``: validate with the averaged
   weights: swap them into the model, and afterwards put the training weights back exactly,
   so that training goes on as if nothing happened. Before the first update (the sanity check
   runs before any training) there is no average yet: leave the model alone.
4. ``on_train_end``: load the average into the model, so that after ``fit`` the model holds
   the EMA weights.

Check it: ``kata check lightning/ema``.
"""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback


class EMA(Callback):
    def __init__(self, decay: float = 0.99) -> None:
        self.decay = decay
        self.shadow: dict[str, torch.Tensor] = {}
        self.backup: dict[str, torch.Tensor] = {}

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        raise NotImplementedError("on_fit_start: start with an empty average")

    def on_train_batch_end(
        self,
        trainer: L.Trainer,
        pl_module: L.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        raise NotImplementedError("on_train_batch_end: update the average of every parameter")

    def on_validation_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        raise NotImplementedError("on_validation_epoch_start: swap the average in")

    def on_validation_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        raise NotImplementedError("on_validation_epoch_end: put the training weights back")

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        raise NotImplementedError("on_train_end: keep the averaged weights")
