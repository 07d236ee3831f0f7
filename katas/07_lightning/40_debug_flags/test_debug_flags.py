"""Spec for lightning/debug-flags: smoke_test, overfit_one_batch, quick_run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning
import lightning as L
import pytest
import torch
import torch.nn.functional as F
from debug_flags import overfit_one_batch, quick_run, smoke_test
from lightning.pytorch.callbacks import ModelSummary
from lightning.pytorch.trainer.connectors import accelerator_connector
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import playing_a_gpu_machine


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


class Probe(L.LightningModule):
    """A classifier with room to memorise a batch; records what each stage saw."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 4))
        self.train_batches: list[torch.Tensor] = []
        self.val_batches = 0

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        self.train_batches.append(x)
        loss = F.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        if not self.trainer.sanity_checking:
            self.val_batches += 1

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=0.01)


def data(n: int, seed: int = 0) -> TensorDataset:
    g = torch.Generator().manual_seed(seed)
    return TensorDataset(torch.randn(n, 8, generator=g), torch.randint(0, 4, (n,), generator=g))


def loaders() -> tuple[DataLoader[Any], DataLoader[Any]]:
    """8 shuffled training batches of 32 random labels (no pattern to learn), 3 val batches."""
    return DataLoader(data(256), batch_size=32, shuffle=True), DataLoader(data(96, 1), 32)


def assert_quiet(trainers: list[L.Trainer], what: str, root: Path) -> None:
    assert len(trainers) == 1, (
        f"{what} should build one L.Trainer, it built {len(trainers)} (the spec counts the "
        "calls to L.Trainer, with lightning imported as L)"
    )
    trainer = trainers[0]
    assert Path(trainer.default_root_dir) == root, (
        f"{what}: pass default_root_dir=root_dir, got {trainer.default_root_dir}"
    )
    assert trainer.progress_bar_callback is None, (
        f"{what}: pass enable_progress_bar=False to L.Trainer (it has a "
        f"{type(trainer.progress_bar_callback).__name__})"
    )
    assert not any(isinstance(c, ModelSummary) for c in trainer.callbacks), (
        f"{what}: pass enable_model_summary=False to L.Trainer (the model summary is on)"
    )


def written(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("batches", [None, 3])
def test_smoke_test_runs_a_few_batches_end_to_end(
    tmp_path: Path, batches: int | None, built: list[L.Trainer]
) -> None:
    model = Probe()
    if batches is None:
        trainer, batches = smoke_test(model, *loaders(), tmp_path), 1  # the default: 1 batch
    else:
        trainer = smoke_test(model, *loaders(), tmp_path, batches=batches)
    assert isinstance(trainer, L.Trainer), (
        f"smoke_test should return its L.Trainer, got {type(trainer).__name__}"
    )
    seen = (len(model.train_batches), model.val_batches)
    assert seen == (batches, batches), (
        f"smoke_test(batches={batches}) should run {batches} training and {batches} validation "
        f"batches, it ran {seen[0]} and {seen[1]}"
    )
    assert trainer.fast_dev_run == batches, (
        f"use the flag made for this: fast_dev_run={batches} (got {trainer.fast_dev_run!r}); "
        "it also switches loggers and checkpoints off"
    )
    assert written(tmp_path) == [], f"a smoke test should write nothing, found {written(tmp_path)}"
    assert_quiet(built, "smoke_test", tmp_path)


def test_overfit_one_batch_memorises_it(tmp_path: Path, built: list[L.Trainer]) -> None:
    model = Probe()
    train, _ = loaders()
    loss = overfit_one_batch(model, train, tmp_path, max_epochs=150)
    assert type(loss) is float, (
        f"overfit_one_batch should return the last 'train_loss' as a Python float, got "
        f"{type(loss).__name__}"
    )
    assert len(model.train_batches) == 150, (
        f"150 epochs of one batch are 150 training steps, the model took "
        f"{len(model.train_batches)}: train on one batch per epoch (overfit_batches=1) for "
        "max_epochs epochs"
    )
    first = data(256).tensors[0][:32]
    same = all(torch.equal(x, first) for x in model.train_batches)
    assert same, (
        "every step should train on the same batch: the first 32 samples of the data set, in "
        "order (L.Trainer's overfit_batches=1 turns shuffling off; limit_train_batches does not)"
    )
    assert loss < 0.05, (
        f"after 150 steps on one batch of 32 the loss should be near zero (the labels are "
        f"random, so only memorising gets there), got {loss:.4f}"
    )
    assert written(tmp_path) == [], (
        "no logger, no checkpoints: pass logger=False and enable_checkpointing=False to "
        f"L.Trainer; found {written(tmp_path)}"
    )
    assert_quiet(built, "overfit_one_batch", tmp_path)


@pytest.mark.parametrize(("fraction", "val_batches", "steps"), [(0.25, 1, 2), (0.5, 2, 4)])
def test_quick_run_limits_the_batches(
    tmp_path: Path, built: list[L.Trainer], fraction: float, val_batches: int, steps: int
) -> None:
    model = Probe()
    trainer = quick_run(
        model, *loaders(), tmp_path, train_fraction=fraction, val_batches=val_batches
    )
    seen = (len(model.train_batches), model.val_batches)
    assert seen == (steps, val_batches), (
        f"one epoch on {fraction} of 8 training batches and {val_batches} validation batches "
        f"should run ({steps}, {val_batches}) (training, validation) batches, it ran {seen}: "
        "L.Trainer's limit_train_batches takes a fraction (a float), limit_val_batches a count "
        "(an int)"
    )
    assert trainer.current_epoch == 1, (
        f"quick_run trains one epoch (max_epochs=1): after fit, trainer.current_epoch should be "
        f"1, got {trainer.current_epoch}"
    )
    assert written(tmp_path) == [], (
        "no logger, no checkpoints: pass logger=False and enable_checkpointing=False to "
        f"L.Trainer; found {written(tmp_path)}"
    )
    assert_quiet(built, "quick_run", tmp_path)
