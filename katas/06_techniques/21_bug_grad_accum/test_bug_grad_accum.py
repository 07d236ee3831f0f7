"""Spec for bugs/grad-accum: accumulating micro-batches equals one step on the big batch."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_grad_accum import train_accumulated
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor


def make_data(n: int, seed: int) -> TensorDataset:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 5, generator=gen)
    return TensorDataset(x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long())


def make_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3))


@pytest.mark.parametrize(("accum", "micro", "steps"), [(4, 4, 2), (2, 3, 3), (1, 8, 2)])
def test_accumulation_equals_the_big_batch_step(accum: int, micro: int, steps: int) -> None:
    data = make_data(accum * micro * steps, seed=accum)
    model = make_model(seed=micro)
    reference = copy.deepcopy(model)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.5)
    for x, y in DataLoader(data, batch_size=accum * micro):
        ref_opt.zero_grad()
        F.cross_entropy(reference(x), y).backward()
        ref_opt.step()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    model(data.tensors[0][:2]).sum().backward()  # stale gradients from a quick sanity check
    train_accumulated(model, DataLoader(data, batch_size=micro), optimizer, accum)
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(
            p.detach(),
            q.detach(),
            what=f"{name} after {steps} steps of {accum} accumulated micro-batches of {micro}, "
            f"against {steps} plain steps on batches of {accum * micro} (same lr; gradients left "
            "in .grad before the call must not count)",
            atol=1e-6,
            rtol=1e-5,
        )


def test_returns_the_loss_of_every_micro_batch() -> None:
    data = make_data(12, seed=5)
    model = make_model(seed=6)
    reference = copy.deepcopy(model)
    loader = DataLoader(data, batch_size=3)
    with torch.no_grad():
        first_two = [F.cross_entropy(reference(x), y).item() for x, y in list(loader)[:2]]
    got = train_accumulated(model, loader, torch.optim.SGD(model.parameters(), lr=0.1), 2)
    assert len(got) == 4 and all(isinstance(v, float) for v in got), (
        f"expected 4 floats, one per micro-batch, got {got!r}"
    )
    assert all(abs(a - b) <= 1e-6 for a, b in zip(got[:2], first_two, strict=True)), (
        f"the first two micro-batches come before any step: losses {got[:2]}, expected {first_two}"
    )


def test_no_gradient_is_left_over_after_the_last_step() -> None:
    model = make_model(seed=7)
    train_accumulated(
        model,
        DataLoader(make_data(8, seed=8), batch_size=2),
        torch.optim.SGD(model.parameters()),
        2,
    )
    leftover = [p.grad for p in model.parameters() if p.grad is not None and p.grad.any()]
    assert not leftover, "after the last step the gradients should have been cleared"
