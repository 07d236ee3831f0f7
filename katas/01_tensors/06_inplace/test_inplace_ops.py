"""Spec for tensors/inplace: scale_, accumulate_, linear_relu, bounded.

In-place behaviour is observed directly: the same object comes back, its memory address
(``data_ptr``) is unchanged and autograd's version counter (``_version``) moved. Gradients are
checked against the out-of-place computation and with ``torch.autograd.gradcheck``.
"""

from collections.abc import Callable
from typing import TypeVar

import pytest
import torch
from inplace_ops import accumulate_, bounded, linear_relu, scale_
from torch import nn

from katakit.testing import assert_tensor, explain_errors

OVERWRITTEN = (
    "a tensor that autograd saved for the backward pass was overwritten in place. sigmoid "
    "(like tanh and exp) computes its gradient from its own output, so that output must stay "
    "as it is: the step that reads it has to write a new tensor"
)
LEAF = (
    "an in-place write on a leaf tensor that requires grad (a parameter, or an input you want "
    "gradients for) while autograd was recording: leave inputs as they are, and update "
    "parameters in a block where autograd does not record"
)


def values(*shape: int, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Seeded integers in [-20, 20): sums and small products of them are exact."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(-20, 20, shape, generator=g).to(dtype)


T = TypeVar("T")


EXPLAINED = {
    "modified by an inplace operation": OVERWRITTEN,
    "leaf Variable that requires grad": LEAF,
}


def autograd_call(what: str, fn: Callable[[], T]) -> T:
    return explain_errors(what, fn, EXPLAINED)


@pytest.mark.parametrize("s", [2.5, -3.0, 0.5])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_scale_writes_into_x_and_returns_it(s: float, dtype: torch.dtype) -> None:
    x = values(3, 4, seed=1, dtype=dtype)
    before, address = x.clone(), x.data_ptr()
    out = scale_(x, s)
    assert out is x, (
        f"scale_(x, {s}) returned a different object than x: an in-place function hands back "
        "the very tensor it changed"
    )
    assert x.data_ptr() == address, "x now lives at another address: it was replaced, not updated"
    assert_tensor(x, before * s, what=f"x after scale_(x, {s})", atol=0, rtol=0)


def test_scale_bumps_the_version_counter() -> None:
    x = values(5, seed=2)
    version = x._version
    scale_(x, 2.0)
    assert x._version > version, (
        f"x changed but its _version stayed at {version}: the write went around the version "
        "counter (as writes through .data do), so autograd could no longer notice it"
    )


def test_scale_updates_a_parameter_without_recording_it() -> None:
    p = nn.Parameter(values(2, 3, seed=3))
    before = p.detach().clone()
    autograd_call("scale_(<nn.Parameter>, 0.5)", lambda: scale_(p, 0.5))
    assert_tensor(
        p.detach(), before * 0.5, what="the parameter after scale_(p, 0.5)", atol=0, rtol=0
    )
    assert p.is_leaf and p.grad_fn is None, (
        f"after scale_ the parameter has grad_fn {p.grad_fn}: the update was recorded in the "
        "autograd graph, so the parameter is no longer a leaf an optimizer can train"
    )
    assert p.requires_grad, "after scale_ the parameter no longer requires grad"


@pytest.mark.parametrize("count", [1, 3, 5])
def test_accumulate_adds_every_part_into_total(count: int) -> None:
    total = values(4, 3, seed=4)
    parts = [values(4, 3, seed=10 + i) for i in range(count)]
    parts_before = [p.clone() for p in parts]
    expected = total.clone()
    for part in parts:
        expected = expected + part
    address = total.data_ptr()
    out = accumulate_(total, parts)
    assert out is total, "accumulate_ must return total itself, not a new tensor"
    assert total.data_ptr() == address, (
        "total now lives at another address: a new total was allocated instead of adding into it"
    )
    assert_tensor(total, expected, what=f"total after accumulating {count} parts", atol=0, rtol=0)
    for i, (part, old) in enumerate(zip(parts, parts_before, strict=True)):
        assert_tensor(part, old, what=f"parts[{i}] after accumulate_ (it must not change)")


def test_accumulate_with_no_parts_changes_nothing() -> None:
    total = values(2, 5, seed=5)
    before = total.clone()
    out = accumulate_(total, [])
    assert out is total, "accumulate_(total, []) must return total itself"
    assert_tensor(total, before, what="total after accumulating an empty list", atol=0, rtol=0)


def test_accumulate_keeps_the_dtype_of_total() -> None:
    total = values(3, 2, seed=6, dtype=torch.float64)
    parts = [values(3, 2, seed=7), values(3, 2, seed=8)]
    expected = total + parts[0].double() + parts[1].double()
    accumulate_(total, parts)
    assert_tensor(
        total, expected, what="a float64 total after adding float32 parts", atol=0, rtol=0
    )


def make_layer(dtype: torch.dtype = torch.float32) -> nn.Linear:
    torch.manual_seed(7)
    return nn.Linear(5, 3).to(dtype)


def test_linear_relu_values() -> None:
    layer, x = make_layer(), torch.randn(4, 5)
    expected = torch.relu(layer(x)).detach()
    assert (expected == 0).any() and (expected > 0).any(), "test data should hit both ReLU sides"
    assert_tensor(linear_relu(layer, x), expected, what="linear_relu(layer, x)")


def test_linear_relu_applies_the_relu_in_place() -> None:
    layer, x = make_layer(), torch.randn(4, 5)
    out = linear_relu(layer, x)
    assert isinstance(out, torch.Tensor), f"linear_relu should return a tensor, got {type(out)}"
    assert out._version == 1, (
        f"the output's _version is {out._version}, expected 1: the ReLU should write into the "
        "Linear's output (one in-place op), which is safe here and saves a whole activation"
    )


def test_linear_relu_gradients_are_right() -> None:
    layer, x = make_layer(), torch.randn(4, 5, requires_grad=True)
    reference, x_ref = make_layer(), x.detach().clone().requires_grad_(True)
    upstream = torch.randn(4, 3)
    torch.relu(reference(x_ref)).backward(upstream)
    out = linear_relu(layer, x)
    autograd_call("linear_relu(...).backward()", lambda: out.backward(upstream))
    for name, got, want in [
        ("x.grad", x.grad, x_ref.grad),
        ("layer.weight.grad", layer.weight.grad, reference.weight.grad),
        ("layer.bias.grad", layer.bias.grad, reference.bias.grad),
    ]:
        assert got is not None, f"{name} is None: the output is not connected to it in the graph"
        assert want is not None
        assert_tensor(got, want, what=f"{name} after linear_relu(layer, x).backward()")


def test_linear_relu_passes_gradcheck() -> None:
    layer = make_layer(torch.float64)
    x = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    ok = autograd_call(
        "gradcheck of linear_relu",
        lambda: torch.autograd.gradcheck(lambda t: linear_relu(layer, t), (x,)),
    )
    assert ok, "gradcheck disagrees with the gradients of linear_relu"


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-1.0, 3.0), (2.5, 4.0)])
def test_bounded_values(low: float, high: float) -> None:
    x = torch.randn(3, 7) * 4
    expected = low + (high - low) * torch.sigmoid(x)
    assert_tensor(bounded(x.clone(), low, high), expected, what=f"bounded(x, {low}, {high})")


def test_bounded_leaves_x_unchanged() -> None:
    x = torch.randn(3, 4)
    before = x.clone()
    bounded(x, -1.0, 3.0)
    assert_tensor(x, before, what="x after bounded(x, -1, 3) (it must not change)", atol=0, rtol=0)


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-1.0, 3.0)])
def test_bounded_backward_gives_the_analytic_gradient(low: float, high: float) -> None:
    x = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(4, 6, dtype=torch.float64)
    out = autograd_call(f"bounded(x, {low}, {high})", lambda: bounded(x, low, high))
    autograd_call(f"bounded(x, {low}, {high}).backward()", lambda: out.backward(upstream))
    s = torch.sigmoid(x.detach())
    assert x.grad is not None, "x.grad is None after backward: is the output connected to x?"
    assert_tensor(
        x.grad,
        upstream * (high - low) * s * (1 - s),
        what=f"x.grad after bounded(x, {low}, {high}).backward(g)",
    )


def test_bounded_passes_gradcheck() -> None:
    x = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
    ok = autograd_call(
        "gradcheck of bounded",
        lambda: torch.autograd.gradcheck(lambda t: bounded(t, -1.0, 3.0), (x,)),
    )
    assert ok, "gradcheck disagrees with the gradients of bounded"
