"""Spec for modules/encoder-decoder: Encoder, Decoder, FullModel and build_autoencoder.

Oracles: the forward passes written out with each module's own weights, and PyTorch's own
bookkeeping (``named_children``, ``state_dict``, ``parameters``) for the composition.
"""

import math

import pytest
import torch
from encoder_decoder import Decoder, Encoder, FullModel, build_autoencoder
from torch import nn

from katakit.testing import assert_shape, assert_tensor

# (image_shape, hidden, latent): colour and grey, square and not, a single pixel row
CONFIGS = [((3, 4, 5), 16, 4), ((1, 6, 6), 10, 3), ((2, 1, 7), 8, 5), ((3, 3, 3), 12, 2)]


def rand(*shape: int, seed: int) -> torch.Tensor:
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def seeded(seed: int) -> None:
    torch.manual_seed(seed)


def encode_by_hand(enc: Encoder, x: torch.Tensor) -> torch.Tensor:
    flat = x.reshape(len(x), -1)
    return torch.relu(flat @ enc.fc1.weight.T + enc.fc1.bias) @ enc.fc2.weight.T + enc.fc2.bias


def decode_by_hand(dec: Decoder, z: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    h = torch.relu(z @ dec.fc1.weight.T + dec.fc1.bias)
    return torch.sigmoid(h @ dec.fc2.weight.T + dec.fc2.bias).reshape(len(z), *shape)


def autoencoder_params(shape: tuple[int, ...], hidden: int, latent: int) -> int:
    pixels = math.prod(shape)
    encoder = pixels * hidden + hidden + hidden * latent + latent
    decoder = latent * hidden + hidden + hidden * pixels + pixels
    return encoder + decoder


@pytest.mark.parametrize(("shape", "hidden", "latent"), CONFIGS, ids=str)
@pytest.mark.parametrize("batch", [1, 6])
def test_encoder(shape: tuple[int, int, int], hidden: int, latent: int, batch: int) -> None:
    seeded(batch)
    enc = Encoder(shape, hidden, latent)
    x = rand(batch, *shape, seed=batch + hidden)
    with torch.no_grad():
        z = enc(x)
        assert isinstance(z, torch.Tensor), f"Encoder should return a tensor, got {type(z)}"
        assert_shape(
            z, (batch, latent), f"Encoder({shape}, {hidden}, {latent}) on {tuple(x.shape)}"
        )
        assert_tensor(
            z,
            encode_by_hand(enc, x),
            what="Encoder: flatten each image, fc1, ReLU, fc2",
            atol=1e-5,
            rtol=1e-5,
        )


@pytest.mark.parametrize(("shape", "hidden", "latent"), CONFIGS, ids=str)
@pytest.mark.parametrize("batch", [1, 6])
def test_decoder(shape: tuple[int, int, int], hidden: int, latent: int, batch: int) -> None:
    seeded(batch + 1)
    dec = Decoder(latent, hidden, shape)
    z = torch.randn(batch, latent, generator=torch.Generator().manual_seed(latent)) * 3
    with torch.no_grad():
        images = dec(z)
        assert isinstance(images, torch.Tensor), f"Decoder should return a tensor, got {images}"
        assert_shape(images, (batch, *shape), f"Decoder({latent}, {hidden}, {shape})")
        assert_tensor(
            images,
            decode_by_hand(dec, z, shape),
            what="Decoder: fc1, ReLU, fc2, sigmoid, then back to (C, H, W) per sample",
            atol=1e-5,
            rtol=1e-5,
        )


def test_decoder_output_is_a_valid_image() -> None:
    seeded(2)
    images = Decoder(3, 8, (1, 5, 5))(torch.randn(10, 3) * 50).detach()
    assert bool((images >= 0).all()) and bool((images <= 1).all()), (
        f"decoded pixels should lie in [0, 1] (a sigmoid at the end), got values from "
        f"{float(images.min()):.3f} to {float(images.max()):.3f}"
    )


@pytest.mark.parametrize(("shape", "hidden", "latent"), CONFIGS, ids=str)
def test_full_model_composes_encoder_then_decoder(
    shape: tuple[int, int, int], hidden: int, latent: int
) -> None:
    seeded(3)
    enc, dec = Encoder(shape, hidden, latent), Decoder(latent, hidden, shape)
    model = FullModel(enc, dec)
    assert model.encoder is enc and model.decoder is dec, (
        "FullModel should keep the very encoder and decoder it was given, as .encoder and "
        ".decoder (not copies, not new ones)"
    )
    x = rand(4, *shape, seed=latent)
    with torch.no_grad():
        z = model.encode(x)
        assert_tensor(z, enc(x), what="FullModel.encode(x) against encoder(x)", atol=0, rtol=0)
        assert_tensor(
            model.decode(z), dec(z), what="FullModel.decode(z) against decoder(z)", atol=0, rtol=0
        )
        out = model(x)
        assert_tensor(
            out, dec(enc(x)), what="FullModel(x) against decoder(encoder(x))", atol=0, rtol=0
        )
    assert_shape(out, x.shape, "a reconstruction (the same shape as the input)")


def test_full_model_registers_its_parts() -> None:
    seeded(4)
    model = FullModel(Encoder((1, 4, 4), 6, 2), Decoder(2, 6, (1, 4, 4)))
    children = [name for name, _ in model.named_children()]
    assert children == ["encoder", "decoder"], (
        f"FullModel's children: expected ['encoder', 'decoder'], got {children}: assign the "
        "modules as attributes so that parameters(), state_dict() and .to() see them"
    )
    keys = sorted(model.state_dict())
    want = sorted(
        f"{part}.{layer}.{kind}"
        for part in ("encoder", "decoder")
        for layer in ("fc1", "fc2")
        for kind in ("weight", "bias")
    )
    assert keys == want, f"state_dict keys: expected {want}, got {keys}"


def test_full_model_composes_any_modules() -> None:
    seeded(5)
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(12, 3))
    decoder = nn.Sequential(nn.Linear(3, 12), nn.Unflatten(1, (3, 4)))
    model = FullModel(encoder, decoder)
    x = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        assert_tensor(model(x), decoder(encoder(x)), what="FullModel of two nn.Sequential parts")
    assert sum(p.numel() for p in model.parameters()) == 39 + 48, (
        "FullModel's parameters should be exactly its encoder's and its decoder's"
    )


