"""Spec for bugs/functional-dropout: dropout follows the module's train/eval mode."""

import pytest
import torch
import torch.nn.functional as F
from bug_functional_dropout import SensorNet

from katakit.testing import assert_tensor

IN, HIDDEN, CLASSES = 6, 64, 4


def make_model(seed: int, p: float = 0.3) -> SensorNet:
    torch.manual_seed(seed)
    return SensorNet(IN, HIDDEN, CLASSES, p=p)


def readings(n: int, seed: int) -> torch.Tensor:
    return torch.randn(n, IN, generator=torch.Generator().manual_seed(seed))


def by_hand(model: SensorNet, x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    h = F.dropout(F.relu(model.fc1(x)), p=p, training=training)
    h = F.dropout(F.relu(model.fc2(h)), p=p, training=training)
    return model.out(h)


@pytest.mark.parametrize("seed", [0, 1])
def test_evaluation_mode_is_deterministic_and_dropout_free(seed: int) -> None:
    model = make_model(seed).eval()
    x = readings(8, seed=10 + seed)
    with torch.no_grad():
        first, second = model(x), model(x)
        want = by_hand(model, x, p=0.3, training=False)
    assert_tensor(
        first,
        want,
        what="logits in evaluation mode (model.eval(): no dropout anywhere)",
        atol=1e-6,
        rtol=1e-5,
    )
    assert_tensor(second, first, what="a second call in evaluation mode", atol=0, rtol=0)


@pytest.mark.parametrize(("p", "seed"), [(0.3, 2), (0.6, 3)])
def test_training_mode_applies_dropout_after_both_hidden_layers(p: float, seed: int) -> None:
    model = make_model(seed, p=p).train()
    x = readings(8, seed=20 + seed)
    torch.manual_seed(seed)
    with torch.no_grad():
        want = by_hand(model, x, p=p, training=True)
    torch.manual_seed(seed)
    with torch.no_grad():
        got = model(x)
    assert_tensor(
        got,
        want,
        what=f"logits in training mode with p={p} (same random seed as F.dropout after each "
        "hidden layer)",
        atol=1e-6,
        rtol=1e-5,
    )


def test_switching_back_to_training_turns_dropout_on_again() -> None:
    model = make_model(seed=4)
    x = readings(4, seed=30)
    model.eval()
    with torch.no_grad():
        calm = model(x)
    model.train()
    with torch.no_grad():
        noisy = model(x)
    assert not torch.allclose(calm, noisy), "in training mode dropout should change the output"


def test_default_dropout_and_layer_sizes() -> None:
    torch.manual_seed(5)
    model = SensorNet(IN, HIDDEN, CLASSES)
    assert model.p == 0.3, f"the default dropout probability should be 0.3, got {model.p}"
    sizes = [tuple(m.weight.shape) for m in (model.fc1, model.fc2, model.out)]
    assert sizes == [(HIDDEN, IN), (HIDDEN, HIDDEN), (CLASSES, HIDDEN)], f"layer sizes {sizes}"
