"""Reference solution for tech/profile."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.profiler import profile, record_function

PHASES = ("forward", "backward", "optimizer")


def labelled_train_step(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
) -> float:
    optimizer.zero_grad()
    with record_function("forward"):
        loss = loss_fn(model(inputs), targets)
    with record_function("backward"):
        loss.backward()
    with record_function("optimizer"):
        optimizer.step()
    return loss.item()


def profile_steps(step: Callable[[], object], *, warmup: int, active: int) -> profile:
    for _ in range(warmup):
        step()
    with profile() as prof:
        for _ in range(active):
            step()
    return prof


def phase_times(prof: profile) -> dict[str, float]:
    rows = {row.key: row for row in prof.key_averages()}
    return {name: rows[name].cpu_time_total / rows[name].count / 1000 for name in PHASES}


def bottleneck(prof: profile) -> str:
    times = phase_times(prof)
    return max(times, key=lambda name: times[name])


def top_ops(prof: profile, k: int) -> list[str]:
    ops = [row for row in prof.key_averages() if row.key.startswith("aten::")]
    ops.sort(key=lambda row: row.self_cpu_time_total, reverse=True)
    return [row.key for row in ops[:k]]
