"""Spec for bugs/scheduler-step: the learning rate follows the schedule epoch by epoch."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_scheduler_step import fit, make_optimizer, train_epoch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor


def make_loader(n: int, seed: int, batch_size: int = 4) -> DataLoader:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 5, generator=gen)
    y = (x[:, 0] + x[:, 1] > 0).long() + (x[:, 2] > 1).long()
    return DataLoader(TensorDataset(x, y), batch_size=batch_size)


def make_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 + 1e-6 * abs(b)


@pytest.mark.parametrize(("batches", "epochs"), [(4, 5), (2, 6)])
def test_fit_logs_the_epoch_schedule(batches: int, epochs: int) -> None:
    model = make_model(seed=batches)
    optimizer, scheduler = make_optimizer(model)
    history = fit(model, make_loader(4 * batches, seed=1), optimizer, scheduler, epochs)
    got = [lr for lr, _ in history]
    want = [0.1 * 0.5 ** (epoch // 2) for epoch in range(epochs)]
    assert len(got) == epochs and all(close(g, w) for g, w in zip(got, want, strict=True)), (
        f"learning rate of each of {epochs} epochs ({batches} batches per epoch): expected "
        f"{want}, got {got}: the schedule counts epochs, so the rate may only change between "
        "two epochs, never inside one"
    )
    final = optimizer.param_groups[0]["lr"]
    assert close(final, 0.1 * 0.5 ** (epochs // 2)), (
        f"after {epochs} epochs the rate should be {0.1 * 0.5 ** (epochs // 2)}, got {final}"
    )


def test_training_matches_a_reference_loop() -> None:
    model = make_model(seed=2)
    reference = copy.deepcopy(model)
    loader = make_loader(12, seed=3)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    ref_sched = torch.optim.lr_scheduler.StepLR(ref_opt, step_size=2, gamma=0.5)
    want = []
    for _ in range(3):
        losses = []
        for x, y in loader:
            ref_opt.zero_grad()
            loss = F.cross_entropy(reference(x), y)
            loss.backward()
            ref_opt.step()
            losses.append(loss.item())
        ref_sched.step()
        want.append(sum(losses) / len(losses))
    optimizer, scheduler = make_optimizer(model)
    got = [train_epoch(model, loader, optimizer, scheduler) for _ in range(3)]
    assert all(isinstance(g, float) for g in got), f"train_epoch should return floats: {got}"
    assert all(abs(g - w) <= 1e-5 for g, w in zip(got, want, strict=True)), (
        f"mean losses of 3 epochs: expected {[round(w, 5) for w in want]}, got "
        f"{[round(g, 5) for g in got]}"
    )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(
            p.detach(),
            q.detach(),
            what=f"{name} after 3 epochs (SGD with momentum, rate halved every 2 epochs)",
            atol=1e-5,
            rtol=1e-4,
        )


@pytest.mark.parametrize("lr", [None, 0.4])
def test_make_optimizer_halves_the_rate_every_two_epochs(lr: float | None) -> None:
    model = make_model(seed=4)
    optimizer, scheduler = make_optimizer(model) if lr is None else make_optimizer(model, lr)
    start = 0.1 if lr is None else lr
    assert isinstance(optimizer, torch.optim.SGD), f"expected SGD, got {type(optimizer)}"
    group = optimizer.param_groups[0]
    assert group["momentum"] == 0.9, f"momentum should be 0.9, got {group['momentum']}"
    assert len(group["params"]) == 4, "the optimizer should hold all 4 parameters of the model"
    rates = []
    for _ in range(5):
        rates.append(group["lr"])
        optimizer.step()
        scheduler.step()
    want = [start, start, start / 2, start / 2, start / 4]
    assert all(close(g, w) for g, w in zip(rates, want, strict=True)), (
        f"learning rate over 5 epochs of the schedule: expected {want}, got {rates}"
    )
