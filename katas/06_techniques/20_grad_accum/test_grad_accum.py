"""Spec for tech/grad-accum: accumulate_gradients and train_accumulated."""

from __future__ import annotations

import copy

import pytest
import torch
from grad_accum import accumulate_gradients, train_accumulated
from torch import nn

from katakit.testing import assert_tensor

FEATURES, CLASSES = 5, 3


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = 2 * torch.randn(CLASSES, FEATURES, generator=g)
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[targets] + torch.randn(n, FEATURES, generator=g), targets


class ModeRecorder(nn.Module):
    """Passes its input through; records the training flag at every forward."""

    def __init__(self) -> None:
        super().__init__()
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return x


def mlp(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(FEATURES, 16), nn.Tanh(), ModeRecorder(), nn.Linear(16, CLASSES))


def garbage_grads(model: nn.Module) -> None:
    """Stale gradients, as a previous step that was never cleared would leave them."""
    for p in model.parameters():
        p.grad = torch.full_like(p, 3.0)


@pytest.mark.parametrize(("n", "micro"), [(10, 1), (10, 3), (12, 4), (9, 9), (11, 20)])
def test_accumulated_gradient_equals_the_whole_batch_gradient(n: int, micro: int) -> None:
    model = mlp(seed=n)
    inputs, targets = blobs(n, seed=micro)
    loss = nn.functional.cross_entropy(model(inputs), targets)
    want = torch.autograd.grad(loss, list(model.parameters()))
    garbage_grads(model)
    got = accumulate_gradients(model, nn.CrossEntropyLoss(), inputs, targets, micro)
    assert type(got) is float and got == pytest.approx(loss.item(), rel=1e-5), (
        f"accumulate_gradients should return the whole batch's mean loss {loss.item():.6f} as "
        f"a float, got {got!r}"
    )
    for (name, p), g in zip(model.named_parameters(), want, strict=True):
        assert p.grad is not None, f"{name} has no gradient"
        assert_tensor(
            p.grad,
            g,
            what=f"{name}.grad after accumulating {n} samples in micro-batches of {micro} "
            "(against the gradient of the whole batch: each micro-batch's mean loss must be "
            "weighted by its share of the samples, and stale gradients cleared first)",
            atol=1e-6,
            rtol=1e-5,
        )


def sgd_by_hand(model: nn.Module, groups: list[list[tuple]], lr: float, accum: int) -> None:
    """One plain SGD step per group, with the sum of the group's batch gradients / accum."""
    params = list(model.parameters())
    for group in groups:
        total = [torch.zeros_like(p) for p in params]
        for x, y in group:
            grads = torch.autograd.grad(nn.functional.cross_entropy(model(x), y), params)
            total = [t + g / accum for t, g in zip(total, grads, strict=True)]
        with torch.no_grad():
            for p, g in zip(params, total, strict=True):
                p -= lr * g


@pytest.mark.parametrize(("n", "batch", "accum"), [(24, 4, 3), (14, 2, 3), (20, 5, 2), (9, 3, 1)])
def test_an_epoch_steps_once_per_group_of_batches(n: int, batch: int, accum: int) -> None:
    model = mlp(seed=1)
    inputs, targets = blobs(n, seed=2)
    batches = list(zip(inputs.split(batch), targets.split(batch), strict=True))
    groups = [batches[i : i + accum] for i in range(0, len(batches), accum)]
    reference = copy.deepcopy(model)
    sgd_by_hand(reference, groups, lr=0.3, accum=accum)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    garbage_grads(model)
    steps = train_accumulated(model, batches, nn.CrossEntropyLoss(), optimizer, accum)
    assert steps == len(groups), (
        f"{len(batches)} batches in groups of {accum} make {len(groups)} optimizer steps (a last, "
        f"incomplete group still gets its step), train_accumulated reported {steps}"
    )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(
            p.detach(),
            q.detach(),
            what=f"{name} after an epoch of {len(batches)} batches accumulated {accum} at a "
            "time (one step per group, each batch's loss divided by accum_steps, gradients "
            "cleared before the first batch and after every step)",
            atol=1e-6,
            rtol=1e-5,
        )


def test_equal_groups_train_like_batches_accum_steps_times_larger() -> None:
    model = mlp(seed=3)
    inputs, targets = blobs(24, seed=4)
    big = copy.deepcopy(model)
    big_optimizer = torch.optim.SGD(big.parameters(), lr=0.5)
    for x, y in zip(inputs.split(12), targets.split(12), strict=True):
        big_optimizer.zero_grad()
        nn.functional.cross_entropy(big(x), y).backward()
        big_optimizer.step()
    small = list(zip(inputs.split(4), targets.split(4), strict=True))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    train_accumulated(model, small, nn.CrossEntropyLoss(), optimizer, 3)
    for (name, p), q in zip(model.named_parameters(), big.parameters(), strict=True):
        assert_tensor(
            p.detach(),
            q.detach(),
            what=f"{name}: batches of 4 accumulated 3 at a time against batches of 12",
            atol=1e-6,
            rtol=1e-5,
        )


def test_trains_in_training_mode() -> None:
    model = mlp(seed=5).eval()
    inputs, targets = blobs(8, seed=6)
    batches = list(zip(inputs.split(4), targets.split(4), strict=True))
    train_accumulated(
        model, batches, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), 2
    )
    modes = model[2].modes
    assert modes and all(modes), (
        f"the model ran in eval mode during training (training flag per forward: {modes}): "
        "switch it to training mode first"
    )
