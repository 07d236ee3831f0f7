"""Resume a Lightning run exactly: optimizer, scheduler, loop state, and the shuffling.

A run that was interrupted (a preempted machine, a crash, a time limit) should resume to the
very same result it would have reached uninterrupted. In the training track you saved and
restored each piece by hand. Lightning does most of it for you: ``trainer.fit(model, loader,
ckpt_path=...)`` restores the weights, the optimizer's and scheduler's state, the epoch and
step counters and the callbacks' state. One thing it does not restore is the global random
generator, and a ``DataLoader(shuffle=True)`` draws each epoch's order from it: after a resume
the batches come in another order and the run drifts away. The remedy is a sampler whose order
depends on the epoch number alone; Lightning calls ``sampler.set_epoch(epoch)`` at the start
of every epoch on any sampler that has that method (as ``DistributedSampler`` does).

Write:

1. ``EpochSampler(num_samples, seed=0)``, a ``Sampler[int]``: ``set_epoch(epoch)`` remembers
   the epoch (0 until called); iterating yields the indices
   ``torch.randperm(num_samples, generator=torch.Generator().manual_seed(seed + epoch))`` in
   that order (as ints); ``len()`` is ``num_samples``.
2. ``train(model, dataset, root_dir, max_epochs, resume=False) -> L.Trainer`` trains ``model``
   on the CPU until ``max_epochs`` epochs are complete (no logger, no progress bar, no model
   summary), in batches of 8 drawn with an ``EpochSampler`` (seed 0), saving a checkpoint
   named ``last.ckpt`` into ``root_dir / "checkpoints"`` after every epoch. With
   ``resume=True`` it first restores the whole training state from that last checkpoint (if
   there is none yet, it starts from scratch).

The spec trains 4 epochs in one go, and 2 epochs, then resumes a *fresh* model (other random
weights) to 4, with Adam and a learning-rate schedule, and expects the same weights.

Check it: ``kata check lightning/resume``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lightning as L
import torch
from torch.utils.data import Dataset, Sampler


class EpochSampler(Sampler[int]):
    def __init__(self, num_samples: int, seed: int = 0) -> None:
        self.num_samples, self.seed, self.epoch = num_samples, seed, 0

    def set_epoch(self, epoch: int) -> None:
        raise NotImplementedError("set_epoch: remember the epoch")

    def __len__(self) -> int:
        raise NotImplementedError("__len__: the number of samples")

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError("__iter__: a permutation seeded by seed + epoch")


def train(
    model: L.LightningModule,
    dataset: Dataset[tuple[torch.Tensor, torch.Tensor]],
    root_dir: str | Path,
    max_epochs: int,
    resume: bool = False,
) -> L.Trainer:
    raise NotImplementedError("train: save last.ckpt every epoch; resume with ckpt_path")
