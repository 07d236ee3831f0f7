"""Profile a training step and name the bottleneck.

"Training is slow" is not something you can fix; "the optimizer step takes 60% of every
iteration" is. ``torch.profiler`` records every operator PyTorch runs, and
``torch.profiler.record_function`` adds labelled ranges of your own, so the record can say
which *phase* of a step the time goes to and which *operators* inside it. Two habits make the
numbers honest: warm up before profiling (the first steps pay one-off costs), and profile
several steps, not one. On a GPU, operators only *launch* kernels, so the CPU time of a phase
can be small while the GPU is busy: look at the device columns there.

Write five functions:

1. ``labelled_train_step(model, inputs, targets, loss_fn, optimizer) -> float``: one ordinary
   training step (zero_grad, forward, loss, backward, step) whose forward pass and loss run
   inside ``record_function("forward")``, backward inside ``record_function("backward")`` and
   the optimizer step inside ``record_function("optimizer")``. Return the loss as a float.
2. ``profile_steps(step, *, warmup, active) -> torch.profiler.profile``: call ``step()``
   ``warmup`` times without profiling, then ``active`` times inside a
   ``torch.profiler.profile()`` context (its defaults record the CPU, and CUDA when present),
   and return the finished profiler.
3. ``phase_times(prof) -> dict[str, float]``: for each of ``PHASES``, the mean CPU time of
   one occurrence of that labelled range, in milliseconds, from ``prof.key_averages()``.
4. ``bottleneck(prof) -> str``: the phase with the largest time.
5. ``top_ops(prof, k) -> list[str]``: the names of the ``k`` operators (rows whose name starts
   with ``"aten::"``) with the largest *self* CPU time, largest first.

The spec slows one phase down on purpose (a sleep in the forward pass, in a backward
function, or in the optimizer) and expects your profile to point at it.

Check it: ``kata check tech/profile``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.profiler import profile

PHASES = ("forward", "backward", "optimizer")


def labelled_train_step(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
) -> float:
    raise NotImplementedError("labelled_train_step: a record_function range around each phase")


def profile_steps(step: Callable[[], object], *, warmup: int, active: int) -> profile:
    raise NotImplementedError("profile_steps: warm up first, then profile the active steps")


def phase_times(prof: profile) -> dict[str, float]:
    raise NotImplementedError("phase_times: mean milliseconds per occurrence of each phase")


def bottleneck(prof: profile) -> str:
    raise NotImplementedError("bottleneck: the slowest phase")


def top_ops(prof: profile, k: int) -> list[str]:
    raise NotImplementedError("top_ops: aten:: operators by self CPU time, largest first")
