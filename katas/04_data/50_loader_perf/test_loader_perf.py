"""Spec for data/loader-perf: make_loader, time_loader, compare, gather, LoaderReport."""

from __future__ import annotations

import math
import os
import time
from typing import Any

import pytest
import torch
from loader_perf import LoaderReport, compare, gather, make_loader, time_loader
from torch.utils.data import Dataset, RandomSampler, SequentialSampler

from katakit.testing import assert_tensor


class Indexed(Dataset[tuple[int, torch.Tensor]]):
    """Sample i is (i, row i of a fixed random matrix); optionally sleeps and records fetches."""

    def __init__(
        self, n: int, *, sleep: float = 0.0, events: list[tuple[str, float]] | None = None
    ) -> None:
        self.data = torch.randn(n, 3, generator=torch.Generator().manual_seed(n))
        self.sleep = sleep
        self.events = events

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[int, torch.Tensor]:
        if self.sleep:
            time.sleep(self.sleep)
        if self.events is not None:  # only seen with num_workers=0 (workers are other processes)
            self.events.append(("fetch", index))
        return index, self.data[index]


class Pids(Dataset[tuple[int, int]]):
    """Sample i is (i, id of the process that loaded it)."""

    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int) -> tuple[int, int]:
        return index, os.getpid()


STEPS = [0.5, 2.0, 0.25, 4.0, 1.0, 0.75, 3.0, 0.125]  # exact in binary


class FakeClock:
    """Moves on by a different, exactly known step at every read, and logs each read."""

    def __init__(self, events: list[tuple[str, float]]) -> None:
        self.events = events
        self.now = 100.0
        self.reads = 0

    def __call__(self) -> float:
        self.now += STEPS[self.reads % len(STEPS)]
        self.reads += 1
        self.events.append(("clock", self.now))
        return self.now


@pytest.fixture
def no_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


# ------------------------------------------------------------------------------------ make_loader


@pytest.mark.parametrize(("workers", "persistent"), [(0, False), (2, False), (2, True), (1, True)])
def test_make_loader_applies_the_settings(no_cuda: None, workers: int, persistent: bool) -> None:
    loader = make_loader(
        Indexed(6), batch_size=4, num_workers=workers, persistent_workers=persistent
    )
    got = (loader.batch_size, loader.num_workers, loader.persistent_workers, loader.pin_memory)
    want = (4, workers, persistent, False)
    assert got == want, (
        f"make_loader(batch_size=4, num_workers={workers}, persistent_workers={persistent}) "
        f"made a loader with (batch_size, num_workers, persistent_workers, pin_memory) = {got}, "
        f"expected {want}"
    )
    assert isinstance(loader.sampler, SequentialSampler), "shuffle defaults to False"


def test_make_loader_persists_only_with_workers(no_cuda: None) -> None:
    loader = make_loader(Indexed(6), batch_size=2, num_workers=0, persistent_workers=True)
    assert loader.persistent_workers is False, (
        "with num_workers=0 there are no workers to keep: persistent_workers must be False "
        "(DataLoader itself raises ValueError for the combination)"
    )


@pytest.mark.parametrize("cuda", [False, True])
def test_make_loader_pins_only_with_cuda(monkeypatch: pytest.MonkeyPatch, cuda: bool) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    loader = make_loader(Indexed(6), batch_size=2, pin_memory=True)
    assert loader.pin_memory is cuda, (
        f"with torch.cuda.is_available() == {cuda}, make_loader(pin_memory=True) should make a "
        f"loader with pin_memory={cuda}: pinning helps only copies to a GPU"
    )
    assert make_loader(Indexed(6), batch_size=2).pin_memory is False, "pin_memory defaults to False"


def test_make_loader_can_shuffle(no_cuda: None) -> None:
    loader = make_loader(Indexed(6), batch_size=2, shuffle=True)
    assert isinstance(loader.sampler, RandomSampler), "make_loader(shuffle=True) should shuffle"


# ------------------------------------------------------------------------------------------ gather

SETTINGS = [
    {},
    {"num_workers": 2},
    {"num_workers": 2, "persistent_workers": True},
    {"shuffle": True},
    {"num_workers": 2, "shuffle": True},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=str)
