"""Spec for bugs/module-list: every layer of the model is registered, trained and saved."""

import copy
from itertools import pairwise

import pytest
import torch
import torch.nn.functional as F
from bug_module_list import DeepMLP

from katakit.testing import assert_tensor

SIZES, CLASSES = [8, 32, 32, 16], 3


def make_model(seed: int, sizes: list[int] = SIZES) -> DeepMLP:
    torch.manual_seed(seed)
    return DeepMLP(sizes, CLASSES)


def inputs(n: int, seed: int, features: int = 8) -> torch.Tensor:
    return torch.randn(n, features, generator=torch.Generator().manual_seed(seed))


def by_hand(model: DeepMLP, x: torch.Tensor) -> torch.Tensor:
    for layer in model.hidden:
        x = F.relu(F.linear(x, layer.weight, layer.bias))
    return F.linear(x, model.head.weight, model.head.bias)


def test_every_layer_is_a_parameter_of_the_model() -> None:
    model = make_model(seed=0)
    got = sum(p.numel() for p in model.parameters())
    want = sum(a * b + b for a, b in zip([*SIZES], [*SIZES[1:], CLASSES], strict=False))
    assert got == want, (
        f"model.parameters() holds {got} numbers, the layers of DeepMLP({SIZES}, {CLASSES}) "
        f"have {want}: the optimizer cannot train what model.parameters() does not list"
    )


def test_training_moves_the_hidden_layers() -> None:
    model = make_model(seed=1)
    before = [layer.weight.detach().clone() for layer in model.hidden]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = inputs(16, seed=2), torch.arange(16) % CLASSES
    optimizer.zero_grad()
    F.cross_entropy(model(x), y).backward()
    optimizer.step()
    moved = [
        not torch.equal(layer.weight, b) for layer, b in zip(model.hidden, before, strict=True)
    ]
    assert all(moved), (
        f"after an SGD step on model.parameters(), hidden layers moved: {moved}; every layer "
        "should learn"
    )


def test_state_dict_restores_the_whole_model() -> None:
    model, fresh = make_model(seed=3), make_model(seed=4)
    fresh.load_state_dict(copy.deepcopy(model.state_dict()))
    x = inputs(5, seed=5)
    with torch.no_grad():
        assert_tensor(
            fresh(x),
            model(x),
            what="predictions of a fresh model loaded from the state_dict (a checkpoint must "
            "hold every layer)",
            atol=0,
            rtol=0,
        )


def test_double_reaches_every_layer() -> None:
    model = make_model(seed=6).double()
    dtypes = {str(p.dtype) for layer in model.hidden for p in layer.parameters()}
    assert dtypes == {"torch.float64"}, f"after model.double() the hidden layers hold {dtypes}"


@pytest.mark.parametrize("sizes", [[8, 32, 32, 16], [5, 4]])
def test_forward_is_relu_layers_then_head(sizes: list[int]) -> None:
    model = make_model(seed=7, sizes=sizes)
    shapes = [tuple(layer.weight.shape) for layer in model.hidden]
    assert shapes == [(b, a) for a, b in pairwise(sizes)], shapes
    x = inputs(4, seed=8, features=sizes[0])
    with torch.no_grad():
        assert_tensor(model(x), by_hand(model, x), what="logits", atol=1e-6, rtol=1e-5)
