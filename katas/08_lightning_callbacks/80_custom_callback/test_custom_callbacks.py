"""Spec for lightning/custom-callback: HookTrace, History (with a checkpoint), StopAtTarget."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
from custom_callbacks import History, HookTrace, StopAtTarget
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

TRAIN_LOSS = [2.0, 1.5, 1.25, 1.0, 0.75, 0.5]
VAL_LOSS = [0.9, 0.5, 0.3, 0.2, 0.1, 0.05]


class Scripted(L.LightningModule):
    """Trains for real, logs scripted epoch values, and writes its own hooks into a trace."""

    def __init__(self, trace: list[str] | None = None) -> None:
        super().__init__()
        self.layer = nn.Linear(2, 1)
        self.trace = trace if trace is not None else []

    def training_step(self, batch: tuple[torch.Tensor], i: int) -> torch.Tensor:
        self.log("train_loss", TRAIN_LOSS[self.current_epoch], on_step=False, on_epoch=True)
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch: tuple[torch.Tensor], i: int) -> None:
        self.log("val_loss", VAL_LOSS[self.current_epoch] + 10 * self.trainer.sanity_checking)

    def on_train_epoch_end(self) -> None:
        self.trace.append("model:train_epoch_end")

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.01)


def fit(
    tmp_path: Path,
    callbacks: list[Callback],
    epochs: int,
    model: Scripted | None = None,
    ckpt_path: str | None = None,
) -> L.Trainer:
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=epochs,
        default_root_dir=tmp_path,
        callbacks=callbacks,
        logger=False,
        enable_checkpointing=any(isinstance(c, ModelCheckpoint) for c in callbacks),
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    loader = DataLoader(TensorDataset(torch.randn(8, 2)), batch_size=4)
    trainer.fit(model or Scripted(), loader, loader, ckpt_path=ckpt_path)
    return trainer


def test_hooks_follow_the_loop_and_the_list(tmp_path: Path) -> None:
    trace: list[str] = []
    fit(tmp_path, [HookTrace("a", trace), HookTrace("b", trace)], 2, Scripted(trace))
    epoch = [
        "a:train_epoch_start",
        "b:train_epoch_start",
        "a:validation_epoch_end",
        "b:validation_epoch_end",
        "a:train_epoch_end",
        "b:train_epoch_end",
        "model:train_epoch_end",
    ]
    want = ["a:fit_start", "b:fit_start", *epoch, *epoch, "a:fit_end", "b:fit_end"]
    assert trace == want, (
        "the trace of two HookTrace callbacks [a, b] (and the model's own "
        "on_train_epoch_end) over 2 epochs should be\n"
        + "\n".join(want)
        + "\ngot\n"
        + "\n".join(trace)
        + "\n(validation_epoch_end only for real validation: skip trainer.sanity_checking)"
    )


def test_history_keeps_one_value_per_epoch(tmp_path: Path) -> None:
    history = History()
    fit(tmp_path, [history], 3)
    assert history.train_loss == TRAIN_LOSS[:3], (
        f"train_loss per epoch: expected {TRAIN_LOSS[:3]}, got {history.train_loss}"
    )
    assert history.val_loss == pytest.approx(VAL_LOSS[:3], abs=1e-6), (
        f"val_loss per epoch: expected {VAL_LOSS[:3]}, got {history.val_loss} (the sanity "
        "check's validation reports 10.9: it must not be kept)"
    )
    assert all(type(v) is float for v in history.train_loss + history.val_loss), (
        "History should keep plain Python floats (float(...) of the logged tensor), got "
        f"{sorted({type(v).__name__ for v in history.train_loss + history.val_loss})}"
    )


def test_history_survives_a_checkpoint(tmp_path: Path) -> None:
    first = History()
    fit(tmp_path, [first, ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True)], 2)
    state = first.state_dict()
    again = History()
    again.load_state_dict(state)
    assert (again.train_loss, again.val_loss) == (first.train_loss, first.val_loss), (
        "History().load_state_dict(h.state_dict()) should give back h's lists "
        f"(train {first.train_loss}, val {first.val_loss}), got train {again.train_loss}, "
        f"val {again.val_loss}"
    )
    resumed = History()
    callbacks = [resumed, ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True)]
    fit(tmp_path, callbacks, 4, ckpt_path=str(tmp_path / "ckpt" / "last.ckpt"))
    assert resumed.val_loss == pytest.approx(VAL_LOSS[:4], abs=1e-6), (
        f"a run resumed after 2 of 4 epochs should continue the history to 4 values each, got "
        f"train {resumed.train_loss} and val {resumed.val_loss}: the checkpoint stores what "
        "state_dict() returns and hands it to load_state_dict() on resume"
    )
    assert resumed.train_loss == TRAIN_LOSS[:4], (
        f"after the resumed run, train_loss should be {TRAIN_LOSS[:4]}, got {resumed.train_loss}"
    )


@pytest.mark.parametrize(("target", "epochs"), [(0.4, 3), (0.5, 2), (0.01, 6)])
def test_stop_at_target_ends_the_run(tmp_path: Path, target: float, epochs: int) -> None:
    history = History()
    trainer = fit(tmp_path, [StopAtTarget("val_loss", target), history], 6)
    assert trainer.current_epoch == epochs, (
        f"val_loss runs {VAL_LOSS}; with target {target} training should end after {epochs} "
        f"epochs (the first at or below the target), it ran {trainer.current_epoch}: StopAtTarget "
        "should set trainer.should_stop in on_validation_end, at the first value of monitor at or "
        "below target"
    )
    assert len(history.val_loss) == epochs, (
        f"the run should end after {epochs} validations, History kept {len(history.val_loss)} "
        f"val_loss values: {history.val_loss}"
    )
