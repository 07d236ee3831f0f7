"""Spec for training/early-stopping: EarlyStopping.step and fit_early_stopping."""

from __future__ import annotations

import copy
import math

import early_stopping
import pytest
import torch
from early_stopping import EarlyStopping, fit_early_stopping
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES, CLASSES = 6, 3


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = 1.5 * torch.randn(CLASSES, FEATURES, generator=torch.Generator().manual_seed(42))
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[targets] + 2.0 * torch.randn(n, FEATURES, generator=g), targets


class ModeRecorder(nn.Module):
    """Passes its input through; records (training mode?, autograd recording?) per forward."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return x


def net(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(FEATURES, 32), nn.ReLU(), ModeRecorder(), nn.Dropout(0.2), nn.Linear(32, CLASSES)
    )


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def loaders(seed: int, n_train: int = 24, n_val: int = 13) -> tuple[DataLoader, DataLoader]:
    train = DataLoader(TensorDataset(*blobs(n_train, seed)), batch_size=6)
    return train, DataLoader(TensorDataset(*blobs(n_val, seed + 1)), batch_size=5)


@pytest.mark.parametrize(
    ("patience", "min_delta", "losses", "want"),
    [
        (2, 0.0, [1.0, 0.9, 0.95, 0.92], [False, False, False, True]),
        (1, 0.0, [3.0, 2.0, 1.0, 0.5], [False, False, False, False]),
        (1, 0.0, [3.0, 3.0], [False, True]),
        (3, 0.0, [1.0, 1.1, 1.2, 0.9, 1.0, 1.0, 1.0], [False] * 6 + [True]),
        (2, 0.1, [1.0, 0.95, 0.85, 0.84, 0.8], [False, False, False, False, True]),
        (2, 0.1, [1.0, 0.95, 0.92], [False, False, True]),
    ],
)
def test_step_counts_validations_without_improvement(
    patience: int, min_delta: float, losses: list[float], want: list[bool]
) -> None:
    stopper = EarlyStopping(patience, min_delta)
    got = [stopper.step(loss) for loss in losses]
    assert got == want, (
        f"EarlyStopping(patience={patience}, min_delta={min_delta}) fed {losses} should answer "
        f"{want}, got {got}. An improvement beats the best so far by more than min_delta; "
        "anything else counts as a bad epoch, and patience bad epochs in a row mean stop"
    )


def test_step_tracks_the_best_and_the_count() -> None:
    stopper = EarlyStopping(patience=5, min_delta=0.05)
    states = [(stopper.best, stopper.bad_epochs)]
    for loss in [2.0, 1.5, 1.48, 1.6, 1.2]:
        stopper.step(loss)
        states.append((stopper.best, stopper.bad_epochs))
    want = [(math.inf, 0), (2.0, 0), (1.5, 0), (1.5, 1), (1.5, 2), (1.2, 0)]
    assert states == want, (
        f"(best, bad_epochs) at the start, then after each of 2.0, 1.5, 1.48, 1.6, 1.2 with "
        f"min_delta=0.05: "
        f"expected {want}, got {states}"
    )


def test_by_default_any_gain_is_an_improvement() -> None:
    stopper = EarlyStopping(patience=1)
    got = [stopper.step(loss) for loss in [1.0, 0.999, 0.998]]
    assert got == [False, False, False], (
        f"with the default min_delta (0.0) every decrease is an improvement, got {got}"
    )


def scripted(monkeypatch: pytest.MonkeyPatch, losses: list[float]) -> list[dict]:
    """Replace the given validate with scripted losses; remember the weights it saw."""
    seen: list[dict[str, torch.Tensor]] = []

    def fake_validate(model: nn.Module, loader: object, loss_fn: object) -> float:
        seen.append(snapshot(model))
        return losses[len(seen) - 1]

    monkeypatch.setattr(early_stopping, "validate", fake_validate)
    return seen


@pytest.mark.parametrize(
    ("losses", "patience", "ran", "best_epoch"),
    [
        ([1.0, 0.8, 0.85, 0.9, 0.7, 0.6], 2, 4, 2),
        ([1.0, 0.9, 0.8, 0.7, 0.6, 0.5], 2, 5, 5),
        ([0.5, 0.6, 0.4, 0.45, 0.5, 0.55], 3, 6, 3),
    ],
)
def test_fit_stops_and_keeps_the_best_weights(
    monkeypatch: pytest.MonkeyPatch, losses: list[float], patience: int, ran: int, best_epoch: int
) -> None:
    seen = scripted(monkeypatch, losses)
    model = net(seed=0)
    train, val = loaders(seed=0)
    history = fit_early_stopping(
        model,
        train,
        val,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        max_epochs=5 if ran == 5 else 6,
        patience=patience,
    )
    assert history == losses[:ran], (
        f"with scripted validation losses {losses} and patience {patience}, the run should "
        f"last {ran} epochs and return their losses {losses[:ran]}, got {history!r}"
    )
    best = seen[best_epoch - 1]
    for key, tensor in model.state_dict().items():
        assert torch.equal(tensor, best[key]), (
            f"after the run the model should hold the weights of epoch {best_epoch} (the lowest "
            f"validation loss), but its {key} differs: copy the state_dict when the loss "
            "improves, and load it back when the loop ends"
        )


def by_hand(
    model: nn.Module, train: DataLoader, val: DataLoader, lr: float, max_epochs: int, patience: int
) -> tuple[list[float], dict[str, torch.Tensor]]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history: list[float] = []
    best, best_state, bad = math.inf, snapshot(model), 0
    for _ in range(max_epochs):
        model.train()
        for x, y in train:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            pairs = [(model(x), y) for x, y in val]
        loss = nn.functional.cross_entropy(
            torch.cat([o for o, _ in pairs]), torch.cat([y for _, y in pairs])
        ).item()
        history.append(loss)
        if loss < best:
            best, best_state, bad = loss, snapshot(model), 0
        else:
            bad += 1
            if bad == patience:
                break
    return history, best_state


@pytest.mark.parametrize(("lr", "patience", "seed"), [(0.0, 2, 1), (2.0, 1, 2), (0.5, 2, 3)])
def test_a_real_run_matches_one_by_hand(lr: float, patience: int, seed: int) -> None:
    train, val = loaders(seed)
    model = net(seed)
    reference = copy.deepcopy(model)
    torch.manual_seed(seed)
    want, want_state = by_hand(reference, train, val, lr, max_epochs=8, patience=patience)
    torch.manual_seed(seed)
    got = fit_early_stopping(
        model,
        train,
        val,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=lr),
        max_epochs=8,
        patience=patience,
    )
    assert isinstance(got, list) and all(type(v) is float for v in got), (
        f"fit_early_stopping should return a list of floats, got {got!r}"
    )
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6), (
        f"lr={lr}, patience={patience}: validation losses by hand {want} (stopping after "
        f"{len(want)} epochs), got {got}"
    )
    for key, tensor in want_state.items():
        torch.testing.assert_close(
            model.state_dict()[key], tensor, rtol=1e-5, atol=1e-6, msg=f"{key} after the run"
        )
    validation = [grad for training, grad in model[2].calls if not training]
    assert len(validation) == len(got) * len(val) and not any(validation), (
        "the given validate should still run in eval mode, without recording gradients"
    )


def test_zero_epochs_changes_nothing() -> None:
    model = net(seed=4)
    before = snapshot(model)
    train, val = loaders(seed=4)
    history = fit_early_stopping(
        model,
        train,
        val,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        max_epochs=0,
        patience=2,
    )
    assert history == [], f"max_epochs=0 runs no epoch, got {history!r}"
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
