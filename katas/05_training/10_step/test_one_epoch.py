"""Spec for training/step: train_one_epoch."""

from __future__ import annotations

import copy

import pytest
import torch
from one_epoch import train_one_epoch
from torch import nn
from torch.func import functional_call
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor

FEATURES, CLASSES = 6, 3


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n points around CLASSES random centres: a small, learnable classification problem."""
    g = torch.Generator().manual_seed(seed)
    centres = 2 * torch.randn(CLASSES, FEATURES, generator=g)
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[targets] + torch.randn(n, FEATURES, generator=g), targets


def mlp(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(FEATURES, 16), nn.Tanh(), nn.Linear(16, CLASSES))


def batches(n: int, batch_size: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    inputs, targets = blobs(n, seed)
    return list(zip(inputs.split(batch_size), targets.split(batch_size), strict=True))


def descend_by_hand(
    model: nn.Module, data: list[tuple[torch.Tensor, torch.Tensor]], lr: float
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Plain gradient descent written out: each batch's own gradient, one update per batch."""
    params = {name: p.detach().clone() for name, p in model.named_parameters()}
    losses = []
    for inputs, targets in data:
        live = {name: p.requires_grad_() for name, p in params.items()}
        loss = nn.functional.cross_entropy(functional_call(model, live, (inputs,)), targets)
        grads = torch.autograd.grad(loss, list(live.values()))
        params = {
            name: (p - lr * g).detach() for (name, p), g in zip(live.items(), grads, strict=True)
        }
        losses.append(loss.detach())
    return torch.stack(losses), params


