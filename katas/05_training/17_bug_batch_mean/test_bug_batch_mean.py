"""Spec for bugs/batch-mean: validation numbers are per sample, whatever the batch size."""

import copy

import pytest
import torch
from bug_batch_mean import evaluate
from sklearn.metrics import accuracy_score, log_loss
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_set(n: int, seed: int) -> TensorDataset:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=gen)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    return TensorDataset(x, y)


def make_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))


def whole_set(model: nn.Module, data: TensorDataset) -> tuple[float, float]:
    """Loss and accuracy with the whole set as one batch, by scikit-learn."""
    frozen = copy.deepcopy(model).eval()
    x, y = data.tensors
    with torch.no_grad():
        probs = torch.softmax(frozen(x).double(), dim=1)
    loss = log_loss(y.numpy(), probs.numpy(), labels=[0, 1, 2])
    return float(loss), float(accuracy_score(y.numpy(), probs.argmax(dim=1).numpy()))


@pytest.mark.parametrize(("n", "batch_size"), [(50, 16), (50, 7), (23, 10)])
def test_evaluate_averages_over_samples(n: int, batch_size: int) -> None:
    model, data = make_model(seed=n), make_set(n, seed=batch_size)
    want_loss, want_acc = whole_set(model, data)
    got_loss, got_acc = evaluate(model, DataLoader(data, batch_size=batch_size))
    assert isinstance(got_loss, float) and isinstance(got_acc, float), "expected two floats"
    assert abs(got_acc - want_acc) <= 1e-9, f"accuracy {got_acc}, expected {want_acc}"
    assert abs(got_loss - want_loss) <= 1e-5, (
        f"evaluate over {n} samples in batches of {batch_size} (the last one holds "
        f"{n % batch_size or batch_size}) gave loss {got_loss:.5f}; the mean cross-entropy over "
        f"all {n} samples is {want_loss:.5f}: does every sample count the same, whichever "
        "batch it lands in?"
    )


def test_batch_size_does_not_change_the_numbers() -> None:
    model, data = make_model(seed=1), make_set(41, seed=2)
    results = {b: evaluate(model, DataLoader(data, batch_size=b)) for b in (1, 4, 10, 20, 41)}
    losses = {b: round(loss, 5) for b, (loss, _) in results.items()}
    assert max(losses.values()) - min(losses.values()) <= 1e-5, (
        f"validation loss by batch size: {losses}; the loss of one model on one data set "
        "cannot depend on how the data is batched"
    )


def test_evaluate_needs_no_gradients_and_leaves_the_model_alone() -> None:
    model, data = make_model(seed=3), make_set(12, seed=4)
    before = copy.deepcopy(model.state_dict())
    evaluate(model, DataLoader(data, batch_size=5))
    assert all(p.grad is None for p in model.parameters()), "evaluate computed gradients"
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), f"evaluate changed {key}"
    assert not model.training, "evaluate should leave the model in evaluation mode"
