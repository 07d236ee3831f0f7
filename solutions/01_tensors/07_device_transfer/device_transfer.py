"""Reference solution for tensors/device-transfer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn


def move(batch: Any, device: str | torch.device, *, non_blocking: bool = False) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=non_blocking)
    if isinstance(batch, dict):
        return {key: move(value, device, non_blocking=non_blocking) for key, value in batch.items()}
    if isinstance(batch, list):
        return [move(item, device, non_blocking=non_blocking) for item in batch]
    if isinstance(batch, tuple):
        items = [move(item, device, non_blocking=non_blocking) for item in batch]
        return type(batch)(*items) if hasattr(batch, "_fields") else tuple(items)
    return batch


def model_to(model: nn.Module, device: str | torch.device) -> nn.Module:
    return model.to(device)


def devices_of(model: nn.Module) -> set[str]:
    tensors = [*model.parameters(), *model.buffers()]
    return {t.device.type for t in tensors}


def _default_sync(device: str | torch.device) -> Callable[[], None]:
    if torch.device(device).type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


def transfer_seconds(
    x: torch.Tensor,
    device: str | torch.device,
    *,
    pinned: bool,
    warmup: int = 2,
    repeats: int = 10,
    clock: Callable[[], float] = time.perf_counter,
    sync: Callable[[], None] | None = None,
) -> float:
    wait = sync if sync is not None else _default_sync(device)
    source = x.pin_memory() if pinned else x
    for _ in range(warmup):
        source.to(device, non_blocking=pinned)
    wait()
    start = clock()
    for _ in range(repeats):
        source.to(device, non_blocking=pinned)
    wait()
    return (clock() - start) / repeats
