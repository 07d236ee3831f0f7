"""Spec for tensors/autograd: grad_at, accumulated_grad, hidden_grad, straight_through, predict,
frozen_features.

Gradients are checked against autograd's functional front ends (``torch.func.grad`` and
``torch.autograd.grad``, which never touch ``.grad``), computed on separate copies. Whether a
graph was recorded is observed directly: ``grad_fn``, ``requires_grad``, ``torch.is_inference``
and the tensors autograd saves for backward (``torch.autograd.graph.saved_tensors_hooks``).
"""

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import pytest
import torch
from tensor_autograd import (
    accumulated_grad,
    frozen_features,
    grad_at,
    hidden_grad,
    predict,
    straight_through,
)
from torch import nn

from katakit.testing import assert_tensor, explain_errors

F64 = torch.float64
T = TypeVar("T")

# Autograd's own complaints, for the mistakes that make it raise, explained.
EXPLAINED = {
    "grad can be implicitly created only for scalar outputs": (
        "backward() without an argument starts from a single number, like a loss; here it was "
        "called on a tensor of several values. The gradient of several values is the gradient "
        "of their sum: reduce them to one number first"
    ),
    "does not require grad and does not have a grad_fn": (
        "the value differentiated was computed from nothing that requires grad, so autograd "
        "recorded nothing to walk back. Does the tensor you want the gradient for require "
        "grad, and is it the very tensor the computation used?"
    ),
    "Inference tensors cannot be saved for backward": (
        "a tensor made in inference mode went on into a computation autograd records, and "
        "that op had to save it for backward, which inference tensors never allow. Inference "
        "mode is only for results that stay out of autograd; no_grad also records nothing "
        "and gives an ordinary tensor"
    ),
    "backward through the graph a second time": (
        "backward ran twice over the same graph, and the first run had already freed it. "
        "One backward pass per loss; everything it reaches gets its gradient in that pass"
    ),
    "retain_grad on Tensor that has requires_grad=False": (
        "the intermediate does not require grad: it was computed from a tensor cut off from "
        "the graph, so no gradient can reach it (or x)"
    ),
}


def autograd_call(what: str, fn: Callable[[], T]) -> T:
    return explain_errors(what, fn, EXPLAINED)


# --- grad_at --------------------------------------------------------------------------------

POINTS: dict[str, tuple[Callable[[torch.Tensor], torch.Tensor], Callable[[], torch.Tensor]]] = {
    "sum of squares": (lambda t: (t**2).sum(), lambda: torch.randn(5, dtype=F64)),
    "sin(t) * t on a 3x4 grid": (
        lambda t: (t.sin() * t).sum(),
        lambda: torch.randn(3, 4, dtype=F64),
    ),
    "logsumexp over a transposed (non-contiguous) view": (
        lambda t: torch.logsumexp(t, dim=0).sum(),
        lambda: torch.randn(4, 3, dtype=F64).t(),
    ),
    "a cube at a 0-d point": (lambda t: t**3, lambda: torch.tensor(1.5, dtype=F64)),
}


@pytest.mark.parametrize("case", list(POINTS))
def test_grad_at_matches_autograd(case: str) -> None:
    f, make = POINTS[case]
    x = make()
    expected = torch.func.grad(f)(x.clone())
    got = autograd_call(f"grad_at(f, x) for {case}", lambda: grad_at(f, x))
    assert_tensor(got, expected, what=f"grad_at(f, x) for {case}")


def test_grad_at_leaves_a_plain_x_alone() -> None:
    f, make = POINTS["sin(t) * t on a 3x4 grid"]
    x = make()
    before = x.clone()
    autograd_call("grad_at(f, x)", lambda: grad_at(f, x))
    assert not x.requires_grad, (
        "after grad_at(f, x) the caller's x requires grad: it now drags every later "
        "computation into autograd. Differentiate with respect to a tensor of your own "
        "holding x's values, not the caller's tensor"
    )
    assert x.grad is None, (
        "after grad_at(f, x) the caller's x has a .grad: the gradient was written onto the "
        "caller's tensor instead of a tensor of your own"
    )
    assert_tensor(x, before, what="x after grad_at(f, x) (it must not change)", atol=0, rtol=0)


def test_grad_at_leaves_a_parameter_and_its_gradient_alone() -> None:
    f, _ = POINTS["sum of squares"]
    p = torch.randn(5, dtype=F64, requires_grad=True)
    stale = torch.full((5,), 7.0, dtype=F64)
    p.grad = stale.clone()
    expected = torch.func.grad(f)(p.detach().clone())
    got = autograd_call("grad_at(f, p) for a parameter p", lambda: grad_at(f, p))
    assert_tensor(
        p.grad,
        stale,
        what=(
            "the parameter's own .grad after grad_at(f, p) (backward adds into the .grad of "
            "every leaf it reaches: p must not be one of them)"
        ),
    )
    assert p.requires_grad, "grad_at(f, p) switched off the parameter's requires_grad"
    assert_tensor(
        got,
        expected,
        what=(
            "grad_at(f, p) for a parameter that already holds a gradient (did the old .grad "
            "get added in?)"
        ),
    )


