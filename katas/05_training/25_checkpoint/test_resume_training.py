"""Spec for training/checkpoint: save_checkpoint, load_checkpoint, fit with resume."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import resume_training
import torch
from resume_training import fit, load_checkpoint, save_checkpoint
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES, CLASSES = 6, 3


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = 2 * torch.randn(CLASSES, FEATURES, generator=g)
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[targets] + torch.randn(n, FEATURES, generator=g), targets


class SimulatedCrash(Exception):
    """A crash in the middle of a run (anything but NotImplementedError)."""


def fresh(seed: int) -> tuple[nn.Module, torch.optim.Optimizer]:
    """A model with dropout and an Adam optimizer: both carry state beyond the weights."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(FEATURES, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, CLASSES)
    )
    return model, torch.optim.Adam(model.parameters(), lr=0.01)


def shuffling_loader(seed: int = 0) -> DataLoader:
    """Shuffles with torch's global generator, like most training scripts."""
    return DataLoader(TensorDataset(*blobs(20, seed)), batch_size=5, shuffle=True)


def trained(seed: int, epochs: int = 1) -> tuple[nn.Module, torch.optim.Optimizer]:
    model, optimizer = fresh(seed)
    loader = shuffling_loader(seed)
    for _ in range(epochs):
        resume_training.train_one_epoch(model, loader, nn.CrossEntropyLoss(), optimizer)
    return model, optimizer


def assert_same_state(got: dict[str, object], want: dict[str, object], what: str) -> None:
    """Compare two (nested) state dicts exactly."""
    if isinstance(want, torch.Tensor):
        assert isinstance(got, torch.Tensor) and torch.equal(got, want), f"{what} differs"
    elif isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), (
            f"{what}: expected the keys {sorted(map(str, want))}, got "
            f"{sorted(map(str, got)) if isinstance(got, dict) else got!r}"
        )
        for key in want:
            assert_same_state(got[key], want[key], f"{what}[{key!r}]")  # type: ignore[arg-type]
    else:
        assert got == want, f"{what}: expected {want!r}, got {got!r}"


def test_the_checkpoint_holds_every_state(tmp_path: Path) -> None:
    model, optimizer = trained(seed=0)
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, model, optimizer, 3)
    assert path.exists(), "save_checkpoint wrote no file at the path it was given"
    checkpoint = torch.load(path)  # weights_only=True: plain tensors and containers only
    assert isinstance(checkpoint, dict), f"expected a dict in the file, got {type(checkpoint)}"
    missing = {"model", "optimizer", "epoch", "rng_state"} - set(checkpoint)
    assert not missing, f"the checkpoint lacks {sorted(missing)}; it has {sorted(checkpoint)}"
    assert checkpoint["epoch"] == 3, f"epoch: expected 3, got {checkpoint['epoch']!r}"
    assert_same_state(checkpoint["model"], model.state_dict(), "checkpoint['model']")
    assert_same_state(checkpoint["optimizer"], optimizer.state_dict(), "checkpoint['optimizer']")
    assert torch.equal(checkpoint["rng_state"], torch.get_rng_state()), (
        "checkpoint['rng_state'] should be torch.get_rng_state() at the moment of saving"
    )


def test_load_restores_the_model_and_the_optimizer(tmp_path: Path) -> None:
    model, optimizer = trained(seed=1, epochs=2)
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, model, optimizer, 2)
    other, other_optimizer = fresh(seed=7)  # different weights, empty optimizer state
    epoch = load_checkpoint(path, other, other_optimizer)
    assert epoch == 2, f"load_checkpoint should return the saved epoch (2), got {epoch!r}"
    assert_same_state(other.state_dict(), model.state_dict(), "the model after loading")
    assert_same_state(
        other_optimizer.state_dict(),
        optimizer.state_dict(),
        "the optimizer after loading (Adam's running averages live in optimizer.state_dict())",
    )


def test_load_restores_the_random_state(tmp_path: Path) -> None:
    model, optimizer = fresh(seed=2)
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, model, optimizer, 0)
    first = torch.rand(5)
    torch.manual_seed(12345)
    load_checkpoint(path, model, optimizer)
    again = torch.rand(5)
    assert torch.equal(first, again), (
        f"after loading, torch.rand(5) gave {again.tolist()}, but right after saving it gave "
        f"{first.tolist()}: shuffling and dropout draw from this generator, so a resumed run "
        "must continue it from the saved state (torch.set_rng_state)"
    )


