"""Spec for training/full-pipeline: parse_args, pick_device, run and main, in-process and as a
script."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import train_pipeline
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from train_pipeline import main, parse_args, pick_device

FEATURES, CLASSES = 5, 3
OPTIONS = ("--data", "--out", "--epochs", "--batch-size", "--lr", "--val-fraction")
OPTIONS += ("--patience", "--seed", "--device")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """120 samples of 3 overlapping blobs, saved the way the script expects them."""
    g = torch.Generator().manual_seed(0)
    centres = 1.2 * torch.randn(CLASSES, FEATURES, generator=g)
    targets = torch.randint(0, CLASSES, (120,), generator=g)
    inputs = centres[targets] + torch.randn(120, FEATURES, generator=g)
    path = tmp_path / "data.pt"
    torch.save({"inputs": inputs, "targets": targets}, path)
    return path


def by_hand(
    path: Path,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    val_fraction: float,
    patience: int,
    seed: int,
) -> tuple[list[dict[str, float]], dict[str, torch.Tensor], dict[str, float]]:
    """The pipeline of the docstring, written out with plain torch."""
    torch.manual_seed(seed)
    data = torch.load(path)
    dataset = TensorDataset(data["inputs"], data["targets"])
    train_set, val_set = random_split(
        dataset, [1 - val_fraction, val_fraction], torch.Generator().manual_seed(seed)
    )
    order = torch.Generator().manual_seed(seed)
    train = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=order)
    val = DataLoader(val_set, batch_size=batch_size)
    model = nn.Sequential(
        nn.Linear(FEATURES, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, CLASSES)
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    history: list[dict[str, float]] = []
    best, best_state, bad = math.inf, {}, 0
    for epoch in range(1, epochs + 1):
        used = optimizer.param_groups[0]["lr"]
        losses = []
        model.train()
        for x, y in train:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            pairs = [(model(x), y) for x, y in val]
        logits, targets = torch.cat([o for o, _ in pairs]), torch.cat([y for _, y in pairs])
        val_loss = nn.functional.cross_entropy(logits, targets).item()
        accuracy = (logits.argmax(dim=1) == targets).float().mean().item()
        scheduler.step()
        history.append(
            {
                "epoch": epoch,
                "lr": used,
                "train_loss": sum(losses) / len(losses),
                "val_loss": val_loss,
                "val_accuracy": accuracy,
            }
        )
        if val_loss < best:
            best, bad = val_loss, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= patience:
                break
    best_epoch = min(history, key=lambda h: h["val_loss"])["epoch"]
    return (
        history,
        best_state,
        {"best_epoch": best_epoch, "best_val_loss": best, "epochs_run": len(history)},
    )


def argv(data: Path, out: Path, **options: object) -> list[str]:
    args = ["--data", str(data), "--out", str(out)]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    return args


def test_parse_args_defaults(tmp_path: Path) -> None:
    args = parse_args(["--data", "data.pt"])
    want = {
        "data": Path("data.pt"),
        "out": Path("runs/pipeline"),
        "epochs": 20,
        "batch_size": 32,
        "lr": 0.01,
        "val_fraction": 0.2,
        "patience": 5,
        "seed": 0,
        "device": "auto",
    }
    got = {key: getattr(args, key, "<missing>") for key in want}
    assert got == want, f"parse_args(['--data', 'data.pt']): expected {want}, got {got}"


def test_parse_args_reads_every_option() -> None:
    args = parse_args(
        [
            "--data",
            "d.pt",
            "--out",
            "o",
            "--epochs",
            "3",
            "--batch-size",
            "8",
            "--lr",
            "0.5",
            "--val-fraction",
            "0.25",
            "--patience",
            "2",
            "--seed",
            "7",
            "--device",
            "cpu",
        ]
    )
    want = {
        "data": Path("d.pt"),
        "out": Path("o"),
        "epochs": 3,
        "batch_size": 8,
        "lr": 0.5,
        "val_fraction": 0.25,
        "patience": 2,
        "seed": 7,
        "device": "cpu",
    }
    got = {key: getattr(args, key, "<missing>") for key in want}
    types = {key: type(value).__name__ for key, value in got.items()}
    assert got == want and types == {k: type(v).__name__ for k, v in want.items()}, (
        f"expected {want}, got {got} (types {types}): give each option its type=, so that "
        "'3' arrives as the int 3 and 'o' as a Path"
    )


def test_data_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        parse_args(["--epochs", "3"])
    assert stop.value.code == 2 and "--data" in capsys.readouterr().err, (
        "without --data, argparse should stop with an error naming --data (required=True)"
    )


def test_help_describes_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        parse_args(["--help"])
    text = capsys.readouterr().out
    assert stop.value.code == 0, "--help should print the help and exit with status 0"
    paragraphs = text.split("\n\n")
    assert len(paragraphs) > 2 and not paragraphs[1].startswith("options:"), (
        f"give the ArgumentParser a description: --help shows it under the usage\n{text}"
    )
    listing = text.partition("options:")[2]
    bare = [opt for opt in OPTIONS if not re.search(rf"{opt} \S+\s+(?!-)\S", listing)]
    assert bare == [], f"these options have no help text: {bare}\n{text}"


@pytest.mark.parametrize(
    ("name", "cuda", "want"),
    [
        ("auto", True, "cuda"),
        ("auto", False, "cpu"),
        ("cpu", True, "cpu"),
        ("cuda:1", False, "cuda:1"),
    ],
)
def test_pick_device(monkeypatch: pytest.MonkeyPatch, name: str, cuda: bool, want: str) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    got = pick_device(name)
    assert isinstance(got, torch.device) and got == torch.device(want), (
        f"pick_device({name!r}) with CUDA {'available' if cuda else 'absent'}: expected "
        f"torch.device({want!r}), got {got!r}"
    )


def read_history(out: Path) -> list[dict[str, float]]:
    path = out / "history.json"
    assert path.exists(), f"no history.json in {out}: write it when the run ends"
    return json.loads(path.read_text())


def compare(got: list[dict[str, float]], want: list[dict[str, float]]) -> None:
    assert len(got) == len(want), (
        f"the run should last {len(want)} epochs (history by hand: "
        f"{[round(h['val_loss'], 4) for h in want]} val losses), history.json has {len(got)}"
    )
    for g, w in zip(got, want, strict=True):
        assert set(g) == set(w), f"history entries need the keys {sorted(w)}, got {sorted(g)}"
        for key, value in w.items():
            assert g[key] == pytest.approx(value, rel=1e-5, abs=1e-6), (
                f"epoch {w['epoch']}, {key}: expected {value:.6g} (pipeline by hand), got "
                f"{g[key]!r}"
            )


def test_main_matches_a_pipeline_written_by_hand(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = {"epochs": 6, "batch_size": 16, "lr": 0.05, "val_fraction": 0.25, "patience": 3}
    want, want_state, want_summary = by_hand(data, seed=3, **options)  # type: ignore[arg-type]
    out = tmp_path / "runs" / "exp1"  # its parents do not exist yet
    assert main(argv(data, out, seed=3, device="cpu", **options)) == 0, "main should return 0"
    compare(read_history(out), want)
    lines = capsys.readouterr().out.splitlines()
    printed = [line for line in lines if line.startswith("epoch")]
    assert [line.split(":")[0] for line in printed] == [f"epoch {i}/6" for i in range(1, 7)], (
        f"expected one line per epoch starting 'epoch 1/6:' ... 'epoch 6/6:', got {printed}"
    )
    best = str(want_summary["best_epoch"])
    assert lines and "best" in lines[-1] and best in lines[-1], (
        f"main's last line should report the best epoch ({best}), got {lines[-1:]}"
    )
    state = torch.load(out / "best.pt")
    for key, tensor in want_state.items():
        torch.testing.assert_close(
            state[key],
            tensor,
            rtol=1e-5,
            atol=1e-6,
            msg=f"best.pt should hold the weights of epoch {want_summary['best_epoch']}: {key}",
        )
    summary = train_pipeline.run(parse_args(argv(data, out, seed=3, device="cpu", **options)))
    assert summary == pytest.approx(want_summary, rel=1e-6), (
        f"run should return {want_summary}, got {summary}"
    )


def test_stops_early_and_keeps_the_first_epoch_when_nothing_improves(
    data: Path, tmp_path: Path
) -> None:
    options = {"epochs": 10, "batch_size": 32, "lr": 0.0, "val_fraction": 0.2, "patience": 2}
    want, _, _ = by_hand(data, seed=0, **options)  # type: ignore[arg-type]
    assert len(want) == 3
    out = tmp_path / "out"
    out.mkdir()  # an existing folder is fine too
    summary = train_pipeline.run(parse_args(argv(data, out, seed=0, device="cpu", **options)))
    compare(read_history(out), want)
    assert summary["best_epoch"] == 1 and summary["epochs_run"] == 3, (
        f"with lr 0 nothing improves after epoch 1: patience 2 ends the run after epoch 3 "
        f"with epoch 1 the best, got {summary}"
    )


def test_a_diverged_run_never_improves(data: Path, tmp_path: Path) -> None:
    options = {"epochs": 6, "lr": 1e25, "patience": 2}
    out = tmp_path / "diverged"
    summary = train_pipeline.run(parse_args(argv(data, out, device="cpu", **options)))
    history = read_history(out)
    assert all(math.isnan(h["val_loss"]) for h in history), "the run did not diverge?"
    assert summary == {"best_epoch": 0, "best_val_loss": math.inf, "epochs_run": 2}, (
        f"a run whose validation loss is NaN from epoch 1 never improves (NaN < best is "
        f"False): patience 2 stops it after 2 epochs with best epoch 0 and best loss inf; "
        f"got {summary}"
    )
    assert not (out / "best.pt").exists(), "no epoch improved, so no best.pt should be saved"


def test_moves_the_model_and_every_batch_to_the_device(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"parameters": 0, "tensors": 0}
    original = torch.Tensor.to

    def spy(self: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        if any(str(a) == "cpu" for a in [*args, *kwargs.values()]):
            calls["parameters" if isinstance(self, nn.Parameter) else "tensors"] += 1
        return original(self, *args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(torch.Tensor, "to", spy)
    options = {"epochs": 2, "batch_size": 16, "val_fraction": 0.25, "patience": 5}
    train_pipeline.run(parse_args(argv(data, tmp_path, device="cpu", **options)))
    batches = 2 * (math.ceil(90 / 16) + math.ceil(30 / 16))  # two epochs
    assert calls["parameters"] >= 4, (
        "the model was never moved to the device: on a GPU its weights would stay on the CPU"
    )
    assert calls["tensors"] >= 2 * batches, (
        f"{batches} batches went through the given train_one_epoch and validate, each with "
        f"inputs and targets to move, but only {calls['tensors']} tensors were moved to the "
        "device"
    )


def test_validates_in_eval_mode_without_gradients(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bool, bool]] = []

    class Recorder(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            calls.append((self.training, torch.is_grad_enabled()))
            return x

    original = train_pipeline.make_model
    monkeypatch.setattr(
        train_pipeline, "make_model", lambda f, c: nn.Sequential(original(f, c), Recorder())
    )
    options = {"epochs": 2, "batch_size": 64, "val_fraction": 0.25, "patience": 5}
    train_pipeline.run(parse_args(argv(data, tmp_path, device="cpu", **options)))
    want = 2 * [(True, True), (True, True), (False, False)]  # 90 + 30 samples, batches of 64
    assert calls == want, (
        f"per forward (training mode, autograd recording): expected {want}, got {calls}. "
        "Build the model with make_model, train with train_one_epoch, validate with validate"
    )


def test_runs_as_a_script(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "script_out"
    done = subprocess.run(
        [sys.executable, train_pipeline.__file__, *argv(data, out, epochs=2, device="cpu")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "OMP_NUM_THREADS": "1"},  # tiny work: one thread is fastest
    )
    assert done.returncode == 0, (
        f"`python train_pipeline.py --data ... --out ... --epochs 2` exited with "
        f"{done.returncode}:\n{done.stderr[-2000:]}"
    )
    assert "epoch 2/2:" in done.stdout, f"expected a line per epoch, got:\n{done.stdout}"
    assert (out / "best.pt").exists() and (out / "history.json").exists(), (
        f"the script should leave best.pt and history.json in {out}"
    )
    want, _, _ = by_hand(
        data, epochs=2, batch_size=32, lr=0.01, val_fraction=0.2, patience=5, seed=0
    )
    compare(read_history(out), want)


@pytest.mark.gpu
def test_trains_on_cuda(data: Path, tmp_path: Path) -> None:
    # lr 0: the weights never move, so CUDA's own dropout masks cannot make the runs differ
    options = {"epochs": 3, "batch_size": 16, "lr": 0.0, "patience": 5}
    want, _, _ = by_hand(data, val_fraction=0.2, seed=0, **options)  # type: ignore[arg-type]
    summary = train_pipeline.run(parse_args(argv(data, tmp_path, device="cuda", **options)))
    assert summary["epochs_run"] == 3, f"expected 3 epochs on cuda, got {summary}"
    got = read_history(tmp_path)
    assert [h["val_loss"] for h in got] == pytest.approx([h["val_loss"] for h in want], abs=1e-4)
    state = torch.load(tmp_path / "best.pt", map_location="cpu")
    assert set(state) == {"0.weight", "0.bias", "3.weight", "3.bias"}, sorted(state)