class ModeRecorder(nn.Module):
    """Passes its input through; records (training mode?, autograd recording?) per forward."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return x


class CountingSGD(torch.optim.SGD):
    """SGD that counts its steps."""

    def __init__(self, params: object, lr: float) -> None:
        super().__init__(params, lr=lr)  # type: ignore[arg-type]
        self.steps = 0

    def step(self, closure: object = None) -> None:  # type: ignore[override]
        self.steps += 1
        super().step()


def test_returns_one_detached_loss_per_batch() -> None:
    model = mlp(seed=0)
    data = batches(10, 4, seed=1)  # batches of 4, 4 and 2
    losses = train_one_epoch(
        model, data, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), "cpu"
    )
    assert isinstance(losses, torch.Tensor), (
        f"train_one_epoch should return a tensor of losses, got {type(losses).__name__}"
    )
    assert (tuple(losses.shape), losses.dtype) == ((3,), torch.float32), (
        f"10 samples in batches of 4 are 3 batches: expected a (3,) float32 tensor of losses, "
        f"got {tuple(losses.shape)} {losses.dtype}"
    )
    assert not losses.requires_grad and losses.grad_fn is None, (
        "the returned losses are still attached to the autograd graph (requires_grad=True): "
        "detach each loss before keeping it, or every batch's graph stays in memory"
    )


@pytest.mark.parametrize(("n", "batch_size", "lr", "seed"), [(12, 4, 0.5, 0), (10, 3, 0.2, 1)])
def test_matches_gradient_descent_by_hand(n: int, batch_size: int, lr: float, seed: int) -> None:
    model = mlp(seed)
    data = batches(n, batch_size, seed=seed + 10)
    want_losses, want_params = descend_by_hand(copy.deepcopy(model), data, lr)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    got = train_one_epoch(model, data, nn.CrossEntropyLoss(), optimizer, "cpu")
    moved = any(not torch.equal(before[k], p) for k, p in model.named_parameters())
    assert moved, (
        "after a whole epoch the weights are exactly where they started: gradients must be "
        "computed (backward) and then applied (the optimizer's step) for every batch"
    )
    assert isinstance(got, torch.Tensor) and got.shape == want_losses.shape, (
        f"expected {len(data)} losses, one per batch, got {got!r}"
    )
    if torch.allclose(got[:1], want_losses[:1], atol=1e-6) and not torch.allclose(
        got, want_losses, atol=1e-6
    ):
        pytest.fail(
            f"the first batch's loss is right ({want_losses[0]:.6f}) but later ones drift "
            f"(expected {want_losses.tolist()}, got {got.tolist()}): each step must use this "
            "batch's gradient only. Gradients add up in .grad until something clears them"
        )
    assert_tensor(got, want_losses, what="the loss of every batch", atol=1e-6, rtol=1e-5)
    for name, p in model.named_parameters():
        assert_tensor(
            p.detach(),
            want_params[name],
            what=f"{name} after one epoch (against gradient descent done by hand: one update "
            "per batch, each with that batch's own gradient)",
            atol=1e-6,
            rtol=1e-5,
        )


def test_works_with_a_shuffling_dataloader() -> None:
    model = mlp(seed=2)
    inputs, targets = blobs(20, seed=3)
    loader = DataLoader(TensorDataset(inputs, targets), batch_size=8, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    epochs = [train_one_epoch(model, loader, nn.CrossEntropyLoss(), optimizer, "cpu")]
    for _ in range(9):
        epochs.append(train_one_epoch(model, loader, nn.CrossEntropyLoss(), optimizer, "cpu"))
    first, last = epochs[0].mean().item(), epochs[-1].mean().item()
    assert all(len(e) == 3 for e in epochs), "20 samples in batches of 8: 3 losses per epoch"
    assert last < 0.5 * first, (
        f"ten epochs on an easy problem should at least halve the mean loss, it went from "
        f"{first:.3f} to {last:.3f}"
    )


def test_optimizer_steps_once_per_batch() -> None:
    model = mlp(seed=4)
    optimizer = CountingSGD(model.parameters(), lr=0.1)
    data = batches(14, 4, seed=5)  # 4 batches
    train_one_epoch(model, data, nn.CrossEntropyLoss(), optimizer, "cpu")
    assert optimizer.steps == len(data), (
        f"an epoch of {len(data)} batches should call optimizer.step() {len(data)} times, "
        f"once per batch, it was called {optimizer.steps} times"
    )


def test_model_trains_in_training_mode() -> None:
    recorder = ModeRecorder()
    torch.manual_seed(6)
    model = nn.Sequential(nn.Linear(FEATURES, 8), recorder, nn.Linear(8, CLASSES))
    model.eval()  # as a validation pass would leave it
    data = batches(9, 3, seed=7)
    train_one_epoch(
        model, data, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), "cpu"
    )
    assert len(recorder.calls) == len(data), (
        f"expected one forward per batch ({len(data)}), saw {len(recorder.calls)}"
    )
    modes = [training for training, _ in recorder.calls]
    assert all(modes), (
        f"the model ran in eval mode during training (training flag per forward: {modes}): "
        "it arrived in eval mode and must be switched to training mode first"
    )


def test_every_batch_is_moved_to_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    moved: dict[int, list[object]] = {}
    original = torch.Tensor.to

    def spy(self: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        moved.setdefault(id(self), []).extend([*args, *kwargs.values()])
        return original(self, *args, **kwargs)  # type: ignore[call-overload, no-any-return]

    model = mlp(seed=8)
    data = batches(8, 4, seed=9)
    device = torch.device("cpu")
    monkeypatch.setattr(torch.Tensor, "to", spy)
    train_one_epoch(
        model, data, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), device
    )
    for i, (inputs, targets) in enumerate(data):
        for name, tensor in (("inputs", inputs), ("targets", targets)):
            calls = moved.get(id(tensor), [])
            assert any(str(a) == "cpu" for a in calls), (
                f"batch {i}: the {name} were never moved with .to(device) (calls seen: {calls}). "
                "Batches come from the loader on the CPU; on a GPU, a model on 'cuda' cannot "
                "read them until they are moved"
            )


@pytest.mark.gpu
def test_trains_on_cuda_from_cpu_batches() -> None:
    model = mlp(seed=10)
    data = batches(12, 4, seed=11)
    want_losses, want_params = descend_by_hand(copy.deepcopy(model), data, lr=0.3)
    model = model.to("cuda")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    got = train_one_epoch(model, data, nn.CrossEntropyLoss(), optimizer, "cuda")
    assert got.device.type == "cuda", f"the losses should stay on cuda, got {got.device}"
    assert_tensor(got.cpu(), want_losses, what="losses trained on cuda", atol=1e-4, rtol=1e-4)
    for name, p in model.named_parameters():
        assert_tensor(p.detach().cpu(), want_params[name], what=name, atol=1e-4, rtol=1e-4)
