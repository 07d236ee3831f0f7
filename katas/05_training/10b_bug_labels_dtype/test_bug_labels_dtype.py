"""Spec for bugs/labels-dtype: labels stay class indices from the dataset to the loss."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bug_labels_dtype import LabelledDataset, make_loader, to_device, train_epoch, train_step
from torch import nn

from katakit.testing import assert_tensor


def make_data(
    n: int, features: int, classes: int, seed: int, label_dtype: type = np.int64
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 features (what np.loadtxt gives) and integer class labels 0 .. classes-1."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    y = rng.integers(0, classes, size=n).astype(label_dtype)
    return x, y


def make_model(features: int, classes: int, seed: int) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(features, classes)


def close(got: float, want: float) -> bool:
    return abs(got - want) <= 1e-5 * max(1.0, abs(want))


@pytest.mark.parametrize("label_dtype", [np.int64, np.int32])
def test_dataset_items_keep_int64_labels(label_dtype: type) -> None:
    x, y = make_data(7, 3, 4, seed=1, label_dtype=label_dtype)
    dataset = LabelledDataset(x, y)
    assert len(dataset) == 7, f"the dataset holds 7 rows, len() says {len(dataset)}"
    for i in range(7):
        features, label = dataset[i]
        assert_tensor(features, torch.from_numpy(x[i]), what=f"dataset[{i}] features")
        assert_tensor(
            label, torch.tensor(int(y[i])), what=f"dataset[{i}] label ({label_dtype.__name__} in)"
        )


def test_loader_batches_keep_int64_labels() -> None:
    x, y = make_data(10, 3, 4, seed=2)
    batches = list(make_loader(LabelledDataset(x, y), batch_size=4))
    sizes = [len(b[1]) for b in batches]
    assert sizes == [4, 4, 2], f"10 rows in batches of 4 should come as [4, 4, 2], got {sizes}"
    assert_tensor(
        torch.cat([b[1] for b in batches]), torch.from_numpy(y), what="labels of all batches"
    )
    assert_tensor(
        torch.cat([b[0] for b in batches]), torch.from_numpy(x), what="features of all batches"
    )


def test_loader_shuffles_when_asked() -> None:
    x, y = make_data(10, 3, 4, seed=3)
    batches = list(make_loader(LabelledDataset(x, y), batch_size=4, shuffle=True))
    rows = torch.cat([b[0] for b in batches])
    order = [int(np.flatnonzero((x == r.numpy()).all(axis=1))[0]) for r in rows]
    assert sorted(order) == list(range(10)), f"a shuffled epoch still shows each row once: {order}"
    assert order != list(range(10)), "make_loader(..., shuffle=True) kept the rows in order"


def test_to_device_gives_float32_features_on_the_device() -> None:
    x, y = make_data(6, 5, 3, seed=4)
    batch = next(iter(make_loader(LabelledDataset(x, y), batch_size=6)))
    features, _ = to_device(batch, "cpu")
    assert_tensor(features, torch.from_numpy(x).float(), what="to_device(batch, 'cpu') features")
    features, labels = to_device(batch, "meta")
    assert (features.device.type, labels.device.type) == ("meta", "meta"), (
        f"to_device(batch, 'meta') left features on {features.device.type} and labels on "
        f"{labels.device.type}: both must move to the device asked for"
    )
    assert (features.dtype, tuple(features.shape)) == (torch.float32, (6, 5)), (
        f"features on meta should be float32 of shape (6, 5), got {features.dtype} "
        f"{tuple(features.shape)}"
    )


def test_to_device_keeps_labels_as_class_indices() -> None:
    x, y = make_data(6, 5, 3, seed=5)
    batch = next(iter(make_loader(LabelledDataset(x, y), batch_size=6)))
    _, labels = to_device(batch, "cpu")
    # Use them where class indices are expected, as cross-entropy does.
    assert_tensor(
        F.one_hot(labels, 3),
        F.one_hot(torch.from_numpy(y), 3),
        what="one_hot of the labels from to_device",
    )
    assert_tensor(labels, torch.from_numpy(y), what="labels from to_device")


@pytest.mark.parametrize(("n", "features", "classes"), [(8, 5, 3), (6, 4, 300)])
def test_train_step_loss_is_cross_entropy(n: int, features: int, classes: int) -> None:
    x, y = make_data(n, features, classes, seed=6)
    model = make_model(features, classes, seed=7)
    with torch.no_grad():
        want = F.cross_entropy(model(torch.from_numpy(x).float()), torch.from_numpy(y)).item()
    batch = (torch.from_numpy(x), torch.from_numpy(y))
    got = train_step(model, batch, torch.optim.SGD(model.parameters(), lr=0.1))
    assert isinstance(got, float), f"train_step should return a Python float, got {type(got)}"
    assert close(got, want), (
        f"train_step returned loss {got:.6f}, but cross-entropy of the model's logits against "
        f"the integer labels is {want:.6f} ({classes} classes): are the labels still the same "
        "class numbers when they reach the loss?"
    )


def test_train_step_updates_like_sgd() -> None:
    lr = 0.5
    model = make_model(5, 3, seed=8)
    weight, bias = (p.detach().clone() for p in (model.weight, model.bias))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for seed in (9, 10):
        x, y = make_data(4, 5, 3, seed=seed)
        train_step(model, (torch.from_numpy(x), torch.from_numpy(y)), optimizer)
        w, b = weight.requires_grad_(), bias.requires_grad_()
        loss = F.cross_entropy(F.linear(torch.from_numpy(x).float(), w, b), torch.from_numpy(y))
        grad_w, grad_b = torch.autograd.grad(loss, (w, b))
        weight, bias = (w - lr * grad_w).detach(), (b - lr * grad_b).detach()
    assert_tensor(
        model.weight.detach(),
        weight,
        what="weight after two train_steps (one SGD step per call, on that batch's gradient only)",
        atol=1e-6,
        rtol=1e-5,
    )
    assert_tensor(
        model.bias.detach(),
        bias,
        what="bias after two train_steps (one SGD step per call, on that batch's gradient only)",
        atol=1e-6,
        rtol=1e-5,
    )


def test_train_epoch_returns_mean_batch_loss() -> None:
    x, y = make_data(10, 3, 4, seed=11)
    model = make_model(3, 4, seed=12)
    reference = copy.deepcopy(model)
    ref_optimizer = torch.optim.SGD(reference.parameters(), lr=0.3)
    losses = []
    for start in range(0, 10, 4):
        xb, yb = (
            torch.from_numpy(x[start : start + 4]).float(),
            torch.from_numpy(y[start : start + 4]),
        )
        ref_optimizer.zero_grad()
        loss = F.cross_entropy(reference(xb), yb)
        loss.backward()
        ref_optimizer.step()
        losses.append(loss.item())
    loader = make_loader(LabelledDataset(x, y), batch_size=4)
    got = train_epoch(model, loader, torch.optim.SGD(model.parameters(), lr=0.3))
    want = sum(losses) / len(losses)
    assert isinstance(got, float), f"train_epoch should return a Python float, got {type(got)}"
    assert close(got, want), (
        f"train_epoch returned {got:.6f}, expected the mean of the 3 batch losses, {want:.6f}"
    )
    assert_tensor(
        model.weight.detach(),
        reference.weight.detach(),
        what="weight after one epoch",
        atol=1e-6,
        rtol=1e-5,
    )


@pytest.mark.gpu
def test_train_epoch_on_cuda() -> None:
    x, y = make_data(10, 3, 4, seed=13)
    loader = make_loader(LabelledDataset(x, y), batch_size=4)
    cpu_model = make_model(3, 4, seed=14)
    gpu_model = copy.deepcopy(cpu_model).cuda()
    want = train_epoch(cpu_model, loader, torch.optim.SGD(cpu_model.parameters(), lr=0.3))
    got = train_epoch(
        gpu_model, loader, torch.optim.SGD(gpu_model.parameters(), lr=0.3), device="cuda"
    )
    assert close(got, want), f"the epoch on cuda gave loss {got:.6f}, on cpu {want:.6f}"
    assert_tensor(
        gpu_model.weight.detach().cpu(),
        cpu_model.weight.detach(),
        what="weight trained on cuda",
        atol=1e-5,
        rtol=1e-4,
    )
