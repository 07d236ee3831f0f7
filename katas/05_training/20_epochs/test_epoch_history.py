"""Spec for training/epochs: train_for_epochs."""

from __future__ import annotations

import copy

import pytest
import torch
from epoch_history import train_for_epochs
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES, CLASSES = 6, 3
KEYS = {"epoch", "train_loss", "val_loss", "val_accuracy"}


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = 2 * torch.randn(CLASSES, FEATURES, generator=torch.Generator().manual_seed(99))
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[targets] + 1.5 * torch.randn(n, FEATURES, generator=g), targets


class ModeRecorder(nn.Module):
    """Passes its input through; records (training mode?, autograd recording?) per forward."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return x


def model_with_dropout(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(FEATURES, 16), ModeRecorder(), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, CLASSES)
    )


def loaders(n_train: int, n_val: int, batch_size: int, seed: int) -> tuple[DataLoader, DataLoader]:
    train = DataLoader(TensorDataset(*blobs(n_train, seed)), batch_size=batch_size)
    val = DataLoader(TensorDataset(*blobs(n_val, seed + 1)), batch_size=batch_size)
    return train, val


def by_hand(
    model: nn.Module, train: DataLoader, val: DataLoader, lr: float, epochs: int
) -> list[dict[str, float]]:
    """The same run written out: SGD over the training batches, then a validation pass."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history: list[dict[str, float]] = []
    for epoch in range(1, epochs + 1):
        model.train()
        losses = []
        for x, y in train:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            outputs = [(model(x), y) for x, y in val]  # one pass: iterating draws a seed
        logits = torch.cat([out for out, _ in outputs])
        targets = torch.cat([y for _, y in outputs])
        history.append(
            {
                "epoch": epoch,
                "train_loss": sum(losses) / len(losses),
                "val_loss": nn.functional.cross_entropy(logits, targets).item(),
                "val_accuracy": (logits.argmax(dim=1) == targets).float().mean().item(),
            }
        )
    return history


def run(
    model: nn.Module, train: DataLoader, val: DataLoader, lr: float, epochs: int, **kw: bool
) -> list[dict[str, float]]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return train_for_epochs(model, train, val, nn.CrossEntropyLoss(), optimizer, epochs, **kw)


def test_history_has_one_entry_per_epoch() -> None:
    train, val = loaders(16, 8, 4, seed=0)
    history = run(model_with_dropout(seed=0), train, val, lr=0.1, epochs=3, verbose=False)
    assert isinstance(history, list) and len(history) == 3, (
        f"3 epochs should give a list of 3 entries, got {history!r}"
    )
    for i, entry in enumerate(history):
        assert isinstance(entry, dict) and set(entry) == KEYS, (
            f"entry {i} should be a dict with exactly the keys {sorted(KEYS)}, got {entry!r}"
        )
        assert entry["epoch"] == i + 1 and type(entry["epoch"]) is int, (
            f"entry {i} should have epoch {i + 1} (an int, counted from 1), got {entry['epoch']!r}"
        )
        kinds = {k: type(v).__name__ for k, v in entry.items() if k != "epoch"}
        assert set(kinds.values()) == {"float"}, f"metrics should be Python floats, got {kinds}"
    assert history[0] is not history[1], "each epoch needs its own dict, not the same one again"


@pytest.mark.parametrize(
    ("n_train", "n_val", "batch_size", "lr", "epochs", "seed"),
    [(20, 10, 4, 0.2, 3, 1), (15, 7, 6, 0.5, 2, 2)],
)
def test_history_matches_a_loop_written_by_hand(
    n_train: int, n_val: int, batch_size: int, lr: float, epochs: int, seed: int
) -> None:
    train, val = loaders(n_train, n_val, batch_size, seed)
    model = model_with_dropout(seed)
    reference = copy.deepcopy(model)
    torch.manual_seed(seed)  # dropout draws the same masks in both runs
    want = by_hand(reference, train, val, lr, epochs)
    torch.manual_seed(seed)
    got = run(model, train, val, lr, epochs, verbose=False)
    assert isinstance(got, list) and len(got) == epochs, f"expected {epochs} entries, got {got!r}"
    for epoch, (g, w) in enumerate(zip(got, want, strict=True), 1):
        for key in ("train_loss", "val_loss", "val_accuracy"):
            assert g.get(key) == pytest.approx(w[key], rel=1e-5, abs=1e-6), (
                f"epoch {epoch}, {key}: expected {w[key]:.6f}, got {g.get(key)!r} (history by "
                f"hand: {want}). Each epoch trains once on the training loader, then validates "
                "once on the validation loader"
            )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6, msg=f"{name} after training")


def test_trains_then_validates_every_epoch() -> None:
    train, val = loaders(12, 6, 4, seed=3)  # 3 training batches, 2 validation batches
    model = model_with_dropout(seed=3)
    run(model, train, val, lr=0.1, epochs=2, verbose=False)
    training, validating = (True, True), (False, False)
    want = 2 * ([training] * 3 + [validating] * 2)
    calls = model[1].calls
    assert calls == want, (
        "per forward, (training mode, autograd recording): expected 2 epochs of 3 training "
        f"forwards (True, True) then 2 validation forwards (False, False), got {calls}"
    )


def test_prints_one_line_per_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    train, val = loaders(12, 6, 4, seed=4)
    history = run(model_with_dropout(seed=4), train, val, lr=0.1, epochs=3)
    lines = capsys.readouterr().out.splitlines()
    want = [
        f"epoch {e['epoch']}/3: train_loss {e['train_loss']:.4f}, val_loss {e['val_loss']:.4f},"
        f" val_accuracy {e['val_accuracy']:.4f}"
        for e in history
    ]
    assert lines == want, f"expected these lines (verbose is on by default):\n{want}\ngot:\n{lines}"


def test_is_silent_when_not_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    train, val = loaders(8, 4, 4, seed=5)
    history = run(model_with_dropout(seed=5), train, val, lr=0.1, epochs=2, verbose=False)
    out = capsys.readouterr().out
    assert len(history) == 2 and out == "", f"verbose=False should print nothing, got {out!r}"


def test_zero_epochs_trains_nothing() -> None:
    train, val = loaders(8, 4, 4, seed=6)
    model = model_with_dropout(seed=6)
    before = copy.deepcopy(model.state_dict())
    history = run(model, train, val, lr=0.1, epochs=0, verbose=False)
    assert history == [], f"epochs=0 should return an empty history, got {history!r}"
    changed = [k for k, v in model.state_dict().items() if not torch.equal(v, before[k])]
    assert changed == [], f"epochs=0 changed {changed}"
