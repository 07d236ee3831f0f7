"""Spec for tensors/device-transfer: move, model_to, devices_of, transfer_seconds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pytest
import torch
from device_transfer import devices_of, model_to, move, transfer_seconds
from torch import nn

from katakit.testing import assert_tensor


class Batch(NamedTuple):
    images: torch.Tensor
    labels: torch.Tensor
    ids: list[str]


def make_batch() -> dict[str, Any]:
    g = torch.Generator().manual_seed(1)
    return {
        "image": torch.rand(2, 3, 4, 5, generator=g),
        "pairs": [
            torch.arange(6).reshape(2, 3),
            (torch.ones(3, dtype=torch.bool), "tag", torch.randn(4, generator=g)),
        ],
        "info": {
            "step": 7,
            "name": "train",
            "mask": None,
            "scale": torch.tensor(0.5, dtype=torch.float64),
        },
        "empty": [],
    }


def leaves(got: Any, want: Any, path: str = "batch") -> Iterator[tuple[str, Any, Any]]:
    """Walk two batches side by side, checking containers, yielding matching leaves."""
    if isinstance(want, dict | list | tuple):
        assert type(got) is type(want), (
            f"{path}: expected a {type(want).__name__}, got a {type(got).__name__}: rebuild each "
            "container as the same type it was"
        )
        if isinstance(want, dict):
            assert list(got) == list(want), (
                f"{path}: expected keys {list(want)} in that order, got {list(got)}"
            )
            for key in want:
                yield from leaves(got[key], want[key], f"{path}[{key!r}]")
        else:
            assert len(got) == len(want), (
                f"{path}: expected {len(want)} items, got {len(got)}: was an item dropped?"
            )
            for i, (g, w) in enumerate(zip(got, want, strict=True)):
                yield from leaves(g, w, f"{path}[{i}]")
    else:
        yield path, got, want


def make_model() -> nn.Sequential:
    torch.manual_seed(3)
    return nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 3))


# ---------------------------------------------------------------- a recorder for copies and time


def _cuda_to_meta(arg: Any) -> Any:
    """The fake copy sends 'cuda' to 'meta', so code that asks for CUDA runs on a laptop."""
    if isinstance(arg, str | torch.device) and torch.device(arg).type == "cuda":
        return "meta"
    return arg


def _non_blocking(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if "non_blocking" in kwargs:
        return bool(kwargs["non_blocking"])
    return any(a is True for a in args)


@dataclass(repr=False)
class Timeline:
    """Fakes for the clock, sync, copies and pinning, all writing to one list of events."""

    clock_values: list[float] = field(default_factory=lambda: [10.0, 10.75])
    events: list[str] = field(default_factory=list)
    sources: list[torch.Tensor] = field(default_factory=list)
    flags: list[bool] = field(default_factory=list)
    pinned: list[torch.Tensor] = field(default_factory=list)

    def __repr__(self) -> str:  # short, and never formats a tensor (that would copy it)
        return f"Timeline(events={self.events})"

    def clock(self) -> float:
        if not self.clock_values:
            raise AssertionError(
                "the clock was read more than twice: read it once before the timed copies and "
                "once after them"
            )
        self.events.append("clock")
        return self.clock_values.pop(0)

    def sync(self) -> None:
        self.events.append("sync")

    def count(self, what: str, start: int = 0, stop: int | None = None) -> int:
        return self.events[start:stop].count(what)


@pytest.fixture
def timeline(monkeypatch: pytest.MonkeyPatch) -> Timeline:
    line = Timeline()
    original_to = torch.Tensor.to

    def fake_to(self: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        line.events.append("copy")
        line.sources.append(self)
        line.flags.append(_non_blocking(args, kwargs))
        args = tuple(_cuda_to_meta(a) for a in args)
        kwargs = {k: _cuda_to_meta(v) for k, v in kwargs.items()}
        return original_to(self, *args, **kwargs)

    def fake_pin_memory(self: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        line.events.append("pin")
        pinned = self.clone()
        line.pinned.append(pinned)
        return pinned

    def fake_cuda_synchronize(*args: Any, **kwargs: Any) -> None:
        line.events.append("cuda-sync")

    monkeypatch.setattr(torch.Tensor, "to", fake_to)
    monkeypatch.setattr(torch.Tensor, "pin_memory", fake_pin_memory)
    monkeypatch.setattr(torch.cuda, "synchronize", fake_cuda_synchronize)
    return line


def timed(line: Timeline, **kwargs: Any) -> float:
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    options: dict[str, Any] = {"pinned": False, "clock": line.clock, "sync": line.sync}
    options.update(kwargs)
    return transfer_seconds(x, "meta", **options)


def clock_reads(line: Timeline) -> list[int]:
    reads = [i for i, e in enumerate(line.events) if e == "clock"]
    assert len(reads) == 2, (
        f"expected the clock to be read exactly twice (start, stop), it was read {len(reads)} "
        f"times; events: {line.events}"
    )
    return reads


# ---------------------------------------------------------------------------------------- move


def test_move_sends_every_tensor_to_the_device() -> None:
    batch = make_batch()
    moved = move(batch, "meta")
    found = 0
    for path, got, want in leaves(moved, batch):
        if isinstance(want, torch.Tensor):
            found += 1
            assert_tensor(got, want.to("meta"), what=f"move(batch, 'meta') at {path}")
    assert found == 5, f"the test batch holds 5 tensors, {found} were checked"


def test_move_keeps_containers_and_other_values() -> None:
    batch = make_batch()
    moved = move(batch, "meta")
    for path, got, want in leaves(moved, batch):
        if not isinstance(want, torch.Tensor):
            assert got is want, (
                f"{path}: expected the very same object {want!r}, got {got!r}: values that are "
                "not tensors or containers pass through untouched"
            )


def test_move_rebuilds_namedtuples() -> None:
    g = torch.Generator().manual_seed(2)
    batch = Batch(torch.randn(4, 3, generator=g), torch.tensor([0, 2, 1, 1]), ["a", "b"])
    moved = move(batch, "meta")
    assert type(moved) is Batch, (
        f"a Batch NamedTuple came back as {type(moved).__name__}: a NamedTuple is rebuilt by "
        "passing the moved items as separate arguments"
    )
    assert_tensor(moved.images, batch.images.to("meta"), what="moved Batch.images")
    assert_tensor(moved.labels, batch.labels.to("meta"), what="moved Batch.labels")
    assert moved.ids == ["a", "b"], f"moved Batch.ids: expected ['a', 'b'], got {moved.ids!r}"


def test_move_moves_a_bare_tensor() -> None:
    x = torch.randn(3, 2, dtype=torch.float64)
    assert_tensor(move(x, "meta"), x.to("meta"), what="move(tensor, 'meta')")


def test_move_leaves_the_batch_untouched() -> None:
    batch = make_batch()
    pairs, info = batch["pairs"], batch["info"]
    image = batch["image"]
    move(batch, "meta")
    assert batch["image"] is image and batch["pairs"] is pairs and batch["info"] is info, (
        "move replaced entries of the batch it was given: build new containers instead"
    )
    assert len(pairs) == 2 and pairs[0].device.type == "cpu", (
        "move changed the list inside the batch it was given: build a new list"
    )
    assert info["scale"].device.type == "cpu", (
        "move changed the dict inside the batch it was given: build a new dict"
    )


@pytest.mark.parametrize("non_blocking", [True, False])
def test_move_passes_non_blocking_on(timeline: Timeline, non_blocking: bool) -> None:
    move(make_batch(), "meta", non_blocking=non_blocking)
    assert len(timeline.flags) == 5, (
        f"expected one .to() call per tensor (5 in the batch), counted {len(timeline.flags)}"
    )
    assert timeline.flags == [non_blocking] * 5, (
        f"move(..., non_blocking={non_blocking}) copied with non_blocking={timeline.flags}: "
        "pass the flag on to every .to() call"
    )


# ------------------------------------------------------------------------- model_to, devices_of


def test_model_to_moves_parameters_and_buffers() -> None:
    model = make_model()
    model_to(model, "meta")
    named = [*model.named_parameters(), *model.named_buffers()]
    assert any(name.endswith("running_mean") for name, _ in named)
    for name, tensor in named:
        assert tensor.device.type == "meta", (
            f"after model_to(model, 'meta'), {name} is still on {tensor.device.type}: "
            "buffers (like batch-norm running statistics) must move too"
        )


def test_model_to_returns_the_same_module() -> None:
    model = make_model()
    got = model_to(model, "meta")
    assert got is model, (
        f"model_to should return the very module it was given, got another "
        f"{type(got).__name__}: nn.Module.to moves the module in place and returns it"
    )


def test_devices_of_a_cpu_model() -> None:
    got = devices_of(make_model())
    assert got == {"cpu"}, f"a freshly built model lives on the cpu, devices_of said {got!r}"


def test_devices_of_a_split_model() -> None:
    model = make_model()
    model[3].to("meta")
    got = devices_of(model)
    assert got == {"cpu", "meta"}, (
        f"the last Linear was moved to meta and the rest left on cpu: expected "
        f"{{'cpu', 'meta'}}, got {got!r}"
    )


def test_devices_of_sees_buffers() -> None:
    model = make_model()
    model[1].running_mean = model[1].running_mean.to("meta")
    got = devices_of(model)
    assert got == {"cpu", "meta"}, (
        f"one batch-norm buffer sits on meta, everything else on cpu: expected "
        f"{{'cpu', 'meta'}}, got {got!r}: look at buffers as well as parameters"
    )


def test_devices_of_a_model_without_tensors() -> None:
    got = devices_of(nn.ReLU())
    assert got == set(), f"nn.ReLU has no parameters or buffers: expected set(), got {got!r}"


# ----------------------------------------------------------------------------- transfer_seconds


@pytest.mark.parametrize(("warmup", "repeats"), [(2, 5), (0, 3), (3, 1)])
def test_transfer_warmup_copies_are_not_timed(
    timeline: Timeline, warmup: int, repeats: int
) -> None:
    timed(timeline, warmup=warmup, repeats=repeats)
    start, _ = clock_reads(timeline)
    before = timeline.count("copy", 0, start)
    assert before == warmup, (
        f"with warmup={warmup}, expected {warmup} copies before the clock starts, counted "
        f"{before}; events: {timeline.events}"
    )


@pytest.mark.parametrize(("warmup", "repeats"), [(2, 5), (0, 3), (3, 1)])
def test_transfer_times_exactly_repeats_copies(
    timeline: Timeline, warmup: int, repeats: int
) -> None:
    timed(timeline, warmup=warmup, repeats=repeats)
    start, stop = clock_reads(timeline)
    inside = timeline.count("copy", start, stop)
    after = timeline.count("copy", stop)
    assert (inside, after) == (repeats, 0), (
        f"with repeats={repeats}, expected {repeats} copies between the two clock reads and "
        f"none after, counted {inside} and {after}; events: {timeline.events}"
    )


def test_transfer_default_counts(timeline: Timeline) -> None:
    timed(timeline)
    start, stop = clock_reads(timeline)
    counts = (timeline.count("copy", 0, start), timeline.count("copy", start, stop))
    assert counts == (2, 10), (
        f"by default expect 2 warm-up copies and 10 timed ones, counted {counts}"
    )


@pytest.mark.parametrize(("warmup", "repeats"), [(2, 5), (0, 3)])
def test_transfer_syncs_right_before_each_clock_read(
    timeline: Timeline, warmup: int, repeats: int
) -> None:
    timed(timeline, warmup=warmup, repeats=repeats)
    for read in clock_reads(timeline):
        assert read > 0 and timeline.events[read - 1] == "sync", (
            f"the clock was read at event {read} without a sync() right before it; events: "
            f"{timeline.events}. CUDA copies return before they finish: wait for them, then "
            "read the clock"
        )


@pytest.mark.parametrize(
    ("clock_values", "repeats", "want"), [([10.0, 10.75], 3, 0.25), ([2.0, 6.0], 8, 0.5)]
)
def test_transfer_returns_seconds_per_copy(
    timeline: Timeline, clock_values: list[float], repeats: int, want: float
) -> None:
    timeline.clock_values = list(clock_values)
    got = timed(timeline, repeats=repeats)
    assert got == pytest.approx(want, rel=1e-12), (
        f"the clock read {clock_values[0]} then {clock_values[1]} around {repeats} copies: "
        f"expected {want} s per copy, got {got}"
    )


def test_pinned_transfer_pins_once_before_timing(timeline: Timeline) -> None:
    timed(timeline, pinned=True, warmup=2, repeats=4)
    assert timeline.count("pin") == 1, (
        f"expected x.pin_memory() to be called once, it was called {timeline.count('pin')} "
        "times: pin once, outside the loops"
    )
    first = min(timeline.events.index("copy"), timeline.events.index("clock"))
    assert timeline.events.index("pin") < first, (
        f"pin before the first copy and before the clock starts; events: {timeline.events}"
    )
    pinned = timeline.pinned[0]
    assert all(src is pinned for src in timeline.sources), (
        "with pinned=True every copy must start from the pinned tensor pin_memory() returned, "
        "not from x"
    )
    assert timeline.flags == [True] * 6, (
        f"copies from pinned memory should use non_blocking=True, got {timeline.flags}"
    )


def test_pageable_transfer_copies_x_itself(timeline: Timeline) -> None:
    x = torch.ones(5, 2)
    transfer_seconds(
        x, "meta", pinned=False, warmup=1, repeats=2, clock=timeline.clock, sync=timeline.sync
    )
    assert timeline.count("pin") == 0, "with pinned=False nothing should be pinned"
    assert len(timeline.sources) == 3 and all(src is x for src in timeline.sources), (
        f"with pinned=False expected 3 copies (1 warm-up + 2), each from x itself; got "
        f"{len(timeline.sources)} copies"
    )
    assert timeline.flags == [False] * 3, (
        f"copies from pageable memory should use non_blocking=False, got {timeline.flags}"
    )


def test_default_sync_does_nothing_off_the_gpu(timeline: Timeline) -> None:
    got = timed(timeline, sync=None, repeats=3)
    assert timeline.count("cuda-sync") == 0, (
        "transfer_seconds(..., 'meta') called torch.cuda.synchronize: only wait for the GPU "
        "when the copy goes to a CUDA device"
    )
    assert got == pytest.approx(0.25), f"expected 0.75 s / 3 = 0.25 s per copy, got {got}"


@pytest.mark.parametrize("device", ["cuda", torch.device("cuda", 0)])
def test_default_sync_waits_for_cuda(timeline: Timeline, device: str | torch.device) -> None:
    x = torch.zeros(4, 3)
    transfer_seconds(x, device, pinned=False, warmup=1, repeats=2, clock=timeline.clock)
    for read in clock_reads(timeline):
        assert timeline.events[read - 1] == "cuda-sync", (
            f"copying to {device!r} without a sync argument: expected torch.cuda.synchronize "
            f"right before each clock read; events: {timeline.events}"
        )


# ------------------------------------------------------------------------------------ on a GPU


@pytest.mark.gpu
def test_move_lands_on_cuda() -> None:
    batch = make_batch()
    moved = move(batch, "cuda", non_blocking=True)
    torch.cuda.synchronize()
    for path, got, want in leaves(moved, batch):
        if isinstance(want, torch.Tensor):
            assert got.is_cuda, f"move(batch, 'cuda') left {path} on {got.device}"
            assert_tensor(got.cpu(), want, what=f"{path} after a trip to cuda and back")


@pytest.mark.gpu
def test_model_to_cuda_runs_on_a_moved_batch() -> None:
    model = model_to(make_model(), "cuda")
    assert devices_of(model) == {"cuda"}, f"after model_to cuda: {devices_of(model)}"
    out = model(move(torch.randn(6, 5), "cuda"))
    assert out.is_cuda and tuple(out.shape) == (6, 3)


@pytest.mark.gpu
def test_pinned_copy_is_not_slower_than_pageable() -> None:
    x = torch.randn(4 * 1024 * 1024)  # 16 MiB
    pageable = transfer_seconds(x, "cuda", pinned=False, warmup=3, repeats=20)
    pinned = transfer_seconds(x, "cuda", pinned=True, warmup=3, repeats=20)
    assert pageable > 0 and pinned > 0, f"timings must be positive: {pageable=}, {pinned=}"
    assert pinned <= 1.5 * pageable, (
        f"a pinned copy took {pinned * 1e3:.3f} ms, a pageable one {pageable * 1e3:.3f} ms: "
        "pinned memory should be at least about as fast. Is the pinned tensor really used?"
    )


@pytest.mark.gpu
def test_timed_copy_is_not_faster_than_physics() -> None:
    x = torch.randn(16 * 1024 * 1024)  # 64 MiB
    seconds = transfer_seconds(x, "cuda", pinned=True, warmup=2, repeats=10)
    bytes_per_second = x.numel() * x.element_size() / seconds
    assert bytes_per_second < 1e12, (
        f"measured {bytes_per_second / 1e9:.0f} GB/s host to device, faster than any link: "
        "the clock stopped before the asynchronous copies finished (sync before reading it)"
    )
