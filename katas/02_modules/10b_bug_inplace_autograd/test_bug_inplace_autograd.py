"""Spec for bugs/inplace-autograd: the gated MLP trains, with the gradients of its formula."""

import pytest
import torch
import torch.nn.functional as F
from bug_inplace_autograd import GatedBlock, GatedClassifier, train_step

from katakit.testing import assert_tensor

DIM, NUM_CLASSES = 6, 3


def randn(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def make_block(seed: int) -> GatedBlock:
    torch.manual_seed(seed)
    return GatedBlock(DIM)


def formula(x: torch.Tensor, params: list[torch.Tensor]) -> torch.Tensor:
    """x + sigmoid(gate(x)) * relu(value(x)), written with out-of-place ops only."""
    gate_w, gate_b, value_w, value_b = params
    return x + torch.sigmoid(F.linear(x, gate_w, gate_b)) * F.relu(F.linear(x, value_w, value_b))


def block_params(block: GatedBlock) -> list[torch.Tensor]:
    return [block.gate.weight, block.gate.bias, block.value.weight, block.value.bias]


@pytest.mark.parametrize(("batch", "seed"), [(1, 0), (4, 1), (8, 2)])
def test_block_forward_matches_the_formula(batch: int, seed: int) -> None:
    block = make_block(seed)
    x = randn(batch, DIM, seed=10 + seed)
    before = x.clone()
    with torch.no_grad():
        got = block(x)
        want = formula(x, block_params(block))
    assert_tensor(got, want, what=f"GatedBlock output for a batch of {batch}", atol=1e-6, rtol=1e-5)
    assert_tensor(x, before, what="the input x after forward (must not change)", atol=0, rtol=0)


@pytest.mark.parametrize("seed", [3, 4])
def test_block_gradients_match_the_formula(seed: int) -> None:
    block = make_block(seed)
    x = randn(5, DIM, seed=20 + seed).requires_grad_()
    upstream = randn(5, DIM, seed=30 + seed)
    (block(x) * upstream).sum().backward()
    params = [p.detach().clone().requires_grad_() for p in block_params(block)]
    x_ref = x.detach().clone().requires_grad_()
    want = torch.autograd.grad((formula(x_ref, params) * upstream).sum(), [x_ref, *params])
    names = ["x", "gate.weight", "gate.bias", "value.weight", "value.bias"]
    for name, got, expected in zip(
        names, [x.grad, *(p.grad for p in block_params(block))], want, strict=True
    ):
        assert_tensor(
            got,
            expected,
            what=f"gradient of the block's output with respect to {name} (backward must run "
            "and give the gradients of the formula)",
            atol=1e-6,
            rtol=1e-5,
        )


def test_classifier_stacks_two_blocks_and_a_head() -> None:
    torch.manual_seed(5)
    model = GatedClassifier(DIM, NUM_CLASSES)
    x = randn(7, DIM, seed=40)
    with torch.no_grad():
        hidden = x
        for block in model.blocks:
            hidden = formula(hidden, block_params(block))
        want = F.linear(hidden, model.head.weight, model.head.bias)
        got = model(x)
    assert len(model.blocks) == 2, f"expected two GatedBlocks, found {len(model.blocks)}"
    assert_tensor(got, want, what="GatedClassifier logits", atol=1e-5, rtol=1e-5)


def test_train_step_updates_like_sgd() -> None:
    lr = 0.5
    torch.manual_seed(6)
    model = GatedClassifier(DIM, NUM_CLASSES)
    params = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for step in range(2):
        x = randn(8, DIM, seed=50 + step)
        y = torch.randint(0, NUM_CLASSES, (8,), generator=torch.Generator().manual_seed(step))
        got = train_step(model, x, y, optimizer)
        leaves = [p.requires_grad_() for p in params]
        w = iter(leaves)
        hidden = x
        for _ in range(2):
            hidden = formula(hidden, [next(w), next(w), next(w), next(w)])
        loss = F.cross_entropy(F.linear(hidden, next(w), next(w)), y)
        grads = torch.autograd.grad(loss, leaves)
        params = [(p - lr * g).detach() for p, g in zip(leaves, grads, strict=True)]
        assert isinstance(got, float), f"train_step should return a Python float, got {type(got)}"
        assert abs(got - loss.item()) <= 1e-5, (
            f"step {step}: train_step returned loss {got:.6f}, expected the cross-entropy before "
            f"the update, {loss.item():.6f}"
        )
    for (name, got_p), want_p in zip(model.named_parameters(), params, strict=True):
        assert_tensor(
            got_p.detach(),
            want_p,
            what=f"{name} after two train_steps (one SGD step per call on that batch's gradient)",
            atol=1e-5,
            rtol=1e-4,
        )


def test_training_lowers_the_loss() -> None:
    torch.manual_seed(7)
    model = GatedClassifier(DIM, NUM_CLASSES)
    x = randn(32, DIM, seed=60)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = [train_step(model, x, y, optimizer) for _ in range(40)]
    assert losses[-1] < 0.5 * losses[0], (
        f"40 Adam steps on one small batch took the loss from {losses[0]:.3f} to only "
        f"{losses[-1]:.3f}: the model should fit it easily"
    )
