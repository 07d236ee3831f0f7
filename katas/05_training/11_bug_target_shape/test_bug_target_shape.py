"""Spec for bugs/target-shape: every house is compared with its own price."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_target_shape import fit, make_model, train_step
from sklearn.metrics import r2_score
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor

FEATURES = 3


def houses(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Features (n, 3) and prices (n,): a linear rule plus a little noise."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, FEATURES, generator=gen)
    y = x @ torch.tensor([1.5, -2.0, 0.5]) + 3.0 + 0.1 * torch.randn(n, generator=gen)
    return x, y


def model_for(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return make_model(FEATURES)


def reference_step(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, lr: float) -> float:
    loss = F.mse_loss(model(x)[:, 0], y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    with torch.no_grad():
        for p, g in zip(model.parameters(), grads, strict=True):
            p -= lr * g
    return loss.item()


@pytest.mark.parametrize(("n", "seed"), [(8, 0), (5, 1), (1, 2)])
def test_train_step_loss_compares_each_house_with_its_own_price(n: int, seed: int) -> None:
    model = model_for(seed)
    x, y = houses(n, seed=10 + seed)
    with torch.no_grad():
        want = F.mse_loss(model(x)[:, 0], y).item()
    got = train_step(model, (x, y), torch.optim.SGD(model.parameters(), lr=0.01))
    assert isinstance(got, float), f"train_step should return a Python float, got {type(got)}"
    assert abs(got - want) <= 1e-5 * max(1.0, want), (
        f"train_step returned loss {got:.5f} for {n} houses, but the mean of (prediction - "
        f"price)^2, each house against its own price, is {want:.5f}: which pairs of "
        "prediction and price does the loss really compare?"
    )


def test_train_step_updates_like_sgd() -> None:
    model = model_for(3)
    reference = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for step in range(3):
        x, y = houses(6, seed=20 + step)
        want = reference_step(reference, x, y, lr=0.05)
        got = train_step(model, (x, y), optimizer)
        assert abs(got - want) <= 1e-4 * max(1.0, want), (
            f"step {step}: train_step returned loss {got:.5f}; the mean squared error of each "
            f"house against its own price is {want:.5f}"
        )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(
            p.detach(), q.detach(), what=f"{name} after three steps", atol=1e-5, rtol=1e-4
        )


def test_fit_returns_the_mean_loss_of_each_epoch() -> None:
    model = model_for(4)
    reference = copy.deepcopy(model)
    x, y = houses(10, seed=30)
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    want = []
    for _ in range(2):
        losses = [reference_step(reference, xb, yb, lr=0.02) for xb, yb in loader]
        want.append(sum(losses) / len(losses))
    got = fit(model, loader, torch.optim.SGD(model.parameters(), lr=0.02), epochs=2)
    assert len(got) == 2 and all(abs(g - w) <= 1e-4 for g, w in zip(got, want, strict=True)), (
        f"fit for 2 epochs returned {[round(g, 5) for g in got]}, expected the per-epoch mean "
        f"batch losses {[round(w, 5) for w in want]}"
    )


def test_fit_learns_the_prices() -> None:
    model = model_for(5)
    x, y = houses(64, seed=40)
    loader = DataLoader(TensorDataset(x, y), batch_size=16)
    fit(model, loader, torch.optim.Adam(model.parameters(), lr=0.03), epochs=60)
    x_new, y_new = houses(200, seed=41)
    with torch.no_grad():
        predicted = model(x_new)[:, 0]
    score = r2_score(y_new.numpy(), predicted.numpy())
    spread = predicted.std().item()
    assert score > 0.9, (
        f"after 60 epochs the R^2 on new houses is {score:.3f} (a linear regression gets about "
        f"0.99) and the predictions spread only {spread:.3f} around their mean, against "
        f"{y_new.std().item():.3f} for the prices: the model learnt the average price, not "
        "the price of each house"
    )


def test_make_model_layers() -> None:
    model = model_for(6)
    shapes = [tuple(p.shape) for p in model.parameters()]
    assert shapes == [(16, FEATURES), (16,), (1, 16), (1,)], f"parameter shapes: {shapes}"
    x, _ = houses(4, seed=50)
    with torch.no_grad():
        out = model(x)
        hidden = F.relu(F.linear(x, model[0].weight, model[0].bias))
        assert_tensor(out, F.linear(hidden, model[2].weight, model[2].bias), what="model(x)")
