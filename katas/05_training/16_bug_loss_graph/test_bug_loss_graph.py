"""Spec for bugs/loss-graph: validation keeps no batch alive and reports a plain number."""

import copy
import gc
import weakref

import pytest
import torch
import torch.nn.functional as F
from bug_loss_graph import train_epoch, validate
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor


def make_data(n: int, seed: int) -> TensorDataset:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=gen)
    y = x @ torch.tensor([[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]]) + 0.1 * torch.randn(n, 2)
    return TensorDataset(x, y)


def make_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))


class Watched:
    """A loader whose batches are watched: which of them are still alive afterwards?"""

    def __init__(self, data: TensorDataset, batch_size: int) -> None:
        self.refs: list[weakref.ref[torch.Tensor]] = []
        self.loader = DataLoader(data, batch_size=batch_size, collate_fn=self.collate)

    def collate(self, items: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, ...]:
        x, y = (torch.stack(t) for t in zip(*items, strict=True))
        self.refs.append(weakref.ref(x))
        return x, y

    def alive(self) -> int:
        gc.collect()
        return sum(ref() is not None for ref in self.refs)


def test_validate_keeps_no_batch_alive() -> None:
    watched = Watched(make_data(40, seed=0), batch_size=8)
    result = validate(make_model(seed=1), watched.loader)
    alive = watched.alive()
    assert alive == 0, (
        f"validate has returned (its result is {result!r}), yet {alive} of the "
        f"{len(watched.refs)} input batches are still in memory: something that outlives the "
        "loop still references each batch's computation, so memory grows with every "
        "validation batch"
    )


def test_validate_returns_a_plain_number() -> None:
    result = validate(make_model(seed=2), DataLoader(make_data(12, seed=3), batch_size=4))
    assert isinstance(result, float), (
        f"validate should return a Python float, got {type(result).__name__}: {result!r}"
    )


@pytest.mark.parametrize(("n", "batch_size"), [(40, 8), (23, 5)])
def test_validate_is_the_mse_of_the_model_in_eval_mode(n: int, batch_size: int) -> None:
    model = make_model(seed=n)
    data = make_data(n, seed=n + 1)
    frozen = copy.deepcopy(model).eval()
    with torch.no_grad():
        want = F.mse_loss(frozen(data.tensors[0]), data.tensors[1]).item()
    got = float(validate(model, DataLoader(data, batch_size=batch_size)))
    assert abs(got - want) <= 1e-5, (
        f"validate over {n} samples in batches of {batch_size} gave {got:.6f}; the mean "
        f"squared error of the model in evaluation mode over the whole set is {want:.6f}"
    )
    assert all(p.grad is None for p in model.parameters()), "validate produced gradients"


def test_train_epoch_matches_sgd_in_training_mode() -> None:
    model = make_model(seed=4)
    reference = copy.deepcopy(model)
    loader = DataLoader(make_data(24, seed=5), batch_size=8)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    validate(model, loader)  # leaves the model in eval mode: train_epoch must switch back
    torch.manual_seed(6)
    losses = []
    for x, y in loader:
        ref_opt.zero_grad()
        loss = F.mse_loss(reference(x), y)
        loss.backward()
        ref_opt.step()
        losses.append(loss.item())
    torch.manual_seed(6)
    got = train_epoch(model, loader, torch.optim.SGD(model.parameters(), lr=0.1))
    want = sum(losses) / len(losses)
    assert isinstance(got, float), f"train_epoch should return a float, got {type(got)}"
    assert abs(got - want) <= 1e-5, f"train_epoch returned {got:.6f}, expected {want:.6f}"
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(p.detach(), q.detach(), what=f"{name} after an epoch", atol=1e-6, rtol=1e-5)
