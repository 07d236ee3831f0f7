"""Spec for bugs/split-leak: one seed, one split, no item on both sides."""

import pytest
import torch
from bug_split_leak import split_part
from torch.utils.data import Subset, TensorDataset


def numbered(n: int) -> TensorDataset:
    """Item i is (tensor(i), label): the feature tells which item it is."""
    return TensorDataset(torch.arange(n), torch.arange(n) % 3)


def ids(part: Subset) -> list[int]:
    return [int(x) for x, _ in part]


@pytest.mark.parametrize(("n", "fraction", "seed"), [(50, 0.2, 0), (33, 0.3, 1), (10, 0.5, 7)])
def test_train_and_val_never_share_an_item(n: int, fraction: float, seed: int) -> None:
    data = numbered(n)
    torch.manual_seed(100)
    train = ids(split_part(data, "train", fraction, seed))
    torch.manual_seed(200)  # other work in between, as in a real script
    val = ids(split_part(data, "val", fraction, seed))
    shared = sorted(set(train) & set(val))
    assert not shared, (
        f"with seed {seed}, {len(shared)} of the {len(val)} validation items are also in the "
        f"training part (items {shared[:8]}...): the model is validated on data it trained on"
    )
    assert sorted(train + val) == list(range(n)), (
        f"the two parts together should hold each of the {n} items exactly once"
    )
    assert len(val) == int(n * fraction), f"expected {int(n * fraction)} validation items"


def test_same_seed_gives_the_same_split_whatever_ran_before() -> None:
    data = numbered(40)
    torch.manual_seed(1)
    first = ids(split_part(data, "val", 0.25, seed=3))
    torch.randn(10)
    second = ids(split_part(data, "val", 0.25, seed=3))
    assert first == second, (
        f"two calls with seed 3 gave different validation parts: {first} and {second}; a "
        "rerun (or the evaluation script) would validate on other items"
    )


def test_different_seeds_give_different_splits() -> None:
    data = numbered(40)
    splits = {tuple(ids(split_part(data, "val", 0.25, seed=s))) for s in range(4)}
    assert len(splits) == 4, "four seeds should give four different validation parts"
    assert sorted(next(iter(splits))) != list(range(10)), "the items should be shuffled"


def test_split_part_leaves_the_global_generator_alone() -> None:
    data = numbered(20)
    torch.manual_seed(5)
    split_part(data, "train", seed=9)
    after = torch.rand(3)
    torch.manual_seed(5)
    assert torch.equal(after, torch.rand(3)), (
        "split_part changed torch's global random stream: everything random afterwards "
        "(initialisation, shuffling, dropout) now depends on the split"
    )


def test_defaults_and_items() -> None:
    data = numbered(30)
    train, val = split_part(data, "train"), split_part(data, "val")
    assert isinstance(train, Subset) and isinstance(val, Subset), "expected Subsets"
    assert ids(val) == ids(split_part(data, "val", 0.2, 0)), "defaults: val_fraction=0.2, seed=0"
    assert (len(train), len(val)) == (24, 6), f"sizes {(len(train), len(val))}, expected (24, 6)"
    x, label = train[0]
    assert int(label) == int(x) % 3, "each item should keep its own label"
