"""Spec for training/seed: seed_everything, make_loader, run_experiment."""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from reproducible import make_loader, run_experiment, seed_everything
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

FEATURES, CLASSES = 6, 3


class NoisyBlobs(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Blobs augmented on the fly: noise from NumPy, one feature dropped with Python's random."""

    def __init__(self, n: int, seed: int) -> None:
        g = torch.Generator().manual_seed(seed)
        centres = 2 * torch.randn(CLASSES, FEATURES, generator=g)
        self.targets = torch.randint(0, CLASSES, (n,), generator=g)
        self.inputs = centres[self.targets] + torch.randn(n, FEATURES, generator=g)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.inputs[i] + torch.from_numpy(np.random.normal(0.0, 0.3, FEATURES)).float()
        x[random.randrange(FEATURES)] = 0.0
        return x, self.targets[i]


def model_fn() -> nn.Module:
    model = nn.Sequential(
        nn.Linear(FEATURES, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, CLASSES)
    )
    return model.eval()  # as a freshly loaded model often is: training must switch it


def by_hand(
    dataset: NoisyBlobs, seed: int, epochs: int, lr: float, batch_size: int
) -> tuple[list[float], dict[str, torch.Tensor]]:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    model = model_fn()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    losses = []
    for _ in range(epochs):
        model.train()
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total / len(loader))
    return losses, model.state_dict()


def disturb(n: int) -> None:
    """Draw from every global generator, as other code in the program would."""
    random.random()
    np.random.rand(n)
    torch.rand(n)


def draws() -> tuple[float, float, float]:
    return random.random(), float(np.random.rand()), torch.rand(1).item()


@pytest.fixture
def restore_flags(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    saved = torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.benchmark
    torch.use_deterministic_algorithms(False)
    torch.backends.cudnn.benchmark = True  # as a speed-minded script might have left it
    yield
    torch.use_deterministic_algorithms(saved[0])
    torch.backends.cudnn.benchmark = saved[1]


@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_seed_everything_seeds_python_numpy_and_torch(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    want = draws()
    disturb(5)
    seed_everything(seed)
    got = draws()
    for name, g, w in zip(("Python's random", "NumPy", "torch"), got, want, strict=True):
        assert g == w, (
            f"after seed_everything({seed}), the first draw from {name} was {g}, but after "
            f"seeding it with {seed} directly it is {w}: seed {name} too"
        )


def test_deterministic_mode_sets_the_flags(restore_flags: None) -> None:
    seed_everything(0, deterministic=True)
    import os

    assert os.environ.get("CUBLAS_WORKSPACE_CONFIG") == ":4096:8", (
        "deterministic=True should set the environment variable CUBLAS_WORKSPACE_CONFIG to "
        f"':4096:8', it is {os.environ.get('CUBLAS_WORKSPACE_CONFIG')!r}"
    )
    assert torch.are_deterministic_algorithms_enabled(), (
        "deterministic=True should call torch.use_deterministic_algorithms(True)"
    )
    assert torch.backends.cudnn.benchmark is False, (
        "deterministic=True should turn torch.backends.cudnn.benchmark off: the autotuner may "
        "choose other kernels from run to run"
    )


def test_default_leaves_the_flags_alone(restore_flags: None) -> None:
    seed_everything(0)
    import os

    assert "CUBLAS_WORKSPACE_CONFIG" not in os.environ, "deterministic=False set the cuBLAS env"
    assert not torch.are_deterministic_algorithms_enabled(), (
        "deterministic=False should not switch on deterministic algorithms (some operations "
        "then raise): only seed"
    )
    assert torch.backends.cudnn.benchmark is True, "deterministic=False changed cudnn.benchmark"


def epochs_of(loader: DataLoader, n: int) -> list[list[int]]:
    return [[int(i) for (batch,) in loader for i in batch] for _ in range(n)]


@pytest.mark.parametrize(("n", "batch_size", "seed"), [(10, 4, 0), (17, 5, 3)])
def test_loader_order_depends_only_on_the_seed(n: int, batch_size: int, seed: int) -> None:
    dataset = TensorDataset(torch.arange(n))
    loader = make_loader(dataset, batch_size, seed)
    assert isinstance(loader, DataLoader), f"expected a DataLoader, got {type(loader)}"
    sizes = [len(b) for (b,) in make_loader(dataset, batch_size, seed)]
    assert sizes == [min(batch_size, n - i) for i in range(0, n, batch_size)], (
        f"{n} samples in batches of {batch_size} should come in batches of these sizes "
        f"{[min(batch_size, n - i) for i in range(0, n, batch_size)]}, got {sizes}"
    )
    torch.manual_seed(1)
    first = epochs_of(loader, 2)
    torch.manual_seed(2)
    disturb(3)
    second = epochs_of(make_loader(dataset, batch_size, seed), 2)
    assert all(sorted(e) == list(range(n)) for e in first), (
        f"every epoch should visit each of the {n} samples once, got {first}"
    )
    assert first[0] != list(range(n)), f"the loader does not shuffle: {first[0]}"
    assert first == second, (
        f"two loaders with seed {seed} gave different orders once the global generator was "
        f"in another state:\n{first}\n{second}\nGive the DataLoader its own seeded generator"
    )
    oracle = DataLoader(
        dataset, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    assert first == epochs_of(oracle, 2), "the order should be that of a generator seeded with seed"
    assert epochs_of(make_loader(dataset, batch_size, seed + 1), 1) != first[:1], (
        "another seed should give another order"
    )


def test_run_experiment_matches_a_run_by_hand() -> None:
    dataset = NoisyBlobs(24, seed=0)
    want_losses, want_state = by_hand(dataset, seed=5, epochs=2, lr=0.3, batch_size=8)
    disturb(7)
    losses, state = run_experiment(dataset, 5, model_fn=model_fn, epochs=2, lr=0.3, batch_size=8)
    assert isinstance(losses, list) and len(losses) == 2, f"expected 2 epoch losses: {losses!r}"
    assert all(type(v) is float for v in losses), f"the losses should be floats: {losses!r}"
    assert losses == want_losses, (
        f"epoch losses {losses} differ from a run seeded by hand {want_losses}: seed every "
        "generator first, then build the model (its weights are drawn when it is built), the "
        "optimizer with lr and the loader from make_loader"
    )
    for name, tensor in want_state.items():
        assert torch.equal(state[name], tensor), f"{name} differs from the run by hand"


def test_same_seed_same_run_whatever_came_before() -> None:
    dataset = NoisyBlobs(20, seed=1)
    kwargs = {"model_fn": model_fn, "epochs": 2, "lr": 0.2, "batch_size": 6}
    first_losses, first_state = run_experiment(dataset, 3, **kwargs)  # type: ignore[arg-type]
    disturb(11)
    again_losses, again_state = run_experiment(dataset, 3, **kwargs)  # type: ignore[arg-type]
    assert first_losses == again_losses, (
        f"the same seed gave two different runs: {first_losses} and {again_losses}"
    )
    for name, tensor in first_state.items():
        assert torch.equal(again_state[name], tensor), f"{name} differs between the two runs"
    other_losses, _ = run_experiment(dataset, 4, **kwargs)  # type: ignore[arg-type]
    assert other_losses != first_losses, "seeds 3 and 4 gave exactly the same run"
