"""Spec for bugs/seed-order: one seed, one run, whatever happened before."""

import pytest
import torch
import torch.nn.functional as F
from bug_seed_order import make_model, run
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor


def make_data(n: int, seed: int) -> TensorDataset:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=gen)
    return TensorDataset(x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long())


def reference_run(data: TensorDataset, seed: int, epochs: int) -> tuple[nn.Module, float]:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))
    loader = DataLoader(data, batch_size=8, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(epochs):
        losses = []
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return model, sum(losses) / len(losses)


def same_weights(a: nn.Module, b: nn.Module, what: str) -> None:
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        assert_tensor(p.detach(), q.detach(), what=f"{name} {what}", atol=1e-6, rtol=1e-5)


def test_same_seed_same_run_whatever_ran_before() -> None:
    data = make_data(30, seed=1)
    torch.manual_seed(123)
    first_model, first_loss = run(data, seed=0)
    torch.randn(7)  # anything random in between, as in a notebook
    second_model, second_loss = run(data, seed=0)
    assert first_loss == second_loss, (
        f"run(data, seed=0) twice gave final losses {first_loss:.6f} and {second_loss:.6f}: "
        "something random in the run is drawn before the seed is set"
    )
    same_weights(first_model, second_model, "of two runs with seed 0")


@pytest.mark.parametrize(("seed", "epochs"), [(0, None), (5, 2)])
def test_run_draws_everything_from_the_seed(seed: int, epochs: int | None) -> None:
    data = make_data(28, seed=2)
    torch.manual_seed(999)
    model, loss = run(data, seed) if epochs is None else run(data, seed, epochs)
    want_model, want_loss = reference_run(data, seed, 3 if epochs is None else epochs)
    assert isinstance(loss, float), f"the loss should be a Python float, got {type(loss)}"
    assert abs(loss - want_loss) <= 1e-6, (
        f"run(data, seed={seed}) finished with loss {loss:.6f}; seeding first and then building, "
        f"shuffling and training gives {want_loss:.6f}"
    )
    same_weights(model, want_model, f"after run(data, seed={seed})")


def test_different_seeds_give_different_runs() -> None:
    data = make_data(24, seed=3)
    losses = {round(run(data, seed)[1], 6) for seed in range(3)}
    assert len(losses) == 3, f"three seeds gave the final losses {losses}"


def test_make_model_layers() -> None:
    kinds = [type(m).__name__ for m in make_model()]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear"], kinds
    shapes = [tuple(p.shape) for p in make_model().parameters()]
    assert shapes == [(16, 4), (16,), (3, 16), (3,)], shapes
    assert make_model()[2].p == 0.2
