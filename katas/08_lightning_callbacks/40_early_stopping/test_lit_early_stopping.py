"""Spec for lightning/early-stopping: when a scripted run must stop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning
import lightning as L
import pytest
import torch
from lightning.pytorch.callbacks import EarlyStopping
from lightning.pytorch.trainer.connectors import accelerator_connector
from lit_early_stopping import early_stopping, fit_until_plateau
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_quiet_trainer, playing_a_gpu_machine

VAL_LOSS = [1.0, 0.8, 0.79, 0.81, 0.85, 0.7, 0.6, 0.5]
VAL_ACC = [0.5, 0.6, 0.6, 0.55, 0.7, 0.65, 0.6, 0.9]


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[L.Trainer]:
    """Every Trainer the code under test builds, to inspect its settings afterwards."""
    trainers: list[L.Trainer] = []

    class Recording(lightning.Trainer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            with playing_a_gpu_machine():
                super().__init__(*args, **kwargs)
            trainers.append(self)

    monkeypatch.setattr(lightning, "Trainer", Recording)
    # Pretend this machine has a GPU: 'auto' would pick it; the CPU must be asked for by name.
    monkeypatch.setattr(accelerator_connector, "_select_auto_accelerator", lambda: "cuda")
    return trainers


class Scripted(L.LightningModule):
    """Trains for real, reports scripted validation values."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(2, 1)
        self.validated: set[int] = set()

    def training_step(self, batch: tuple[torch.Tensor], i: int) -> torch.Tensor:
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch: tuple[torch.Tensor], i: int) -> None:
        epoch = 0 if self.trainer.sanity_checking else self.current_epoch
        self.log("val_loss", VAL_LOSS[epoch])
        self.log("val_acc", VAL_ACC[epoch])
        if not self.trainer.sanity_checking:
            self.validated.add(epoch)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.01)


def loader() -> DataLoader[tuple[torch.Tensor, ...]]:
    return DataLoader(TensorDataset(torch.randn(8, 2)), batch_size=4)


@pytest.mark.parametrize(
    ("kwargs", "epochs", "why"),
    [
        ({}, 5, "best 0.79 after epoch 2, then 0.81 and 0.85: 2 without improvement"),
        ({"min_delta": 0.05}, 4, "0.79 beats 0.8 by less than min_delta 0.05: no improvement"),
        ({"patience": 3}, 8, "0.7 at epoch 5 comes within the patience of 3: it never stops"),
        ({"stopping_threshold": 0.8}, 3, "0.79 after epoch 2 is below the threshold 0.8"),
        ({"monitor": "val_acc", "mode": "max"}, 4, f"val_acc {VAL_ACC}: higher is better"),
    ],
    ids=["defaults", "min_delta", "patience", "threshold", "mode_max"],
)
def test_training_stops_when_it_should(
    tmp_path: Path, built: list[L.Trainer], kwargs: dict[str, Any], epochs: int, why: str
) -> None:
    stopper = early_stopping(**kwargs)
    assert isinstance(stopper, EarlyStopping), (
        f"early_stopping should return an EarlyStopping, got {type(stopper).__name__}"
    )
    model = Scripted()
    ran = fit_until_plateau(model, loader(), loader(), tmp_path, 8, stopper)
    assert ran == len(model.validated), (
        f"fit_until_plateau should return the number of epochs that ran "
        f"({len(model.validated)}) as an int, got "
        + (repr(ran) if isinstance(ran, int | float) else type(ran).__name__)
    )
    monitor = kwargs.get("monitor", "val_loss")
    assert ran == epochs, (
        f"early_stopping({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) over {monitor} "
        f"{VAL_ACC if monitor == 'val_acc' else VAL_LOSS}: expected {epochs} epochs ({why}), "
        f"{ran} ran: pass monitor, patience, min_delta, mode and stopping_threshold on to "
        "EarlyStopping, and the stopper to L.Trainer(callbacks=[...])"
    )


def test_the_trainer_is_quiet_cpu_and_writes_nothing(
    tmp_path: Path, built: list[L.Trainer]
) -> None:
    fit_until_plateau(Scripted(), loader(), loader(), tmp_path, 3, early_stopping(patience=5))
    assert len(built) == 1, (
        f"fit_until_plateau should build one L.Trainer, it built {len(built)} (the spec counts "
        "the calls to L.Trainer, with lightning imported as L)"
    )
    trainer = built[0]
    assert trainer.max_epochs == 3 and Path(trainer.default_root_dir) == tmp_path, (
        "pass max_epochs=max_epochs and default_root_dir=root_dir to L.Trainer, got "
        f"max_epochs={trainer.max_epochs}, default_root_dir={trainer.default_root_dir}"
    )
    assert_quiet_trainer(trainer)
    found = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert found == [], (
        "no logger and no checkpoints: pass logger=False and enable_checkpointing=False to "
        f"L.Trainer; nothing should be written, found {found}"
    )
