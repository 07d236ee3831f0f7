"""Spec for modules/layers: conv_output_size, batch_norm_eval/train and SmallConvNet.

Oracles: the shapes torch's own ``nn.Conv2d`` and ``nn.MaxPool2d`` produce (on the meta device,
where they cost nothing), ``torch.nn.functional.batch_norm`` with its in-place running-stat
update, and the functional ops for the network's forward pass.
"""

from collections.abc import Callable
from typing import TypeVar

import pytest
import torch
import torch.nn.functional as F
from layer_tour import SmallConvNet, batch_norm_eval, batch_norm_train, conv_output_size
from torch import nn

from katakit.testing import assert_shape, assert_tensor

# (size, kernel, stride, padding, dilation)
CONV_CASES = [
    (32, 3, 1, 1, 1),
    (32, 3, 2, 1, 1),
    (28, 5, 1, 0, 1),
    (28, 5, 3, 2, 1),
    (17, 3, 2, 0, 1),
    (17, 3, 1, 0, 2),
    (20, 4, 3, 1, 3),
    (7, 7, 1, 0, 1),
    (9, 1, 4, 0, 1),
    (64, 7, 2, 3, 1),
]
# (batch, in_channels, num_classes, height, width): odd, non-square and tiny images
NET_SIZES = [(2, 3, 10, 28, 28), (3, 1, 4, 32, 20), (1, 2, 3, 17, 9), (4, 3, 5, 8, 6)]
BN_SHAPES = [(4, 3, 5, 6), (2, 5, 3, 3), (8, 1, 4, 7), (3, 4, 6, 5)]
T = TypeVar("T")


