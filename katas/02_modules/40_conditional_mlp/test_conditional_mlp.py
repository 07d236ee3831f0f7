"""Spec for modules/conditional-mlp: ConditionalMLP.

The oracle computes each layer with its weight split in two, one block multiplying the hidden
features and one the condition (which is what a Linear over the concatenation does).
"""

import pytest
import torch
from conditional_mlp import ConditionalMLP
from torch import nn

from katakit.testing import assert_shape, assert_tensor

# (in_features, cond_dim, hidden, out_features, depth)
CONFIGS = [(5, 3, 8, 2, 2), (4, 1, 6, 3, 1), (3, 6, 5, 1, 3), (7, 2, 4, 4, 4)]


def randn(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def make(config: tuple[int, ...], seed: int) -> ConditionalMLP:
    torch.manual_seed(seed)
    in_features, cond_dim, hidden, out, depth = config
    return ConditionalMLP(in_features, cond_dim, hidden, out, depth=depth)


def by_hand(model: ConditionalMLP, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
    h = x
    for layer in model.layers:
        w = layer.weight
        split = w.shape[1] - cond.shape[1]
        h = torch.relu(h @ w[:, :split].T + cond @ w[:, split:].T + layer.bias)
    return h @ model.head.weight.T + model.head.bias


def open_relus(model: ConditionalMLP) -> None:
    """Positive biases, so the ReLUs pass most changes through."""
    with torch.no_grad():
        for layer in model.layers:
            layer.bias.fill_(2.0)


@pytest.mark.parametrize("config", CONFIGS, ids=str)
@pytest.mark.parametrize("batch", [1, 5])
def test_forward(config: tuple[int, ...], batch: int) -> None:
    model = make(config, seed=batch + sum(config))
    in_features, cond_dim, _, out, depth = config
    x, cond = randn(batch, in_features, seed=batch), randn(batch, cond_dim, seed=batch + 10)
    with torch.no_grad():
        got = model(x, cond)
        assert isinstance(got, torch.Tensor), f"forward should return a tensor, got {type(got)}"
        assert_shape(got, (batch, out), f"ConditionalMLP{config} on a batch of {batch}")
        assert_tensor(
            got,
            by_hand(model, x, cond),
            what=f"ConditionalMLP with depth {depth}: every hidden layer reads [h, cond], then "
            "ReLU; the head reads h alone",
            atol=1e-5,
            rtol=1e-5,
        )


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_layers_and_parameter_count(config: tuple[int, ...]) -> None:
    in_features, c, h, out, depth = config
    model = make(config, seed=1)
    assert isinstance(getattr(model, "layers", None), nn.ModuleList), (
        "the hidden layers should live in an nn.ModuleList called `layers`: a plain Python list "
        "hides them from parameters(), state_dict() and .to()"
    )
    sizes = [(layer.in_features, layer.out_features) for layer in model.layers]
    want_sizes = [(in_features + c, h)] + [(h + c, h)] * (depth - 1)
    assert sizes == want_sizes, (
        f"(in, out) of the hidden layers: expected {want_sizes}, got {sizes}"
    )
    assert isinstance(model.head, nn.Linear), "head should be an nn.Linear"
    got = sum(p.numel() for p in model.parameters())
    want = (in_features + c) * h + h + (depth - 1) * ((h + c) * h + h) + h * out + out
    assert got == want, (
        f"ConditionalMLP{config} should have {want} parameters (the condition adds cond_dim "
        f"inputs to every hidden layer), got {got}"
    )


def test_default_depth_is_two() -> None:
    torch.manual_seed(2)
    model = ConditionalMLP(4, 3, 6, 2)
    assert len(model.layers) == 2, f"the default depth is 2, got {len(model.layers)} layers"


@pytest.mark.parametrize("layer_index", [0, 1, 2])
def test_every_hidden_layer_sees_the_condition(layer_index: int) -> None:
    model = make((4, 3, 6, 2, 3), seed=3)
    open_relus(model)
    with torch.no_grad():
        for i, layer in enumerate(model.layers):
            if i != layer_index:
                layer.weight[:, -3:] = 0.0  # this layer ignores the condition
    x = randn(4, 4, seed=20)
    with torch.no_grad():
        a, b = model(x, randn(4, 3, seed=21)), model(x, randn(4, 3, seed=22))
    assert not torch.allclose(a, b), (
        f"with the condition's weights zeroed everywhere except in hidden layer {layer_index}, "
        "changing the condition no longer changes the output: the condition must be joined to "
        f"the input of every hidden layer, including layer {layer_index}, as its last features"
    )


def test_one_condition_for_the_whole_batch() -> None:
    model = make((5, 3, 8, 2, 2), seed=4)
    x, cond = randn(6, 5, seed=23), randn(3, seed=24)
    with torch.no_grad():
        shared = model(x, cond)
        repeated = model(x, cond.expand(6, 3))
    assert_tensor(
        shared,
        repeated,
        what="forward with one (cond_dim,) condition against the same condition on every row",
        atol=0,
        rtol=0,
    )


def test_each_sample_uses_its_own_condition() -> None:
    model = make((5, 3, 8, 2, 2), seed=5)
    open_relus(model)
    x, cond = randn(5, 5, seed=25), randn(5, 3, seed=26)
    changed = cond.clone()
    changed[2] += 3.0
    with torch.no_grad():
        base, after = model(x, cond), model(x, changed)
    rows = [i for i in range(5) if not torch.equal(base[i], after[i])]
    assert rows == [2], (
        f"changing the condition of sample 2 changed the outputs of samples {rows}: each row "
        "must be joined with its own condition row (join on the feature dim, never the batch)"
    )


def test_gradients_reach_every_parameter_and_the_condition() -> None:
    model = make((4, 2, 6, 3, 3), seed=6)
    open_relus(model)
    cond = randn(5, 2, seed=27).requires_grad_()
    model(randn(5, 4, seed=28), cond).pow(2).sum().backward()
    for name, tensor in [("cond", cond), *model.named_parameters()]:
        grad = tensor.grad
        assert grad is not None and bool(grad.abs().sum() > 0), f"no gradient reached {name}"
