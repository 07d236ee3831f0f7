"""Spec for lightning/checkpoint: which checkpoints are kept, and the best one restored."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
import torch.nn.functional as F
from lightning.pytorch.callbacks import ModelCheckpoint, ModelSummary
from lightning.pytorch.trainer.connectors import accelerator_connector
from lit_checkpoint import checkpoint_callback, fit_with_checkpoints, restore_best
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# Scripted validation results, one per epoch: the model trains for real, but what it reports
# is fixed, so the spec knows which epochs must win.
from katakit.testing import kind, playing_a_gpu_machine

VAL_LOSS = [0.9, 0.5, 0.7, 0.3, 0.6, 0.4]
VAL_ACC = [0.2, 0.6, 0.8, 0.5, 0.7, 0.4]


class Scripted(L.LightningModule):
    def __init__(self, hidden: int = 8) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, 2))
        self.snapshots: dict[int, dict[str, torch.Tensor]] = {}

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        return F.cross_entropy(self.net(x), y)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        epoch = self.current_epoch if not self.trainer.sanity_checking else 0
        self.log("val_loss", VAL_LOSS[epoch])
        self.log("val_acc", VAL_ACC[epoch])

    def on_validation_epoch_end(self) -> None:
        if not self.trainer.sanity_checking:
            state = {k: v.detach().clone() for k, v in self.state_dict().items()}
            self.snapshots[self.current_epoch] = state

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def loaders() -> tuple[DataLoader[tuple[torch.Tensor, ...]], DataLoader[tuple[torch.Tensor, ...]]]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 4, generator=g)
    data = TensorDataset(x, (x[:, 0] > 0).long())
    return DataLoader(data, batch_size=8), DataLoader(data, batch_size=32)


def run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: object
) -> tuple[L.Trainer, Scripted, Path]:
    # Pretend this machine has a GPU: 'auto' would pick it; the CPU must be asked for by name.
    monkeypatch.setattr(accelerator_connector, "_select_auto_accelerator", lambda: "cuda")
    torch.manual_seed(0)
    model, dirpath = Scripted(hidden=6), tmp_path / "ckpts"
    callback = checkpoint_callback(dirpath, **kwargs)  # type: ignore[arg-type]
    assert isinstance(callback, ModelCheckpoint), (
        f"checkpoint_callback should return a ModelCheckpoint, got {kind(callback)}"
    )
    with playing_a_gpu_machine():
        trainer = fit_with_checkpoints(model, *loaders(), tmp_path, len(VAL_LOSS), callback)
    assert isinstance(trainer, L.Trainer), (
        f"fit_with_checkpoints should return its L.Trainer, got {kind(trainer)}"
    )
    return trainer, model, dirpath


def kept_epochs(dirpath: Path) -> list[int]:
    files = sorted(dirpath.glob("*.ckpt")) if dirpath.exists() else []
    return sorted(int(torch.load(f, weights_only=True)["epoch"]) for f in files)


@pytest.mark.parametrize(
    ("kwargs", "epochs", "best"),
    [
        ({}, [3, 5], 3),  # the two lowest val_loss: 0.3 (epoch 3), 0.4 (epoch 5)
        ({"top_k": 3}, [1, 3, 5], 3),
        ({"monitor": "val_acc", "mode": "max", "top_k": 1}, [2], 2),
        ({"monitor": "val_acc", "mode": "max", "top_k": 2}, [2, 4], 2),
    ],
)
def test_the_top_k_checkpoints_are_kept(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kwargs: dict[str, object],
    epochs: list[int],
    best: int,
) -> None:
    trainer, _, dirpath = run(tmp_path, monkeypatch, **kwargs)
    settings = {"monitor": "val_loss", "mode": "min", "top_k": 2, **kwargs}
    script = VAL_ACC if settings["monitor"] == "val_acc" else VAL_LOSS
    assert kept_epochs(dirpath) == epochs, (
        f"with {settings} over the epochs' {settings['monitor']} {script}, the checkpoints in "
        f"{dirpath.name}/ should be those of epochs {epochs}, found {kept_epochs(dirpath)}: "
        "pass dirpath, monitor, mode and save_top_k=top_k to ModelCheckpoint"
    )
    callback = trainer.checkpoint_callback
    assert isinstance(callback, ModelCheckpoint), (
        "the Trainer should use the callback it was given: pass callbacks=[callback] to "
        f"L.Trainer; its checkpoint callback is {kind(callback)}"
    )
    assert (
        callback.best_model_score is not None
        and abs(float(callback.best_model_score) - script[best]) < 1e-6
    ), (
        f"the callback's best_model_score should be {script[best]} ({settings['monitor']} of "
        f"epoch {best}), got {callback.best_model_score}"
    )
    best_epoch = int(torch.load(callback.best_model_path, weights_only=True)["epoch"])
    assert best_epoch == best, (
        f"the callback's best_model_path should be epoch {best}'s checkpoint, it is epoch "
        f"{best_epoch}'s"
    )


def test_the_trainer_is_quiet_and_trains_every_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer, model, _ = run(tmp_path, monkeypatch)
    assert trainer.current_epoch == len(VAL_LOSS), (
        f"train all {len(VAL_LOSS)} epochs (max_epochs=max_epochs): the Trainer stopped at epoch "
        f"{trainer.current_epoch}"
    )
    assert trainer.logger is None and trainer.progress_bar_callback is None, (
        "pass logger=False and enable_progress_bar=False to L.Trainer (it has logger: "
        f"{kind(trainer.logger)}, progress bar: {kind(trainer.progress_bar_callback)})"
    )
    assert not any(isinstance(c, ModelSummary) for c in trainer.callbacks), (
        "pass enable_model_summary=False to L.Trainer (the model summary is on)"
    )
    assert Path(trainer.default_root_dir) == tmp_path, (
        f"pass default_root_dir=root_dir to L.Trainer, got {trainer.default_root_dir}"
    )
    assert sorted(model.snapshots) == list(range(len(VAL_LOSS))), (
        f"validation should run after each of the {len(VAL_LOSS)} epochs (its results rank the "
        f"checkpoints), it ran after epochs {sorted(model.snapshots)}"
    )


def test_restore_best_loads_the_best_epochs_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer, model, _ = run(tmp_path, monkeypatch)
    torch.manual_seed(5)
    best = restore_best(trainer, model)
    assert isinstance(best, Scripted) and best is not model, (
        f"restore_best should return a new {type(model).__name__}, got "
        + ("the model it was given" if best is model else kind(best))
        + ": build it with load_from_checkpoint on the model's class"
    )
    assert best.hparams.hidden == 6, (
        f"the restored model should be rebuilt from the saved hparams (hidden=6), it has "
        f"hidden={best.hparams.get('hidden')!r}"
    )
    for name, value in best.state_dict().items():
        assert torch.equal(value, model.snapshots[3][name]), (
            f"{name}: the restored weights should be those after epoch 3 (the lowest val_loss), "
            "not the last epoch's: load the checkpoint at the callback's best_model_path"
        )
