"""Spec for tech/profile: labelled_train_step, profile_steps, phase_times, bottleneck, top_ops."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable

import pytest
import torch
from profile_step import (
    PHASES,
    bottleneck,
    labelled_train_step,
    phase_times,
    profile_steps,
    top_ops,
)
from torch import nn
from torch.profiler import profile

SLEEP = 0.1  # seconds: far above anything else in these tiny steps


class SlowForward(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(SLEEP)
        return x


class SlowGrad(torch.autograd.Function):
    """The identity, with a slow backward."""

    @staticmethod
    def forward(ctx: object, x: torch.Tensor) -> torch.Tensor:
        return x.view_as(x)

    @staticmethod
    def backward(ctx: object, grad: torch.Tensor) -> torch.Tensor:
        time.sleep(SLEEP)
        return grad


class SlowBackward(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return SlowGrad.apply(x)  # type: ignore[no-any-return]


class SlowSGD(torch.optim.SGD):
    def step(self, closure: object = None) -> None:  # type: ignore[override]
        time.sleep(SLEEP)
        super().step()


def setup(slow: str = "", seed: int = 0) -> tuple[nn.Module, torch.optim.Optimizer, Callable]:
    torch.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4)]
    if slow == "forward":
        layers.insert(1, SlowForward())
    if slow == "backward":
        layers.insert(1, SlowBackward())
    model = nn.Sequential(*layers)
    kind = SlowSGD if slow == "optimizer" else torch.optim.SGD
    optimizer = kind(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(seed)
    inputs, targets = torch.randn(32, 16, generator=g), torch.randint(0, 4, (32,), generator=g)

    def step() -> float:
        return labelled_train_step(model, inputs, targets, nn.CrossEntropyLoss(), optimizer)

    return model, optimizer, step


def rows(prof: profile) -> dict[str, object]:
    return {row.key: row for row in prof.key_averages()}


def test_the_labelled_step_is_an_ordinary_training_step() -> None:
    model, _, step = setup(seed=1)
    reference = copy.deepcopy(model)
    ref_optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(1)
    inputs, targets = torch.randn(32, 16, generator=g), torch.randint(0, 4, (32,), generator=g)
    for _ in range(3):
        ref_optimizer.zero_grad()
        want = nn.functional.cross_entropy(reference(inputs), targets)
        want.backward()
        ref_optimizer.step()
        got = step()
        assert type(got) is float and got == pytest.approx(want.item(), rel=1e-5), (
            f"labelled_train_step should return this step's loss {want.item():.6f} as a "
            f"float, got {got!r}"
        )
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(
            p, q, rtol=1e-5, atol=1e-6, msg="weights after 3 steps (zero_grad every step?)"
        )


def test_each_phase_is_a_labelled_range() -> None:
    _, _, step = setup(seed=2)
    with profile() as prof:
        for _ in range(2):
            step()
    counts = {name: getattr(rows(prof).get(name), "count", 0) for name in PHASES}
    assert counts == dict.fromkeys(PHASES, 2), (
        f"two steps under the profiler should show each labelled range twice: {counts}. "
        "Wrap each phase in record_function with exactly these names"
    )


def test_profile_steps_warms_up_outside_the_profile() -> None:
    calls: list[bool] = []

    def step() -> None:
        calls.append(True)
        with torch.profiler.record_function("my_step"):
            torch.ones(8).sum()

    prof = profile_steps(step, warmup=2, active=3)
    assert len(calls) == 5, f"2 warm-up + 3 active steps should call step 5 times, got {len(calls)}"
    assert isinstance(prof, profile), f"profile_steps should return the profiler: {prof!r}"
    seen = getattr(rows(prof).get("my_step"), "count", 0)
    assert seen == 3, (
        f"the profile should hold the 3 active steps only, it holds {seen}: warm-up steps run "
        "before the profiler starts"
    )


@pytest.mark.parametrize("slow", PHASES)
def test_the_profile_points_at_the_slow_phase(slow: str) -> None:
    _, _, step = setup(slow, seed=3)
    prof = profile_steps(step, warmup=1, active=3)
    times = phase_times(prof)
    assert isinstance(times, dict) and set(times) == set(PHASES), (
        f"phase_times should map each of {PHASES} to milliseconds, got {times!r}"
    )
    assert times[slow] >= 1000 * SLEEP * 0.95, (
        f"the {slow} phase sleeps {1000 * SLEEP:.0f} ms in each of 3 steps: its mean time per "
        f"occurrence should be a little above that, in milliseconds (not the total over the "
        f"steps, not microseconds); got {times}"
    )
    table = rows(prof)
    want = {n: table[n].cpu_time_total / table[n].count / 1000 for n in PHASES}  # type: ignore[attr-defined]
    assert times == pytest.approx(want, rel=1e-9), (
        f"from prof.key_averages(): each phase's cpu_time_total / count, in milliseconds "
        f"(the table says microseconds) should be {want}, got {times}"
    )
    others = [name for name in PHASES if name != slow]
    assert all(times[name] < times[slow] for name in others), f"times per phase: {times}"
    assert bottleneck(prof) == slow, f"bottleneck should name {slow!r}: {times}"


def test_top_ops_ranks_operators_by_self_time() -> None:
    a, b = torch.randn(300, 300), torch.randn(300, 300)

    def step() -> None:
        (a @ b).relu().sum()
        torch.ones(4).add(1)

    prof = profile_steps(step, warmup=1, active=3)
    ops = sorted(
        (row for row in prof.key_averages() if row.key.startswith("aten::")),
        key=lambda row: row.self_cpu_time_total,
        reverse=True,
    )
    for k in (1, 3):
        want = [row.key for row in ops[:k]]
        got = top_ops(prof, k)
        assert got == want, (
            f"top_ops(prof, {k}): the aten:: rows with the largest self CPU time, largest "
            f"first, should be {want}, got {got}"
        )


@pytest.mark.gpu
def test_profiles_a_cuda_step() -> None:
    torch.manual_seed(4)
    model = nn.Sequential(nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)).cuda()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs, targets = (
        torch.randn(256, 512, device="cuda"),
        torch.randint(0, 10, (256,), device="cuda"),
    )

    def step() -> None:
        labelled_train_step(model, inputs, targets, nn.CrossEntropyLoss(), optimizer)
        torch.cuda.synchronize()

    prof = profile_steps(step, warmup=2, active=3)
    assert set(phase_times(prof)) == set(PHASES)
    device = sum(row.self_device_time_total for row in prof.key_averages())
    assert device > 0, "on a GPU the default profiler should record CUDA kernel time too"
