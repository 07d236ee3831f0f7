"""Learning-rate schedules: step, cosine, warmup, and where ``scheduler.step()`` goes.

A constant learning rate is a compromise: large enough to make progress early, too large to
settle into a minimum late. Schedules change it as training goes: a *step* schedule divides
it every few epochs, a *cosine* schedule glides it down to a minimum, and a *warmup* starts
small for the first steps (large models, Adam and big batches are fragile at first) before the
decay. The classic bug is not the formula but the call: ``scheduler.step()`` must come after
``optimizer.step()``, and once per unit the schedule counts in. A schedule meant per epoch but
stepped per batch collapses the learning rate within one epoch, silently.

Write four functions (``optimizer`` is any ``torch.optim`` optimizer; its current lr is the
"base" ``lr`` the schedule starts from):

1. ``step_schedule(optimizer, step_size, gamma)``: the lr is multiplied by ``gamma`` every
   ``step_size`` scheduler steps: ``lr * gamma ** (t // step_size)`` after ``t`` steps.
2. ``cosine_schedule(optimizer, total_steps, min_lr=0.0)``: after ``t`` steps,
   ``min_lr + (lr - min_lr) * (1 + cos(pi * t / total_steps)) / 2``.
3. ``warmup_cosine_schedule(optimizer, warmup_steps, total_steps)``: after ``t`` steps the lr
   is ``lr * (t + 1) / warmup_steps`` while ``t < warmup_steps`` (a linear ramp that reaches
   ``lr`` at ``t = warmup_steps - 1``), then
   ``lr * (1 + cos(pi * (t - warmup_steps) / (total_steps - warmup_steps))) / 2``.
   ``torch.optim.lr_scheduler.LambdaLR`` turns a function of ``t`` into a schedule.
4. ``train_with_schedule(model, loader, loss_fn, optimizer, scheduler, epochs, *, per_batch)
   -> list[float]``: train for ``epochs`` epochs (zero_grad, forward, loss, backward, step for
   every batch) and step the scheduler after every optimizer step when ``per_batch`` is true,
   or once at the end of every epoch when it is false. Return the lr each optimizer step used,
   in order.

All three schedules return a ``torch.optim.lr_scheduler.LRScheduler``. The spec compares the
lr sequences with the formulas above, checks that each optimizer step used the lr you
reported, and that PyTorch never warns that the scheduler stepped before the optimizer.

Check it: ``kata check training/lr-schedule``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def step_schedule(optimizer: torch.optim.Optimizer, step_size: int, gamma: float) -> LRScheduler:
    raise NotImplementedError("step_schedule: multiply by gamma every step_size steps")


def cosine_schedule(
    optimizer: torch.optim.Optimizer, total_steps: int, min_lr: float = 0.0
) -> LRScheduler:
    raise NotImplementedError("cosine_schedule: half a cosine from lr down to min_lr")


def warmup_cosine_schedule(
    optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int
) -> LRScheduler:
    raise NotImplementedError("warmup_cosine_schedule: a linear ramp, then a cosine, as a lambda")


def train_with_schedule(
    model: nn.Module,
    loader: Loader,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    scheduler: LRScheduler,
    epochs: int,
    *,
    per_batch: bool,
) -> list[float]:
    raise NotImplementedError("train_with_schedule: scheduler.step() after optimizer.step()")
