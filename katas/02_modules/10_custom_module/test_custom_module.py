"""Spec for modules/custom-module: Standardize, TinyRegressor and count_parameters.

The oracles are PyTorch's own bookkeeping (``named_parameters``, ``named_buffers``,
``state_dict``, ``Module.to``, an SGD step) and the forward formula written out with the
module's own tensors.
"""

import pytest
import torch
from custom_module import Standardize, TinyRegressor, count_parameters
from torch import nn

from katakit.testing import assert_shape, assert_tensor

# (batch, in_features, hidden, out_features): no two sizes alike, and a batch of one
SIZES = [(5, 3, 7, 2), (4, 6, 5, 1), (1, 2, 3, 4), (9, 4, 8, 3)]
PARAM_NAMES = {"weight", "bias", "head.weight", "head.bias"}
BUFFER_NAMES = {"norm.mean", "norm.std", "seen"}


def randn(*shape: int, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def stats(features: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A per-feature mean and a strictly positive std, far from 0 and 1 so both matter."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(features, generator=g) * 3, torch.rand(features, generator=g) * 2 + 0.5


def make(features: int, hidden: int, out: int, seed: int) -> TinyRegressor:
    mean, std = stats(features, seed)
    torch.manual_seed(seed)
    return TinyRegressor(mean, std, hidden, out)


def by_hand(model: TinyRegressor, x: torch.Tensor) -> torch.Tensor:
    """The contract's forward, written with the module's own tensors."""
    z = (x - model.norm.mean) / model.norm.std
    hidden = torch.relu(z @ model.weight.T + model.bias)
    return hidden @ model.head.weight.T + model.head.bias


def test_standardize_keeps_mean_and_std_as_buffers() -> None:
    mean, std = stats(4, seed=1)
    norm = Standardize(mean, std)
    params = [name for name, _ in norm.named_parameters()]
    assert params == [], (
        f"Standardize should have no parameters (nothing in it is trained), got {params}: "
        "fixed statistics are buffers, not nn.Parameter"
    )
    buffers = dict(norm.named_buffers())
    assert set(buffers) == {"mean", "std"}, (
        f"Standardize's buffers: expected {{'mean', 'std'}}, got {set(buffers)}: a tensor stored "
        "as a plain attribute is invisible to state_dict and to .to(); register it as a buffer"
    )
    assert_tensor(buffers["mean"], mean, what="the 'mean' buffer", atol=0, rtol=0)
    assert_tensor(buffers["std"], std, what="the 'std' buffer", atol=0, rtol=0)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_standardize_forward(seed: int) -> None:
    mean, std = stats(5, seed)
    x = randn(6, 5, seed=seed + 10) * 4
    assert_tensor(
        Standardize(mean, std)(x),
        (x - mean) / std,
        what="Standardize(mean, std)(x), which should be (x - mean) / std per feature",
        atol=1e-6,
        rtol=1e-6,
    )


def test_standardize_keeps_its_own_copy() -> None:
    mean, std = stats(3, seed=5)
    norm = Standardize(mean, std)
    mean += 100.0
    std *= 10.0
    assert_tensor(
        norm.mean,
        mean - 100.0,
        what="the 'mean' buffer after the caller changed the tensor it passed in (it must not "
        "follow: keep a copy, not the caller's tensor)",
        atol=1e-5,
        rtol=0,
    )
    assert_tensor(
        norm.std,
        std / 10.0,
        what="the 'std' buffer after the caller changed the tensor it passed in (keep a copy)",
        atol=1e-6,
        rtol=1e-6,
    )


def test_parameters_are_registered_by_name() -> None:
    model = make(3, 4, 2, seed=6)
    names = {name for name, _ in model.named_parameters()}
    assert names == PARAM_NAMES, (
        f"named_parameters(): expected {sorted(PARAM_NAMES)}, got {sorted(names)}. "
        "weight and bias are nn.Parameter attributes of TinyRegressor itself, head is an "
        "nn.Linear submodule (its parameters show up as head.*), and buffers never appear here"
    )
    shapes = {name: tuple(p.shape) for name, p in model.named_parameters()}
    want = {"weight": (4, 3), "bias": (4,), "head.weight": (2, 4), "head.bias": (2,)}
    assert shapes == want, f"parameter shapes: expected {want}, got {shapes}"


def test_buffers_are_registered_by_name() -> None:
    model = make(3, 4, 2, seed=7)
    buffers = dict(model.named_buffers())
    assert set(buffers) == BUFFER_NAMES, (
        f"named_buffers(): expected {sorted(BUFFER_NAMES)}, got {sorted(buffers)}. The "
        "Standardize submodule is called norm; seen is a buffer of TinyRegressor itself"
    )
    seen = buffers["seen"]
    assert (tuple(seen.shape), seen.dtype, int(seen)) == ((), torch.int64, 0), (
        f"seen should start as a 0-dim int64 tensor holding 0, got shape {tuple(seen.shape)}, "
        f"{seen.dtype}, value {seen.tolist()}"
    )


def test_state_dict_holds_parameters_and_buffers() -> None:
    model = make(3, 4, 2, seed=8)
    keys = set(model.state_dict())
    assert keys == PARAM_NAMES | BUFFER_NAMES, (
        f"state_dict() keys: expected {sorted(PARAM_NAMES | BUFFER_NAMES)}, got {sorted(keys)}: "
        "a checkpoint holds the parameters and the (persistent) buffers"
    )


@pytest.mark.parametrize(("batch", "features", "hidden", "out"), SIZES)
def test_forward_matches_the_formula(batch: int, features: int, hidden: int, out: int) -> None:
    model = make(features, hidden, out, seed=batch + features)
    with torch.no_grad():
        model.bias.copy_(randn(hidden, seed=batch))  # a non-zero bias must count too
    model.eval()
    x = randn(batch, features, seed=20 + batch) * 3
    with torch.no_grad():
        got = model(x)
        assert isinstance(got, torch.Tensor), f"forward should return a tensor, got {type(got)}"
        assert_shape(
            got,
            (batch, out),
            f"TinyRegressor(..., {hidden}, {out}) on a ({batch}, {features}) batch",
        )
        assert_tensor(
            got,
            by_hand(model, x),
            what="forward: head(relu(norm(x) @ weight.T + bias))",
            atol=1e-5,
            rtol=1e-5,
        )


def test_each_row_depends_on_its_own_sample_only() -> None:
    model = make(4, 6, 3, seed=9).eval()
    x = randn(5, 4, seed=30)
    with torch.no_grad():
        base = model(x)
        rows = torch.cat([model(x[i : i + 1]) for i in range(5)])
    assert_tensor(
        base, rows, what="a batch of 5 against each sample on its own", atol=1e-6, rtol=1e-5
    )


def test_initial_values() -> None:
    features, hidden = 400, 256
    model = make(features, hidden, 2, seed=10)
    weight = model.weight.detach()
    want = features**-0.5
    assert abs(float(weight.std()) / want - 1) < 0.03 and abs(float(weight.mean())) < 0.01, (
        f"weight should start as standard normal samples divided by sqrt(in_features) (std "
        f"{want:.4f}), got mean {float(weight.mean()):.4f} and std {float(weight.std()):.4f}"
    )
    assert_tensor(model.bias.detach(), torch.zeros(hidden), what="the initial bias (all zeros)")
    assert isinstance(model.head, nn.Linear), (
        f"head should be an nn.Linear, got {type(model.head).__name__}"
    )


def test_weights_differ_between_seeds() -> None:
    a, b = make(3, 4, 2, seed=11), make(3, 4, 2, seed=12)
    assert not torch.equal(a.weight, b.weight), (
        "two models built after different torch.manual_seed calls have the same weight: draw "
        "it from torch's random generator instead of fixing its values"
    )


def test_gradients_reach_every_parameter_and_no_buffer() -> None:
    model = make(4, 5, 3, seed=13)
    with torch.no_grad():
        model.bias.fill_(0.5)  # every hidden unit active for at least some samples
    model(randn(16, 4, seed=40)).pow(2).sum().backward()
    for name, param in model.named_parameters():
        grad = param.grad
        assert grad is not None and bool(grad.abs().sum() > 0), (
            f"{name} got no gradient after backward(): is it used in forward, and registered "
            "as an nn.Parameter (or inside a registered submodule)?"
        )
    for name, buffer in model.named_buffers():
        assert buffer.grad is None and not buffer.requires_grad, (
            f"buffer {name} requires grad: buffers hold state that the optimizer never trains"
        )


def test_an_optimizer_step_trains_parameters_not_buffers() -> None:
    model = make(4, 5, 3, seed=14)
    buffers = {name: b.clone() for name, b in model.named_buffers() if name != "seen"}
    params = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    optimizer.zero_grad()
    model(randn(16, 4, seed=41)).pow(2).mean().backward()
    optimizer.step()
    for name, before in buffers.items():
        assert_tensor(
            dict(model.named_buffers())[name],
            before,
            what=f"buffer {name} after an SGD step (buffers are not trained)",
            atol=0,
            rtol=0,
        )
    moved = [name for name, p in model.named_parameters() if not torch.equal(p, params[name])]
    assert set(moved) == PARAM_NAMES, (
        f"an SGD step over model.parameters() should move every parameter, moved only {moved}"
    )


def test_seen_counts_samples_in_training_mode_only() -> None:
    model = make(3, 4, 2, seed=15)
    counts = []
    for batch in (5, 3, 7):
        model(randn(batch, 3, seed=batch))
        counts.append(int(model.seen))
    assert counts == [5, 8, 15], (
        f"after training-mode batches of 5, 3 and 7 samples, seen should read [5, 8, 15], got "
        f"{counts}: add the batch size (dim 0 of x) to the buffer in place"
    )
    model.eval()
    with torch.no_grad():
        model(randn(4, 3, seed=50))
    assert int(model.seen) == 15, (
        f"a forward pass in eval mode changed seen from 15 to {int(model.seen)}: count only "
        "while the module is training (self.training)"
    )
    model.train()
    with torch.no_grad():
        model(randn(2, 3, seed=51))
    assert int(model.seen) == 17, (
        f"a training-mode forward under torch.no_grad() should still count (no_grad is not "
        f"eval mode): expected 17, got {int(model.seen)}"
    )


def test_to_casts_floating_buffers_and_keeps_the_counter() -> None:
    model = make(3, 4, 2, seed=16).to(torch.float64).eval()
    dtypes = {name: b.dtype for name, b in model.named_buffers()}
    want = {"norm.mean": torch.float64, "norm.std": torch.float64, "seen": torch.int64}
    assert dtypes == want, (
        f"buffer dtypes after .to(torch.float64): expected {want}, got {dtypes}: .to() converts "
        "every registered floating-point tensor and leaves integer ones alone"
    )
    x = randn(3, 3, seed=60, dtype=torch.float64)
    with torch.no_grad():
        assert_tensor(model(x), by_hand(model, x), what="forward in float64")


def test_to_moves_every_buffer_to_the_device() -> None:
    model = make(3, 4, 2, seed=17).to("meta")
    devices = {name: t.device.type for name, t in model.state_dict().items()}
    assert set(devices.values()) == {"meta"}, (
        f"after model.to('meta') every parameter and buffer should be on meta, got {devices}: "
        "a tensor kept as a plain attribute stays behind, so the next forward mixes devices"
    )
    out = model(torch.empty(6, 3, device="meta"))
    assert_tensor(out, torch.empty(6, 2, device="meta"), what="forward on the meta device")


def test_load_state_dict_restores_parameters_and_buffers() -> None:
    source = make(3, 4, 2, seed=18)
    source(randn(6, 3, seed=70))  # seen becomes 6
    target = make(3, 4, 2, seed=19)  # other weights and other statistics
    target.load_state_dict(source.state_dict())
    assert int(target.seen) == 6, f"seen after load_state_dict: expected 6, got {int(target.seen)}"
    source.eval()
    target.eval()
    x = randn(5, 3, seed=71)
    with torch.no_grad():
        assert_tensor(
            target(x),
            source(x),
            what="a model restored from another's state_dict, on the same input",
            atol=0,
            rtol=0,
        )


@pytest.mark.parametrize(("features", "hidden", "out"), [(3, 4, 2), (10, 7, 5), (1, 1, 1)])
def test_count_parameters_matches_the_formula(features: int, hidden: int, out: int) -> None:
    model = make(features, hidden, out, seed=features)
    want = hidden * features + hidden + out * hidden + out
    got = count_parameters(model)
    assert got == want, (
        f"count_parameters(TinyRegressor with in={features}, hidden={hidden}, out={out}): "
        f"expected {want} (hidden*in + hidden + out*hidden + out; buffers are not parameters), "
        f"got {got}"
    )


def test_count_parameters_skips_frozen_parameters() -> None:
    model = make(10, 7, 5, seed=21)
    model.head.requires_grad_(False)
    got = count_parameters(model)
    assert got == 7 * 10 + 7, (
        f"with head frozen (requires_grad=False) only weight and bias are trainable: expected "
        f"{7 * 10 + 7}, got {got}"
    )


@pytest.mark.parametrize(
    ("module", "want"),
    [
        (nn.Conv2d(3, 8, kernel_size=3), 3 * 8 * 9 + 8),
        (nn.BatchNorm1d(6), 12),
        (nn.Sequential(nn.Linear(4, 5, bias=False), nn.ReLU(), nn.Linear(5, 2)), 20 + 12),
    ],
    ids=["conv", "batchnorm", "sequential"],
)
def test_count_parameters_on_torch_modules(module: nn.Module, want: int) -> None:
    got = count_parameters(module)
    assert got == want, f"count_parameters({module}): expected {want}, got {got}"
