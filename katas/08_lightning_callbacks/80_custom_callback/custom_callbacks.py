"""Write callbacks: hook order, shared state, stopping the loop, surviving a checkpoint.

Callbacks keep everything that is not the model's business out of the LightningModule:
logging extras, weight averaging, early stopping, checkpoints, timers. Each is a class with
methods named after moments of the loop; the Trainer calls every callback's method for that
moment, in the order of the ``callbacks=[...]`` list, before the LightningModule's own hook.
Write three:

1. ``HookTrace(name, trace)`` appends ``"<name>:<moment>"`` to the shared list ``trace`` at
   these moments: ``fit_start``, ``train_epoch_start``, ``validation_epoch_end`` (real
   validation only, not the sanity check Lightning runs first), ``train_epoch_end`` and
   ``fit_end``. With two of them the trace shows the order of the loop and of the callbacks.
2. ``History()`` keeps the epoch values the model logged as ``"train_loss"`` and
   ``"val_loss"`` in the lists ``train_loss`` and ``val_loss`` (floats, one per epoch; read
   them from ``trainer.callback_metrics``; skip the sanity check), and implements
   ``state_dict()`` / ``load_state_dict()`` so that the history is saved in checkpoints and a
   resumed run continues it instead of starting a new one.
3. ``StopAtTarget(monitor, target)`` stops training at the end of the first epoch whose
   validation value of ``monitor`` is at or below ``target`` (``trainer.should_stop``).

Check it: ``kata check lightning/custom-callback``.
"""

from __future__ import annotations

from typing import Any

import lightning as L
from lightning.pytorch.callbacks import Callback


class HookTrace(Callback):
    def __init__(self, name: str, trace: list[str]) -> None:
        self.name, self.trace = name, trace

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        raise NotImplementedError("HookTrace: append '<name>:fit_start' (and the other four)")


class History(Callback):
    def __init__(self) -> None:
        self.train_loss: list[float] = []
        self.val_loss: list[float] = []

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        raise NotImplementedError("History: keep train_loss and val_loss per epoch")

    def state_dict(self) -> dict[str, Any]:
        raise NotImplementedError("state_dict: the history, to be saved in a checkpoint")

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        raise NotImplementedError("load_state_dict: the history, back from a checkpoint")


class StopAtTarget(Callback):
    def __init__(self, monitor: str, target: float) -> None:
        self.monitor, self.target = monitor, target

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        raise NotImplementedError("StopAtTarget: stop once monitor <= target")
