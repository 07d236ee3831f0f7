"""Spec for lightning/swa: EpochSWA against a replay with torch.optim.swa_utils.AveragedModel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning
import lightning as L
import pytest
import torch
import torch.nn.functional as F
from lightning.pytorch.callbacks import ModelSummary, WeightAveraging
from lightning.pytorch.trainer.connectors import accelerator_connector
from lit_swa import EpochSWA, fit_with_swa
from torch import nn
from torch.optim.swa_utils import AveragedModel
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import kind, playing_a_gpu_machine


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


class Snapshots(L.LightningModule):
    """A small regressor that keeps a copy of its weights at the end of every epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
        self.epoch_ends: dict[int, dict[str, torch.Tensor]] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        return F.mse_loss(self(x), y)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        x, y = batch
        self.log("val_loss", F.mse_loss(self(x), y))

    def on_train_epoch_end(self) -> None:
        self.epoch_ends[self.current_epoch] = {
            k: v.detach().clone() for k, v in self.state_dict().items()
        }

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def loader() -> DataLoader[tuple[torch.Tensor, ...]]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 3, generator=g)
    return DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=16)


def fresh() -> Snapshots:
    torch.manual_seed(0)
    return Snapshots()


def test_should_update_answers_per_epoch_from_the_start_epoch() -> None:
    swa = EpochSWA(start_epoch=2)
    assert isinstance(swa, WeightAveraging), "EpochSWA should subclass WeightAveraging"
    cases = {
        "step_idx=0": swa.should_update(step_idx=0),
        "step_idx=9": swa.should_update(step_idx=9),
        "epoch_idx=0": swa.should_update(epoch_idx=0),
        "epoch_idx=1": swa.should_update(epoch_idx=1),
        "epoch_idx=2": swa.should_update(epoch_idx=2),
        "epoch_idx=5": swa.should_update(epoch_idx=5),
    }
    want = {k: k in ("epoch_idx=2", "epoch_idx=5") for k in cases}
    wrong = {k: v for k, v in cases.items() if v != want[k]}
    assert not wrong, (
        f"EpochSWA(start_epoch=2).should_update gave {wrong}: expected True only for epoch "
        "indices >= 2, never for single steps"
    )


@pytest.mark.parametrize(("start", "epochs"), [(2, 5), (0, 3), (4, 5)])
def test_the_final_weights_are_the_swa_average(
    tmp_path: Path, built: list[L.Trainer], start: int, epochs: int
) -> None:
    model = fresh()
    trainer = fit_with_swa(model, loader(), loader(), tmp_path, epochs, start)
    assert isinstance(trainer, L.Trainer) and trainer.current_epoch == epochs, (
        f"fit_with_swa should train {epochs} epochs (max_epochs=max_epochs) and return its "
        f"L.Trainer, got {type(trainer).__name__}"
        + (f" at epoch {trainer.current_epoch}" if isinstance(trainer, L.Trainer) else "")
    )
    averaged = AveragedModel(fresh())  # the oracle: torch's own running mean
    for epoch in range(start, epochs):
        snapshot = fresh()
        snapshot.load_state_dict(model.epoch_ends[epoch])
        averaged.update_parameters(snapshot)
    for name, value in model.state_dict().items():
        want = averaged.module.state_dict()[name]
        assert torch.allclose(value, want, atol=1e-6, rtol=0), (
            f"{name}: after training, the model should hold the mean of its weights at the "
            f"ends of epochs {start} to {epochs - 1}, as AveragedModel computes it; it differs "
            f"by up to {float((value - want).abs().max()):.2e}"
        )


def test_the_trainer_is_quiet_and_carries_the_callback(
    tmp_path: Path, built: list[L.Trainer]
) -> None:
    fit_with_swa(fresh(), loader(), loader(), tmp_path, 2, 1)
    assert len(built) == 1, (
        f"fit_with_swa should build one L.Trainer, it built {len(built)} (the spec counts the "
        "calls to L.Trainer, with lightning imported as L)"
    )
    trainer = built[0]
    swa = [c for c in trainer.callbacks if isinstance(c, EpochSWA)]
    assert len(swa) == 1 and swa[0].start_epoch == 1, (
        "L.Trainer's callbacks should hold one EpochSWA(start_epoch), start_epoch=1 here; it "
        f"has {len(swa)}, with start_epoch {[c.start_epoch for c in swa]}"
    )
    assert Path(trainer.default_root_dir) == tmp_path and trainer.progress_bar_callback is None, (
        "pass default_root_dir=root_dir and enable_progress_bar=False to L.Trainer, got "
        f"default_root_dir={trainer.default_root_dir}, progress bar: "
        f"{kind(trainer.progress_bar_callback)}"
    )
    assert not any(isinstance(c, ModelSummary) for c in trainer.callbacks), (
        "pass enable_model_summary=False to L.Trainer (the model summary is on)"
    )
    found = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert found == [], (
        "no logger and no checkpoints: pass logger=False and enable_checkpointing=False to "
        f"L.Trainer; nothing should be written, found {found}"
    )
