"""Reference solution for modules/init."""

from __future__ import annotations

import math

import torch
from torch import nn


def fans(weight: torch.Tensor) -> tuple[int, int]:
    if weight.dim() < 2:
        raise ValueError(
            f"fans need a weight with at least 2 dims, got shape {tuple(weight.shape)}"
        )
    receptive_field = math.prod(weight.shape[2:])
    return weight.shape[1] * receptive_field, weight.shape[0] * receptive_field


def xavier_std(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def kaiming_std(fan_in: int, negative_slope: float = 0.0) -> float:
    return math.sqrt(2.0 / (1 + negative_slope**2) / fan_in)


def orthogonal(rows: int, cols: int, generator: torch.Generator | None = None) -> torch.Tensor:
    tall = torch.randn(max(rows, cols), min(rows, cols), generator=generator)
    q, r = torch.linalg.qr(tall)
    # Flip each column by the sign of R's diagonal; dividing by +-1 would do the same.
    q = q * torch.sign(torch.diagonal(r))  # mutate: skip (`*` -> `/` is equivalent)
    # For a square matrix q and q.T are both random orthogonal matrices: `>` is equivalent.
    return q if rows >= cols else q.T  # mutate: skip


def init_(module: nn.Module, scheme: str, generator: torch.Generator | None = None) -> nn.Module:
    if scheme not in ("xavier", "kaiming", "orthogonal"):
        raise ValueError(f"unknown scheme {scheme!r}: use 'xavier', 'kaiming' or 'orthogonal'")
    for layer in module.modules():
        if not isinstance(layer, nn.Linear | nn.Conv2d):
            continue
        weight = layer.weight
        fan_in, fan_out = fans(weight)
        with torch.no_grad():
            if scheme == "xavier":
                weight.normal_(0.0, xavier_std(fan_in, fan_out), generator=generator)
            elif scheme == "kaiming":
                weight.normal_(0.0, kaiming_std(fan_in), generator=generator)
            else:
                weight.copy_(orthogonal(weight.shape[0], fan_in, generator).view_as(weight))
            if layer.bias is not None:
                layer.bias.zero_()
    return module
