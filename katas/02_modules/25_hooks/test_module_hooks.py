"""Spec for modules/hooks: ActivationRecorder and dead_fraction.

The oracle runs the same layers one by one on a hook-free copy of the model and asks autograd
for the gradient of the loss with respect to every layer's output (``retain_grad``).
"""

import copy
from collections import OrderedDict

import pytest
import torch
from module_hooks import ActivationRecorder, dead_fraction
from torch import nn

from katakit.testing import assert_tensor

pytestmark = pytest.mark.filterwarnings("ignore:Full backward hook is firing")
ALL = ["0", "1", "2", "3", "4"]


def randn(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def make_mlp(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))


def make_nested(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    encoder = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 6))
    return nn.Sequential(OrderedDict(encoder=encoder, act=nn.Tanh(), head=nn.Linear(6, 2)))


def by_hand(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor) -> tuple[dict, dict]:
    """Outputs of the top-level layers and d(loss)/d(output) of each, without hooks."""
    model = copy.deepcopy(model)
    outputs, h = {}, x
    for name, layer in model.named_children():
        h = layer(h)
        h.retain_grad()
        outputs[name] = h
    nn.functional.mse_loss(h, y).backward()
    return (
        {n: o.detach() for n, o in outputs.items()},
        {n: o.grad for n, o in outputs.items()},
    )


def hooks_left(model: nn.Module) -> dict[str, int]:
    left = {}
    for name, module in model.named_modules():
        count = sum(
            len(getattr(module, kind))
            for kind in (
                "_forward_hooks",
                "_forward_pre_hooks",
                "_backward_hooks",
                "_backward_pre_hooks",
            )
        )
        if count:
            left[name or "<model>"] = count
    return left


@pytest.mark.parametrize(("batch", "seed"), [(4, 1), (7, 2), (1, 3)])
def test_records_every_named_activation(batch: int, seed: int) -> None:
    model = make_mlp(seed)
    x, y = randn(batch, 5, seed=seed + 10), randn(batch, 3, seed=seed + 20)
    want, _ = by_hand(model, x, y)
    with ActivationRecorder(model, ALL) as recorder:
        model(x)
    assert set(recorder.activations) == set(ALL), (
        f"activations should have one entry per requested layer {ALL}, got "
        f"{sorted(recorder.activations)}"
    )
    for name in ALL:
        assert_tensor(
            recorder.activations[name],
            want[name],
            what=f"the recorded output of layer {name} ({model.get_submodule(name)})",
            atol=1e-6,
            rtol=1e-6,
        )


def test_records_only_the_requested_layers() -> None:
    model = make_mlp(4)
    with ActivationRecorder(model, ["3", "1"]) as recorder:
        model(randn(3, 5, seed=30)).sum().backward()
    assert sorted(recorder.activations) == ["1", "3"], (
        f"asked for layers 3 and 1, got activations for {sorted(recorder.activations)}"
    )
    assert sorted(recorder.gradients) == ["1", "3"], (
        f"asked for layers 3 and 1, got gradients for {sorted(recorder.gradients)}"
    )


def test_activations_are_detached() -> None:
    model = make_mlp(5)
    with ActivationRecorder(model, ALL) as recorder:
        model(randn(3, 5, seed=31))
    attached = [n for n, a in recorder.activations.items() if a.requires_grad]
    assert not attached, (
        f"the activations of layers {attached} still require grad: a stored output keeps its "
        "whole autograd graph alive (memory!) unless it is detached"
    )


@pytest.mark.parametrize(("batch", "seed"), [(4, 6), (6, 7), (1, 8)])
def test_records_the_gradient_of_every_layer_output(batch: int, seed: int) -> None:
    model = make_mlp(seed)
    x, y = randn(batch, 5, seed=seed + 10), randn(batch, 3, seed=seed + 20)
    _, want = by_hand(model, x, y)
    with ActivationRecorder(model, ALL) as recorder:
        nn.functional.mse_loss(model(x), y).backward()
    assert set(recorder.gradients) == set(ALL), (
        f"gradients should have one entry per requested layer after backward(), got "
        f"{sorted(recorder.gradients)}: register_full_backward_hook on each layer"
    )
    for name in ALL:
        grad = recorder.gradients[name]
        assert_tensor(
            grad,
            want[name],
            what=f"the recorded gradient of layer {name}: d(loss) / d(its output), which the "
            "backward hook receives as grad_output[0]",
            atol=1e-6,
            rtol=1e-5,
        )
        assert not grad.requires_grad, f"the gradient recorded for layer {name} is not detached"


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_gradients_are_detached_even_with_create_graph() -> None:
    model = make_mlp(16)
    x, y = randn(4, 5, seed=43), randn(4, 3, seed=44)
    with ActivationRecorder(model, ALL) as recorder:
        nn.functional.mse_loss(model(x), y).backward(create_graph=True)  # as gradient penalties do
    attached = [n for n, g in recorder.gradients.items() if g.requires_grad]
    assert not attached, (
        f"with backward(create_graph=True) the gradients recorded for layers {attached} still "
        "require grad: detach what the hook stores"
    )
    model.zero_grad(set_to_none=True)  # break the parameter <-> graph reference cycle


