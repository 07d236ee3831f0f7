"""Benchmark `kata watch`: time from saving a kata file to the verdict on screen.

    .venv/bin/python tools/bench_watch.py [--saves N] [--kata ID ...]

Works on a throw-away copy of the workspace. For each kata it starts `kata watch`, then N times
rewrites the learner file with the reference solution (a new trailing comment each time, so
every save is a real change) and times save → the ``■ done`` line. The same spec run by a cold
``python -m pytest`` is the baseline. A tiny Lightning kata (one ``Trainer.fit``) is added to
the copy so the Lightning budget is measured even before the Lightning track exists.
Budgets (issue 3, 2-core CPU): p95 ≤ 1.0 s plain PyTorch, ≤ 1.5 s Lightning, ≥ 5x a cold pytest.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from katakit.catalog import discover  # noqa: E402
from katakit.drive import Watch  # noqa: E402

LIGHTNING_DIR = Path("katas/99_bench/01_lightning_fit")
LIGHTNING_TOML = """id = "bench/lightning-fit"
title = "Benchmark: one tiny Lightning fit"
kind = "topic"
level = 1
topics = ["pl.trainer"]
minutes = 1
needs = ["lightning"]
hints = ["only for the benchmark", "only for the benchmark"]
"""
LIGHTNING_MODULE = '''"""A tiny LightningModule, only for the watch benchmark."""

import lightning as L
import torch


class Tiny(L.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], idx: int) -> torch.Tensor:
        x, y = batch
        return torch.nn.functional.mse_loss(self.layer(x), y)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)
'''
LIGHTNING_SPEC = """import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset
from bench_lightning_fit import Tiny


def test_fit_lowers_the_loss(tmp_path) -> None:
    x = torch.randn(32, 4)
    y = x.sum(dim=1, keepdim=True)
    model = Tiny()
    before = torch.nn.functional.mse_loss(model.layer(x), y).item()
    trainer = L.Trainer(
        max_epochs=3, accelerator="cpu", logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp_path,
    )
    trainer.fit(model, DataLoader(TensorDataset(x, y), batch_size=8))
    assert torch.nn.functional.mse_loss(model.layer(x), y).item() < before
"""


def workspace(tmp: Path) -> Path:
    ws = tmp / "ws"
    for name in ("katas", "solutions", "docs"):
        shutil.copytree(ROOT / name, ws / name)
    shutil.copy(ROOT / "pyproject.toml", ws)
    bench = ws / LIGHTNING_DIR
    bench.mkdir(parents=True)
    (bench / "kata.toml").write_text(LIGHTNING_TOML)
    (bench / "bench_lightning_fit.py").write_text(LIGHTNING_MODULE)
    (bench / "test_bench_lightning_fit.py").write_text(LIGHTNING_SPEC)
    solved = ws / "solutions" / LIGHTNING_DIR.relative_to("katas")
    solved.mkdir(parents=True)
    (solved / "bench_lightning_fit.py").write_text(LIGHTNING_MODULE)
    return ws


def learner_and_reference(ws: Path, kata_id: str) -> tuple[Path, Path, Path]:
    kata = discover(ws).find(kata_id)
    return kata.learner_file, kata.solution_file, kata.spec_file


def cold_pytest(ws: Path, spec: Path, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(spec)],
            cwd=ws,
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(ws: Path, kata_id: str, saves: int) -> tuple[float, float, float, float, bool]:
    learner, reference, spec = learner_and_reference(ws, kata_id)
    solved = reference.read_text()
    learner.write_text(solved)
    watch = Watch(ws, kata_id)
    watch.verdict(timeout=120)  # start-up and the first check
    times: list[float] = []
    green = True
    for n in range(saves):
        time.sleep(0.3)
        start = time.perf_counter()
        learner.write_text(solved + f"\n# save {n}\n")
        block = watch.verdict()
        times.append(watch.last_at - start)
        green = green and "✔" in block
    watch.stop()
    cold = cold_pytest(ws, spec, 3)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    return statistics.median(times), p95, max(times), cold, green


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--kata", nargs="*", default=["tensors/create", "bench/lightning-fit"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kata-bench-") as tmp:
        ws = workspace(Path(tmp))
        print(f"{'kata':<24} {'p50':>7} {'p95':>7} {'max':>7} {'cold pytest':>12} {'speed-up':>9}")
        for kata_id in args.kata:
            p50, p95, worst, cold, green = bench(ws, kata_id, args.saves)
            note = "" if green else "  (not green!)"
            print(
                f"{kata_id:<24} {p50:7.2f} {p95:7.2f} {worst:7.2f} {cold:12.2f} "
                f"{cold / p95:8.1f}x{note}"
            )


if __name__ == "__main__":
    main()