def test_grad_at_twice_gives_the_same_gradient() -> None:
    f, make = POINTS["sum of squares"]
    x = make()
    first = autograd_call("grad_at(f, x)", lambda: grad_at(f, x)).clone()
    second = autograd_call("grad_at(f, x), called again", lambda: grad_at(f, x))
    assert_tensor(
        second,
        first,
        what=(
            "the second grad_at(f, x) call (if it is a multiple of the first, gradients "
            "accumulated across calls: backward adds into .grad)"
        ),
    )


def test_grad_at_of_several_values_is_the_gradient_of_their_sum() -> None:
    def f(t: torch.Tensor) -> torch.Tensor:
        return t**2 * t.cos()

    x = torch.randn(2, 3, dtype=F64)
    expected = torch.func.grad(lambda t: f(t).sum())(x.clone())
    got = autograd_call("grad_at(f, x) for an f returning 6 values", lambda: grad_at(f, x))
    assert_tensor(got, expected, what="grad_at(f, x) for an f returning 6 values")


# --- accumulated_grad -----------------------------------------------------------------------


def loss_of(w: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
    """A small regression loss: mean softplus of the residuals of ``batch @ w`` against 1."""
    return nn.functional.softplus(batch @ w - 1).mean()


def mean_loss_grad(w: torch.Tensor, batches: Sequence[torch.Tensor]) -> torch.Tensor:
    """The gradient of the mean loss over all batches, from an independent computation."""
    leaf = w.detach().clone().requires_grad_(True)
    total = torch.stack([loss_of(leaf, b) for b in batches]).mean()
    (grad,) = torch.autograd.grad(total, leaf)
    return grad


def make_batches(count: int) -> list[torch.Tensor]:
    return [torch.randn(6, 3, dtype=F64) * (i + 1) for i in range(count)]


@pytest.mark.parametrize("count", [1, 3, 4])
def test_accumulated_grad_is_the_gradient_of_the_mean_loss(count: int) -> None:
    w = torch.randn(3, dtype=F64, requires_grad=True)
    batches = make_batches(count)
    expected = mean_loss_grad(w, batches)
    got = autograd_call(
        f"accumulated_grad over {count} batches",
        lambda: accumulated_grad(loss_of, w, batches),
    )
    what = f"accumulated_grad over {count} batches"
    if count > 1:
        what += (
            f" (the gradient of the mean: scale each batch's share, or it comes out {count} "
            "times too large; and every batch counts, not just the last)"
        )
    assert_tensor(got, expected, what=what)
    assert_tensor(w.grad, expected, what=f"w.grad after accumulated_grad over {count} batches")


def test_accumulated_grad_starts_from_a_clean_slate() -> None:
    w = torch.randn(3, dtype=F64, requires_grad=True)
    w.grad = torch.full((3,), 100.0, dtype=F64)
    batches = make_batches(3)
    expected = mean_loss_grad(w, batches)
    got = autograd_call(
        "accumulated_grad with a stale w.grad",
        lambda: accumulated_grad(loss_of, w, batches),
    )
    assert_tensor(
        got,
        expected,
        what=(
            "accumulated_grad when w.grad still held an old gradient of 100s (backward adds "
            "into whatever .grad holds: an earlier step's gradient has to go first)"
        ),
    )


class WatchedBatches(Sequence[torch.Tensor]):
    """Batches that count how many losses had their backward pass when each batch is read."""

    def __init__(self, batches: list[torch.Tensor]) -> None:
        self.batches = batches
        self.backward_done = 0
        self.read: set[int] = set()

    def loss(self, w: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
        out = loss_of(w, batch)
        if out.requires_grad:
            out.register_hook(self._passed)
        return out

    def _passed(self, grad: torch.Tensor) -> None:
        self.backward_done += 1

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[torch.Tensor]:
        for i in range(len(self.batches)):
            yield self[i]

    def __getitem__(self, index: int) -> torch.Tensor:  # type: ignore[override]
        i = range(len(self.batches))[index]
        if i not in self.read:
            self.read.add(i)
            assert self.backward_done >= i, (
                f"batch {i} was read before every earlier batch had its backward pass "
                f"(done for {self.backward_done} of batches 0 to {i - 1}): finish each batch "
                "(loss, then backward) before reading the next, so that only one batch's "
                "graph is held in memory at a time. Summing the losses first and calling "
                "backward once gives the same number but holds every batch's graph at once"
            )
        return self.batches[i]


def test_accumulated_grad_runs_backward_batch_by_batch() -> None:
    w = torch.randn(3, dtype=F64, requires_grad=True)
    batches = WatchedBatches(make_batches(4))
    expected = mean_loss_grad(w, batches.batches)
    got = autograd_call(
        "accumulated_grad over 4 batches",
        lambda: accumulated_grad(batches.loss, w, batches),
    )
    assert batches.backward_done == 4, (
        f"the backward pass reached {batches.backward_done} of the 4 batch losses: "
        "run one backward per batch"
    )
    assert_tensor(got, expected, what="accumulated_grad over 4 watched batches")


# --- hidden_grad ----------------------------------------------------------------------------


def encoder_and_head() -> tuple[
    Callable[[torch.Tensor], torch.Tensor], Callable[[torch.Tensor], torch.Tensor]
]:
    a = torch.randn(4, 3, dtype=F64)
    b = torch.randn(3, dtype=F64)

    def encode(t: torch.Tensor) -> torch.Tensor:
        return torch.tanh(t @ a)

    def head(h: torch.Tensor) -> torch.Tensor:
        return ((h - b) ** 2).sum() + h.exp().mean()

    return encode, head


def hidden_oracle(
    encode: Callable[[torch.Tensor], torch.Tensor],
    head: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    leaf = x.detach().clone().requires_grad_(True)
    h = encode(leaf)
    gx, gh = torch.autograd.grad(head(h), [leaf, h])
    return gx, gh


def run_hidden_grad(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, tuple[object, ...]]:
    encode, head = encoder_and_head()
    gx, gh = hidden_oracle(encode, head, x)
    got = autograd_call("hidden_grad(encode, head, x)", lambda: hidden_grad(encode, head, x))
    assert isinstance(got, tuple) and len(got) == 2, (
        f"hidden_grad should return a pair (d loss / d x, d loss / d h), got {type(got).__name__}"
    )
    return gx, gh, got


def test_hidden_grad_returns_the_gradient_of_the_intermediate() -> None:
    x = torch.randn(2, 4, dtype=F64, requires_grad=True)
    _, gh, (_, got_h) = run_hidden_grad(x)
    assert got_h is not None, (
        "the gradient for h came back None: h = encode(x) is not a leaf, and autograd frees "
        "the gradients of non-leaves as it passes through them unless asked, before "
        "backward runs, to keep that one"
    )
    assert_tensor(got_h, gh, what="d loss / d h from hidden_grad")


def test_hidden_grad_returns_the_gradient_of_x() -> None:
    x = torch.randn(2, 4, dtype=F64, requires_grad=True)
    gx, _, (got_x, _) = run_hidden_grad(x)
    assert got_x is not None, "the gradient for x came back None: is the loss computed from x?"
    assert_tensor(got_x, gx, what="d loss / d x from hidden_grad")


def test_hidden_grad_fills_x_grad_like_a_training_step() -> None:
    x = torch.randn(3, 4, dtype=F64, requires_grad=True)
    gx, _, _ = run_hidden_grad(x)
    assert x.grad is not None, (
        "x.grad is still None after hidden_grad: run the backward pass itself, which fills "
        "the .grad of the leaves it reaches, as a training step needs for its parameters"
    )
    assert_tensor(
        x.grad,
        gx,
        what="x.grad after hidden_grad (a multiple of the right value? one backward pass only)",
    )


# --- straight_through -----------------------------------------------------------------------

HALVES = torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49, -0.51])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_straight_through_rounds_in_the_forward_pass(dtype: torch.dtype) -> None:
    x = torch.cat([torch.randn(12) * 3, HALVES]).to(dtype)
    got = straight_through(x.clone())
    assert_tensor(got, torch.round(x), what=f"straight_through(x) for {dtype} x")


def test_straight_through_passes_the_gradient_unchanged() -> None:
    x = (torch.randn(3, 5, dtype=F64) * 3).requires_grad_(True)
    upstream = torch.randn(3, 5, dtype=F64)
    out = autograd_call("straight_through(x)", lambda: straight_through(x))
    assert isinstance(out, torch.Tensor), f"straight_through returned {type(out).__name__}"
    assert out.requires_grad, (
        "straight_through(x) does not require grad although x does: the whole result was "
        "hidden from autograd, so no gradient can reach x. Hide only the part that turns x "
        "into its rounded value"
    )
    (got,) = autograd_call(
        "the gradient of straight_through(x)",
        lambda: torch.autograd.grad(out, x, upstream, allow_unused=True),
    )
    if got is not None and bool((got == 0).all()):
        raise AssertionError(
            "the gradient through straight_through(x) is all zeros: that is rounding's own "
            "derivative. The rounding step must be invisible to autograd, so that the gradient "
            "passes as if out were x"
        )
    assert got is not None, "no gradient reaches x through straight_through(x)"
    assert_tensor(got, upstream, what="the gradient through straight_through (should be g)")


def test_straight_through_leaves_x_unchanged() -> None:
    x = torch.randn(4, 4) * 3
    before = x.clone()
    straight_through(x)
    assert_tensor(x, before, what="x after straight_through(x) (it must not change)")


# --- predict and frozen_features ------------------------------------------------------------


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def assert_untouched(model: nn.Module, what: str) -> None:
    for name, p in model.named_parameters():
        assert p.requires_grad, (
            f"after {what}, {name} no longer requires grad: switching the caller's model off "
            "changes it for everyone who trains it later. Switch recording off for this call "
            "only"
        )
        assert p.grad is None, f"after {what}, {name} has a .grad: a gradient reached the model"


def count_saved(fn: Callable[[], T]) -> tuple[T, int]:
    """Run ``fn``, counting the tensors autograd saves for backward meanwhile."""
    saved = 0

    def pack(t: torch.Tensor) -> torch.Tensor:
        nonlocal saved
        saved += 1
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return out, saved


def test_predict_values() -> None:
    model, x = make_model(), torch.randn(5, 4)
    expected = model(x).detach()
    assert_tensor(predict(model, x), expected, what="predict(model, x)")


def test_predict_records_no_graph() -> None:
    model, x = make_model(), torch.randn(5, 4)
    out, saved = count_saved(lambda: predict(model, x))
    assert out.grad_fn is None and not out.requires_grad, (
        f"predict's output has grad_fn {out.grad_fn}: the forward pass was recorded for a "
        "backward that never comes, holding memory for nothing"
    )
    assert saved == 0, (
        f"autograd saved {saved} tensors for backward while predict ran: the graph was "
        "recorded and only cut off afterwards. Switch recording off around the forward pass"
    )


def test_predict_returns_an_inference_tensor() -> None:
    model, x = make_model(), torch.randn(5, 4)
    out = predict(model, x)
    assert torch.is_inference(out), (
        "predict's output is an ordinary tensor: for a result that never goes back into "
        "autograd, inference mode is the faster tool (it also skips the version counting "
        "that no_grad keeps)"
    )


def test_predict_leaves_the_model_as_it_was() -> None:
    model, x = make_model(), torch.randn(5, 4)
    predict(model, x)
    assert_untouched(model, "predict(model, x)")


def test_frozen_features_values() -> None:
    encoder, x = make_model(), torch.randn(6, 4)
    expected = encoder(x).detach()
    assert_tensor(frozen_features(encoder, x), expected, what="frozen_features(encoder, x)")


def test_frozen_features_records_no_graph() -> None:
    encoder, x = make_model(), torch.randn(6, 4)
    out, saved = count_saved(lambda: frozen_features(encoder, x))
    assert out.grad_fn is None and not out.requires_grad, (
        f"frozen_features' output has grad_fn {out.grad_fn}: the encoder's forward pass was "
        "recorded, and a later backward would reach the frozen encoder"
    )
    assert saved == 0, (
        f"autograd saved {saved} tensors for backward while frozen_features ran: the encoder's "
        "graph was recorded (memory held for it) and only cut off afterwards. Switch "
        "recording off around the forward pass instead"
    )


def test_frozen_features_can_train_a_head() -> None:
    encoder, x = make_model(), torch.randn(6, 4)
    head = nn.Linear(3, 2)

    def loss(features: torch.Tensor) -> torch.Tensor:
        return (head(features) ** 2).mean()

    expected = torch.autograd.grad(loss(encoder(x).detach()), [head.weight, head.bias])
    features = frozen_features(encoder, x)
    assert not torch.is_inference(features), (
        "frozen_features returned an inference tensor: the head's backward must save it, "
        "and inference tensors cannot be saved for backward. Use the mode that records "
        "nothing yet gives ordinary tensors"
    )
    autograd_call("backward through a head on frozen_features", lambda: loss(features).backward())
    for name, got, want in [
        ("head.weight.grad", head.weight.grad, expected[0]),
        ("head.bias.grad", head.bias.grad, expected[1]),
    ]:
        assert got is not None, f"{name} is None after backward through the head"
        assert_tensor(got, want, what=f"{name} for a head trained on frozen_features")
    assert_untouched(encoder, "training a head on frozen_features(encoder, x)")


def test_frozen_features_leaves_the_encoder_as_it_was() -> None:
    encoder, x = make_model(), torch.randn(6, 4)
    frozen_features(encoder, x)
    assert_untouched(encoder, "frozen_features(encoder, x)")
