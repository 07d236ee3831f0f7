"""Spec for training/lr-schedule: three schedules and train_with_schedule."""

from __future__ import annotations

import copy
import math
import warnings

import pytest
import torch
from lr_schedule import (
    cosine_schedule,
    step_schedule,
    train_with_schedule,
    warmup_cosine_schedule,
)
from torch import nn
from torch.optim.lr_scheduler import LRScheduler


class RecordingSGD(torch.optim.SGD):
    """Plain SGD that records the lr each of its steps used."""

    def __init__(self, params: object, lr: float) -> None:
        super().__init__(params, lr=lr)  # type: ignore[arg-type]
        self.used: list[float] = []

    def step(self, closure: object = None) -> None:  # type: ignore[override]
        self.used.append(self.param_groups[0]["lr"])
        super().step()


def lone_optimizer(lr: float) -> RecordingSGD:
    return RecordingSGD([nn.Parameter(torch.zeros(1))], lr=lr)


def lrs_of(scheduler: LRScheduler, optimizer: torch.optim.Optimizer, n: int) -> list[float]:
    """The lr in force before each of n (optimizer step, scheduler step) rounds."""
    assert isinstance(scheduler, LRScheduler), (
        f"expected a torch.optim.lr_scheduler.LRScheduler, got {type(scheduler).__name__}"
    )
    out = []
    for _ in range(n):
        out.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return out


def assert_lrs(got: list[float], want: list[float], what: str) -> None:
    assert got == pytest.approx(want, rel=1e-7, abs=1e-12), (
        f"{what}: expected the lr sequence\n{[round(x, 6) for x in want]}\ngot\n"
        f"{[round(x, 6) for x in got]}"
    )


@pytest.mark.parametrize(
    ("step_size", "gamma", "lr"), [(2, 0.5, 0.1), (3, 0.1, 1.0), (1, 0.9, 0.3)]
)
def test_step_schedule(step_size: int, gamma: float, lr: float) -> None:
    optimizer = lone_optimizer(lr)
    got = lrs_of(step_schedule(optimizer, step_size, gamma), optimizer, 9)
    want = [lr * gamma ** (t // step_size) for t in range(9)]
    assert_lrs(got, want, f"step_schedule(step_size={step_size}, gamma={gamma}) from lr={lr}")


@pytest.mark.parametrize(("total", "min_lr", "lr"), [(10, 0.0, 0.1), (6, 0.01, 0.5)])
def test_cosine_schedule(total: int, min_lr: float, lr: float) -> None:
    optimizer = lone_optimizer(lr)
    got = lrs_of(cosine_schedule(optimizer, total, min_lr), optimizer, total + 1)
    want = [
        min_lr + (lr - min_lr) * (1 + math.cos(math.pi * t / total)) / 2 for t in range(total + 1)
    ]
    assert_lrs(got, want, f"cosine_schedule(total_steps={total}, min_lr={min_lr}) from lr={lr}")


def test_cosine_schedule_defaults_to_zero() -> None:
    optimizer = lone_optimizer(0.2)
    got = lrs_of(cosine_schedule(optimizer, 4), optimizer, 5)
    assert got[-1] == pytest.approx(0.0, abs=1e-12), (
        f"by default the cosine should end at 0 after total_steps steps, it ends at {got[-1]}"
    )


def warmup_cosine(lr: float, warmup: int, total: int, t: int) -> float:
    if t < warmup:
        return lr * (t + 1) / warmup
    return lr * (1 + math.cos(math.pi * (t - warmup) / (total - warmup))) / 2


@pytest.mark.parametrize(("warmup", "total", "lr"), [(3, 10, 0.1), (1, 5, 1.0), (4, 12, 0.3)])
def test_warmup_cosine_schedule(warmup: int, total: int, lr: float) -> None:
    optimizer = lone_optimizer(lr)
    got = lrs_of(warmup_cosine_schedule(optimizer, warmup, total), optimizer, total)
    want = [warmup_cosine(lr, warmup, total, t) for t in range(total)]
    assert_lrs(got, want, f"warmup_cosine_schedule({warmup}, {total}) from lr={lr}")


def problem(seed: int) -> tuple[nn.Linear, list[tuple[torch.Tensor, torch.Tensor]]]:
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(12, 4, generator=g)
    targets = inputs @ torch.randn(4, 1, generator=g)
    torch.manual_seed(seed)
    return nn.Linear(4, 1), list(zip(inputs.split(4), targets.split(4), strict=True))


def descend_by_hand(model: nn.Module, batches: list, lrs: list[float]) -> nn.Module:
    model = copy.deepcopy(model)
    steps = iter(lrs)
    for _ in range(len(lrs) // len(batches)):
        for x, y in batches:
            grads = torch.autograd.grad(nn.functional.mse_loss(model(x), y), model.parameters())
            with torch.no_grad():
                lr = next(steps)
                for p, g in zip(model.parameters(), grads, strict=True):
                    p -= lr * g
    return model


def run(per_batch: bool, make: str, epochs: int = 3) -> tuple[list, list, list, nn.Module, list]:
    model, batches = problem(seed=1)
    start = copy.deepcopy(model)
    optimizer = RecordingSGD(model.parameters(), lr=0.2)
    if make == "step":
        scheduler = step_schedule(optimizer, step_size=1, gamma=0.5)
    else:
        scheduler = warmup_cosine_schedule(optimizer, 2, epochs * len(batches))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = train_with_schedule(
            model, batches, nn.MSELoss(), optimizer, scheduler, epochs, per_batch=per_batch
        )
    order = [str(w.message) for w in caught if "lr_scheduler.step()" in str(w.message)]
    return got, optimizer.used, order, model, [start, batches]


def check_run(per_batch: bool, make: str, want: list[float], what: str) -> None:
    got, used, order, model, (start, batches) = run(per_batch, make)
    assert order == [], f"PyTorch warned: {order[0]}\nCall scheduler.step() after optimizer.step()"
    assert used == pytest.approx(want, rel=1e-7), (
        f"{what}: the optimizer steps should use the lrs\n{[round(x, 5) for x in want]}\nthey "
        f"used\n{[round(x, 5) for x in used]}"
    )
    assert isinstance(got, list) and got == pytest.approx(used, rel=1e-12), (
        f"train_with_schedule should return the lr each optimizer step used {used}, got {got!r}"
    )
    reference = descend_by_hand(start, batches, want)
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6, msg=f"{what}: the weights")


def test_an_epoch_schedule_steps_once_per_epoch() -> None:
    want = [0.2] * 3 + [0.1] * 3 + [0.05] * 3  # 3 epochs of 3 batches
    check_run(
        per_batch=False,
        make="step",
        want=want,
        what="halving the lr once per epoch over 3 epochs of 3 batches",
    )


def test_a_step_schedule_steps_after_every_batch() -> None:
    want = [warmup_cosine(0.2, 2, 9, t) for t in range(9)]
    check_run(
        per_batch=True, make="warmup", want=want, what="warmup then cosine, stepped per batch"
    )


def test_stepping_an_epoch_schedule_per_batch_collapses_the_lr() -> None:
    _, used, order, _, _ = run(per_batch=True, make="step", epochs=4)
    assert order == [] and len(used) == 12, f"expected 12 optimizer steps, got {len(used)}"
    assert used[-1] == pytest.approx(0.2 * 0.5**11), (
        f"per batch, 'halve every step' halves 11 times in 12 steps: the last lr should be "
        f"{0.2 * 0.5**11:.3g}, got {used[-1]:.3g}"
    )
