"""Spec for data/dataset: ArrayDataset and the Standardize transform."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from custom_dataset import ArrayDataset, Standardize
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def inputs(kind: str) -> tuple[Any, Any]:
    """(features, labels) in the different forms callers hand over."""
    r = rng(len(kind))
    if kind == "numpy":
        return r.normal(size=(7, 3)), r.integers(0, 4, size=7).astype(np.int32)
    if kind == "lists":
        return [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]], [0, 1, 1, 0, 2]
    if kind == "uint8 images":
        return r.integers(0, 256, size=(6, 1, 4, 4)).astype(np.uint8), list(range(6))
    return torch.randn(5, 2, 3, dtype=torch.float64), torch.tensor([3, 1, 4, 1, 5])


KINDS = ["numpy", "lists", "uint8 images", "tensors"]


def oracle(features: Any, labels: Any) -> TensorDataset:
    return TensorDataset(
        torch.as_tensor(np.asarray(features), dtype=torch.float32),
        torch.as_tensor(np.asarray(labels), dtype=torch.int64),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_len_is_the_number_of_samples(kind: str) -> None:
    features, labels = inputs(kind)
    got = len(ArrayDataset(features, labels))
    assert got == len(labels), f"len(ArrayDataset(<{kind}>)) should be {len(labels)}, got {got}"


@pytest.mark.parametrize("kind", KINDS)
def test_items_match_tensor_dataset(kind: str) -> None:
    features, labels = inputs(kind)
    dataset = ArrayDataset(features, labels)
    want = oracle(features, labels)
    for i in range(len(want)):
        item = dataset[i]
        assert isinstance(item, tuple) and len(item) == 2, (
            f"dataset[{i}] should be a (features, label) tuple, got {type(item).__name__}"
        )
        x, y = item
        assert_tensor(x, want[i][0], what=f"features of sample {i} from <{kind}> (float32)")
        assert_tensor(y, want[i][1], what=f"label of sample {i} from <{kind}> (a 0-d int64 tensor)")


def test_negative_index_counts_from_the_end() -> None:
    features, labels = inputs("numpy")
    dataset = ArrayDataset(features, labels)
    for i in (-1, -3, -7):
        x, y = dataset[i]
        assert_tensor(x, torch.as_tensor(features[i], dtype=torch.float32), what=f"dataset[{i}][0]")
        assert int(y) == int(labels[i]), f"dataset[{i}] should have label {labels[i]}, got {y}"


@pytest.mark.parametrize("index", [7, 8, -8, 100])
def test_out_of_range_raises_index_error(index: int) -> None:
    dataset = ArrayDataset(*inputs("numpy"))
    try:
        dataset[index]
    except IndexError:
        return
    raise AssertionError(
        f"dataset[{index}] on a dataset of 7 samples should raise IndexError, as a list does"
    )


def test_plain_iteration_stops_at_the_end() -> None:
    features, labels = inputs("lists")
    dataset = ArrayDataset(features, labels)
    seen = [int(y) for _, y in dataset]  # old-style iteration: stops at the first IndexError
    assert seen == labels, f"iterating over the dataset should give the labels {labels}, got {seen}"


@pytest.mark.parametrize(("n_features", "n_labels"), [(5, 4), (3, 6), (0, 1)])
def test_mismatched_lengths_raise_value_error(n_features: int, n_labels: int) -> None:
    try:
        ArrayDataset(np.zeros((n_features, 2)), np.zeros(n_labels, dtype=np.int64))
    except ValueError:
        return
    raise AssertionError(
        f"{n_features} feature rows with {n_labels} labels should raise ValueError in __init__ "
        "rather than fail somewhere in the middle of an epoch"
    )


class Recorder:
    def __init__(self) -> None:
        self.calls: list[torch.Tensor] = []

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append(x.clone())
        return x * 10 + torch.rand(())  # a random augmentation: different at every call


def test_transform_runs_at_access_time() -> None:
    features, labels = inputs("numpy")
    transform = Recorder()
    dataset = ArrayDataset(features, labels, transform=transform)
    assert transform.calls == [], (
        f"creating the dataset called the transform {len(transform.calls)} times: apply it in "
        "__getitem__, so random augmentations differ every time a sample is read"
    )
    first, y = dataset[2]
    second, _ = dataset[2]
    assert len(transform.calls) == 2, (
        f"reading sample 2 twice should call the transform twice, it was called "
        f"{len(transform.calls)} times"
    )
    row = torch.as_tensor(features[2], dtype=torch.float32)
    assert_tensor(transform.calls[0], row, what="what the transform received for sample 2")
    assert first.dtype == torch.float32 and not torch.equal(first, second), (
        "the transform's output should be what __getitem__ returns (a random transform gave "
        "the same result twice)"
    )
    assert int(y) == int(labels[2]), "the transform must not change the label"


def test_default_collate_makes_batches() -> None:
    features, labels = inputs("numpy")
    loader = DataLoader(ArrayDataset(features, labels), batch_size=4)
    batches = list(loader)
    assert len(batches) == 2, f"7 samples in batches of 4 should give 2 batches, got {len(batches)}"
    x, y = batches[0]
    assert_tensor(x, torch.as_tensor(features[:4], dtype=torch.float32), what="first batch's x")
    assert_tensor(y, torch.as_tensor(labels[:4], dtype=torch.int64), what="first batch's labels")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_standardize_fit_matches_numpy(seed: int) -> None:
    data = rng(seed).normal(loc=seed * 3.0, scale=seed + 0.5, size=(20, 4))
    fitted = Standardize.fit(torch.as_tensor(data, dtype=torch.float32))
    want_mean = torch.as_tensor(data.mean(axis=0), dtype=torch.float32)
    want_std = torch.as_tensor(data.std(axis=0), dtype=torch.float32)
    assert_tensor(fitted.mean, want_mean, what="Standardize.fit(...).mean (one per feature)")
    assert_tensor(
        fitted.std,
        want_std,
        what="Standardize.fit(...).std (one per feature; population std like np.std)",
        atol=1e-5,
        rtol=1e-5,
    )


def test_standardize_leaves_constant_features_centred() -> None:
    data = torch.tensor([[1.0, 5.0, 2.0], [3.0, 5.0, 2.0], [8.0, 5.0, 2.0]])
    fitted = Standardize.fit(data)
    assert_tensor(fitted.std[1:], torch.ones(2), what="the std kept for two constant features")
    out = fitted(data[0])
    assert bool(torch.isfinite(out).all()), f"standardizing gave {out}: a division by zero?"
    assert_tensor(out[1:], torch.zeros(2), what="constant features after standardizing")


def test_standardize_call_is_the_formula_and_out_of_place() -> None:
    transform = Standardize(torch.tensor([1.0, -2.0, 0.5]), torch.tensor([2.0, 4.0, 0.25]))
    x = torch.tensor([3.0, 2.0, 1.0])
    before = x.clone()
    out = transform(x)
    assert_tensor(out, torch.tensor([1.0, 1.0, 2.0]), what="Standardize(mean, std)(x)")
    assert_tensor(x, before, what="the input row after the transform (must be unchanged)")


def test_standardized_dataset_has_zero_mean_unit_std() -> None:
    data = rng(5).normal(loc=[10.0, -3.0], scale=[5.0, 0.1], size=(50, 2))
    features = torch.as_tensor(data, dtype=torch.float32)
    dataset = ArrayDataset(data, np.zeros(50, dtype=np.int64), transform=Standardize.fit(features))
    rows = torch.stack([dataset[i][0] for i in range(len(dataset))])
    assert_tensor(
        rows.mean(dim=0), torch.zeros(2), what="mean of the standardized rows", atol=1e-4, rtol=0
    )
    assert_tensor(
        rows.std(dim=0, correction=0),
        torch.ones(2),
        what="std of the standardized rows",
        atol=1e-4,
        rtol=0,
    )
