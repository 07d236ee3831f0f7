"""Seed everything: the same run twice, bit for bit.

"It worked yesterday" is only worth something if yesterday's run can be repeated. A training
run draws random numbers all the time: the initial weights, the shuffling order, dropout
masks, and data augmentation, which often uses Python's ``random`` or NumPy rather than torch.
Each of those generators has to start from a known state, and in the right order: weights are
drawn when the model is built, so seed first, build after.

``train_one_epoch`` is given, finished. Write three functions:

1. ``seed_everything(seed, *, deterministic=False)`` seeds Python's ``random``, NumPy's global
   generator and torch (``torch.manual_seed`` seeds the CPU and every CUDA device). With
   ``deterministic=True`` it also makes GPU runs repeatable: it sets the environment variable
   ``CUBLAS_WORKSPACE_CONFIG`` to ``":4096:8"`` (cuBLAS needs it to be deterministic), calls
   ``torch.use_deterministic_algorithms(True)`` (operations without a deterministic version then
   raise instead of silently varying) and turns ``torch.backends.cudnn.benchmark`` off (the
   autotuner may pick different kernels from run to run). Without it, those settings are left
   as they are.
2. ``make_loader(dataset, batch_size, seed) -> DataLoader`` returns a shuffling loader whose
   order depends on ``seed`` only: give it its own ``torch.Generator`` seeded with ``seed``, so
   that whatever else the program draws from the global generator, the batches come in the same
   order, epoch after epoch.
3. ``run_experiment(dataset, seed, *, model_fn, epochs, lr, batch_size)
   -> tuple[list[float], dict[str, torch.Tensor]]``: seed everything with ``seed``; then build
   the model with ``model_fn()``, an ``torch.optim.SGD`` optimizer with learning rate ``lr``,
   and a loader from ``make_loader(dataset, batch_size, seed)``; train ``epochs`` epochs with
   ``train_one_epoch``. Return the epoch losses and the final ``model.state_dict()``.

The spec's data set augments its samples with NumPy and Python's ``random`` and its models
use dropout: two runs with the same seed must agree bit for bit, with anything drawn in
between, and two seeds must differ.

Check it: ``kata check training/seed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]


def train_one_epoch(
    model: nn.Module, loader: DataLoader[Batch], optimizer: torch.optim.Optimizer
) -> float:
    """Given (from training/step), with cross-entropy built in: returns the mean batch loss."""
    model.train()
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def seed_everything(seed: int, *, deterministic: bool = False) -> None:
    raise NotImplementedError("seed_everything: random, numpy and torch; flags if deterministic")


def make_loader(dataset: Dataset[Batch], batch_size: int, seed: int) -> DataLoader[Batch]:
    raise NotImplementedError("make_loader: a shuffling DataLoader with its own seeded generator")


def run_experiment(
    dataset: Dataset[Batch],
    seed: int,
    *,
    model_fn: Callable[[], nn.Module],
    epochs: int,
    lr: float,
    batch_size: int,
) -> tuple[list[float], dict[str, torch.Tensor]]:
    raise NotImplementedError("run_experiment: seed first, then build and train")
