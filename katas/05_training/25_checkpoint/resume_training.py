"""Save a checkpoint and resume to the very same result.

Long runs get interrupted: a preempted cloud machine, a crash at epoch 40 of 50, a laptop lid
closed. A checkpoint written after every epoch lets you resume instead of starting over, and a
good one resumes to *exactly* the run you would have had: the same weights, bit for bit. That
takes more than the weights. The optimizer has state of its own (Adam's running averages, SGD's
momentum), the loop must know which epoch comes next, and shuffling and dropout draw from the
random generator, whose state must be put back too.

``train_one_epoch`` is given, finished. Write three functions:

1. ``save_checkpoint(path, model, optimizer, epoch)`` writes one file with ``torch.save``: a
   dict holding the model's ``state_dict()`` under ``"model"``, the optimizer's under
   ``"optimizer"``, ``epoch`` (the number of epochs completed) under ``"epoch"``, and the
   global CPU random state (``torch.get_rng_state()``) under ``"rng_state"``.
2. ``load_checkpoint(path, model, optimizer) -> int`` reads it back with a plain
   ``torch.load(path)``, restores the model, the optimizer and the random state, and returns
   the saved epoch. (``torch.load`` only unpickles tensors, numbers, strings and containers of
   them unless told ``weights_only=False``: keep the checkpoint to those and it loads safely.)
3. ``fit(model, optimizer, loader, loss_fn, epochs, checkpoint_path, *, resume=False)
   -> list[float]`` trains until ``epochs`` epochs are complete, saving a checkpoint after every
   epoch. With ``resume=True`` and a checkpoint at ``checkpoint_path``, it first loads it and
   carries on from the saved epoch; otherwise it starts at epoch 0 (overwriting any old
   checkpoint). It returns the losses of the epochs it trained in this call.

The spec trains 4 epochs in one go, and 2 epochs, then resumes a fresh model and optimizer
(made with different random weights) to 4, with a shuffling loader, dropout and Adam, and
expects the same weights bit for bit.

Check it: ``kata check training/checkpoint``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_one_epoch(
    model: nn.Module, loader: Loader, loss_fn: LossFn, optimizer: torch.optim.Optimizer
) -> float:
    """Given (from training/step): one pass over ``loader``; returns the mean batch loss."""
    model.train()
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def save_checkpoint(
    path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int
) -> None:
    raise NotImplementedError("save_checkpoint: one dict with every state a resume needs")


def load_checkpoint(path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    raise NotImplementedError("load_checkpoint: restore each state, return the saved epoch")


def fit(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loader: Loader,
    loss_fn: LossFn,
    epochs: int,
    checkpoint_path: str | Path,
    *,
    resume: bool = False,
) -> list[float]:
    raise NotImplementedError("fit: maybe resume, then train and save after every epoch")