def test_fit_saves_after_every_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = resume_training.train_one_epoch

    def crash_in_epoch_3(*args: object) -> float:
        calls.append(1)
        if len(calls) == 3:
            raise SimulatedCrash("epoch 3")
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(resume_training, "train_one_epoch", crash_in_epoch_3)
    model, optimizer = fresh(seed=3)
    path = tmp_path / "ckpt.pt"
    with contextlib.suppress(SimulatedCrash):
        fit(model, optimizer, shuffling_loader(), nn.CrossEntropyLoss(), 5, path)
    assert len(calls) == 3, (
        f"fit should train each epoch with the given train_one_epoch; it was called "
        f"{len(calls)} times before the simulated crash in epoch 3"
    )
    assert path.exists(), "a crash in epoch 3 left no checkpoint: save one after every epoch"
    checkpoint = torch.load(path)
    assert checkpoint["epoch"] == 2, (
        f"a crash in epoch 3 should leave the checkpoint of epoch 2 (2 epochs completed), the "
        f"checkpoint says {checkpoint['epoch']!r}"
    )
    assert_same_state(checkpoint["model"], model.state_dict(), "the model saved after epoch 2")


def test_resume_is_bit_identical_to_an_uninterrupted_run(tmp_path: Path) -> None:
    loader, loss_fn = shuffling_loader(), nn.CrossEntropyLoss()
    straight, straight_opt = fresh(seed=4)
    torch.manual_seed(100)
    want = fit(straight, straight_opt, loader, loss_fn, 4, tmp_path / "straight.pt")

    first, first_opt = fresh(seed=4)
    torch.manual_seed(100)
    before = fit(first, first_opt, loader, loss_fn, 2, tmp_path / "run.pt")
    assert len(before) == 2, f"fit for 2 epochs should return 2 losses, got {before!r}"
    del first, first_opt  # the process "dies" here

    torch.manual_seed(999)  # a new process: another random state
    resumed, resumed_opt = fresh(seed=5)  # and other random weights
    after = fit(resumed, resumed_opt, loader, loss_fn, 4, tmp_path / "run.pt", resume=True)
    assert len(after) == 2, (
        f"resuming after 2 of 4 epochs should train the 2 remaining epochs and return their "
        f"2 losses, got {after!r}"
    )
    assert after == want[2:], (
        f"the resumed epochs' losses {after} differ from epochs 3 and 4 of the uninterrupted "
        f"run {want[2:]}: something that decides the next step was not restored (weights, "
        "optimizer state, the random state behind shuffling and dropout?)"
    )
    for (name, p), q in zip(resumed.named_parameters(), straight.parameters(), strict=True):
        assert torch.equal(p, q), f"{name} differs from the uninterrupted run's"


def test_resume_without_a_checkpoint_starts_from_scratch(tmp_path: Path) -> None:
    model, optimizer = fresh(seed=6)
    path = tmp_path / "none_yet.pt"
    losses = fit(model, optimizer, shuffling_loader(), nn.CrossEntropyLoss(), 2, path, resume=True)
    assert len(losses) == 2, (
        f"with no checkpoint to resume from, fit should train all 2 epochs, got {losses!r}"
    )
    assert torch.load(path)["epoch"] == 2, "the checkpoint after 2 epochs should say epoch 2"


def test_without_resume_an_old_checkpoint_is_ignored(tmp_path: Path) -> None:
    old, old_opt = trained(seed=7)
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, old, old_opt, 2)
    loader, loss_fn = shuffling_loader(), nn.CrossEntropyLoss()
    model, optimizer = fresh(seed=8)
    straight, straight_opt = fresh(seed=8)
    torch.manual_seed(50)
    losses = fit(model, optimizer, loader, loss_fn, 3, path)
    torch.manual_seed(50)
    want = fit(straight, straight_opt, loader, loss_fn, 3, tmp_path / "other.pt")
    assert len(losses) == 3 and losses == want, (
        f"without resume=True, fit starts at epoch 0 from the model it was given and trains "
        f"all 3 epochs: expected the losses {want}, got {losses!r}"
    )
    assert torch.load(path)["epoch"] == 3, "the old checkpoint should be overwritten (epoch 3)"


def test_fit_trains_like_a_loop_written_by_hand(tmp_path: Path) -> None:
    loader = shuffling_loader(seed=9)
    model, optimizer = fresh(seed=9)
    reference, reference_opt = fresh(seed=9)
    model.eval()  # as a validation pass would leave it; the given train_one_epoch switches back
    torch.manual_seed(60)
    got = fit(model, optimizer, loader, nn.CrossEntropyLoss(), 2, tmp_path / "ckpt.pt")
    torch.manual_seed(60)
    want = []
    for _ in range(2):
        losses = []
        for x, y in loader:
            reference_opt.zero_grad()
            loss = nn.functional.cross_entropy(reference(x), y)
            loss.backward()
            reference_opt.step()
            losses.append(loss.item())
        want.append(sum(losses) / len(losses))
    assert isinstance(got, list) and all(type(v) is float for v in got), (
        f"fit should return a list of floats, got {got!r}"
    )
    assert got == pytest.approx(want, rel=1e-6), (
        f"mean batch loss per epoch: expected {want}, got {got}"
    )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7, msg=f"{name} after 2 epochs")
