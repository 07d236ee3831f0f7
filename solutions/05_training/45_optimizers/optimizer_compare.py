"""Reference solution for training/optimizers."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence

import torch
from torch import nn


def make_optimizer(
    name: str, params: Iterable[nn.Parameter], lr: float, weight_decay: float = 0.0
) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}: use 'sgd', 'adam' or 'adamw'")


def compare_optimizers(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    names: Sequence[str],
    *,
    steps: int,
    lr: float,
    weight_decay: float = 0.0,
) -> dict[str, list[float]]:
    curves = {}
    for name in names:
        candidate = copy.deepcopy(model)
        optimizer = make_optimizer(name, candidate.parameters(), lr, weight_decay)
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn(candidate(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        curves[name] = losses
    return curves


def best_optimizer(curves: dict[str, list[float]]) -> str:
    return min(curves, key=lambda name: curves[name][-1])
