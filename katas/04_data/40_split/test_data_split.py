"""Spec for data/split: sizes and indices as random_split makes them, Subsets, stratified."""

from __future__ import annotations

import warnings
from collections import Counter

import pytest
import torch
from data_split import split_dataset, split_indices, split_sizes, stratified_split_indices
from torch.utils.data import Subset, random_split

FRACTIONS = [
    (0.8, 0.1, 0.1),
    (0.7, 0.2, 0.1),
    (0.34, 0.33, 0.33),
    (0.5, 0.5),
    (0.25,) * 4,
    (0.9, 0.1, 0.0),
    (1.0,),
]
SIZES = [1, 7, 10, 29, 100]


def oracle(n: int, fractions: tuple[float, ...], seed: int) -> list[list[int]]:
    with warnings.catch_warnings():  # random_split warns about empty parts; they are fine here
        warnings.simplefilter("ignore")
        parts = random_split(range(n), fractions, generator=torch.Generator().manual_seed(seed))
    return [list(part.indices) for part in parts]


# ------------------------------------------------------------------------------------ split_sizes


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("fractions", FRACTIONS)
def test_split_sizes_follow_random_split(n: int, fractions: tuple[float, ...]) -> None:
    want = [len(part) for part in oracle(n, fractions, seed=0)]
    got = split_sizes(n, fractions)
    assert got == want, (
        f"split_sizes({n}, {fractions}) should be {want} (floor(n * f) each, then the "
        f"remainder one at a time from part 0 on), got {got}"
    )


@pytest.mark.parametrize(
    "fractions", [(0.8, 0.1), (0.6, 0.3, 0.3), (1.2, -0.2), (0.5, 0.6, -0.1), (0.0,)]
)
def test_split_sizes_refuse_bad_fractions(fractions: tuple[float, ...]) -> None:
    try:
        split_sizes(10, fractions)
    except ValueError:
        return
    raise AssertionError(
        f"split_sizes(10, {fractions}) should raise ValueError: fractions are non-negative "
        "and sum to 1"
    )


# ---------------------------------------------------------------------------------- split_indices


@pytest.mark.parametrize(
    ("n", "fractions"), [(29, (0.8, 0.1, 0.1)), (10, (0.5, 0.5)), (7, (0.25,) * 4)]
)
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_split_indices_match_random_split(n: int, fractions: tuple[float, ...], seed: int) -> None:
    got = split_indices(n, fractions, seed)
    want = oracle(n, fractions, seed)
    assert got == want, (
        f"split_indices({n}, {fractions}, seed={seed}) should give random_split's parts "
        f"{want}, got {got}: one torch.randperm(n) from a Generator seeded with `seed`, cut in "
        "order"
    )


def test_split_indices_defaults() -> None:
    got = split_indices(50)
    assert got == oracle(50, (0.8, 0.1, 0.1), seed=0), (
        "split_indices(50) should use fractions (0.8, 0.1, 0.1) and seed 0 by default"
    )


@pytest.mark.parametrize("seed", [0, 3])
def test_parts_are_disjoint_and_cover_everything(seed: int) -> None:
    train, val, test = split_indices(40, (0.6, 0.2, 0.2), seed)
    assert not set(train) & set(val) and not set(train) & set(test) and not set(val) & set(test), (
        "a sample appears in two parts: that is leakage between train and evaluation"
    )
    assert sorted(train + val + test) == list(range(40)), "some samples are in no part"


def test_same_seed_same_split_whatever_the_global_rng() -> None:
    torch.manual_seed(1)
    first = split_indices(30, (0.7, 0.2, 0.1), seed=5)
    torch.manual_seed(2)
    torch.rand(100)
    second = split_indices(30, (0.7, 0.2, 0.1), seed=5)
    assert first == second, (
        "the same seed gave two different splits after the global seed changed: draw the "
        "permutation from a torch.Generator seeded with `seed`, not from the global RNG"
    )


def test_different_seeds_different_splits() -> None:
    splits = {str(split_indices(30, (0.7, 0.2, 0.1), seed=s)) for s in range(5)}
    assert len(splits) == 5, "five seeds should give five different splits"


