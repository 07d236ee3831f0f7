"""Spec for modules/grad-flow: grad_norm_report and diagnose.

Gradients come from real backward passes through deep sigmoid nets (they vanish), linear nets
with weights scaled up (they explode) and a short ReLU net (healthy), and from gradients set by
hand where a threshold has to be hit exactly.
"""

import itertools
import math

import pytest
import torch
from grad_flow import EXPLODE_ABOVE, VANISH_BELOW, LayerGrad, diagnose, grad_norm_report
from torch import nn

STATUSES = {"ok", "vanishing", "exploding", "no-grad"}


def randn(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def deep_sigmoid(depth: int = 20, width: int = 32) -> nn.Sequential:
    torch.manual_seed(depth)
    layers: list[nn.Module] = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.Sigmoid()]
    return nn.Sequential(*layers, nn.Linear(width, 1))


def scaled_linear(depth: int = 8, width: int = 32, scale: float = 6.0) -> nn.Sequential:
    torch.manual_seed(depth)
    model = nn.Sequential(*[nn.Linear(width, width) for _ in range(depth)])
    with torch.no_grad():
        for layer in model:
            layer.weight.mul_(scale)
    return model


def healthy_relu() -> nn.Sequential:
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1)
    )


def conv_net() -> nn.Sequential:
    torch.manual_seed(4)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Sequential(nn.Linear(4 * 4 * 4, 8), nn.Tanh(), nn.Linear(8, 1)),
    )


def backward(model: nn.Module, x: torch.Tensor) -> None:
    model.zero_grad(set_to_none=True)
    model(x).pow(2).mean().backward()


def expected_norm(module: nn.Module) -> float:
    total = sum(float(p.grad.double().pow(2).sum()) for p in module.parameters(recurse=False))
    return math.sqrt(total)


def statuses(report: list[LayerGrad]) -> list[str]:
    return [layer.status for layer in report]


def hand_made(*grads: list[float], dtype: torch.dtype = torch.float32) -> nn.Sequential:
    """One bias-free Linear(1, n) per gradient, its weight's .grad set by hand."""
    model = nn.Sequential(*[nn.Linear(1, len(g), bias=False).to(dtype) for g in grads])
    for layer, g in zip(model, grads, strict=True):
        layer.weight.grad = torch.tensor(g, dtype=dtype).reshape(-1, 1)
    return model


@pytest.mark.parametrize(
    ("make", "shape", "names"),
    [
        (healthy_relu, (3, 8), ["0", "2", "4"]),
        (conv_net, (3, 2, 6, 6), ["0", "1", "4.0", "4.2"]),
        (lambda: scaled_linear(depth=3), (3, 32), ["0", "1", "2"]),
    ],
    ids=["mlp", "nested-conv", "linear-chain"],
)
def test_one_entry_per_layer_with_parameters(
    make: object, shape: tuple[int, ...], names: list[str]
) -> None:
    model = make()  # type: ignore[operator]
    backward(model, randn(*shape, seed=1))
    report = grad_norm_report(model)
    assert isinstance(report, list) and all(isinstance(r, LayerGrad) for r in report), (
        f"grad_norm_report should return a list of LayerGrad, got {report!r:.200}"
    )
    got = [r.name for r in report]
    assert got == names, (
        f"layer names: expected {names} (the modules that own parameters, as named_modules "
        f"names them, in that order; activations and containers have none), got {got}"
    )


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_norms_match_the_gradients(seed: int) -> None:
    model = conv_net()
    backward(model, randn(4, 2, 6, 6, seed=seed) * seed)
    report = grad_norm_report(model)
    for entry in report:
        want = expected_norm(model.get_submodule(entry.name))
        assert isinstance(entry.norm, float), f"norm should be a Python float, got {entry.norm!r}"
        assert math.isclose(entry.norm, want, rel_tol=1e-6), (
            f"layer {entry.name}: the L2 norm of all its parameters' gradients together is "
            f"{want:.6g}, got {entry.norm:.6g}"
        )


def test_weight_and_bias_make_one_norm() -> None:
    layer = nn.Linear(1, 1)
    layer.weight.grad = torch.tensor([[3.0]])
    layer.bias.grad = torch.tensor([4.0])
    [entry] = grad_norm_report(nn.Sequential(layer))
    assert entry.norm == 5.0, (
        f"weight grad 3 and bias grad 4 make one layer norm sqrt(3**2 + 4**2) = 5, got "
        f"{entry.norm}: join the layer's gradients into one vector (not a sum of norms)"
    )


def test_tiny_gradients_do_not_underflow() -> None:
    model = hand_made([1e-25] * 1000)
    [entry] = grad_norm_report(model)
    want = 1e-25 * math.sqrt(1000)
    assert math.isclose(entry.norm, want, rel_tol=1e-5), (
        f"a float32 gradient of 1000 entries equal to 1e-25 has norm {want:.4g}, got "
        f"{entry.norm:.4g}: squares of such tiny numbers underflow to 0 in float32; compute the "
        "norm in float64"
    )
    assert entry.status == "vanishing", f"a norm of {want:.1g} is vanishing, got {entry.status!r}"


