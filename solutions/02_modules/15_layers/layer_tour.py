"""Reference solution for modules/layers."""

from __future__ import annotations

import torch
from torch import nn


def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def batch_norm_eval(
    x: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    shape = (1, -1, 1, 1)
    normed = (x - running_mean.view(shape)) / torch.sqrt(running_var.view(shape) + eps)
    return normed * weight.view(shape) + bias.view(shape)


def batch_norm_train(
    x: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    dims = (0, 2, 3)
    mean = x.mean(dim=dims)
    var = x.var(dim=dims, correction=0)
    n = x.numel() / x.shape[1]
    out = batch_norm_eval(x, mean, var, weight, bias, eps)
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    return out, new_mean, new_var


class SmallConvNet(nn.Module):
    def __init__(
        self, in_channels: int, num_classes: int, image_size: tuple[int, int], p_drop: float = 0.5
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 8, kernel_size=3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, stride=2)
        self.dropout = nn.Dropout(p_drop)
        h, w = (conv_output_size(s // 2, 3, stride=2) for s in image_size)
        self.fc = nn.Linear(16 * h * w, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.bn(self.conv1(x))))
        x = torch.relu(self.conv2(x))
        return self.fc(self.dropout(torch.flatten(x, 1)))
