"""Spec for training/optimizers: make_optimizer, compare_optimizers, best_optimizer."""

from __future__ import annotations

import copy

import pytest
import torch
from optimizer_compare import best_optimizer, compare_optimizers, make_optimizer
from torch import nn

from katakit.testing import assert_tensor

NAMES = ("sgd", "adam", "adamw")
KINDS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def quadratic(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """0.5 * |A p - b|^2 with badly scaled columns; its gradient is A^T (A p - b)."""
    g = torch.Generator().manual_seed(seed)
    scale = torch.tensor([1.0, 10.0, 0.1, 1.0, 3.0], dtype=torch.float64)
    a = torch.randn(8, 5, generator=g, dtype=torch.float64) * scale
    b = torch.randn(8, generator=g, dtype=torch.float64)
    return a, b, torch.randn(5, generator=g, dtype=torch.float64)


def with_optimizer(name: str, lr: float, decay: float, steps: int, seed: int) -> torch.Tensor:
    a, b, start = quadratic(seed)
    p = nn.Parameter(start.clone())
    optimizer = make_optimizer(name, [p], lr, decay)
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * (a @ p - b).pow(2).sum()).backward()
        optimizer.step()
    return p.detach()


def by_the_rule(name: str, lr: float, decay: float, steps: int, seed: int) -> torch.Tensor:
    """The update rules of the PyTorch docs, written out (betas 0.9, 0.999; eps 1e-8)."""
    a, b, p = quadratic(seed)
    buf = m = v = torch.zeros_like(p)
    for t in range(1, steps + 1):
        grad = a.T @ (a @ p - b)
        if name == "sgd":
            grad = grad + decay * p
            buf = grad if t == 1 else 0.9 * buf + grad
            p = p - lr * buf
            continue
        if name == "adam":
            grad = grad + decay * p  # L2: the decay goes through Adam's scaling
        else:
            p = p * (1 - lr * decay)  # AdamW: decoupled, applied to the weights directly
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        p = p - lr * m_hat / (v_hat.sqrt() + 1e-8)
    return p


@pytest.mark.parametrize("name", NAMES)
def test_make_optimizer_builds_the_right_kind(name: str) -> None:
    p = nn.Parameter(torch.zeros(3))
    optimizer = make_optimizer(name, [p], 0.01)
    assert type(optimizer) is KINDS[name], (
        f"make_optimizer({name!r}, ...) should be a {KINDS[name].__name__}, got "
        f"{type(optimizer).__name__}"
    )
    assert optimizer.param_groups[0]["params"] == [p], "the optimizer should hold the params"
    with torch.no_grad():
        p.fill_(1.0)
    p.grad = torch.zeros(3)  # a zero gradient: only weight decay could move the weights
    optimizer.step()
    assert torch.equal(p.detach(), torch.ones(3)), (
        f"with weight_decay left at its default (0.0) a zero gradient should not move the "
        f"weights, but {name!r} changed them to {p.detach().tolist()}: AdamW's own default "
        "decay is 0.01, pass weight_decay explicitly"
    )


@pytest.mark.parametrize("decay", [0.0, 0.5])
@pytest.mark.parametrize("name", NAMES)
def test_updates_follow_the_documented_rule(name: str, decay: float) -> None:
    lr = 0.002 if name == "sgd" else 0.05
    want = by_the_rule(name, lr, decay, steps=4, seed=1)
    got = with_optimizer(name, lr, decay, steps=4, seed=1)
    hint = {
        "sgd": "SGD with momentum=0.9 (and the weight decay added to the gradient)",
        "adam": "Adam with default betas and eps, weight decay added to the gradient",
        "adamw": "AdamW with default betas and eps, the weights shrunk by lr * weight_decay",
    }[name]
    assert_tensor(
        got,
        want,
        what=f"the weights after 4 steps of {name!r} with lr={lr}, weight_decay={decay} "
        f"(expected: {hint})",
        atol=1e-9,
        rtol=1e-7,
    )


def test_an_unknown_name_raises_value_error() -> None:
    with pytest.raises(ValueError, match="rmsprop"):
        make_optimizer("rmsprop", [nn.Parameter(torch.zeros(2))], 0.1)


def regression(seed: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(32, 4, generator=g) * torch.tensor([1.0, 5.0, 0.2, 2.0])
    targets = inputs @ torch.randn(4, 1, generator=g) + 0.1 * torch.randn(32, 1, generator=g)
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)), inputs, targets


def curve_by_hand(
    model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, name: str, steps: int, lr: float
) -> list[float]:
    model = copy.deepcopy(model)
    extra = {"momentum": 0.9} if name == "sgd" else {}
    optimizer = KINDS[name](model.parameters(), lr=lr, weight_decay=0.01, **extra)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("names", [("sgd", "adam", "adamw"), ("adamw", "sgd")])
def test_compare_gives_each_optimizer_the_same_start(names: tuple[str, ...]) -> None:
    model, inputs, targets = regression(seed=2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    curves = compare_optimizers(
        model, inputs, targets, nn.MSELoss(), names, steps=6, lr=0.01, weight_decay=0.01
    )
    assert isinstance(curves, dict) and list(curves) == list(names), (
        f"expected one curve per optimizer, keyed by name in the order given {list(names)}, "
        f"got {list(curves) if isinstance(curves, dict) else curves!r}"
    )
    changed = [k for k, v in model.state_dict().items() if not torch.equal(v, before[k])]
    assert changed == [], (
        f"compare_optimizers changed the model it was given ({changed}): train a copy per "
        "optimizer, or the second one starts where the first stopped"
    )
    firsts = {name: curve[0] for name, curve in curves.items()}
    assert len(set(firsts.values())) == 1, (
        f"the first losses differ between optimizers {firsts}: each must start from the "
        "same weights"
    )
    for name in names:
        want = curve_by_hand(model, inputs, targets, name, steps=6, lr=0.01)
        got = curves[name]
        assert all(type(v) is float for v in got), f"{name}: losses should be floats: {got!r}"
        assert got == pytest.approx(want, rel=1e-5, abs=1e-7), (
            f"{name}: the loss of each of 6 full-batch steps should be {want}, got {got}"
        )


@pytest.mark.parametrize(
    ("curves", "want"),
    [
        ({"sgd": [3.0, 1.0], "adam": [3.0, 0.5], "adamw": [3.0, 0.7]}, "adam"),
        ({"sgd": [9.0, 0.2], "adam": [0.1, 0.4]}, "sgd"),
        ({"adamw": [5.0, 4.0, 0.3], "adam": [5.0, 0.1, 0.35]}, "adamw"),
    ],
)
def test_best_optimizer_has_the_lowest_final_loss(curves: dict, want: str) -> None:
    got = best_optimizer(curves)
    assert got == want, f"best_optimizer({curves}) should be {want!r} (lowest final loss): {got!r}"
