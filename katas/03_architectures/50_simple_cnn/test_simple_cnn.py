"""Spec for arch/simple-cnn: shapes, layers, parameter count, and overfitting one batch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from simple_cnn import SimpleCNN
from torch import nn

from katakit.testing import assert_shape, assert_tensor


def images(batch: int, seed: int, channels: int = 3) -> torch.Tensor:
    return torch.randn(batch, channels, 32, 32, generator=torch.Generator().manual_seed(seed))


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def formula(num_classes: int, in_channels: int) -> int:
    convs = 9 * (in_channels * 32 + 32 * 64 + 64 * 128)  # no biases
    norms = 2 * (32 + 64 + 128)
    head = (128 * 4 * 4 * 256 + 256) + (256 * num_classes + num_classes)
    return convs + norms + head


@pytest.mark.parametrize(
    ("batch", "num_classes", "in_channels"), [(1, 10, 3), (5, 4, 1), (3, 7, 2)]
)
def test_logits_shape(batch: int, num_classes: int, in_channels: int) -> None:
    model = SimpleCNN(num_classes, in_channels)
    out = model(images(batch, seed=batch, channels=in_channels))
    assert_shape(
        out,
        (batch, num_classes),
        f"SimpleCNN({num_classes}, {in_channels}) on {batch} images of {in_channels}x32x32",
    )


@pytest.mark.parametrize("in_channels", [3, 1])
def test_features_shape(in_channels: int) -> None:
    model = SimpleCNN(in_channels=in_channels)
    x = images(2, seed=0, channels=in_channels)
    assert_shape(model.features(x), (2, 128, 4, 4), "model.features on (2, C, 32, 32) images")
    outputs = []
    out = x
    for block in model.features:
        out = block(out)
        outputs.append(tuple(out.shape[1:]))
    want = [(32, 16, 16), (64, 8, 8), (128, 4, 4)]
    assert outputs == want, (
        f"after each conv block the feature maps should be {want} (C, H, W), got {outputs}"
    )


def test_feature_block_layers() -> None:
    model = SimpleCNN()
    assert len(model.features) == 3, f"features should hold 3 blocks, got {len(model.features)}"
    for i, block in enumerate(model.features):
        kinds = [type(m).__name__ for m in block]
        assert kinds == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"], f"block {i}: {kinds}"
        conv = block[0]
        got = (conv.kernel_size, conv.padding, conv.bias is None)
        assert got == ((3, 3), (1, 1), True), (
            f"block {i}'s conv: (kernel, padding, no-bias) should be ((3, 3), (1, 1), True), got "
            f"{got}"
        )
        assert block[3].kernel_size in (2, (2, 2)), f"block {i}: the max pool should be 2x2"


def test_classifier_layers() -> None:
    model = SimpleCNN(num_classes=6, dropout=0.3)
    kinds = [type(m).__name__ for m in model.classifier]
    want = ["Flatten", "Linear", "ReLU", "Dropout", "Linear"]
    assert kinds == want, f"classifier layers: expected {want}, got {kinds}"
    sizes = [(m.in_features, m.out_features) for m in model.classifier if isinstance(m, nn.Linear)]
    assert sizes == [(2048, 256), (256, 6)], f"(in, out) of the linear layers: {sizes}"
    assert model.classifier[3].p == 0.3, (
        f"SimpleCNN(dropout=0.3) should use Dropout(p=0.3), got p={model.classifier[3].p}"
    )
    assert SimpleCNN().classifier[3].p == 0.5, "dropout defaults to 0.5"


def test_default_parameter_count() -> None:
    got = count(SimpleCNN())
    assert formula(10, 3) == 620_586
    assert got == 620_586, (
        f"SimpleCNN() should have 620,586 parameters, got {got:,}. Conv weights "
        f"{9 * (3 * 32 + 32 * 64 + 64 * 128):,}, norms {2 * (32 + 64 + 128)}, first linear "
        f"{2048 * 256 + 256:,}, last linear {256 * 10 + 10:,}: which part is off?"
    )


@pytest.mark.parametrize(("num_classes", "in_channels"), [(4, 1), (100, 3), (2, 5)])
def test_parameter_count_formula(num_classes: int, in_channels: int) -> None:
    want = formula(num_classes, in_channels)
    got = count(SimpleCNN(num_classes, in_channels))
    assert got == want, f"SimpleCNN({num_classes}, {in_channels}): expected {want:,} parameters"


def test_forward_is_features_then_classifier() -> None:
    model = SimpleCNN(5).eval()
    x = images(3, seed=2)
    with torch.no_grad():
        assert_tensor(
            model(x),
            model.classifier(model.features(x)),
            what="forward(x) against classifier(features(x)) (raw logits, no softmax)",
            atol=1e-6,
            rtol=1e-5,
        )


def test_dropout_only_in_train_mode() -> None:
    model = SimpleCNN(dropout=0.5)
    x = images(4, seed=3)
    model.eval()
    with torch.no_grad():
        first, second = model(x), model(x)
    assert_tensor(first, second, what="two eval-mode forwards (must be identical)")
    model.train()
    with torch.no_grad():
        model.features.eval()  # keep batch norm out of it: only dropout is random
        first, second = model(x), model(x)
    assert not torch.equal(first, second), (
        "two train-mode forwards with dropout=0.5 gave identical logits: is the Dropout layer "
        "part of the classifier that forward runs?"
    )


def test_overfits_one_batch() -> None:
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(100)
    x = torch.randn(8, 3, 32, 32, generator=g)
    y = torch.randint(0, 10, (8,), generator=g)
    model = SimpleCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(10):
        model.train()
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    assert min(losses) < 0.5 * losses[0] and accuracy == 1.0, (
        f"10 Adam steps on one batch of 8 images should memorise it: the loss went from "
        f"{losses[0]:.3f} down to {min(losses):.3f} at best, and the batch accuracy in eval "
        f"mode is {accuracy:.0%}. A model that cannot overfit one batch is wired wrong (a "
        "layer left out of forward, a softmax before the loss, a missing activation)"
    )


def test_gradients_reach_every_parameter() -> None:
    model = SimpleCNN(3)
    F.cross_entropy(model(images(4, seed=4)), torch.tensor([0, 1, 2, 0])).backward()
    dead = [
        name
        for name, p in model.named_parameters()
        if p.grad is None or not bool(p.grad.abs().sum() > 0)
    ]
    assert not dead, f"no gradient reached {dead}: is every layer used in forward?"
