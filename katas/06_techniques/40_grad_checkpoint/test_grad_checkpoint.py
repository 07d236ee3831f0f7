"""Spec for tech/grad-checkpoint: CheckpointedMLP.forward and saved_activation_bytes."""

from __future__ import annotations

import pytest
import torch
from grad_checkpoint import CheckpointedMLP, saved_activation_bytes
from torch import nn

from katakit.testing import assert_tensor

WIDTH, DEPTH, BATCH = 256, 8, 128
PLAIN_BYTES, CHECKPOINTED_BYTES = 3_153_920, 1_048_576


def count_saved(model: nn.Module, inputs: torch.Tensor) -> int:
    """The spec's own count: distinct storages saved for backward, parameters left out."""
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    sizes: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        if t.untyped_storage().data_ptr() not in params:
            sizes[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(inputs)
    return sum(sizes.values())


def pair(seed: int) -> tuple[CheckpointedMLP, CheckpointedMLP]:
    torch.manual_seed(seed)
    plain = CheckpointedMLP(WIDTH, DEPTH, checkpointing=False)
    checkpointed = CheckpointedMLP(WIDTH, DEPTH, checkpointing=True)
    checkpointed.load_state_dict(plain.state_dict())
    return plain, checkpointed


def batch(seed: int, n: int = BATCH) -> torch.Tensor:
    return torch.randn(n, WIDTH, generator=torch.Generator().manual_seed(seed))


class Square(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * x  # saves x twice, as both operands


class Exp(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.exp()  # saves its output


def leaf(*shape: int) -> torch.Tensor:
    return torch.randn(*shape).requires_grad_()


CASES = [
    (
        "Linear(5, 3) on a (4, 5) input: it keeps its input",
        lambda: nn.Linear(5, 3),
        lambda: torch.randn(4, 5),
        4 * 5 * 4,
    ),
    (
        "exp of a (4, 5) input that needs grad: it keeps its output",
        Exp,
        lambda: leaf(4, 5),
        4 * 5 * 4,
    ),
    ("x * x keeps x twice: one storage", Square, lambda: leaf(3, 7), 3 * 7 * 4),
    (
        "Linear(5, 6) then Tanh on a (4, 5) float64 input",
        lambda: nn.Sequential(nn.Linear(5, 6), nn.Tanh()).double(),
        lambda: torch.randn(4, 5, dtype=torch.float64),
        (4 * 5 + 4 * 6) * 8,
    ),
    ("a module with nothing to differentiate", nn.ReLU, lambda: torch.randn(4, 5), 0),
]


@pytest.mark.parametrize(
    ("what", "make", "make_input", "want"), CASES, ids=[c[0][:24] for c in CASES]
)
def test_saved_activation_bytes_on_small_cases(what: str, make, make_input, want: int) -> None:
    torch.manual_seed(0)
    model, inputs = make(), make_input()
    assert count_saved(model, inputs) == want  # the table itself is right
    got = saved_activation_bytes(model, inputs)
    assert got == want, (
        f"{what}: autograd saves {want} bytes of activations, saved_activation_bytes said "
        f"{got!r}. Count each storage once and leave the parameters' storages out"
    )


def test_checkpointing_keeps_only_block_inputs() -> None:
    plain, checkpointed = pair(seed=1)
    x = batch(seed=2)
    got = {
        name: count_saved(model, x)
        for name, model in (("plain", plain), ("checkpointed", checkpointed))
    }
    want = {"plain": PLAIN_BYTES, "checkpointed": CHECKPOINTED_BYTES}
    assert got == want, (
        f"bytes autograd keeps for the 8-block MLP on a ({BATCH}, {WIDTH}) batch: expected {want} "
        f"(plain: each Linear, LayerNorm and GELU input; checkpointed: only each block's input), "
        f"got {got}"
    )
    mine = {
        name: saved_activation_bytes(model, x)
        for name, model in (("plain", plain), ("checkpointed", checkpointed))
    }
    assert mine == want, f"saved_activation_bytes on the same models: expected {want}, got {mine}"


@pytest.mark.parametrize("seed", [3, 4])
def test_checkpointed_outputs_and_gradients_are_the_same(seed: int) -> None:
    plain, checkpointed = pair(seed)
    x = batch(seed + 10, n=16)
    outputs = []
    for model in (plain, checkpointed):
        out = model(x)
        out.square().mean().backward()
        outputs.append(out.detach())
    assert_tensor(
        outputs[1], outputs[0], what="checkpointed outputs against plain", atol=1e-6, rtol=1e-5
    )
    for (name, p), q in zip(checkpointed.named_parameters(), plain.parameters(), strict=True):
        assert p.grad is not None, (
            f"{name} got no gradient through the checkpointed block: with use_reentrant=True "
            "(the old default) the weights get no gradient when the input needs none"
        )
        assert_tensor(
            p.grad, q.grad, what=f"{name}.grad, checkpointed against plain", atol=1e-6, rtol=1e-5
        )


class Counting(nn.Module):
    """Wraps a block and counts its forward calls (forward hooks do not see recomputation)."""

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.block = block
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.block(x)


def count_block_forwards(model: CheckpointedMLP) -> list[Counting]:
    for i, block in enumerate(model.blocks):
        model.blocks[i] = Counting(block)
    return list(model.blocks)  # type: ignore[arg-type]


def test_a_checkpointed_block_runs_again_during_backward() -> None:
    plain, checkpointed = pair(seed=5)
    x = batch(seed=6, n=8)
    calls = {}
    for name, model in (("plain", plain), ("checkpointed", checkpointed)):
        counters = count_block_forwards(model)
        model(x).sum().backward()
        calls[name] = [c.calls for c in counters]
    assert calls == {"plain": [1] * DEPTH, "checkpointed": [2] * DEPTH}, (
        f"forward calls per block in one training step: plain blocks run once, checkpointed "
        f"ones once forward and once more during backward; got {calls}"
    )


@pytest.mark.gpu
def test_checkpointing_lowers_peak_memory_on_cuda() -> None:
    plain, checkpointed = pair(seed=7)
    x = batch(seed=8, n=4096).cuda()
    peaks = {}
    for name, model in (("plain", plain), ("checkpointed", checkpointed)):
        model.cuda()
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        start = torch.cuda.memory_allocated()
        model(x).square().mean().backward()
        torch.cuda.synchronize()
        peaks[name] = torch.cuda.max_memory_allocated() - start
        model.zero_grad(set_to_none=True)
        model.cpu()
    assert peaks["checkpointed"] < 0.75 * peaks["plain"], (
        f"peak memory of a training step above the start, in bytes: {peaks}"
    )
