"""Spec for training/validate: validate."""

from __future__ import annotations

import copy
import math

import pytest
import torch
from sklearn.metrics import accuracy_score, log_loss
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from validate_loop import validate

FEATURES, CLASSES = 6, 3


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = 2 * torch.randn(CLASSES, FEATURES, generator=g)
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[targets] + torch.randn(n, FEATURES, generator=g), targets


class ModeRecorder(nn.Module):
    """Passes its input through; records (training mode?, autograd recording?) per forward."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return x


def trained_looking_model(seed: int) -> nn.Sequential:
    """Dropout and batch norm with running statistics, left in training mode like after an
    epoch of training: exactly the model validate is usually handed."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(FEATURES, 16),
        nn.BatchNorm1d(16),
        ModeRecorder(),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(16, CLASSES),
    )
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, FEATURES) * 3 + 1)
    model[2].calls.clear()
    return model.train()


def sklearn_metrics(
    model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor
) -> tuple[float, float]:
    """Loss and accuracy over the whole data set, from scikit-learn, on a copy in eval mode."""
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        logits = reference(inputs).double()
    probs = logits.softmax(dim=1).numpy()
    loss = log_loss(targets.numpy(), probs, labels=list(range(CLASSES)))
    return float(loss), float(accuracy_score(targets.numpy(), logits.argmax(dim=1).numpy()))


def batch_mean_of_means(
    model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, batch_size: int
) -> float:
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        means = [
            nn.functional.cross_entropy(reference(x), y).item()
            for x, y in zip(inputs.split(batch_size), targets.split(batch_size), strict=True)
        ]
    return sum(means) / len(means)


def test_returns_loss_and_accuracy_as_floats() -> None:
    model = trained_looking_model(seed=0)
    inputs, targets = blobs(12, seed=1)
    out = validate(model, [(inputs, targets)], nn.CrossEntropyLoss(), "cpu")
    assert isinstance(out, dict) and set(out) == {"loss", "accuracy"}, (
        f"validate should return a dict with the keys 'loss' and 'accuracy', got {out!r}"
    )
    kinds = {k: type(v).__name__ for k, v in out.items()}
    assert kinds == {"loss": "float", "accuracy": "float"}, (
        f"both metrics should be plain Python floats, got {kinds}: a 0-dim tensor keeps "
        "its device (and maybe its graph); turn it into a number with .item()"
    )


@pytest.mark.parametrize(("n", "batch_size", "seed"), [(10, 4, 0), (23, 5, 1), (16, 16, 2)])
def test_matches_sklearn_over_the_whole_data_set(n: int, batch_size: int, seed: int) -> None:
    model = trained_looking_model(seed)
    inputs, targets = blobs(n, seed=seed + 10)
    want_loss, want_accuracy = sklearn_metrics(model, inputs, targets)
    loader = DataLoader(TensorDataset(inputs, targets), batch_size=batch_size)
    got = validate(model, loader, nn.CrossEntropyLoss(), "cpu")
    assert isinstance(got, dict) and {"loss", "accuracy"} <= set(got), f"got {got!r}"
    naive = batch_mean_of_means(model, inputs, targets, batch_size)
    if n % batch_size and math.isclose(got["loss"], naive, rel_tol=1e-5):
        pytest.fail(
            f"the loss {got['loss']:.6f} is the plain average of the batch means, but the last "
            f"batch holds only {n % batch_size} of {n} samples: weight each batch's mean by its "
            f"number of samples (per-sample mean: {want_loss:.6f})"
        )
    assert math.isclose(got["loss"], want_loss, rel_tol=1e-5, abs_tol=1e-6), (
        f"mean loss over {n} samples in batches of {batch_size}: expected {want_loss:.6f} "
        f"(scikit-learn's log_loss of the model in eval mode), got {got['loss']!r}. A different "
        "number each run, or a larger one, points at dropout or batch norm still in training mode"
    )
    assert math.isclose(got["accuracy"], want_accuracy, abs_tol=1e-9), (
        f"accuracy over {n} samples: expected {want_accuracy:.4f} (scikit-learn's "
        f"accuracy_score of argmax over the classes), got {got['accuracy']!r}"
    )


def test_runs_in_eval_mode_without_recording_gradients() -> None:
    model = trained_looking_model(seed=3)
    inputs, targets = blobs(9, seed=4)
    validate(
        model,
        DataLoader(TensorDataset(inputs, targets), batch_size=3),
        nn.CrossEntropyLoss(),
        "cpu",
    )
    calls = model[2].calls
    assert len(calls) == 3, f"expected one forward per batch (3), saw {len(calls)}"
    assert not any(training for training, _ in calls), (
        f"the model ran in training mode during validation (training flag per forward: "
        f"{[t for t, _ in calls]}): dropout was active and batch norm used the batch's "
        "statistics. Switch the model to eval mode first"
    )
    assert not any(grad for _, grad in calls), (
        "autograd was recording during validation (torch.is_grad_enabled() was True inside "
        "forward): nothing will call backward here, so run the loop without gradient tracking"
    )


def test_leaves_the_model_untouched() -> None:
    model = trained_looking_model(seed=5)
    before = copy.deepcopy(model.state_dict())
    inputs, targets = blobs(20, seed=6)
    validate(
        model,
        DataLoader(TensorDataset(inputs, targets), batch_size=6),
        nn.CrossEntropyLoss(),
        "cpu",
    )
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, before[name]), f"validate changed the model's {name}: " + (
            "batch norm updates its running statistics in training mode"
            if "running" in name or "num_batches" in name
            else "a validation pass must not change any weight"
        )
    grads = [name for name, p in model.named_parameters() if p.grad is not None]
    assert grads == [], f"validate left gradients on {grads}: nothing should compute them"


def test_every_batch_is_moved_to_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    moved: dict[int, list[object]] = {}
    original = torch.Tensor.to

    def spy(self: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        moved.setdefault(id(self), []).extend([*args, *kwargs.values()])
        return original(self, *args, **kwargs)  # type: ignore[call-overload, no-any-return]

    model = trained_looking_model(seed=7)
    inputs, targets = blobs(8, seed=8)
    data = list(zip(inputs.split(3), targets.split(3), strict=True))
    monkeypatch.setattr(torch.Tensor, "to", spy)
    validate(model, data, nn.CrossEntropyLoss(), torch.device("cpu"))
    for i, (x, y) in enumerate(data):
        for name, tensor in (("inputs", x), ("targets", y)):
            calls = moved.get(id(tensor), [])
            assert any(str(a) == "cpu" for a in calls), (
                f"batch {i}: the {name} were never moved with .to(device) (calls seen: "
                f"{calls}): on a GPU the model could not read them"
            )


@pytest.mark.gpu
def test_validates_a_cuda_model_from_cpu_batches() -> None:
    model = trained_looking_model(seed=9)
    inputs, targets = blobs(30, seed=10)
    want_loss, want_accuracy = sklearn_metrics(model, inputs, targets)
    loader = DataLoader(TensorDataset(inputs, targets), batch_size=8)
    got = validate(model.to("cuda"), loader, nn.CrossEntropyLoss(), "cuda")
    assert math.isclose(got["loss"], want_loss, rel_tol=1e-4), f"{got} vs {want_loss}"
    assert math.isclose(got["accuracy"], want_accuracy, abs_tol=1e-9), f"{got}"
