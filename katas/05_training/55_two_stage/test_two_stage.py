"""Spec for training/two-stage: freeze_backbone, train, train_two_stage."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from two_stage import BackboneHead, train_two_stage

FEATURES, HIDDEN, CLASSES = 6, 12, 3


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = 2 * torch.randn(CLASSES, FEATURES, generator=g)
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[targets] + torch.randn(n, FEATURES, generator=g), targets


def batches(n: int, size: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    inputs, targets = blobs(n, seed)
    return list(zip(inputs.split(size), targets.split(size), strict=True))


def model(seed: int) -> BackboneHead:
    torch.manual_seed(seed)
    return BackboneHead(FEATURES, HIDDEN, CLASSES)


def modes(module: nn.Module) -> dict[str, bool]:
    return {name or "model": m.training for name, m in module.named_modules()}


def state(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_freeze_backbone_stops_gradients_and_statistics() -> None:
    net = model(seed=0)
    net.freeze_backbone()
    grads = {name: p.requires_grad for name, p in net.named_parameters()}
    want = {name: name.startswith("head") for name in grads}
    assert grads == want, (
        f"after freeze_backbone, requires_grad should be False for the backbone and True for "
        f"the head: expected {want}, got {grads}"
    )
    assert net.backbone_frozen is True, "freeze_backbone should set backbone_frozen"
    assert not net.backbone.training, "freeze_backbone should put the backbone in eval mode"
    before = state(net.backbone)
    x, y = blobs(8, seed=1)
    nn.functional.cross_entropy(net(x * 3 + 1), y).backward()
    assert all(p.grad is None for p in net.backbone.parameters()), (
        "backward after freezing still filled .grad for backbone weights"
    )
    assert all(p.grad is not None for p in net.head.parameters()), "the head got no gradient"
    for key, tensor in state(net.backbone).items():
        assert torch.equal(tensor, before[key]), (
            f"a forward pass after freezing changed the backbone's {key}: batch norm updates "
            "its running statistics in training mode"
        )


def test_train_keeps_a_frozen_backbone_in_eval_mode() -> None:
    net = model(seed=2)
    assert net.train() is net, "train() should return the model itself, like nn.Module.train"
    assert all(modes(net).values()), f"before freezing, train() sets every module: {modes(net)}"
    net.eval()
    assert not any(modes(net).values()), f"eval() sets every module to eval: {modes(net)}"
    net.freeze_backbone()
    out = net.train()
    want = {name: name in ("model", "head") for name in modes(net)}
    assert out is net and modes(net) == want, (
        f"after freeze_backbone, train() should leave the backbone (and everything in it) in "
        f"eval mode and the rest in training mode: expected {want}, got {modes(net)}"
    )
    net.eval()
    assert not any(modes(net).values()), f"eval() still sets every module: {modes(net)}"


def run(full: int, head: int, seed: int) -> tuple[BackboneHead, list[float]]:
    net = model(seed)
    net.eval()  # as a model loaded from disk arrives: the training loop switches it
    losses = train_two_stage(
        net,
        batches(24, 6, seed=seed + 1),
        nn.CrossEntropyLoss(),
        full_epochs=full,
        head_epochs=head,
        lr=0.2,
        head_lr=0.05,
    )
    return net, losses


def test_stage_two_leaves_the_backbone_exactly_as_stage_one_left_it() -> None:
    initial = state(model(seed=3).backbone)
    after_stage_one, _ = run(full=2, head=0, seed=3)
    after_both, losses = run(full=2, head=3, seed=3)
    assert len(losses) == 5, f"2 + 3 epochs should give 5 losses, got {losses!r}"
    stage_one = state(after_stage_one.backbone)
    assert any(not torch.equal(stage_one[k], initial[k]) for k in initial), (
        "stage one should train the backbone too: it is unchanged"
    )
    for key, tensor in state(after_both.backbone).items():
        assert torch.equal(tensor, stage_one[key]), (
            f"the backbone's {key} changed during stage two: "
            + (
                "its batch-norm statistics moved, so it ran in training mode"
                if "running" in key or "num_batches" in key
                else "its weights moved, so it was not frozen"
            )
        )
    assert not torch.equal(after_both.head.weight, after_stage_one.head.weight), (
        "stage two should train the head: it did not change"
    )


def by_hand(net: BackboneHead, data: list, full: int, head: int) -> list[float]:
    out = []
    for stage, (epochs, lr) in enumerate(((full, 0.2), (head, 0.05))):
        params = list(net.parameters() if stage == 0 else net.head.parameters())
        for _ in range(epochs):
            nn.Module.train(net, True)
            if stage == 1:
                nn.Module.train(net.backbone, False)
            total = 0.0
            for x, y in data:
                loss = nn.functional.cross_entropy(net(x), y)
                grads = torch.autograd.grad(loss, params)
                with torch.no_grad():
                    for p, g in zip(params, grads, strict=True):
                        p -= lr * g
                total += loss.item()
            out.append(total / len(data))
    return out


@pytest.mark.parametrize(("full", "head", "seed"), [(2, 2, 4), (1, 3, 5)])
def test_both_stages_match_training_by_hand(full: int, head: int, seed: int) -> None:
    reference = copy.deepcopy(model(seed))
    want = by_hand(reference, batches(24, 6, seed=seed + 1), full, head)
    got_model, got = run(full, head, seed)
    assert isinstance(got, list) and all(type(v) is float for v in got), (
        f"train_two_stage should return a list of floats, got {got!r}"
    )
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6), (
        f"epoch losses: stage one trains everything at lr=0.2, stage two only the head at "
        f"head_lr=0.05 with the backbone in eval mode. Expected {want}, got {got}"
    )
    for key, tensor in state(reference).items():
        torch.testing.assert_close(
            got_model.state_dict()[key], tensor, rtol=1e-5, atol=1e-6, msg=f"{key} at the end"
        )
