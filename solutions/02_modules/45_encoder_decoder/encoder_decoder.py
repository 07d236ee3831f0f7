"""Reference solution for modules/encoder-decoder."""

from __future__ import annotations

import math

import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self, image_shape: tuple[int, int, int], hidden: int, latent: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(math.prod(image_shape), hidden)
        self.fc2 = nn.Linear(hidden, latent)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


class Decoder(nn.Module):
    def __init__(self, latent: int, hidden: int, image_shape: tuple[int, int, int]) -> None:
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.fc1 = nn.Linear(latent, hidden)
        self.fc2 = nn.Linear(hidden, math.prod(image_shape))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        pixels = torch.sigmoid(self.fc2(torch.relu(self.fc1(z))))
        return pixels.unflatten(1, self.image_shape)


class FullModel(nn.Module):
    def __init__(self, encoder: nn.Module, decoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def build_autoencoder(image_shape: tuple[int, int, int], hidden: int, latent: int) -> FullModel:
    return FullModel(Encoder(image_shape, hidden, latent), Decoder(latent, hidden, image_shape))
