"""Spec for tech/grad-clip: grad_norm and train_step with clipping."""

from __future__ import annotations

import copy

import pytest
import torch
from grad_clip import grad_norm, train_step
from torch import nn

from katakit.testing import assert_tensor


def regression(seed: int, n: int = 16, scale: float = 5.0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, 4, generator=g)
    return inputs, scale * (inputs @ torch.randn(4, 2, generator=g)) + 1.0


def mlp(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))


def step_by_hand(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    lr: float,
    max_norm: float | None,
    clip_value: float | None,
) -> tuple[list[torch.Tensor], float]:
    """Raw gradients from autograd, clipped with the documented formulas, one SGD step."""
    params = list(model.parameters())
    grads = torch.autograd.grad(nn.functional.mse_loss(model(inputs), targets), params)
    total = torch.linalg.vector_norm(torch.cat([g.flatten() for g in grads])).item()
    if max_norm is not None:
        coef = min(1.0, max_norm / (total + 1e-6))
        grads = tuple(g * coef for g in grads)
    if clip_value is not None:
        grads = tuple(g.clamp(-clip_value, clip_value) for g in grads)
    return [(p - lr * g).detach() for p, g in zip(params, grads, strict=True)], total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grad_norm_is_the_norm_of_all_gradients_together(seed: int) -> None:
    model = mlp(seed)
    model[0].bias.requires_grad_(False)  # frozen: its .grad stays None
    inputs, targets = regression(seed)
    nn.functional.mse_loss(model(inputs), targets).backward()
    grads = [p.grad.flatten() for p in model.parameters() if p.grad is not None]
    want = torch.linalg.vector_norm(torch.cat(grads)).item()
    got = grad_norm(model)
    assert type(got) is float, f"grad_norm should return a float, got {type(got).__name__}"
    assert got == pytest.approx(want, rel=1e-5), (
        f"expected {want:.6f}: the L2 norm of every gradient entry taken together (the norm of "
        f"the per-parameter norms), skipping parameters without a gradient; got {got!r}"
    )


CASES = [
    pytest.param(0.5, None, id="norm-clipped"),
    pytest.param(1e4, None, id="norm-below-the-cap"),
    pytest.param(None, 0.3, id="value-clipped"),
    pytest.param(0.8, 0.1, id="norm-then-value"),
    pytest.param(None, None, id="no-clipping"),
]


@pytest.mark.parametrize(("max_norm", "clip_value"), CASES)
def test_train_step_clips_between_backward_and_step(
    max_norm: float | None, clip_value: float | None
) -> None:
    model = mlp(seed=3)
    inputs, targets = regression(seed=3)
    want_params, want_norm = step_by_hand(
        copy.deepcopy(model), inputs, targets, 0.1, max_norm, clip_value
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    got = train_step(
        model, inputs, targets, nn.MSELoss(), optimizer, max_norm=max_norm, clip_value=clip_value
    )
    assert got == pytest.approx(want_norm, rel=1e-5), (
        f"train_step should return the total gradient norm before clipping, {want_norm:.5f}, "
        f"got {got!r}"
    )
    for name, (p, want) in zip(
        [n for n, _ in model.named_parameters()],
        zip(model.parameters(), want_params, strict=True),
        strict=True,
    ):
        assert_tensor(
            p.detach(),
            want,
            what=f"{name} after one SGD step (lr 0.1) with max_norm={max_norm}, "
            f"clip_value={clip_value}: by norm every gradient is scaled by "
            "max_norm / total_norm when that is below 1; by value each entry is clamped",
            atol=1e-6,
            rtol=1e-5,
        )


def test_every_step_starts_from_fresh_gradients() -> None:
    model = mlp(seed=4)
    reference = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for seed in (5, 6, 7):
        inputs, targets = regression(seed)
        want, want_norm = step_by_hand(reference, inputs, targets, 0.05, 1.0, None)
        with torch.no_grad():
            for p, w in zip(reference.parameters(), want, strict=True):
                p.copy_(w)
        got = train_step(model, inputs, targets, nn.MSELoss(), optimizer, max_norm=1.0)
        assert got == pytest.approx(want_norm, rel=1e-5), (
            f"step {seed - 4}: the gradient norm should be {want_norm:.5f}, got {got!r}: are "
            "the previous step's gradients cleared before backward?"
        )
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def test_clipping_survives_one_bad_batch() -> None:
    g = torch.Generator().manual_seed(0)
    inputs = torch.randn(64, 3, generator=g)
    clean = inputs @ torch.randn(3, 1, generator=g)
    targets = clean.clone()
    targets[20] = 1e3  # one corrupted label in the third batch
    torch.manual_seed(0)
    start = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1))
    final = {}
    for max_norm in (None, 1.0):
        model = copy.deepcopy(start)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for _ in range(3):
            for x, y in zip(inputs.split(8), targets.split(8), strict=True):
                train_step(model, x, y, nn.MSELoss(), optimizer, max_norm=max_norm)
        with torch.no_grad():
            final[max_norm] = nn.functional.mse_loss(model(inputs), clean).item()
    with torch.no_grad():
        initial = nn.functional.mse_loss(start(inputs), clean).item()
    assert final[1.0] < initial / 2, (
        f"with max_norm=1 the model should learn the clean data despite one corrupted label: "
        f"the error on clean targets went from {initial:.3f} to {final[1.0]:.3f}"
    )
    assert final[None] > 10 * final[1.0], (
        f"without clipping the corrupted label should throw the weights far off (error "
        f"{final[None]:.3f} vs {final[1.0]:.3f} with clipping)"
    )
