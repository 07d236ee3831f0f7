"""Spec for data/dataloader: num_batches, make_loader, pad_collate."""

from __future__ import annotations

import pytest
import torch
from loader_batching import PaddedBatch, make_loader, num_batches, pad_collate
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset

from katakit.testing import assert_tensor


class Numbers(Dataset[int]):
    """Sample i is the int i: a batch shows exactly which samples it holds."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> int:
        if not 0 <= index < self.n:
            raise IndexError(index)
        return index


class Sequences(Dataset[tuple[torch.Tensor, int]]):
    """Variable-length token sequences: sample i has length 1 + (7 * i) % 6, label i % 3."""

    def __init__(self, n: int, dim: int | None = None) -> None:
        g = torch.Generator().manual_seed(n)
        self.items = []
        for i in range(n):
            length = 1 + (7 * i) % 6
            shape = (length,) if dim is None else (length, dim)
            seq = torch.randint(1, 50, shape, generator=g) if dim is None else torch.randn(shape)
            self.items.append((seq, i % 3))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.items[index]


def order(loader: DataLoader[int]) -> list[int]:
    return [int(i) for batch in loader for i in batch]


# ------------------------------------------------------------------------------------ num_batches


@pytest.mark.parametrize("n", [1, 7, 8, 9, 30])
@pytest.mark.parametrize("batch_size", [1, 3, 8])
@pytest.mark.parametrize("drop_last", [False, True])
def test_num_batches_is_len_of_a_dataloader(n: int, batch_size: int, drop_last: bool) -> None:
    want = len(DataLoader(Numbers(n), batch_size=batch_size, drop_last=drop_last))
    got = num_batches(n, batch_size, drop_last)
    assert got == want and isinstance(got, int), (
        f"num_batches({n}, {batch_size}, drop_last={drop_last}) should be {want} (an int), got "
        f"{got!r}"
    )


# ------------------------------------------------------------------------------------ make_loader


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last"), [(10, 4, False), (10, 4, True), (9, 3, True)]
)
def test_batches_in_order_without_shuffle(n: int, batch_size: int, drop_last: bool) -> None:
    loader = make_loader(Numbers(n), batch_size, drop_last=drop_last)
    assert isinstance(loader, DataLoader), f"make_loader should return a DataLoader, got {loader}"
    got = [[int(i) for i in batch] for batch in loader]
    items = list(range(n))
    want = [items[i : i + batch_size] for i in range(0, n, batch_size)]
    if drop_last and len(want[-1]) < batch_size:
        want = want[:-1]
    assert got == want, (
        f"make_loader(Numbers({n}), {batch_size}, drop_last={drop_last}) gave batches {got}, "
        f"expected {want}"
    )
    assert len(loader) == len(want), f"len(loader) should be {len(want)}, got {len(loader)}"


def test_defaults_keep_every_sample_in_order() -> None:
    assert order(make_loader(Numbers(7), 2)) == list(range(7)), (
        "by default make_loader neither shuffles nor drops the last batch"
    )


def test_a_seed_without_shuffle_keeps_the_order() -> None:
    assert order(make_loader(Numbers(12), 5, seed=3)) == list(range(12)), (
        "shuffle=False with a seed should still keep the order: the seed only matters when "
        "shuffling"
    )


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_shuffle_is_a_permutation(seed: int) -> None:
    got = order(make_loader(Numbers(20), 6, shuffle=True, seed=seed))
    assert sorted(got) == list(range(20)), (
        f"a shuffled epoch should hold every sample exactly once, got {sorted(got)}"
    )
    assert got != list(range(20)), "shuffle=True gave the samples in their original order"


@pytest.mark.parametrize("seed", [0, 5])
def test_same_seed_same_order_every_epoch(seed: int) -> None:
    first = make_loader(Numbers(16), 4, shuffle=True, seed=seed)
    torch.manual_seed(123)  # other code drawing from the global RNG must not matter
    torch.rand(10)
    second = make_loader(Numbers(16), 4, shuffle=True, seed=seed)
    epochs_first = [order(first), order(first)]
    torch.manual_seed(999)
    epochs_second = [order(second), order(second)]
    assert epochs_first == epochs_second, (
        f"two loaders made with seed={seed} gave different orders: {epochs_first} vs "
        f"{epochs_second}. Give the DataLoader its own torch.Generator seeded with the seed "
        "(generator=...), instead of relying on the global RNG"
    )
    assert epochs_first[0] != epochs_first[1], (
        "both epochs of one shuffled loader came out in the same order: create the generator "
        "once, in make_loader, so each epoch draws a new permutation from it"
    )


def test_different_seeds_different_orders() -> None:
    orders = {tuple(order(make_loader(Numbers(16), 4, shuffle=True, seed=s))) for s in range(4)}
    assert len(orders) == 4, "four seeds should give four different shuffles"


def test_seeded_loader_leaves_the_global_rng_alone() -> None:
    torch.manual_seed(0)
    state = torch.get_rng_state()
    order(make_loader(Numbers(10), 3, shuffle=True, seed=1))
    assert torch.equal(torch.get_rng_state(), state), (
        "iterating a seeded loader drew from the global RNG: shuffle with the loader's own "
        "generator"
    )


def test_without_a_seed_shuffle_follows_the_global_seed() -> None:
    torch.manual_seed(4)
    a = order(make_loader(Numbers(12), 5, shuffle=True))
    torch.manual_seed(4)
    b = order(make_loader(Numbers(12), 5, shuffle=True))
    assert a == b and sorted(a) == list(range(12)), (
        f"without a seed, torch.manual_seed(4) before each loader should give the same shuffle: "
        f"{a} vs {b}"
    )


def test_collate_fn_is_used() -> None:
    loader = make_loader(Numbers(5), 2, collate_fn=lambda batch: ("mine", batch))
    got = list(loader)
    assert got == [("mine", [0, 1]), ("mine", [2, 3]), ("mine", [4])], (
        f"make_loader should hand collate_fn to the DataLoader; batches were {got}"
    )


# ------------------------------------------------------------------------------------ pad_collate


@pytest.mark.parametrize(
    ("indices", "dim"), [([0, 1, 2], None), ([3, 5, 4, 1], None), ([2, 0, 5], 3)]
)
@pytest.mark.parametrize("padding_value", [0.0, -1.0])
def test_pad_collate_matches_pad_sequence(
    indices: list[int], dim: int | None, padding_value: float
) -> None:
    data = Sequences(6, dim)
    batch = [data[i] for i in indices]
    got = pad_collate(batch, padding_value=padding_value)
    assert isinstance(got, PaddedBatch), f"pad_collate should return a PaddedBatch, got {got!r}"
    seqs = [seq for seq, _ in batch]
    assert_tensor(
        got.sequences,
        pad_sequence(seqs, batch_first=True, padding_value=padding_value),
        what=f"padded sequences of lengths {[len(s) for s in seqs]} (batch first, "
        f"padding_value={padding_value}, same dtype as the samples)",
    )
    assert_tensor(
        got.lengths,
        torch.tensor([len(s) for s in seqs]),
        what="lengths (int64, one per sample, before padding)",
    )
    assert_tensor(got.labels, torch.tensor([label for _, label in batch]), what="labels (int64)")


def test_pad_collate_pads_with_zeros_by_default() -> None:
    batch = [(torch.tensor([5, 6, 7]), 1), (torch.tensor([8]), 0)]
    got = pad_collate(batch)
    assert_tensor(got.sequences, torch.tensor([[5, 6, 7], [8, 0, 0]]), what="pad_collate(batch)")


def test_loader_pads_each_batch_to_its_own_longest() -> None:
    data = Sequences(8)
    loader = make_loader(data, 3, collate_fn=pad_collate)
    widths = [batch.sequences.shape[1] for batch in loader]
    want = [max(len(data[i][0]) for i in range(s, min(s + 3, 8))) for s in range(0, 8, 3)]
    assert widths == want, (
        f"each batch should be padded to its own longest sequence: widths {want}, got {widths}"
    )
    total = sum(int(batch.lengths.sum()) for batch in loader)
    assert total == sum(len(data[i][0]) for i in range(8)), "the lengths do not add up"