def test_same_data_whatever_the_settings(no_cuda: None, settings: dict[str, Any]) -> None:
    dataset = Indexed(11)
    indices, data = gather(make_loader(dataset, batch_size=3, **settings))
    assert_tensor(indices, torch.arange(11), what=f"gathered indices with {settings}")
    assert_tensor(data, dataset.data, what=f"gathered samples with {settings}, sorted by index")


# ------------------------------------------------------------------------------------- time_loader


@pytest.mark.parametrize("epochs", [1, 3])
def test_time_loader_reads_the_clock_around_each_epoch(no_cuda: None, epochs: int) -> None:
    events: list[tuple[str, float]] = []
    loader = make_loader(Indexed(5, events=events), batch_size=2)
    time_loader(loader, epochs=epochs, clock=FakeClock(events))
    kinds = [kind for kind, _ in events]
    want = (["clock"] + ["fetch"] * 5 + ["clock"]) * epochs
    assert kinds == want, (
        f"over {epochs} epoch(s) of 5 samples the events should be {want}: one clock read "
        f"before each epoch's first batch, one after its last, and every sample fetched in "
        f"between; got {kinds}"
    )


def test_time_loader_defaults_to_two_epochs(no_cuda: None) -> None:
    events: list[tuple[str, float]] = []
    report = time_loader(
        make_loader(Indexed(4, events=events), batch_size=2), clock=FakeClock(events)
    )
    fetches = sum(1 for kind, _ in events if kind == "fetch")
    assert fetches == 8 and len(report.epoch_seconds) == 2, (
        f"by default time_loader runs 2 epochs: 8 fetches and 2 timings expected, got "
        f"{fetches} and {len(report.epoch_seconds)}"
    )


@pytest.mark.parametrize(("n", "batch_size", "epochs"), [(5, 2, 3), (8, 4, 2), (7, 10, 1)])
def test_time_loader_report(no_cuda: None, n: int, batch_size: int, epochs: int) -> None:
    events: list[tuple[str, float]] = []
    loader = make_loader(Indexed(n), batch_size=batch_size)
    report = time_loader(loader, epochs=epochs, clock=FakeClock(events))
    assert isinstance(report, LoaderReport), f"expected a LoaderReport, got {report!r}"
    reads = [t for _, t in events]
    want_seconds = [reads[2 * e + 1] - reads[2 * e] for e in range(epochs)]
    assert report.epoch_seconds == want_seconds, (
        f"the fake clock says the epochs took {want_seconds} s, the report says "
        f"{report.epoch_seconds}: one entry per epoch, its stop reading minus its start"
    )
    counts = (report.batches, report.samples)
    want = (math.ceil(n / batch_size), n)
    assert counts == want, (
        f"{n} samples in batches of {batch_size}: one epoch has (batches, samples) = {want}, "
        f"the report says {counts}"
    )
    settings = (report.num_workers, report.pin_memory, report.persistent_workers)
    assert settings == (0, False, False), (
        f"the report should copy the loader's settings: {settings}"
    )


class Records(Dataset[tuple[int, dict[str, torch.Tensor]]]):
    """Sample i is (i, a dict of two fields): its batches are (indices, dict of two batches)."""

    def __len__(self) -> int:
        return 7

    def __getitem__(self, index: int) -> tuple[int, dict[str, torch.Tensor]]:
        return index, {"image": torch.zeros(2, 2), "label": torch.tensor(index % 2)}


def test_samples_are_the_rows_of_the_first_element(no_cuda: None) -> None:
    report = time_loader(make_loader(Records(), batch_size=3), epochs=1)
    assert (report.batches, report.samples) == (3, 7), (
        f"7 samples of (index, dict) in batches of 3: expected 3 batches and 7 samples, got "
        f"{report.batches} and {report.samples}. Count the rows of each batch's first element"
    )


def test_report_reads_the_settings_from_the_loader(no_cuda: None) -> None:
    loader = make_loader(Indexed(4), batch_size=2, num_workers=1, persistent_workers=True)
    report = time_loader(loader, epochs=1)
    got = (report.num_workers, report.persistent_workers, report.pin_memory)
    assert got == (1, True, False), f"(num_workers, persistent_workers, pin_memory) = {got}"


