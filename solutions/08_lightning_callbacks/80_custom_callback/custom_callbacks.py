"""Reference solution for lightning/custom-callback."""

from __future__ import annotations

from typing import Any

import lightning as L
from lightning.pytorch.callbacks import Callback


class HookTrace(Callback):
    def __init__(self, name: str, trace: list[str]) -> None:
        self.name, self.trace = name, trace

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.trace.append(f"{self.name}:fit_start")

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.trace.append(f"{self.name}:train_epoch_start")

    def on_validation_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not trainer.sanity_checking:
            self.trace.append(f"{self.name}:validation_epoch_end")

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.trace.append(f"{self.name}:train_epoch_end")

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.trace.append(f"{self.name}:fit_end")


class History(Callback):
    def __init__(self) -> None:
        self.train_loss: list[float] = []
        self.val_loss: list[float] = []

    def on_validation_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not trainer.sanity_checking:
            self.val_loss.append(float(trainer.callback_metrics["val_loss"]))

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.train_loss.append(float(trainer.callback_metrics["train_loss"]))

    def state_dict(self) -> dict[str, Any]:
        return {"train_loss": list(self.train_loss), "val_loss": list(self.val_loss)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.train_loss = list(state_dict["train_loss"])
        self.val_loss = list(state_dict["val_loss"])


class StopAtTarget(Callback):
    def __init__(self, monitor: str, target: float) -> None:
        self.monitor, self.target = monitor, target

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        value = trainer.callback_metrics.get(self.monitor)
        if not trainer.sanity_checking and value is not None and float(value) <= self.target:
            trainer.should_stop = True
