"""Spec for bugs/shuffled-validation: predictions line up with the labels they are scored on."""

import pytest
import torch
from bug_shuffled_validation import make_loaders, predict, val_accuracy
from sklearn.metrics import accuracy_score
from torch import nn
from torch.utils.data import TensorDataset

from katakit.testing import assert_tensor


def make_set(n: int, seed: int) -> TensorDataset:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=gen)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    return TensorDataset(x, y)


def trained_model(seed: int) -> nn.Module:
    """A small classifier fitted to the rule of make_set, with dropout (off in eval mode)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 3))
    x, y = make_set(256, seed=seed + 1).tensors
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return model


@pytest.fixture(scope="module")
def model() -> nn.Module:
    return trained_model(seed=0)


def eval_predictions(model: nn.Module, data: TensorDataset) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(data.tensors[0]).argmax(dim=1)


@pytest.mark.parametrize(("n", "batch_size"), [(50, 8), (64, 32)])
def test_validation_predictions_come_in_dataset_order(
    model: nn.Module, n: int, batch_size: int
) -> None:
    val_set = make_set(n, seed=n)
    _, val_loader = make_loaders(make_set(10, seed=1), val_set, batch_size=batch_size)
    assert_tensor(
        predict(model, val_loader),
        eval_predictions(model, val_set),
        what=f"predict over the validation loader ({n} samples): entry i should be the "
        "prediction for validation sample i",
    )


@pytest.mark.parametrize("seed", [2, 3])
def test_val_accuracy_matches_sklearn(model: nn.Module, seed: int) -> None:
    val_set = make_set(90, seed=seed)
    _, val_loader = make_loaders(make_set(10, seed=1), val_set)
    want = accuracy_score(val_set.tensors[1], eval_predictions(model, val_set))
    runs = [val_accuracy(model, val_set, val_loader) for _ in range(3)]
    assert all(isinstance(r, float) for r in runs), f"expected Python floats, got {runs!r}"
    assert all(abs(r - want) <= 1e-6 for r in runs), (
        f"three calls of val_accuracy on the same model gave {[round(r, 4) for r in runs]}; "
        f"sklearn's accuracy_score of the model's predictions against the labels is "
        f"{want:.4f}: are the predictions compared with the labels of the same samples?"
    )


def test_predict_uses_the_model_in_evaluation_mode(model: nn.Module) -> None:
    val_set = make_set(40, seed=4)
    _, val_loader = make_loaders(make_set(10, seed=1), val_set, batch_size=40)
    model.train()
    first, second = predict(model, val_loader), predict(model, val_loader)
    assert first.dtype == torch.int64, f"predictions should be int64 classes, got {first.dtype}"
    assert torch.equal(first, second), "predict gave two different answers: dropout was on"


def test_training_loader_reshuffles_every_epoch() -> None:
    train_set = TensorDataset(torch.arange(40.0)[:, None], torch.zeros(40, dtype=torch.long))
    train_loader, _ = make_loaders(train_set, make_set(10, seed=5), batch_size=8)
    epochs = []
    for _ in range(2):
        batches = list(train_loader)
        assert [len(x) for x, _ in batches] == [8] * 5, "40 samples in batches of 8"
        epochs.append(torch.cat([x[:, 0] for x, _ in batches]).long().tolist())
    assert all(sorted(e) == list(range(40)) for e in epochs), "each epoch sees every sample once"
    assert epochs[0] != list(range(40)) and epochs[0] != epochs[1], (
        "the training loader should visit the samples in a new random order every epoch"
    )


def test_default_batch_size_is_32() -> None:
    train_loader, val_loader = make_loaders(make_set(70, seed=6), make_set(40, seed=7))
    sizes = [len(x) for x, _ in train_loader], [len(x) for x, _ in val_loader]
    assert sizes == ([32, 32, 6], [32, 8]), f"batch sizes (train, val): {sizes}"
