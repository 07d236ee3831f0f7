"""Spec for lightning/custom-metric: BalancedAccuracy and MaxAbsoluteError against scikit-learn."""

from __future__ import annotations

import math
from pathlib import Path

import lightning as L
import pytest
import torch
from custom_metric import BalancedAccuracy, MaxAbsoluteError
from sklearn import metrics
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

pytestmark = [  # warnings this spec provokes on purpose
    pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true"),
]
CLASSES = 5


def labels(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Imbalanced targets (class 4 never occurs) and predictions right about 60% of the time."""
    g = torch.Generator().manual_seed(seed)
    target = torch.multinomial(torch.tensor([0.55, 0.2, 0.15, 0.1, 0.0]), n, True, generator=g)
    guess = torch.randint(0, CLASSES, (n,), generator=g)
    return torch.where(torch.rand(n, generator=g) < 0.6, target, guess), target


def scores(preds: torch.Tensor, seed: int) -> torch.Tensor:
    """(N, C) scores whose argmax is preds."""
    g = torch.Generator().manual_seed(seed)
    return torch.rand(len(preds), CLASSES, generator=g) + 2 * nn.functional.one_hot(preds, CLASSES)


def errors(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    target = torch.randn(n, generator=g)
    return target + 0.3 * torch.randn(n, generator=g), target


def close(got: object, want: float) -> bool:
    return (
        isinstance(got, torch.Tensor)
        and got.numel() == 1
        and math.isclose(float(got), want, abs_tol=1e-6)
    )


def shown(got: object) -> str:
    """What compute() returned, for a message: its value, or why it is not one."""
    if isinstance(got, torch.Tensor):
        return f"{float(got):.6f}" if got.numel() == 1 else f"a tensor of shape {tuple(got.shape)}"
    return f"a {type(got).__name__}, not a one-element tensor"


@pytest.mark.parametrize(
    ("n", "seed", "as_scores"), [(40, 0, False), (200, 1, False), (77, 2, True)]
)
def test_balanced_accuracy_matches_scikit_learn(n: int, seed: int, as_scores: bool) -> None:
    preds, target = labels(n, seed)
    metric = BalancedAccuracy(CLASSES)
    metric.update(scores(preds, seed) if as_scores else preds, target)
    want = metrics.balanced_accuracy_score(target.numpy(), preds.numpy())
    got = metric.compute()
    assert close(got, want), (
        f"balanced accuracy of {n} samples{' given as scores' if as_scores else ''}: "
        f"scikit-learn says {want:.6f}, got {shown(got)}: the mean over the classes that occur of "
        "correct / total per class"
    )


@pytest.mark.parametrize("cuts", [[10, 30, 31, 80], [1, 2, 99]])
def test_balanced_accuracy_over_split_batches(cuts: list[int]) -> None:
    preds, target = labels(120, 3)
    whole = BalancedAccuracy(CLASSES)
    whole.update(preds, target)
    parts = BalancedAccuracy(CLASSES)
    for a, b in zip([0, *cuts], [*cuts, 120], strict=True):
        parts.update(preds[a:b], target[a:b])
    assert close(parts.compute(), float(whole.compute())), (
        f"updating with batches cut at {cuts} should give the same value as one update with "
        f"everything ({float(whole.compute()):.6f}), got {shown(parts.compute())}: accumulate "
        "counts, not per-batch values"
    )


def test_balanced_accuracy_states_sum_and_reset() -> None:
    preds, target = labels(90, 4)
    left, right = BalancedAccuracy(CLASSES), BalancedAccuracy(CLASSES)
    assert set(left.metric_state) == {"correct", "total"}, (
        f"the states should be 'correct' and 'total' (registered with add_state), got "
        f"{sorted(left.metric_state)}"
    )
    assert all(
        s.dtype == torch.int64 and s.shape == (CLASSES,) for s in left.metric_state.values()
    ), (
        f"correct and total are per-class int64 counts of shape ({CLASSES},) (num_classes), got "
        + ", ".join(
            f"{k}: {getattr(v, 'dtype', type(v).__name__)} {tuple(getattr(v, 'shape', ()))}"
            for k, v in left.metric_state.items()
        )
    )
    left.update(preds[:50], target[:50])
    right.update(preds[50:], target[50:])
    want = metrics.balanced_accuracy_score(target.numpy(), preds.numpy())
    try:
        left.merge_state(right)  # what distributed sync does with the states of two processes
    except RuntimeError as err:
        raise AssertionError(
            f"merge_state failed ({err}): set the class attribute full_state_update = False"
        ) from None
    assert close(left.compute(), want), (
        f"two halves merged should give the balanced accuracy of the whole ({want:.6f}), got "
        f"{shown(left.compute())}: per-class counts combine by dist_reduce_fx='sum'"
    )
    left.reset()
    assert all(int(s.sum()) == 0 for s in left.metric_state.values()), (
        "reset() should zero the counts (it resets the states registered with add_state to "
        f"their defaults), got sums {[int(s.sum()) for s in left.metric_state.values()]}"
    )
    assert metrics.balanced_accuracy_score(target[:9].numpy(), preds[:9].numpy()) == pytest.approx(
        float(left(preds[:9], target[:9]))
    ), "calling the metric on a batch (forward) should return that batch's value"


@pytest.mark.parametrize(("cuts", "shape"), [([5, 17], (30,)), ([1], (4, 6))])
def test_max_absolute_error_matches_scikit_learn(cuts: list[int], shape: tuple[int, ...]) -> None:
    n = math.prod(shape)
    preds, target = errors(n, seed=len(cuts))
    metric = MaxAbsoluteError()
    for a, b in zip([0, *cuts], [*cuts, shape[0]], strict=True):
        metric.update(preds.reshape(shape)[a:b], target.reshape(shape)[a:b])
    want = metrics.max_error(target.numpy(), preds.numpy())
    assert close(metric.compute(), want), (
        f"the largest |preds - target| over batches cut at {cuts}: scikit-learn says "
        f"{want:.6f}, got {shown(metric.compute())}"
    )


def test_max_absolute_error_state_combines_by_max() -> None:
    metric = MaxAbsoluteError()
    assert set(metric.metric_state) == {"max_error"}, (
        f"one state, 'max_error', registered with add_state: got {sorted(metric.metric_state)}"
    )
    state = metric.metric_state["max_error"]
    assert state.dtype == torch.float32 and state.shape == () and float(state) == 0.0, (
        f"max_error starts as a float32 scalar 0, got {state!r}"
    )
    preds, target = errors(40, seed=9)
    other = MaxAbsoluteError()
    metric.update(preds[:20], target[:20])
    other.update(preds[20:], target[20:])
    try:
        metric.merge_state(other)
    except RuntimeError as err:
        raise AssertionError(
            f"merge_state failed ({err}): set the class attribute full_state_update = False"
        ) from None
    want = metrics.max_error(target.numpy(), preds.numpy())
    assert close(metric.compute(), want), (
        f"merged, the two halves' states should give the overall maximum {want:.6f}, got "
        f"{shown(metric.compute())}: dist_reduce_fx='max'"
    )
    metric.reset()
    tiny = torch.full((3,), 0.25)
    metric.update(tiny, torch.zeros(3))
    assert close(metric.compute(), 0.25), (
        f"after reset() the old maximum must be gone: one update with errors of 0.25 should "
        f"give 0.25, got {shown(metric.compute())}"
    )


class Scored(L.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(3, CLASSES)
        self.balanced = BalancedAccuracy(CLASSES)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        x, y = batch
        self.balanced.update(self.layer(x), y)
        self.log("val_balanced", self.balanced)


def test_it_logs_from_a_lightning_module(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = Scored()
    trainer = L.Trainer(
        accelerator="cpu",
        logger=False,
        default_root_dir=tmp_path,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    for seed in (10, 11):
        g = torch.Generator().manual_seed(seed)
        x, y = torch.randn(50, 3, generator=g), torch.randint(0, CLASSES, (50,), generator=g)
        result = trainer.validate(
            model, DataLoader(TensorDataset(x, y), batch_size=16), verbose=False
        )
        with torch.no_grad():
            want = metrics.balanced_accuracy_score(y.numpy(), model.layer(x).argmax(1).numpy())
        assert math.isclose(result[0]["val_balanced"], want, abs_tol=1e-6), (
            f"logged from validation_step, the epoch value should be {want:.6f}, got "
            f"{result[0]['val_balanced']:.6f}"
        )
