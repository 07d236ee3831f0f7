"""Spec for training/best-model: BestModel.update, BestModel.restore, train_keep_best."""

from __future__ import annotations

import copy

import best_model
import pytest
import torch
from best_model import BestModel, train_keep_best
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES, CLASSES = 6, 3


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = 1.5 * torch.randn(CLASSES, FEATURES, generator=torch.Generator().manual_seed(42))
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[targets] + 1.5 * torch.randn(n, FEATURES, generator=g), targets


class GradRecorder(nn.Module):
    """Passes its input through; records per forward whether autograd was recording."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return x


def net(seed: int) -> nn.Sequential:
    """Batch norm included: its running statistics are part of the state to keep."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(FEATURES, 16),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        GradRecorder(),
        nn.Linear(16, CLASSES),
    )


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def assert_state(
    got: dict[str, torch.Tensor] | None, want: dict[str, torch.Tensor], what: str
) -> None:
    assert isinstance(got, dict) and set(got) == set(want), (
        f"{what}: expected a state dict with the keys {sorted(want)}, got "
        f"{sorted(got) if isinstance(got, dict) else got!r}"
    )
    for key, tensor in want.items():
        assert torch.equal(got[key], tensor), f"{what}: {key} differs"


def nudge(model: nn.Module) -> None:
    """What the next epochs do to the live tensors: weights and buffers change in place."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    model.train()(torch.randn(8, FEATURES) * 5)  # batch norm updates its running statistics


@pytest.mark.parametrize(
    ("mode", "scores", "want"),
    [
        ("max", [0.5, 0.7, 0.7, 0.6, 0.9, 0.2], [True, True, False, False, True, False]),
        ("min", [1.0, 0.8, 0.9, 0.8, 0.7, 1.5], [True, True, False, False, True, False]),
        ("max", [0.3, 0.1, 0.2], [True, False, False]),
        ("min", [0.3, 0.1, 0.2], [True, True, False]),
    ],
)
def test_update_keeps_only_improvements(mode: str, scores: list[float], want: list[bool]) -> None:
    model, best = net(seed=0), BestModel(mode)
    answers = []
    for epoch, score in enumerate(scores, 1):
        with torch.no_grad():
            model[0].weight.fill_(epoch)
        answers.append(best.update(model, score, epoch))
    assert answers == want, (
        f"mode={mode!r}, scores {scores}: update should answer {want} (the first score is "
        f"always the best so far; an equal score is no improvement), got {answers}"
    )
    epoch = max(i for i, improved in enumerate(want, 1) if improved)
    assert (best.best_score, best.best_epoch) == (scores[epoch - 1], epoch), (
        f"best_score and best_epoch: expected {(scores[epoch - 1], epoch)}, got "
        f"{(best.best_score, best.best_epoch)}"
    )
    assert best.best_state is not None and torch.all(best.best_state["0.weight"] == epoch), (
        f"best_state should hold the weights of epoch {epoch}, the best one"
    )


def test_the_kept_state_does_not_move_with_the_model() -> None:
    model, best = net(seed=1), BestModel("max")
    model.train()(torch.randn(8, FEATURES))  # some batch-norm statistics
    want = snapshot(model)
    best.update(model, 0.8, 1)
    nudge(model)
    best.update(model, 0.5, 2)  # worse: must change nothing
    assert_state(
        best.best_state,
        want,
        "best_state after more training (model.state_dict() holds the live tensors: keep a "
        "copy, or the 'best' weights change with every optimizer step)",
    )


def test_restore_loads_the_best_weights_and_buffers() -> None:
    model, best = net(seed=2), BestModel("min")
    model.train()(torch.randn(8, FEATURES))
    want = snapshot(model)
    best.update(model, 0.3, 4)
    nudge(model)
    best.restore(model)
    assert_state(model.state_dict(), want, "the model after restore")
    other = net(seed=3)
    best.restore(other)
    assert_state(other.state_dict(), want, "another model after restore")


def scripted(monkeypatch: pytest.MonkeyPatch, scores: list[float]) -> list[dict]:
    """Replace the given validate with one that returns scripted scores and remembers the
    weights it was shown, epoch by epoch."""
    seen: list[dict[str, torch.Tensor]] = []

    def fake_validate(model: nn.Module, loader: object, loss_fn: object) -> dict[str, float]:
        seen.append(snapshot(model))
        score = scores[len(seen) - 1]
        return {"loss": score, "accuracy": score}

    monkeypatch.setattr(best_model, "validate", fake_validate)
    return seen


def loaders(seed: int) -> tuple[DataLoader, DataLoader]:
    train = DataLoader(TensorDataset(*blobs(20, seed)), batch_size=5)
    return train, DataLoader(TensorDataset(*blobs(11, seed + 1)), batch_size=4)


@pytest.mark.parametrize(
    ("metric", "scores", "best_epoch"),
    [("accuracy", [0.6, 0.9, 0.8, 0.7], 2), ("loss", [1.0, 0.7, 0.5, 0.6], 3)],
)
def test_train_keep_best_ends_with_the_best_epochs_weights(
    monkeypatch: pytest.MonkeyPatch, metric: str, scores: list[float], best_epoch: int
) -> None:
    seen = scripted(monkeypatch, scores)
    model = net(seed=4)
    train, val = loaders(seed=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    best = train_keep_best(
        model, train, val, nn.CrossEntropyLoss(), optimizer, len(scores), metric=metric
    )
    assert len(seen) == len(scores), (
        f"expected one validation per epoch ({len(scores)}) through the given validate, saw "
        f"{len(seen)}"
    )
    assert isinstance(best, BestModel), f"train_keep_best should return the BestModel: {best!r}"
    assert (best.best_epoch, best.best_score) == (best_epoch, scores[best_epoch - 1]), (
        f"metric={metric!r} with the scores {scores}: the best epoch is {best_epoch} "
        f"(score {scores[best_epoch - 1]}), got epoch {best.best_epoch}, score "
        f"{best.best_score}. A loss is better when lower, an accuracy when higher"
    )
    assert_state(
        model.state_dict(),
        seen[best_epoch - 1],
        f"the model after train_keep_best (it should hold the weights of epoch {best_epoch})",
    )


def by_hand(model: nn.Module, train: DataLoader, val: DataLoader, lr: float, epochs: int):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scores = []
    for _ in range(epochs):
        model.train()
        for x, y in train:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            pairs = [(model(x), y) for x, y in val]
        logits, targets = torch.cat([o for o, _ in pairs]), torch.cat([y for _, y in pairs])
        scores.append(
            (
                nn.functional.cross_entropy(logits, targets).item(),
                (logits.argmax(dim=1) == targets).float().mean().item(),
                snapshot(model),
            )
        )
    return scores


@pytest.mark.parametrize("metric", ["loss", "accuracy"])
def test_a_real_run_matches_one_by_hand(metric: str) -> None:
    train, val = loaders(seed=5)
    model = net(seed=5)
    model.eval()
    runs = by_hand(copy.deepcopy(model), train, val, lr=0.3, epochs=5)
    index = 0 if metric == "loss" else 1
    pick = min if metric == "loss" else max
    best_score = pick(r[index] for r in runs)
    best_epoch = 1 + next(i for i, r in enumerate(runs) if r[index] == best_score)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    best = train_keep_best(model, train, val, nn.CrossEntropyLoss(), optimizer, 5, metric=metric)
    assert best.best_epoch == best_epoch, (
        f"validation {metric} per epoch, by hand: {[round(r[index], 4) for r in runs]}; the "
        f"best is epoch {best_epoch}, got {best.best_epoch}"
    )
    assert type(best.best_score) is float, f"best_score should be a float: {best.best_score!r}"
    assert best.best_score == pytest.approx(best_score, rel=1e-5, abs=1e-6), (
        f"best {metric}: expected {best_score}, got {best.best_score!r}"
    )
    validation = [grad for training, grad in model[3].calls if not training]
    assert len(validation) == 5 * len(val) and not any(validation), (
        "the given validate should still run in eval mode without recording gradients"
    )
    for key, tensor in runs[best_epoch - 1][2].items():
        torch.testing.assert_close(
            model.state_dict()[key], tensor, rtol=1e-5, atol=1e-6, msg=f"{key} after restore"
        )
