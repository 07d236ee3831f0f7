"""Spec for bugs/batchnorm-eval: uncertainty sampling leaves batch norm as it was trained."""

import copy

import pytest
import torch
from bug_batchnorm_eval import Regressor, mc_predict
from torch import nn

from katakit.testing import assert_tensor

IN, HIDDEN = 4, 16


def houses(n: int, seed: int) -> torch.Tensor:
    """Features of new houses: not centred, so batch statistics differ from the learnt ones."""
    return 2.0 + 3.0 * torch.randn(n, IN, generator=torch.Generator().manual_seed(seed))


def trained_model(seed: int, p: float) -> Regressor:
    """A regressor whose batch norm has learnt running statistics, in evaluation mode."""
    torch.manual_seed(seed)
    model = Regressor(IN, HIDDEN, p=p)
    model.train()
    with torch.no_grad():
        for step in range(5):
            model(torch.randn(32, IN, generator=torch.Generator().manual_seed(100 + step)))
    return model.eval()


def mc_reference(model: nn.Module, x: torch.Tensor, samples: int) -> torch.Tensor:
    """The samples MC dropout should draw: evaluation mode with the dropout layers on."""
    clone = copy.deepcopy(model).eval()
    for module in clone.modules():
        if isinstance(module, nn.Dropout):
            module.train()
    with torch.no_grad():
        return torch.stack([clone(x) for _ in range(samples)])


def test_mc_predict_leaves_the_learnt_statistics_alone() -> None:
    model = trained_model(seed=0, p=0.2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    for seed in (1, 2, 3):
        mc_predict(model, houses(8, seed=seed))
    model.train()  # straight out of a training loop: mc_predict must not rely on eval mode
    mc_predict(model, houses(8, seed=4))
    for name, value in model.state_dict().items():
        assert_tensor(
            value,
            before[name],
            what=f"{name} after four calls of mc_predict, the last on a model still in "
            "training mode (predicting must not change the model: ordinary predictions drift "
            "otherwise)",
            atol=0,
            rtol=0,
        )


def test_mc_mean_of_a_house_does_not_depend_on_the_other_houses() -> None:
    model = trained_model(seed=4, p=0.0)  # no dropout: every sample is the same prediction
    x = houses(6, seed=5)
    alone = torch.cat([mc_predict(model, x[i : i + 2], samples=3)[0] for i in (0, 2, 4)])
    together, _ = mc_predict(model, x, samples=3)
    assert_tensor(
        together,
        alone,
        what="MC mean of 6 houses predicted together, against the same houses two at a time "
        "(a house's prediction must not depend on its batch)",
        atol=1e-5,
        rtol=1e-5,
    )


@pytest.mark.parametrize("seed", [6, 7])
def test_without_dropout_mc_predict_is_the_ordinary_prediction(seed: int) -> None:
    model = trained_model(seed=seed, p=0.0)
    x = houses(5, seed=seed + 10)
    with torch.no_grad():
        want = copy.deepcopy(model).eval()(x)
    mean, std = mc_predict(model, x, samples=4)
    assert_tensor(
        mean,
        want,
        what="MC mean with p=0 (it must equal the model's ordinary evaluation-mode prediction)",
        atol=1e-5,
        rtol=1e-5,
    )
    assert_tensor(std, torch.zeros(5), what="MC std with p=0", atol=1e-5, rtol=0)


@pytest.mark.parametrize(("samples", "seed"), [(None, 8), (7, 9)])
def test_mc_predict_samples_with_dropout_on(samples: int | None, seed: int) -> None:
    model = trained_model(seed=seed, p=0.5)
    x = houses(6, seed=seed + 20)
    n = 20 if samples is None else samples
    torch.manual_seed(seed)
    draws = mc_reference(model, x, n)
    torch.manual_seed(seed)
    mean, std = mc_predict(model, x) if samples is None else mc_predict(model, x, samples)
    assert bool((std > 1e-4).all()), (
        f"the spread of the samples is {std.tolist()}: with dropout p=0.5 the passes must "
        "differ, so dropout has to stay switched on while sampling"
    )
    assert_tensor(
        mean,
        draws.mean(dim=0),
        what=f"MC mean of {n} samples (dropout on, batch norm with its learnt statistics)",
        atol=1e-5,
        rtol=1e-5,
    )
    assert_tensor(std, draws.std(dim=0), what=f"MC std of {n} samples", atol=1e-5, rtol=1e-5)


def test_mc_predict_leaves_the_model_in_evaluation_mode() -> None:
    model = trained_model(seed=10, p=0.3)
    mc_predict(model, houses(4, seed=11), samples=2)
    training = [name or "model" for name, m in model.named_modules() if m.training]
    assert not training, f"after mc_predict these modules are still in training mode: {training}"


def test_mc_predict_of_a_single_house() -> None:
    model = trained_model(seed=12, p=0.0)
    x = houses(1, seed=13)
    mean, _ = mc_predict(model, x, samples=2)
    with torch.no_grad():
        want = copy.deepcopy(model).eval()(x)
    assert_tensor(mean, want, what="MC mean of a single house", atol=1e-5, rtol=1e-5)


def test_regressor_layers_and_output_shape() -> None:
    torch.manual_seed(14)
    model = Regressor(IN, HIDDEN).eval()
    kinds = [type(m).__name__ for m in model.net]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"], kinds
    assert model.net[3].p == 0.2, f"the default dropout should be 0.2, got {model.net[3].p}"
    x = houses(3, seed=15)
    with torch.no_grad():
        out = model(x)
        lin1, bn, _, _, lin2 = model.net
        want = lin2(torch.relu(bn(lin1(x))))[:, 0]
    assert_tensor(out, want, what="Regressor output for 3 houses, one number each")