def test_the_global_rng_is_left_alone() -> None:
    torch.manual_seed(0)
    state = torch.get_rng_state()
    split_indices(30, (0.7, 0.2, 0.1), seed=5)
    assert torch.equal(torch.get_rng_state(), state), (
        "split_indices drew from the global RNG: other random numbers in the script now "
        "depend on whether you split"
    )


# ---------------------------------------------------------------------------------- split_dataset


def test_split_dataset_returns_subsets() -> None:
    data = [f"sample {i}" for i in range(20)]
    parts = split_dataset(data, (0.5, 0.3, 0.2), seed=7)  # type: ignore[arg-type]
    assert all(isinstance(p, Subset) for p in parts), f"expected Subsets, got {parts}"
    want = oracle(20, (0.5, 0.3, 0.2), seed=7)
    assert [list(p.indices) for p in parts] == want, "the subsets should use split_indices"
    assert [p[0] for p in parts] == [data[w[0]] for w in want], (
        "each Subset should read from the dataset it was given"
    )


def test_split_dataset_defaults() -> None:
    parts = split_dataset(list(range(30)))  # type: ignore[arg-type]
    assert [list(p.indices) for p in parts] == oracle(30, (0.8, 0.1, 0.1), seed=0), (
        "split_dataset should default to fractions (0.8, 0.1, 0.1) and seed 0"
    )


# ------------------------------------------------------------------------------------- stratified

# 60 of class 0, 25 of class 1, 10 of class 2, 3 of class 5, shuffled together.
LABELS = [0] * 60 + [1] * 25 + [2] * 10 + [5] * 3
LABELS = [LABELS[(5 * i) % len(LABELS)] for i in range(len(LABELS))]  # 5 is coprime to 98


@pytest.mark.parametrize("fractions", [(0.8, 0.1, 0.1), (0.6, 0.2, 0.2), (0.5, 0.5)])
@pytest.mark.parametrize("seed", [0, 1])
def test_stratified_keeps_class_proportions(fractions: tuple[float, ...], seed: int) -> None:
    parts = stratified_split_indices(LABELS, fractions, seed)
    assert len(parts) == len(fractions), f"expected {len(fractions)} parts, got {len(parts)}"
    counts = Counter(LABELS)
    for label, count in sorted(counts.items()):
        want = [len(p) for p in oracle(count, fractions, seed=0)]
        got = [sum(1 for i in part if LABELS[i] == label) for part in parts]
        assert got == want, (
            f"class {label} has {count} samples: with fractions {fractions} its samples per "
            f"part should be {want} (split_sizes of the class count), got {got}"
        )


@pytest.mark.parametrize("seed", [0, 4])
def test_stratified_parts_are_disjoint_sorted_and_complete(seed: int) -> None:
    parts = stratified_split_indices(LABELS, (0.6, 0.2, 0.2), seed)
    everything = [i for part in parts for i in part]
    assert sorted(everything) == list(range(len(LABELS))), (
        "every sample should be in exactly one part"
    )
    assert all(part == sorted(part) for part in parts), "return each part sorted"


def test_stratified_is_reproducible_and_seed_dependent() -> None:
    torch.manual_seed(3)
    a = stratified_split_indices(LABELS, (0.7, 0.3), seed=11)
    torch.manual_seed(4)
    b = stratified_split_indices(LABELS, (0.7, 0.3), seed=11)
    c = stratified_split_indices(LABELS, (0.7, 0.3), seed=12)
    assert a == b, "the same seed should give the same stratified split"
    assert a != c, (
        "different seeds should give different stratified splits: shuffle each class with the "
        "seeded generator before cutting it"
    )


def test_stratified_defaults() -> None:
    parts = stratified_split_indices(LABELS)
    assert parts == stratified_split_indices(LABELS, (0.8, 0.1, 0.1), seed=0), (
        "stratified_split_indices(labels) should default to (0.8, 0.1, 0.1) and seed 0"
    )
    assert [len(p) for p in parts] == [80, 9, 9], (
        f"by default three parts (0.8, 0.1, 0.1): per class (60, 25, 10, 3 samples) the sizes "
        f"are [48, 6, 6], [21, 2, 2], [8, 1, 1], [3, 0, 0], so [80, 9, 9] in all; got "
        f"{[len(p) for p in parts]}"
    )
