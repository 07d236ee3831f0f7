"""Spec for tech/amp: autocast_dtype, make_scaler, amp_train_step, amp_predict."""

from __future__ import annotations

import copy

import pytest
import torch
from mixed_precision import amp_predict, amp_train_step, autocast_dtype, make_scaler
from torch import nn

LOW = [torch.bfloat16, torch.float16]


class Probe(nn.Module):
    """Passes its input through; records (dtype, training mode, autograd recording)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[torch.dtype, bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append((x.dtype, self.training, torch.is_grad_enabled()))
        return x


def mlp(seed: int, device: str = "cpu") -> nn.Sequential:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 32), Probe(), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
    return model.to(device)


def data(seed: int, n: int = 32, device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, 8, generator=g)
    return inputs.to(device), torch.randint(0, 3, (n,), generator=g).to(device)


def updates(before: nn.Module, after: nn.Module) -> torch.Tensor:
    return torch.cat(
        [(a - b).flatten() for a, b in zip(after.parameters(), before.parameters(), strict=True)]
    )


def float32_steps(model: nn.Module, batches: list, lr: float, scale: float = 1.0) -> nn.Module:
    model = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for x, y in batches:
        optimizer.zero_grad()
        (nn.functional.cross_entropy(model(x), y) * scale).backward()
        optimizer.step()
    return model


def close_update(got: torch.Tensor, want: torch.Tensor, what: str, tol: float) -> None:
    assert torch.isfinite(got).all(), f"{what}: the update holds inf or nan"
    cosine = nn.functional.cosine_similarity(got, want, dim=0).item()
    ratio = (got.norm() / want.norm()).item()
    assert cosine > 1 - tol and abs(ratio - 1) < 10 * tol, (
        f"{what}: the weight update should match a float32 step up to low-precision rounding "
        f"(cosine {cosine:.4f}, length ratio {ratio:.4f}; a ratio of 0 means nothing moved, "
        "about 2 means gradients were not cleared between steps)"
    )


@pytest.mark.parametrize(("device", "want"), [("cuda", torch.float16), ("cpu", torch.bfloat16)])
def test_autocast_dtype_per_device(device: str, want: torch.dtype) -> None:
    got = autocast_dtype(device)
    assert got == want, f"autocast_dtype({device!r}) should be {want}, got {got}"


@pytest.mark.parametrize(
    ("dtype", "enabled"), [(torch.float16, True), (torch.bfloat16, False), (torch.float32, False)]
)
def test_make_scaler_scales_only_float16(dtype: torch.dtype, enabled: bool) -> None:
    scaler = make_scaler("cpu", dtype)
    assert isinstance(scaler, torch.amp.GradScaler), f"expected a torch.amp.GradScaler: {scaler!r}"
    assert scaler.is_enabled() is enabled, (
        f"a scaler for {dtype} should be {'enabled' if enabled else 'disabled'}: only float16 "
        "lacks the range to hold small gradients"
    )


@pytest.mark.parametrize("dtype", LOW)
def test_the_forward_runs_in_low_precision_and_the_weights_stay_float32(dtype: torch.dtype) -> None:
    model = mlp(seed=0)
    inputs, targets = data(seed=1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = amp_train_step(
        model,
        inputs,
        targets,
        nn.CrossEntropyLoss(),
        optimizer,
        make_scaler("cpu", dtype),
        dtype=dtype,
    )
    assert type(loss) is float, f"amp_train_step should return the loss as a float: {loss!r}"
    seen = model[1].seen
    assert seen and seen[0][0] == dtype, (
        f"the first Linear's output inside the forward pass was {seen[0][0] if seen else None}, "
        f"expected {dtype}: run the forward pass under torch.autocast(..., dtype={dtype})"
    )
    kinds = {
        name: (p.dtype, None if p.grad is None else p.grad.dtype)
        for name, p in model.named_parameters()
    }
    assert all(k == (torch.float32, torch.float32) for k in kinds.values()), (
        f"weights and their gradients should stay float32 (autocast changes only the "
        f"operations): (dtype, grad dtype) per parameter {kinds}"
    )


def test_bfloat16_steps_match_float32() -> None:
    model = mlp(seed=2)
    batches = [data(seed=s) for s in (3, 4, 5)]
    torch.manual_seed(7)  # the same dropout masks in both runs
    reference = float32_steps(model, batches, lr=0.5)
    start = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scaler = make_scaler("cpu", torch.bfloat16)
    torch.manual_seed(7)
    losses = [
        amp_train_step(model, x, y, nn.CrossEntropyLoss(), optimizer, scaler, dtype=torch.bfloat16)
        for x, y in batches
    ]
    assert all(type(v) is float for v in losses), f"losses should be floats: {losses}"
    close_update(updates(start, model), updates(start, reference), "3 bfloat16 steps", tol=2e-3)


def test_float16_gradients_need_the_scaler() -> None:
    """A loss of order 1e-7 (as a loss averaged over many tokens can be) has gradients below
    float16's smallest number: without scaling they round to zero."""
    model = mlp(seed=8)
    x, y = data(seed=9)
    torch.manual_seed(10)
    reference = float32_steps(model, [(x, y)], lr=1e6, scale=1e-7)

    def tiny(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(outputs, targets) * 1e-7

    results = {}
    for enabled in (True, False):
        trained = copy.deepcopy(model)
        scaler = torch.amp.GradScaler("cpu", enabled=enabled)
        optimizer = torch.optim.SGD(trained.parameters(), lr=1e6)
        torch.manual_seed(10)
        amp_train_step(trained, x, y, tiny, optimizer, scaler, dtype=torch.float16)
        results[enabled] = updates(model, trained)
    assert results[False].abs().max() == 0, (
        "with a disabled scaler the float16 gradients should underflow to zero and nothing "
        "should move: is backward running on the float16 graph from autocast?"
    )
    close_update(
        results[True], updates(model, reference), "a float16 step with the GradScaler", tol=5e-3
    )


def test_a_step_with_overflowing_gradients_is_skipped() -> None:
    model = mlp(seed=11)
    x, y = data(seed=12)
    x[0, 0] = float("inf")
    start = copy.deepcopy(model)
    scaler = make_scaler("cpu", torch.float16)
    before = scaler.get_scale()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    amp_train_step(model, x, y, nn.CrossEntropyLoss(), optimizer, scaler, dtype=torch.float16)
    moved = updates(start, model)
    assert torch.equal(moved, torch.zeros_like(moved)), (
        "an input with inf gives inf/nan gradients: scaler.step(optimizer) should skip that "
        "step and leave the weights alone (optimizer.step() would have written nan into them)"
    )
    assert scaler.get_scale() == before / 2, (
        f"after a skipped step the scaler should halve its scale ({before} -> {before / 2}), "
        f"it is {scaler.get_scale()}: call scaler.update() after every step"
    )
    x, y = data(seed=13)
    amp_train_step(model, x, y, nn.CrossEntropyLoss(), optimizer, scaler, dtype=torch.float16)
    assert updates(start, model).abs().max() > 0, "the next, healthy step should train again"


@pytest.mark.parametrize("dtype", LOW)
def test_predict_in_eval_mode_without_gradients(dtype: torch.dtype) -> None:
    model = mlp(seed=14)
    inputs, _ = data(seed=15, n=16)
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        want = reference(inputs)
    got = amp_predict(model, inputs, dtype=dtype)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32, (
        f"amp_predict should hand back float32 outputs, got {getattr(got, 'dtype', got)}"
    )
    assert not got.requires_grad, "amp_predict's outputs should carry no autograd graph"
    seen = model[1].seen
    assert seen == [(dtype, False, False)], (
        f"inside the forward pass (dtype, training mode, autograd recording) should be "
        f"({dtype}, False, False), saw {seen}"
    )
    torch.testing.assert_close(got, want, atol=0.05, rtol=0.05, msg="outputs against float32")


@pytest.mark.gpu
def test_float16_training_on_cuda() -> None:
    model = mlp(seed=16, device="cuda")
    inputs, targets = data(seed=17, n=64, device="cuda")
    with torch.no_grad():
        before = nn.functional.cross_entropy(model.eval()(inputs), targets).item()
    model.train()
    scaler = make_scaler("cuda", autocast_dtype("cuda"))
    assert scaler.is_enabled(), "a float16 scaler on cuda should be enabled"
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    for _ in range(40):  # the scaler may skip a first step or two while it finds its scale
        amp_train_step(
            model, inputs, targets, nn.CrossEntropyLoss(), optimizer, scaler, dtype=torch.float16
        )
    assert model[1].seen[-1][0] == torch.float16, "the forward pass should run in float16"
    assert all(p.dtype == torch.float32 and torch.isfinite(p).all() for p in model.parameters())
    out = amp_predict(model, inputs, dtype=torch.float16)
    assert out.dtype == torch.float32 and out.is_cuda
    after = nn.functional.cross_entropy(out, targets).item()
    assert after < 0.7 * before, f"40 float16 steps should lower the loss: {before} -> {after}"
