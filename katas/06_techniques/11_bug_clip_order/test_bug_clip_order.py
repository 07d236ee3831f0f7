"""Spec for bugs/clip-order: the optimizer steps on the clipped gradient."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_clip_order import train_step
from torch import nn

from katakit.testing import assert_tensor


def make_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))


def batch(n: int, seed: int, outlier: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=gen)
    y = x.sum(dim=1, keepdim=True)
    y[0] += outlier  # one wild target makes the gradient huge
    return x, y


def clipped_sgd(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, lr: float, max_norm: float
) -> tuple[float, float]:
    """SGD on the gradient rescaled to a total norm of at most max_norm, by hand."""
    loss = F.mse_loss(model(x), y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    norm = torch.sqrt(sum((g**2).sum() for g in grads)).item()
    scale = min(1.0, max_norm / (norm + 1e-6))
    with torch.no_grad():
        for p, g in zip(model.parameters(), grads, strict=True):
            p -= lr * scale * g
    return loss.item(), norm


@pytest.mark.parametrize(("outlier", "max_norm"), [(1000.0, None), (200.0, 0.5), (0.0, 100.0)])
def test_the_step_uses_the_clipped_gradient(outlier: float, max_norm: float | None) -> None:
    model = make_model(seed=int(outlier) % 7)
    reference = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    limit = 1.0 if max_norm is None else max_norm
    for step in range(2):
        x, y = batch(8, seed=step, outlier=outlier)
        want = clipped_sgd(reference, x, y, lr=0.1, max_norm=limit)
        if max_norm is None:
            got = train_step(model, x, y, optimizer)
        else:
            got = train_step(model, x, y, optimizer, max_norm)
        assert all(isinstance(v, float) for v in got), f"expected two floats, got {got!r}"
        assert abs(got[0] - want[0]) <= 1e-4 * max(1.0, want[0]), (
            f"step {step}: loss {got[0]:.4f}, expected {want[0]:.4f}"
        )
        assert abs(got[1] - want[1]) <= 1e-4 * max(1.0, want[1]), (
            f"step {step}: reported gradient norm {got[1]:.4f}, expected the norm before "
            f"clipping, {want[1]:.4f}"
        )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(
            p.detach(),
            q.detach(),
            what=f"{name} after two steps (outlier {outlier}, max_norm {limit}): each step "
            f"should move the weights by at most lr * max_norm = {0.1 * limit:g} in total",
            atol=1e-5,
            rtol=1e-4,
        )


def test_outliers_cannot_blow_the_weights_up() -> None:
    model = make_model(seed=3)
    start = torch.cat([p.detach().flatten() for p in model.parameters()])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(10):
        train_step(model, *batch(8, seed=10 + step, outlier=1e4), optimizer)
    end = torch.cat([p.detach().flatten() for p in model.parameters()])
    moved = (end - start).norm().item()
    assert moved <= 10 * 0.1 * 1.0 + 1e-4, (
        f"after 10 clipped steps (lr 0.1, max_norm 1.0) the weights moved {moved:.3g} in "
        "total; clipping limits each step to lr * max_norm = 0.1"
    )