@pytest.mark.parametrize(
    ("samples", "seconds", "want"),
    [(10, [0.5, 1.5], 10.0), (6, [0.25], 24.0), (9, [1.0, 2.0, 3.0], 4.5)],
)
def test_samples_per_second(samples: int, seconds: list[float], want: float) -> None:
    report = LoaderReport(0, False, False, 1, samples, seconds)
    got = report.samples_per_second
    assert got == pytest.approx(want, rel=1e-12), (
        f"{samples} samples per epoch over epochs of {seconds} s: {want} samples/s, got {got}"
    )


@pytest.mark.parametrize("workers", [0, 2])
def test_real_timing_cannot_beat_the_work(no_cuda: None, workers: int) -> None:
    n, sleep = 12, 0.01
    loader = make_loader(Indexed(n, sleep=sleep), batch_size=3, num_workers=workers)
    report = time_loader(loader, epochs=1)
    floor = n * sleep / max(workers, 1)  # the sleeping alone, shared by the workers
    assert report.epoch_seconds[0] >= floor * 0.99, (
        f"loading {n} samples that each sleep {sleep} s with {workers} worker(s) cannot take "
        f"less than {floor:.3f} s, yet the report says {report.epoch_seconds[0]:.4f} s: is the "
        "clock read around the whole iteration?"
    )


@pytest.mark.parametrize("persistent", [True, False])
def test_persistent_workers_survive_the_epoch(no_cuda: None, persistent: bool) -> None:
    loader = make_loader(Pids(), batch_size=2, num_workers=2, persistent_workers=persistent)
    epochs = [{int(pid) for _, pids in loader for pid in pids} for _ in range(2)]
    assert os.getpid() not in epochs[0], "with num_workers=2 the samples load in worker processes"
    if persistent:
        assert epochs[0] == epochs[1], (
            f"with persistent_workers=True both epochs should be loaded by the same worker "
            f"processes, got process ids {epochs}"
        )
    else:
        assert not epochs[0] & epochs[1], (
            f"without persistent workers every epoch starts new worker processes, got process "
            f"ids {epochs}"
        )


# ----------------------------------------------------------------------------------------- compare


def test_compare_times_every_setting_in_order(no_cuda: None) -> None:
    events: list[tuple[str, float]] = []
    clock = FakeClock(events)
    settings = [{}, {"num_workers": 2}, {"num_workers": 2, "persistent_workers": True}]
    reports = compare(Indexed(9), settings, batch_size=4, epochs=3, clock=clock)
    got = [(r.num_workers, r.persistent_workers, len(r.epoch_seconds)) for r in reports]
    want = [(0, False, 3), (2, False, 3), (2, True, 3)]
    assert got == want, (
        f"compare over {settings} with epochs=3 should give reports with (num_workers, "
        f"persistent_workers, epochs timed) = {want}, got {got}"
    )
    assert clock.reads == 18, (
        f"3 settings x 3 epochs x 2 reads = 18 reads of the clock given to compare, got "
        f"{clock.reads}: pass clock on to time_loader"
    )
    assert all((r.batches, r.samples) == (3, 9) for r in reports), (
        "each epoch: 3 batches, 9 samples"
    )


def test_compare_defaults_to_two_epochs(no_cuda: None) -> None:
    reports = compare(Indexed(4), [{}], batch_size=2)
    assert len(reports) == 1 and len(reports[0].epoch_seconds) == 2, "compare: 2 epochs by default"


# ------------------------------------------------------------------------------------------- GPU


@pytest.mark.gpu
def test_pinned_batches_come_back_pinned() -> None:
    pinned = make_loader(Indexed(8), batch_size=4, num_workers=2, pin_memory=True)
    assert all(batch[1].is_pinned() for batch in pinned), (
        "make_loader(pin_memory=True) on a GPU machine should deliver pinned batches"
    )
    assert not any(batch[1].is_pinned() for batch in make_loader(Indexed(8), batch_size=4))
    report = time_loader(pinned, epochs=1)
    assert report.pin_memory is True and report.samples == 8


@pytest.mark.gpu
def test_pinned_batches_copy_to_the_gpu() -> None:
    dataset = Indexed(16)
    loader = make_loader(dataset, batch_size=4, pin_memory=True)
    moved = [x.to("cuda", non_blocking=True) for _, x in loader]
    torch.cuda.synchronize()
    assert_tensor(torch.cat(moved).cpu(), dataset.data, what="pinned batches copied to the GPU")
