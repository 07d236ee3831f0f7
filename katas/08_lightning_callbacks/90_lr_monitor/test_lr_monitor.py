"""Spec for lightning/lr-monitor: the logged learning rates against torch's own schedulers."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import lightning
import lightning as L
import pytest
import torch
from lightning.pytorch.trainer.connectors import accelerator_connector
from lr_monitor import WarmupCosine, fit_with_lr_monitor, read_column
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_quiet_trainer, playing_a_gpu_machine


@pytest.fixture(autouse=True)
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


def expected_lrs(lr: float, warmup: int, total: int) -> list[float]:
    """The oracle: torch's schedulers stepped by hand, one lr per optimizer step."""
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr)
    first = LinearLR(optimizer, start_factor=0.25, total_iters=warmup)
    then = CosineAnnealingLR(optimizer, T_max=total - warmup)
    scheduler = SequentialLR(optimizer, [first, then], milestones=[warmup])
    out = []
    for _ in range(total):
        out.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return out


def loader(n: int) -> DataLoader[tuple[torch.Tensor, ...]]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, generator=g)
    return DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=8)


def spec_read(path: Path, column: str) -> list[float]:
    with path.open(newline="") as f:
        return [float(r[column]) for r in csv.DictReader(f) if r.get(column)]


@pytest.mark.parametrize(
    ("lr", "warmup", "samples", "epochs"), [(0.5, 4, 40, 3), (0.2, 2, 32, 2), (None, None, 24, 4)]
)
def test_the_monitor_logs_the_schedule_every_step(
    tmp_path: Path,
    built: list[L.Trainer],
    lr: float | None,
    warmup: int | None,
    samples: int,
    epochs: int,
) -> None:
    torch.manual_seed(0)
    if lr is None:
        model, lr, warmup = WarmupCosine(), 0.1, 4  # the defaults
    else:
        model = WarmupCosine(lr=lr, warmup_steps=warmup)  # type: ignore[arg-type]
    assert warmup is not None
    x = torch.randn(5, 3)
    assert tuple(model.layer(x).shape) == (5, 1), "the given layer maps 3 features to 1"
    path = fit_with_lr_monitor(model, loader(samples), tmp_path, epochs)
    want_path = tmp_path / "lr" / "version_0" / "metrics.csv"
    assert Path(path) == want_path, (
        f"fit_with_lr_monitor should return the path of the metrics.csv that "
        f"CSVLogger(save_dir=root_dir, name='lr', version=0) writes, {want_path}; got {path}"
    )
    total = epochs * math.ceil(samples / 8)
    want = expected_lrs(lr, warmup, total)
    got = spec_read(want_path, "lr")
    assert len(got) == total, (
        f"{epochs} epochs of {math.ceil(samples / 8)} steps should log {total} learning rates "
        f"under 'lr' (one per step), the CSV has {len(got)}: name the schedule 'lr' (the "
        "'name' entry of the lr_scheduler dict, with 'interval': 'step'), "
        "LearningRateMonitor(logging_interval='step'), and L.Trainer(log_every_n_steps=1)"
    )
    for step, (a, b) in enumerate(zip(got, want, strict=True)):
        assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12), (
            f"step {step}: logged lr {a:.6g}, torch's LinearLR(start_factor=0.25, "
            f"total_iters={warmup}) then CosineAnnealingLR(T_max={total - warmup}) give "
            f"{b:.6g}\nlogged: {[round(v, 5) for v in got]}\nwant:   {[round(v, 5) for v in want]}"
        )
    assert built, (
        "fit_with_lr_monitor should build an L.Trainer (the spec counts the calls to "
        "L.Trainer, with lightning imported as L)"
    )
    trainer = built[0]
    assert_quiet_trainer(trainer, tmp_path)
    found = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert found == ["lr/version_0/metrics.csv"], (
        "only the logger's files should be written: pass enable_checkpointing=False to "
        f"L.Trainer; found {found}"
    )


def test_read_column_skips_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,lr,step,train_loss\n0,0.1,0,\n0,,0,2.5\n0,0.05,1,\n1,,1,1.25\n")
    assert read_column(path, "lr") == [0.1, 0.05], (
        f"read_column(path, 'lr') on the sample CSV should be [0.1, 0.05] (empty cells "
        f"skipped), got {read_column(path, 'lr')}"
    )
    assert read_column(path, "train_loss") == [2.5, 1.25], (
        f"read_column(path, 'train_loss') on the sample CSV should be [2.5, 1.25], got "
        f"{read_column(path, 'train_loss')}"
    )
    assert all(type(v) is float for v in read_column(path, "step")), (
        "read_column should return Python floats, got "
        f"{sorted({type(v).__name__ for v in read_column(path, 'step')})} for the 'step' column"
    )


def test_read_column_reads_the_real_log(tmp_path: Path) -> None:
    torch.manual_seed(0)
    path = fit_with_lr_monitor(WarmupCosine(), loader(16), tmp_path, 3)
    assert read_column(path, "lr") == spec_read(Path(path), "lr"), (
        f"read_column on the real log: expected {spec_read(Path(path), 'lr')}, got "
        f"{read_column(path, 'lr')}"
    )
    again = fit_with_lr_monitor(WarmupCosine(), loader(16), tmp_path, 3)
    assert again == path, (
        f"a second run into the same root_dir should write the same file (version=0), it "
        f"wrote {again}"
    )
