"""Reference solution for tensors/shapes."""

from __future__ import annotations

import torch


def flatten_images(images: torch.Tensor) -> torch.Tensor:
    return images.flatten(start_dim=1)


def to_nhwc(images: torch.Tensor) -> torch.Tensor:
    return images.permute(0, 2, 3, 1)


def batch_images(images: list[torch.Tensor]) -> torch.Tensor:
    return torch.stack(images)


def join_features(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.cat((a, b), dim=1)


def drop_channel(masks: torch.Tensor) -> torch.Tensor:
    if masks.shape[1] != 1:
        raise ValueError(f"drop_channel expects (B, 1, H, W), got {tuple(masks.shape)}")
    return masks.squeeze(1)


def last_step(seq: torch.Tensor) -> torch.Tensor:
    return seq[:, -1]


def select_rows(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    return x[keep]