def test_default_thresholds() -> None:
    assert (VANISH_BELOW, EXPLODE_ABOVE) == (1e-6, 1e3), "keep the thresholds of the contract"
    model = hand_made([1.5e-6], [5e-7], [1.0], [1500.0], [900.0], dtype=torch.float64)
    got = statuses(grad_norm_report(model))
    want = ["ok", "vanishing", "ok", "exploding", "ok"]
    assert got == want, (
        f"gradient norms 1.5e-6, 5e-7, 1, 1500 and 900 with the default thresholds (vanishing "
        f"below {VANISH_BELOW}, exploding above {EXPLODE_ABOVE}): expected {want}, got {got}"
    )


def test_custom_thresholds_and_their_boundaries() -> None:
    # norms 5 (3-4-5) and 13 (5-12-13), exact in floating point
    model = hand_made([3.0, 4.0], [5.0, 12.0], [0.0, 4.9], [13.1, 0.0])
    got = statuses(grad_norm_report(model, vanish_below=5.0, explode_above=13.0))
    want = ["ok", "ok", "vanishing", "exploding"]
    assert got == want, (
        f"norms 5, 13, 4.9 and 13.1 with vanish_below=5 and explode_above=13: expected {want}, "
        f"got {got}. A norm exactly at a threshold is ok: vanishing is strictly below, "
        "exploding strictly above"
    )


def test_layers_without_gradients() -> None:
    model = healthy_relu()
    report = grad_norm_report(model)
    assert [(r.norm, r.status) for r in report] == [(0.0, "no-grad")] * 3, (
        f"before any backward() every layer should read (0.0, 'no-grad'), got {report}"
    )
    model[0].requires_grad_(False)
    model[2].weight.requires_grad_(False)
    backward(model, randn(5, 8, seed=8))
    report = grad_norm_report(model)
    assert report[0].status == "no-grad", f"a frozen layer has no gradient, got {report[0]}"
    assert math.isclose(report[1].norm, float(model[2].bias.grad.norm()), rel_tol=1e-6), (
        f"layer 2 has a frozen weight and a trained bias: its norm is the bias gradient's, got "
        f"{report[1].norm}"
    )


def test_the_report_changes_nothing() -> None:
    model = healthy_relu()
    backward(model, randn(5, 8, seed=9))
    before = [p.grad.clone() for p in model.parameters()]
    grad_norm_report(model)
    after = [p.grad for p in model.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(after, before, strict=True)), (
        "grad_norm_report changed some .grad: it should only read the gradients"
    )


def test_a_deep_sigmoid_net_vanishes() -> None:
    model = deep_sigmoid()
    backward(model, randn(64, 32, seed=10))
    report = grad_norm_report(model)
    got = statuses(report)
    assert got[0] == "vanishing" and got[-1] == "ok", (
        "in a 20-layer sigmoid net the first layer's gradient norm is about 1e-18 and the "
        f"last layer's about 1: expected 'vanishing' first and 'ok' last, got {got}"
    )
    assert all(a != "ok" or b == "ok" for a, b in itertools.pairwise(got)), (
        f"the gradient shrinks on its way back, so statuses should read vanishing... then ok..., "
        f"got {got}"
    )
    result = diagnose(report)
    assert result == "vanishing", f"diagnose of this report should be 'vanishing', got {result!r}"


def test_a_scaled_linear_net_explodes() -> None:
    model = scaled_linear()
    backward(model, randn(64, 32, seed=11))
    report = grad_norm_report(model)
    assert statuses(report) == ["exploding"] * 8, (
        f"8 linear layers with weights 6 times too big give gradient norms near 1e8, expected "
        f"every layer 'exploding', got {statuses(report)}"
    )
    result = diagnose(report)
    assert result == "exploding", f"diagnose of this report should be 'exploding', got {result!r}"


def test_a_short_relu_net_is_healthy() -> None:
    model = healthy_relu()
    backward(model, randn(16, 8, seed=12))
    report = grad_norm_report(model)
    assert statuses(report) == ["ok"] * 3, f"expected every layer 'ok', got {statuses(report)}"
    result = diagnose(report)
    assert result == "healthy", f"diagnose of an all-ok report should be 'healthy', got {result!r}"


@pytest.mark.parametrize(
    ("given", "want"),
    [
        (["vanishing", "ok", "exploding"], "exploding"),
        (["exploding", "vanishing"], "exploding"),
        (["no-grad", "vanishing", "ok"], "vanishing"),
        (["ok", "no-grad", "ok"], "healthy"),
        ([], "healthy"),
    ],
)
def test_diagnose_names_the_worst_problem(given: list[str], want: str) -> None:
    report = [LayerGrad(str(i), 1.0, status) for i, status in enumerate(given)]
    got = diagnose(report)
    assert got == want, (
        f"diagnose of layers with statuses {given}: expected {want!r} (exploding beats "
        f"vanishing, layers without gradients are not a problem), got {got!r}"
    )
