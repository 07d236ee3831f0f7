"""Reference solution for tech/amp."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def autocast_dtype(device_type: str) -> torch.dtype:
    return torch.float16 if device_type == "cuda" else torch.bfloat16


def make_scaler(device_type: str, dtype: torch.dtype) -> torch.amp.GradScaler:
    return torch.amp.GradScaler(device_type, enabled=dtype == torch.float16)


def amp_train_step(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler,
    *,
    dtype: torch.dtype,
) -> float:
    optimizer.zero_grad()
    with torch.autocast(inputs.device.type, dtype=dtype):
        loss = loss_fn(model(inputs), targets)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()


def amp_predict(model: nn.Module, inputs: torch.Tensor, *, dtype: torch.dtype) -> torch.Tensor:
    model.eval()
    with torch.no_grad(), torch.autocast(inputs.device.type, dtype=dtype):
        outputs = model(inputs)
    return outputs.float()