@pytest.mark.parametrize(("shape", "hidden", "latent"), CONFIGS, ids=str)
def test_build_autoencoder(shape: tuple[int, int, int], hidden: int, latent: int) -> None:
    seeded(7)
    model = build_autoencoder(shape, hidden, latent)
    assert isinstance(model, FullModel), f"build_autoencoder should return a FullModel, got {model}"
    assert isinstance(model.encoder, Encoder) and isinstance(model.decoder, Decoder), (
        "build_autoencoder should put an Encoder and a Decoder into the FullModel"
    )
    got = sum(p.numel() for p in model.parameters())
    want = autoencoder_params(shape, hidden, latent)
    assert got == want, (
        f"build_autoencoder({shape}, {hidden}, {latent}) should have {want} parameters "
        f"(encoder: pixels -> hidden -> latent, decoder: latent -> hidden -> pixels), got {got}"
    )
    assert (model.encoder.fc2.out_features, model.decoder.fc1.in_features) == (latent, latent), (
        "the encoder's output and the decoder's input should both be the latent size"
    )
    x = rand(3, *shape, seed=8)
    assert_shape(model(x), x.shape, f"build_autoencoder({shape}, ...)(x)")


def test_each_reconstruction_depends_on_its_own_image() -> None:
    seeded(9)
    model = build_autoencoder((2, 3, 4), 10, 3)
    x = rand(5, 2, 3, 4, seed=10)
    with torch.no_grad():
        batch = model(x)
        alone = torch.cat([model(x[i : i + 1]) for i in range(5)])
    assert_tensor(
        batch, alone, what="a batch of 5 against each image on its own", atol=1e-6, rtol=1e-5
    )


def test_gradients_reach_every_parameter() -> None:
    seeded(11)
    model = build_autoencoder((1, 5, 5), 12, 4)
    with torch.no_grad():
        model.encoder.fc1.bias.fill_(1.0)
        model.decoder.fc1.bias.fill_(1.0)
    x = rand(8, 1, 5, 5, seed=12)
    nn.functional.mse_loss(model(x), x).backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.any()]
    assert not missing, (
        f"the reconstruction loss sent no gradient to {missing}: the whole chain encoder -> "
        "decoder must be one graph (no detach, no torch.no_grad in forward)"
    )