def randn(*shape: int, seed: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def bn_inputs(shape: tuple[int, ...], seed: int) -> list[torch.Tensor]:
    """x with per-channel offsets and scales, plus running stats and an affine transform."""
    c = shape[1]
    x = randn(*shape, seed=seed) * (randn(1, c, 1, 1, seed=seed + 1).abs() + 0.5)
    x = x + randn(1, c, 1, 1, seed=seed + 2) * 3
    running_mean = randn(c, seed=seed + 3)
    running_var = randn(c, seed=seed + 4).abs() + 0.5
    weight, bias = randn(c, seed=seed + 5), randn(c, seed=seed + 6)
    return [x, running_mean, running_var, weight, bias]


def by_formula(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call the learner's batch norm while torch's own batch norm is off limits (the oracle)."""

    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError(
            f"{fn.__name__} must compute batch norm from its formula: torch's batch_norm (and "
            "nn.BatchNorm2d, which calls it) is what it is checked against"
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(F, "batch_norm", forbidden)
        patch.setattr(torch, "batch_norm", forbidden)
        return fn(*args, **kwargs)


def make_net(in_channels: int, num_classes: int, size: tuple[int, int], seed: int) -> SmallConvNet:
    torch.manual_seed(seed)
    return SmallConvNet(in_channels, num_classes, size)


def net_by_hand(net: SmallConvNet, x: torch.Tensor) -> torch.Tensor:
    """The contract's forward in eval mode, with functional ops and the net's own tensors."""
    h = F.conv2d(x, net.conv1.weight, net.conv1.bias, padding=1)
    bn = net.bn
    h = F.batch_norm(h, bn.running_mean, bn.running_var, bn.weight, bn.bias, eps=bn.eps)
    h = F.max_pool2d(F.relu(h), 2)
    h = F.relu(F.conv2d(h, net.conv2.weight, net.conv2.bias, stride=2))
    return F.linear(h.flatten(1), net.fc.weight, net.fc.bias)


def randomise_bn(net: SmallConvNet, seed: int) -> None:
    """Running stats and affine parameters away from their initial 0/1, so each one counts."""
    with torch.no_grad():
        net.bn.running_mean.copy_(randn(8, seed=seed, dtype=torch.float32))
        net.bn.running_var.copy_(randn(8, seed=seed + 1, dtype=torch.float32).abs() + 0.5)
        net.bn.weight.copy_(randn(8, seed=seed + 2, dtype=torch.float32))
        net.bn.bias.copy_(randn(8, seed=seed + 3, dtype=torch.float32))


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "dilation"), CONV_CASES)
def test_conv_output_size_matches_conv2d(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    want = conv.to("meta")(torch.empty(1, 1, size, size + 3, device="meta")).shape[2]
    got = conv_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    assert got == want, (
        f"conv_output_size({size}, kernel_size={kernel}, stride={stride}, padding={padding}, "
        f"dilation={dilation}): nn.Conv2d gives {want}, got {got}. Padding adds to both sides, "
        "dilation spreads the kernel over dilation * (kernel_size - 1) + 1 pixels, and a "
        "window that does not fit is dropped (floor)"
    )


@pytest.mark.parametrize(("size", "kernel", "want"), [(7, 3, 5), (10, 1, 10), (5, 5, 1)])
def test_conv_output_size_defaults(size: int, kernel: int, want: int) -> None:
    got = conv_output_size(size, kernel)
    assert got == want, (
        f"conv_output_size({size}, {kernel}) with the defaults (stride 1, no padding, no "
        f"dilation): expected {want}, got {got}"
    )


@pytest.mark.parametrize(("size", "kernel"), [(8, 2), (9, 2), (17, 3), (5, 4)])
def test_conv_output_size_also_gives_pooling_sizes(size: int, kernel: int) -> None:
    pool = nn.MaxPool2d(kernel)  # stride defaults to kernel_size
    want = pool(torch.empty(1, 1, size, size, device="meta")).shape[2]
    got = conv_output_size(size, kernel, stride=kernel)
    assert got == want, (
        f"conv_output_size({size}, {kernel}, stride={kernel}) should give MaxPool2d({kernel})'s "
        f"output size {want}, got {got}"
    )


@pytest.mark.parametrize("shape", BN_SHAPES, ids=str)
def test_batch_norm_eval_uses_running_stats(shape: tuple[int, ...]) -> None:
    x, running_mean, running_var, weight, bias = bn_inputs(shape, seed=sum(shape))
    want = F.batch_norm(x, running_mean, running_var, weight, bias, training=False, eps=1e-3)
    got = by_formula(batch_norm_eval, x, running_mean, running_var, weight, bias, eps=1e-3)
    assert_tensor(
        got,
        want,
        what=f"batch_norm_eval on a {shape} batch: (x - running_mean) / sqrt(running_var + eps) "
        "* weight + bias, per channel (dim 1)",
        atol=1e-10,
        rtol=1e-10,
    )


@pytest.mark.parametrize("shape", BN_SHAPES, ids=str)
@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_batch_norm_train_uses_batch_stats(shape: tuple[int, ...], momentum: float) -> None:
    x, running_mean, running_var, weight, bias = bn_inputs(shape, seed=sum(shape) + 7)
    oracle_mean, oracle_var = running_mean.clone(), running_var.clone()
    want = F.batch_norm(
        x, oracle_mean, oracle_var, weight, bias, training=True, momentum=momentum, eps=1e-3
    )
    out, new_mean, new_var = by_formula(
        batch_norm_train, x, running_mean, running_var, weight, bias, momentum=momentum, eps=1e-3
    )
    assert_tensor(
        out,
        want,
        what=f"batch_norm_train's output on a {shape} batch: normalised with this batch's "
        "per-channel mean and (biased) variance over dims 0, 2, 3",
        atol=1e-10,
        rtol=1e-10,
    )
    assert_tensor(
        new_mean,
        oracle_mean,
        what=f"the new running mean with momentum {momentum}: (1 - momentum) * old + momentum * "
        "batch mean",
        atol=1e-10,
        rtol=1e-10,
    )
    assert_tensor(
        new_var,
        oracle_var,
        what=f"the new running variance with momentum {momentum}: PyTorch blends in the "
        "unbiased batch variance (divided by n - 1), while the output uses the biased one",
        atol=1e-10,
        rtol=1e-10,
    )


def test_batch_norm_train_leaves_its_inputs_alone() -> None:
    inputs = bn_inputs((4, 3, 5, 6), seed=30)
    before = [t.clone() for t in inputs]
    by_formula(batch_norm_train, *inputs)
    for name, now, then in zip(("x", "running_mean", "running_var"), inputs, before, strict=False):
        assert_tensor(
            now, then, what=f"{name} after batch_norm_train (return new stats, change nothing)"
        )


def test_batch_norm_defaults_match_torch() -> None:
    """Small variances, so the default eps (1e-5) visibly matters."""
    x, running_mean, running_var, weight, bias = bn_inputs((6, 3, 4, 4), seed=40)
    x, running_var = x * 0.003, running_var * 1e-5
    oracle_mean, oracle_var = running_mean.clone(), running_var.clone()
    want_eval = F.batch_norm(x, running_mean, running_var, weight, bias)
    want_train = F.batch_norm(x, oracle_mean, oracle_var, weight, bias, training=True)
    got_eval = by_formula(batch_norm_eval, x, running_mean, running_var, weight, bias)
    got_train, new_mean, new_var = by_formula(
        batch_norm_train, x, running_mean, running_var, weight, bias
    )
    for what, got, want in (("eval", got_eval, want_eval), ("train", got_train, want_train)):
        assert_tensor(
            got,
            want,
            what=f"the {what}-mode output with the default eps (1e-5, as in nn.BatchNorm2d)",
            atol=1e-9,
            rtol=1e-9,
        )
    assert_tensor(new_mean, oracle_mean, what="the running mean with the default momentum 0.1")
    assert_tensor(new_var, oracle_var, what="the running variance with the default momentum 0.1")


def test_train_mode_mixes_the_batch_and_eval_mode_does_not() -> None:
    x, running_mean, running_var, weight, bias = bn_inputs((5, 3, 4, 4), seed=50)
    changed = x.clone()
    changed[1:] += 10.0
    train_a = by_formula(batch_norm_train, x, running_mean, running_var, weight, bias)[0]
    train_b = by_formula(batch_norm_train, changed, running_mean, running_var, weight, bias)[0]
    assert not torch.allclose(train_a[0], train_b[0]), (
        "in training mode sample 0's output should move when the other samples change: it is "
        "normalised with statistics of the whole batch"
    )
    eval_a = by_formula(batch_norm_eval, x, running_mean, running_var, weight, bias)
    eval_b = by_formula(batch_norm_eval, changed, running_mean, running_var, weight, bias)
    assert_tensor(
        eval_b[0],
        eval_a[0],
        what="sample 0's eval-mode output after changing the other samples (must not move)",
    )


@pytest.mark.parametrize(("batch", "in_channels", "classes", "height", "width"), NET_SIZES)
def test_net_output_shape_and_values(
    batch: int, in_channels: int, classes: int, height: int, width: int
) -> None:
    net = make_net(in_channels, classes, (height, width), seed=batch)
    randomise_bn(net, seed=batch)
    net.eval()
    x = randn(batch, in_channels, height, width, seed=60 + batch, dtype=torch.float32)
    with torch.no_grad():
        got = net(x)
        assert isinstance(got, torch.Tensor), f"forward should return a tensor, got {type(got)}"
        assert_shape(got, (batch, classes), f"SmallConvNet on a {tuple(x.shape)} batch")
        assert_tensor(
            got,
            net_by_hand(net, x),
            what="SmallConvNet in eval mode against conv1 -> bn -> relu -> pool -> conv2 -> "
            "relu -> flatten -> (dropout) -> fc",
            atol=1e-5,
            rtol=1e-4,
        )


@pytest.mark.parametrize(
    ("in_channels", "classes", "height", "width"), [(3, 10, 28, 28), (1, 4, 32, 20), (2, 3, 17, 9)]
)
def test_net_parameter_count(in_channels: int, classes: int, height: int, width: int) -> None:
    net = make_net(in_channels, classes, (height, width), seed=1)
    h = ((height // 2) - 3) // 2 + 1
    w = ((width // 2) - 3) // 2 + 1
    want = (in_channels * 8 * 9 + 8) + 2 * 8 + (8 * 16 * 9 + 16) + (16 * h * w * classes + classes)
    got = sum(p.numel() for p in net.parameters())
    assert got == want, (
        f"SmallConvNet({in_channels}, {classes}, ({height}, {width})) should have {want} "
        f"parameters (conv1, bn, conv2, and fc over 16 * {h} * {w} features), got {got}"
    )


def test_net_layers() -> None:
    net = make_net(3, 10, (28, 28), seed=2)
    kinds = {
        name: type(module).__name__
        for name, module in net.named_children()
        if not isinstance(module, nn.ReLU | nn.Flatten)  # as modules or functions: your choice
    }
    want = {
        "conv1": "Conv2d",
        "bn": "BatchNorm2d",
        "pool": "MaxPool2d",
        "conv2": "Conv2d",
        "dropout": "Dropout",
        "fc": "Linear",
    }
    assert list(kinds.items()) == list(want.items()), (
        f"SmallConvNet's submodules, in order: expected {want}, got {kinds}"
    )
    assert net.dropout.p == 0.5, f"the default dropout probability is 0.5, got {net.dropout.p}"
    assert SmallConvNet(3, 10, (28, 28), p_drop=0.2).dropout.p == 0.2, "p_drop is not passed on"


def test_eval_mode_is_deterministic_and_per_sample() -> None:
    net = make_net(3, 5, (16, 16), seed=3).eval()
    x = randn(4, 3, 16, 16, seed=70, dtype=torch.float32)
    with torch.no_grad():
        first, second = net(x), net(x)
        alone = torch.cat([net(x[i : i + 1]) for i in range(4)])
    assert_tensor(second, first, what="two eval-mode passes on the same batch", atol=0, rtol=0)
    assert_tensor(
        alone,
        first,
        what="each sample on its own against the batch, in eval mode",
        atol=1e-5,
        rtol=1e-5,
    )


def test_train_mode_drops_units() -> None:
    net = make_net(3, 5, (16, 16), seed=4).train()
    x = randn(4, 3, 16, 16, seed=71, dtype=torch.float32)
    with torch.no_grad():
        first, second = net(x), net(x)
    assert not torch.allclose(first, second), (
        "two training-mode passes on the same batch gave the same output: dropout should zero "
        "a random set of features each time (is the Dropout module used in forward?)"
    )


def test_running_stats_update_in_train_mode_only() -> None:
    net = make_net(3, 5, (16, 16), seed=5)
    x = randn(6, 3, 16, 16, seed=72, dtype=torch.float32) * 2 + 1
    before = net.bn.running_mean.clone()
    net.train()
    with torch.no_grad():
        net(x)
    assert not torch.equal(net.bn.running_mean, before) and int(net.bn.num_batches_tracked) == 1, (
        "a training-mode forward pass should update bn's running statistics once: is the "
        "BatchNorm2d module applied in forward?"
    )
    stats = (net.bn.running_mean.clone(), net.bn.running_var.clone())
    net.eval()
    with torch.no_grad():
        net(x)
    assert torch.equal(net.bn.running_mean, stats[0]) and torch.equal(
        net.bn.running_var, stats[1]
    ), "an eval-mode forward pass changed the running statistics: eval mode only reads them"


def test_gradients_reach_every_parameter() -> None:
    net = make_net(2, 3, (12, 10), seed=6).train()
    net(randn(5, 2, 12, 10, seed=73, dtype=torch.float32)).pow(2).sum().backward()
    missing = [n for n, p in net.named_parameters() if p.grad is None or not p.grad.abs().sum()]
    assert not missing, f"no gradient reached {missing}: is every layer used in forward?"
