"""Spec for bugs/missing-zero-grad: each step follows the gradient of its own batch only."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_missing_zero_grad import make_model, train_epoch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor

IN, CLASSES = 4, 3


def make_loader(n: int, seed: int, batch_size: int = 8) -> DataLoader:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, IN, generator=gen)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    return DataLoader(TensorDataset(x, y), batch_size=batch_size)


def model_for(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return make_model(IN, CLASSES)


def sgd_by_hand(model: nn.Module, loader: DataLoader, lr: float) -> list[float]:
    """One plain SGD step per batch, each on that batch's gradient alone."""
    losses = []
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        grads = torch.autograd.grad(loss, list(model.parameters()))
        with torch.no_grad():
            for p, g in zip(model.parameters(), grads, strict=True):
                p -= lr * g
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize(("n", "epochs"), [(24, 1), (20, 2)])
def test_each_step_uses_only_its_own_batch(n: int, epochs: int) -> None:
    model = model_for(seed=n)
    reference = copy.deepcopy(model)
    loader = make_loader(n, seed=1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    for epoch in range(epochs):
        losses = sgd_by_hand(reference, loader, lr=0.3)
        got = train_epoch(model, loader, optimizer)
        want = sum(losses) / len(losses)
        assert isinstance(got, float), f"train_epoch should return a float, got {type(got)}"
        assert abs(got - want) <= 1e-5, (
            f"epoch {epoch}: mean batch loss {got:.5f}, expected {want:.5f} from SGD where "
            "every step follows the gradient of its own batch"
        )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(
            p.detach(),
            q.detach(),
            what=f"{name} after {epochs} epoch(s): each step should move by lr times the "
            "gradient of that batch alone, not of every batch seen so far",
            atol=1e-5,
            rtol=1e-4,
        )


def test_training_keeps_improving() -> None:
    model = model_for(seed=2)
    loader = make_loader(64, seed=3, batch_size=16)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = [train_epoch(model, loader, optimizer) for _ in range(10)]
    assert all(loss == loss for loss in losses), f"the loss became nan: {losses}"
    assert losses[-1] < 0.5 * losses[0] and losses[-1] == min(losses[-3:]), (
        f"mean loss per epoch over 10 epochs: {[round(v, 3) for v in losses]}: it should go "
        "down and stay down on this easy problem"
    )


def test_make_model_layers() -> None:
    model = model_for(seed=4)
    shapes = [tuple(p.shape) for p in model.parameters()]
    assert shapes == [(32, IN), (32,), (CLASSES, 32), (CLASSES,)], f"parameter shapes {shapes}"
    x = torch.randn(5, IN, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        want = F.linear(F.relu(F.linear(x, model[0].weight, model[0].bias)), model[2].weight)
        assert_tensor(model(x), want + model[2].bias, what="make_model(...)(x)")
