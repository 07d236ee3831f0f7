"""Reference solution for tensors/autograd."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn


def grad_at(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    point = x.detach().requires_grad_(True)
    f(point).sum().backward()
    assert point.grad is not None
    return point.grad


def accumulated_grad(
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    w: torch.Tensor,
    batches: Sequence[torch.Tensor],
) -> torch.Tensor:
    w.grad = None
    for batch in batches:
        (loss_fn(w, batch) / len(batches)).backward()
    assert w.grad is not None
    return w.grad


def hidden_grad(
    encode: Callable[[torch.Tensor], torch.Tensor],
    head: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    h = encode(x)
    h.retain_grad()
    head(h).backward()
    assert x.grad is not None
    assert h.grad is not None
    return x.grad, h.grad


def straight_through(x: torch.Tensor) -> torch.Tensor:
    return x + (torch.round(x) - x).detach()


def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        out: torch.Tensor = model(x)
    return out


def frozen_features(encoder: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        out: torch.Tensor = encoder(x)
    return out
