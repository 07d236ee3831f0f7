"""Spec for lightning/torchmetrics: metric objects per stage, epoch values, state reset."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import lightning as L
import pytest
import torch
from lightning.pytorch.loggers import Logger
from lit_torchmetrics import MetricClassifier
from sklearn import metrics
from torch.utils.data import DataLoader, TensorDataset
from torchmetrics import Metric
from torchmetrics.classification import MulticlassAccuracy, MulticlassF1Score

FEATURES, CLASSES = 5, 4


class MemoryLogger(Logger):
    """Keeps every (step, metrics) the Trainer sends to a logger."""

    def __init__(self) -> None:
        super().__init__()
        self.history: list[dict[str, float]] = []

    @property
    def name(self) -> str:
        return "memory"

    @property
    def version(self) -> int:
        return 0

    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        pass

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        self.history.append(dict(metrics))

    def values(self, key: str) -> list[float]:
        return [m[key] for m in self.history if key in m]


def blobs(n: int, seed: int) -> TensorDataset:
    """Imbalanced classes (plain accuracy and the mean recall over classes differ)."""
    g = torch.Generator().manual_seed(seed)
    centres = 2 * torch.randn(CLASSES, FEATURES, generator=torch.Generator().manual_seed(7))
    y = torch.multinomial(torch.tensor([0.5, 0.25, 0.15, 0.1]), n, True, generator=g)
    return TensorDataset(centres[y] + 1.5 * torch.randn(n, FEATURES, generator=g), y)


def trainer(tmp_path: Path, epochs: int = 1) -> L.Trainer:
    return L.Trainer(
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


def predictions(model: MetricClassifier, data: TensorDataset) -> tuple[Any, Any]:
    x, y = data.tensors
    with torch.no_grad():
        return y.numpy(), model(x).argmax(dim=1).numpy()


def model(lr: float = 0.0) -> MetricClassifier:
    torch.manual_seed(0)
    return MetricClassifier(FEATURES, CLASSES, lr=lr)


def test_one_metric_object_per_stage_and_quantity() -> None:
    lit = model()
    kinds = {
        "train_acc": MulticlassAccuracy,
        "val_acc": MulticlassAccuracy,
        "val_f1": MulticlassF1Score,
    }
    for name, kind in kinds.items():
        metric = getattr(lit, name, None)
        assert isinstance(metric, kind), (
            f"self.{name} should be a torchmetrics {kind.__name__}, got {type(metric).__name__}"
        )
        assert metric.num_classes == CLASSES, (
            f"self.{name}: num_classes should be {CLASSES} (the model's num_classes), got "
            f"{metric.num_classes}"
        )
    assert lit.train_acc is not lit.val_acc, (
        "train_acc and val_acc are the same object: training and validation batches would be "
        "counted together"
    )
    children = {name for name, m in lit.named_children() if isinstance(m, Metric)}
    assert children == set(kinds), (
        f"the model's metric child modules should be exactly {sorted(kinds)}, set as attributes "
        f"in __init__ (self.train_acc = ...); got {sorted(children)}"
    )


def test_train_acc_is_the_accuracy_over_the_epoch(tmp_path: Path) -> None:
    lit, train, val = model(), blobs(70, 1), blobs(45, 2)
    run = trainer(tmp_path, epochs=2)
    run.fit(lit, DataLoader(train, batch_size=16), DataLoader(val, batch_size=16))
    want = metrics.accuracy_score(*predictions(lit, train))
    assert isinstance(run.logger, MemoryLogger)
    got = run.logger.values("train_acc")
    assert len(got) == 2, (
        f"'train_acc' should reach the logger once per epoch (2 epochs), got {got}; keys seen: "
        f"{sorted({k for m in run.logger.history for k in m})}: in training_step, "
        "self.log('train_acc', ...) with on_step=False, on_epoch=True"
    )
    assert all(math.isclose(v, want, abs_tol=1e-6) for v in got), (
        f"train_acc should be the plain accuracy over the epoch's 70 training samples "
        f"({want:.4f}; the weights do not move, lr=0), got {got}: average='micro', and a "
        "metric of its own for training"
    )


@pytest.mark.parametrize("seeds", [(3, 4), (5, 6)])
def test_each_validation_run_starts_from_a_reset_state(
    tmp_path: Path, seeds: tuple[int, int]
) -> None:
    lit, run = model(), trainer(tmp_path)
    for seed in seeds:
        data = blobs(45, seed)
        result = run.validate(lit, DataLoader(data, batch_size=16), verbose=False)[0]
        y, p = predictions(lit, data)
        want = {
            "val_acc": metrics.accuracy_score(y, p),
            "val_f1": metrics.f1_score(y, p, average="macro"),
        }
        for name, value in want.items():
            assert name in result, (
                f"validation_step should log {name!r} with self.log; trainer.validate reported "
                f"{sorted(result)}"
            )
            assert math.isclose(result[name], value, abs_tol=1e-6), (
                f"{name} on the validation set of seed {seed} should be {value:.4f} "
                f"(scikit-learn), got {result[name]:.4f}: is the state left over from an "
                "earlier run, or the averaging wrong? Log the metric object and Lightning "
                "computes and resets it each epoch"
            )


def test_the_returned_loss_trains_the_model(tmp_path: Path) -> None:
    lit, run = model(lr=0.5), trainer(tmp_path, epochs=6)
    val = blobs(60, 8)
    run.fit(lit, DataLoader(blobs(120, 9), batch_size=16, shuffle=True), DataLoader(val, 16))
    accuracy = metrics.accuracy_score(*predictions(lit, val))
    assert accuracy > 0.8, (
        f"after 6 epochs with lr=0.5 the validation accuracy should pass 80%, got "
        f"{accuracy:.2%}: does training_step return the cross-entropy?"
    )
