"""Spec for bugs/forward-shape: the CNN gives one row of logits per image, for any batch."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_forward_shape import SimpleCNN, train_step

from katakit.testing import assert_shape, assert_tensor


def images(batch: int, seed: int) -> torch.Tensor:
    return torch.rand(batch, 1, 16, 16, generator=torch.Generator().manual_seed(seed))


def make_model(seed: int, num_classes: int = 10) -> SimpleCNN:
    torch.manual_seed(seed)
    return SimpleCNN(num_classes)


def one_image(model: SimpleCNN, image: torch.Tensor) -> torch.Tensor:
    """Logits for a single (1, 16, 16) image, computed with torch.nn.functional only."""
    x = image[None]
    x = F.max_pool2d(F.relu(F.conv2d(x, model.conv1.weight, model.conv1.bias, padding=1)), 2)
    x = F.max_pool2d(F.relu(F.conv2d(x, model.conv2.weight, model.conv2.bias, padding=1)), 2)
    return F.linear(x.reshape(-1), model.fc.weight, model.fc.bias)


@pytest.mark.parametrize("batch", [1, 2, 4, 7])
def test_logits_have_one_row_per_image(batch: int) -> None:
    model = make_model(seed=batch)
    with torch.no_grad():
        out = model(images(batch, seed=batch))
    assert_shape(out, (batch, 10), what=f"logits for a batch of {batch} images")


@pytest.mark.parametrize(("batch", "classes"), [(3, 10), (5, 4)])
def test_logits_match_each_image_computed_alone(batch: int, classes: int) -> None:
    model = make_model(seed=10 + batch, num_classes=classes)
    x = images(batch, seed=20 + batch)
    with torch.no_grad():
        got = model(x)
        want = torch.stack([one_image(model, image) for image in x])
    assert_tensor(
        got,
        want,
        what=f"logits of {batch} images, against each image put through the layers alone",
        atol=1e-5,
        rtol=1e-5,
    )


def test_layers_keep_their_sizes() -> None:
    model = SimpleCNN()  # ten classes unless told otherwise
    got = {
        "conv1": tuple(model.conv1.weight.shape),
        "conv2": tuple(model.conv2.weight.shape),
        "fc": tuple(model.fc.weight.shape),
    }
    want = {"conv1": (8, 1, 3, 3), "conv2": (16, 8, 3, 3), "fc": (10, 256)}
    assert got == want, f"weight shapes: expected {want}, got {got}"


def test_train_step_updates_like_sgd() -> None:
    lr = 0.1
    model = make_model(seed=40)
    reference = copy.deepcopy(model)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=lr)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for step in range(2):
        x = images(4, seed=50 + step)
        y = torch.tensor([step, 3, 7, 9])
        ref_opt.zero_grad()
        logits = torch.stack([one_image(reference, image) for image in x])
        loss = F.cross_entropy(logits, y)
        loss.backward()
        ref_opt.step()
        got = train_step(model, x, y, optimizer)
        assert isinstance(got, float), f"train_step should return a float, got {type(got)}"
        assert abs(got - loss.item()) <= 1e-5, (
            f"step {step}: train_step returned {got:.6f}, the batch's cross-entropy before the "
            f"update is {loss.item():.6f}"
        )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(
            p.detach(), q.detach(), what=f"{name} after two train_steps", atol=1e-6, rtol=1e-5
        )
