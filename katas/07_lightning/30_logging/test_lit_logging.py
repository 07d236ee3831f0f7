"""Spec for lightning/logging: on_step/on_epoch, reduce_fx, prog_bar, read back from a logger."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.loggers import Logger
from lit_logging import LitRegressor
from torch.utils.data import DataLoader, TensorDataset

TRAIN, VAL = 50, 30  # batches of 16 and 8: the last batch of each is smaller


class MemoryLogger(Logger):
    """Keeps every (step, metrics) the Trainer sends to a logger."""

    def __init__(self) -> None:
        super().__init__()
        self.history: list[tuple[int | None, dict[str, float]]] = []

    @property
    def name(self) -> str:
        return "memory"

    @property
    def version(self) -> int:
        return 0

    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        pass

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        self.history.append((step, dict(metrics)))

    def values(self, key: str) -> list[float]:
        return [m[key] for _, m in self.history if key in m]


def data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g)
    return x, x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.1 * torch.randn(n, 1, generator=g)


def run(tmp_path: Path, lr: float = 0.0, epochs: int = 2) -> tuple[L.Trainer, LitRegressor]:
    torch.manual_seed(0)
    model = LitRegressor(lr=lr)
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=epochs,
        default_root_dir=tmp_path,
        logger=MemoryLogger(),
        log_every_n_steps=1,
        num_sanity_val_steps=0,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    train = DataLoader(TensorDataset(*data(TRAIN, 1)), batch_size=16)
    val = DataLoader(TensorDataset(*data(VAL, 2)), batch_size=8)
    trainer.fit(model, train, val)
    return trainer, model


def logger_of(trainer: L.Trainer) -> MemoryLogger:
    assert isinstance(trainer.logger, MemoryLogger)
    return trainer.logger


def squared_errors(model: LitRegressor, n: int, seed: int) -> torch.Tensor:
    x, y = data(n, seed)
    with torch.no_grad():
        out = model(x)
    assert out.shape == y.shape, f"the model should give {tuple(y.shape)}, got {tuple(out.shape)}"
    return (out - y) ** 2


def test_train_loss_is_logged_every_step(tmp_path: Path) -> None:
    trainer, model = run(tmp_path)
    got = logger_of(trainer).values("train_loss_step")
    errors = squared_errors(model, TRAIN, 1)
    want = [errors[i : i + 16].mean().item() for i in range(0, TRAIN, 16)] * 2
    assert len(got) == len(want), (
        f"the logger should receive 'train_loss_step' once per training step ({len(want)} steps "
        f"in 2 epochs), got it {len(got)} times: log train_loss with on_step=True and "
        "on_epoch=True (that pair is what adds the _step and _epoch suffixes)"
    )
    assert all(math.isclose(a, b, rel_tol=1e-5) for a, b in zip(got, want, strict=True)), (
        f"train_loss_step should be each batch's mean squared error {want}, got {got}"
    )


def test_train_loss_epoch_is_the_mean_over_the_epochs_samples(tmp_path: Path) -> None:
    trainer, model = run(tmp_path)
    got = logger_of(trainer).values("train_loss_epoch")
    want = squared_errors(model, TRAIN, 1).mean().item()
    assert len(got) == 2, (
        f"'train_loss_epoch' should be logged once per epoch (2 epochs), got {got}: "
        "log train_loss with on_epoch=True"
    )
    assert all(math.isclose(v, want, rel_tol=1e-5) for v in got), (
        f"train_loss_epoch should be the mean over all {TRAIN} samples ({want:.5f}), got {got}"
    )


def test_train_seen_adds_up_the_epochs_samples(tmp_path: Path) -> None:
    trainer, _ = run(tmp_path)
    history = logger_of(trainer)
    got = history.values("train_seen")
    assert got == [float(TRAIN)] * 2, (
        f"'train_seen' should reach the logger once per epoch as {TRAIN} (the samples the epoch "
        f"saw), got {got}: log each batch's size with reduce_fx='sum', on_step=False and "
        "on_epoch=True"
    )
    suffixed = {k for _, m in history.history for k in m if k.startswith("train_seen_")}
    assert not suffixed, (
        f"train_seen should have no per-step value, the logger got {sorted(suffixed)}: log it "
        "with on_step=False, on_epoch=True"
    )


def test_train_loss_is_shown_in_the_progress_bar(tmp_path: Path) -> None:
    trainer, _ = run(tmp_path, epochs=1)
    shown = set(trainer.progress_bar_metrics)
    assert any(k.startswith("train_loss") for k in shown), (
        f"the progress bar shows {sorted(shown)}: log train_loss with prog_bar=True"
    )
    assert "train_seen" not in shown, (
        f"the progress bar shows {sorted(shown)}: train_seen is for the logger, so leave "
        "prog_bar at its default (False) when you log it"
    )


def test_validation_logs_the_epoch_mean_and_the_worst_sample(tmp_path: Path) -> None:
    trainer, model = run(tmp_path, epochs=1)
    errors = squared_errors(model, VAL, 2)
    metrics = trainer.callback_metrics
    for name, want, how in (
        ("val_loss", errors.mean().item(), "the mean over all validation samples"),
        ("val_worst", errors.max().item(), "the largest single squared error (reduce_fx='max')"),
    ):
        assert name in metrics, (
            f"validation_step should log {name!r} with self.log; the Trainer saw {sorted(metrics)}"
        )
        assert math.isclose(float(metrics[name]), want, rel_tol=1e-5), (
            f"{name} should be {how}: {want:.5f}, got {float(metrics[name]):.5f}"
        )


def test_the_returned_loss_trains_the_model(tmp_path: Path) -> None:
    trainer, _ = run(tmp_path, lr=0.1, epochs=6)
    losses = logger_of(trainer).values("train_loss_epoch")
    assert len(losses) == 6 and losses[-1] < 0.1 * losses[0], (
        f"with lr=0.1 the epoch losses should fall to under a tenth in 6 epochs, got {losses}: "
        "does training_step return the loss?"
    )
