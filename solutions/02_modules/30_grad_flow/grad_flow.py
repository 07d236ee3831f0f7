"""Reference solution for modules/grad-flow."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

VANISH_BELOW = 1e-6
EXPLODE_ABOVE = 1e3


class LayerGrad(NamedTuple):
    name: str
    norm: float
    status: str


def grad_norm_report(
    model: nn.Module, *, vanish_below: float = VANISH_BELOW, explode_above: float = EXPLODE_ABOVE
) -> list[LayerGrad]:
    report = []
    for name, module in model.named_modules():
        params = list(module.parameters(recurse=False))
        if not params:
            continue
        grads = [p.grad.double().flatten() for p in params if p.grad is not None]
        if not grads:
            report.append(LayerGrad(name, 0.0, "no-grad"))
            continue
        norm = float(torch.linalg.vector_norm(torch.cat(grads)))
        if norm < vanish_below:
            status = "vanishing"
        elif norm > explode_above:
            status = "exploding"
        else:
            status = "ok"
        report.append(LayerGrad(name, norm, status))
    return report


def diagnose(report: list[LayerGrad]) -> str:
    statuses = {layer.status for layer in report}
    if "exploding" in statuses:
        return "exploding"
    if "vanishing" in statuses:
        return "vanishing"
    return "healthy"