def test_no_gradients_without_backward() -> None:
    model = make_mlp(9)
    with ActivationRecorder(model, ALL) as recorder:
        model(randn(2, 5, seed=32))
    assert recorder.gradients == {}, (
        f"no backward() ran, yet gradients were recorded for {sorted(recorder.gradients)}"
    )


def test_works_with_nested_layer_names() -> None:
    model = make_nested(10)
    x, y = randn(5, 4, seed=33), randn(5, 2, seed=34)
    with ActivationRecorder(model, ["encoder.1", "encoder.2", "head"]) as recorder:
        nn.functional.mse_loss(model(x), y).backward()
    inner = model.encoder
    relu = torch.relu(inner[0](x))
    want = {"encoder.1": relu, "encoder.2": inner[2](relu)}
    for name, value in want.items():
        assert name in recorder.activations, (
            f"no activation for {name!r}: dotted names reach into submodules (model.get_submodule)"
        )
        assert_tensor(
            recorder.activations[name],
            value.detach(),
            what=f"the output of {name}",
            atol=1e-6,
            rtol=1e-6,
        )
    assert recorder.gradients["head"].shape == (5, 2), "the head's gradient has the wrong shape"


def test_hooks_do_not_change_the_output() -> None:
    model = make_mlp(11)
    x = randn(4, 5, seed=35)
    with torch.no_grad():
        plain = model(x)
        with ActivationRecorder(model, ALL):
            hooked = model(x)
    assert_tensor(
        hooked, plain, what="the model's output with the recorder attached", atol=0, rtol=0
    )


def test_no_hooks_remain_after_the_block() -> None:
    model = make_nested(12)
    with ActivationRecorder(model, ["encoder", "encoder.0", "act", "head"]) as recorder:
        assert hooks_left(model), "inside the with block the layers should carry hooks"
        model(randn(2, 4, seed=36)).sum().backward()
    assert hooks_left(model) == {}, (
        f"hooks left behind after the with block (module: count): {hooks_left(model)}. Keep "
        "the handle every register_* call returns and call .remove() on each in __exit__"
    )
    recorder.activations.clear()
    model(randn(2, 4, seed=37))
    assert recorder.activations == {}, "the recorder still records after the with block"


def test_no_hooks_remain_after_an_error() -> None:
    model = make_mlp(13)
    with pytest.raises(RuntimeError, match="shapes"), ActivationRecorder(model, ALL):
        model(randn(2, 4, seed=38))  # wrong input size: the first Linear raises
    assert hooks_left(model) == {}, (
        f"after an exception inside the with block, hooks were left on {hooks_left(model)}: "
        "__exit__ runs on errors too, so remove them there"
    )


def test_a_bad_name_registers_nothing() -> None:
    model = make_mlp(14)
    with pytest.raises(AttributeError), ActivationRecorder(model, ["1", "3", "no_such_layer"]):
        pass
    assert hooks_left(model) == {}, (
        f"entering with an unknown layer name raised (good), but left hooks on "
        f"{hooks_left(model)}: __exit__ never runs when __enter__ fails, so look every layer "
        "up before registering any hook"
    )


def test_reusable_and_latest_pass_wins() -> None:
    model = make_mlp(15)
    recorder = ActivationRecorder(model, ["4"])
    for seed in (40, 41):
        x = randn(3, 5, seed=seed)
        with recorder:
            model(x)
        assert_tensor(
            recorder.activations["4"],
            model(x).detach(),
            what=f"the output of layer 4 after entering the recorder again (input seed {seed})",
        )
        assert hooks_left(model) == {}, "hooks remain after leaving the recorder again"


def test_dead_fraction_counts_zeros_per_layer() -> None:
    model = nn.Sequential(nn.Linear(6, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU())
    with torch.no_grad():
        model[2].bias.fill_(-100.0)  # every unit of the second ReLU is dead
    x = randn(50, 6, seed=42)
    first = torch.relu(model[0](x))
    grad_modes: list[bool] = []
    spy = model[3].register_forward_hook(lambda *_: grad_modes.append(torch.is_grad_enabled()))
    got = dead_fraction(model, x, ["1", "3"])
    spy.remove()
    assert grad_modes == [False], (
        f"dead_fraction should run the model once with gradient recording off (torch.no_grad), "
        f"got {len(grad_modes)} passes with grad mode {grad_modes}"
    )
    assert set(got) == {"1", "3"}, f"dead_fraction should report layers 1 and 3, got {set(got)}"
    want = float((first == 0).float().mean())
    assert abs(got["1"] - want) < 1e-6, (
        f"dead_fraction for layer 1: {want:.3f} of its outputs are exactly zero, got {got['1']}"
    )
    assert got["3"] == 1.0, f"every output of layer 3 is zero, got a fraction of {got['3']}"
    assert hooks_left(model) == {}, f"dead_fraction left hooks on {hooks_left(model)}"
