"""Encoder -> Decoder -> FullModel: compose modules out of modules.

Real models are built from parts: an encoder that compresses the input to a small code, a
decoder that rebuilds something from the code, and a model that wires them together.
Autoencoders, U-Nets, sequence-to-sequence models and VAEs all have this shape. Writing the
parts as separate modules lets you test each, swap one (a convolutional encoder for a linear
one), or reuse the trained encoder on its own.

Write an image autoencoder from four pieces:

1. ``Encoder(image_shape, hidden, latent)``: ``image_shape`` is ``(C, H, W)``. Submodules
   ``fc1 = nn.Linear(C * H * W, hidden)`` and ``fc2 = nn.Linear(hidden, latent)``.
   ``forward(x)``: ``(B, C, H, W)`` -> flatten each image -> ``fc1`` -> ReLU -> ``fc2`` ->
   ``(B, latent)``.
2. ``Decoder(latent, hidden, image_shape)``: submodules ``fc1 = nn.Linear(latent, hidden)``
   and ``fc2 = nn.Linear(hidden, C * H * W)``. ``forward(z)``: ``(B, latent)`` -> ``fc1`` ->
   ReLU -> ``fc2`` -> sigmoid (pixels in [0, 1]) -> ``(B, C, H, W)``.
3. ``FullModel(encoder, decoder)``: holds the two modules it is given (any modules, not only
   the classes above) as the submodules ``encoder`` and ``decoder``; ``encode(x)`` runs the
   encoder, ``decode(z)`` the decoder, and ``forward(x)`` is ``decode(encode(x))``.
4. ``build_autoencoder(image_shape, hidden, latent)``: a ``FullModel`` of an ``Encoder`` and a
   matching ``Decoder``.

Every sample is encoded and decoded on its own: no dim of the batch is mixed with another.

Check it: ``kata check modules/encoder-decoder``.
"""

from __future__ import annotations

import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self, image_shape: tuple[int, int, int], hidden: int, latent: int) -> None:
        super().__init__()
        raise NotImplementedError("Encoder.__init__: fc1 from the pixel count, fc2 to latent")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Encoder.forward: flatten each image, then the two layers")


class Decoder(nn.Module):
    def __init__(self, latent: int, hidden: int, image_shape: tuple[int, int, int]) -> None:
        super().__init__()
        raise NotImplementedError("Decoder.__init__: fc1 from latent, fc2 to the pixel count")

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Decoder.forward: two layers, sigmoid, back to image shape")


class FullModel(nn.Module):
    def __init__(self, encoder: nn.Module, decoder: nn.Module) -> None:
        super().__init__()
        raise NotImplementedError("FullModel.__init__: keep both parts as submodules")

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("FullModel.encode: run the encoder")

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("FullModel.decode: run the decoder")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("FullModel.forward: decode what you encode")


def build_autoencoder(image_shape: tuple[int, int, int], hidden: int, latent: int) -> FullModel:
    raise NotImplementedError("build_autoencoder: an Encoder and a matching Decoder in a FullModel")
