"""Spec for bugs/missing-eval: validation numbers come from the model as it predicts."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_missing_eval import MLP, evaluate, train_epoch
from sklearn.metrics import accuracy_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor

IN, HIDDEN, CLASSES = 5, 32, 3


def make_loader(n: int, seed: int, batch_size: int = 16) -> DataLoader:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, IN, generator=gen)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.3).long()
    return DataLoader(TensorDataset(x, y), batch_size=batch_size)


def make_model(seed: int, p: float = 0.5) -> MLP:
    torch.manual_seed(seed)
    return MLP(IN, HIDDEN, CLASSES, p=p)


def predicting_copy(model: nn.Module, loader: DataLoader) -> tuple[float, float]:
    """Loss and accuracy of a copy of the model in evaluation mode, over the whole loader."""
    frozen = copy.deepcopy(model).eval()
    x, y = (torch.cat(t) for t in zip(*loader, strict=True))
    with torch.no_grad():
        logits = frozen(x)
    return F.cross_entropy(logits, y).item(), float(accuracy_score(y, logits.argmax(dim=1)))


def test_evaluate_gives_the_same_numbers_twice() -> None:
    model = make_model(seed=0)
    loader = make_loader(50, seed=1)
    first, second = evaluate(model, loader), evaluate(model, loader)
    assert first == second, (
        f"evaluate on the same model and the same data gave {first}, then {second}: nothing "
        "trained in between, so something random is still switched on while evaluating"
    )


@pytest.mark.parametrize(("model_seed", "data_seed", "n"), [(2, 3, 50), (4, 5, 33)])
def test_evaluate_matches_the_model_in_eval_mode(model_seed: int, data_seed: int, n: int) -> None:
    model = make_model(seed=model_seed)
    loader = make_loader(n, seed=data_seed)
    want_loss, want_acc = predicting_copy(model, loader)
    got_loss, got_acc = evaluate(model, loader)
    assert isinstance(got_loss, float) and isinstance(got_acc, float), (
        f"evaluate should return two Python floats, got {type(got_loss)}, {type(got_acc)}"
    )
    assert abs(got_loss - want_loss) <= 1e-5 and abs(got_acc - want_acc) <= 1e-9, (
        f"evaluate over {n} samples returned loss {got_loss:.5f}, accuracy {got_acc:.4f}; the "
        f"model as it predicts (dropout off) gives loss {want_loss:.5f}, accuracy "
        f"{want_acc:.4f}: the validation numbers must come from the model in the mode it is "
        "used for predictions"
    )


def test_evaluate_changes_no_parameter_or_gradient() -> None:
    model = make_model(seed=6)
    before = copy.deepcopy(model.state_dict())
    evaluate(model, make_loader(40, seed=7))
    for name, value in model.state_dict().items():
        assert_tensor(value, before[name], what=f"{name} after evaluate", atol=0, rtol=0)
    assert all(p.grad is None for p in model.parameters()), "evaluate computed gradients"


def test_train_epoch_matches_sgd_with_dropout() -> None:
    model = make_model(seed=8)
    reference = copy.deepcopy(model).train()
    loader = make_loader(40, seed=9)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.2)
    torch.manual_seed(10)
    losses = []
    for x, y in loader:
        ref_opt.zero_grad()
        loss = F.cross_entropy(reference(x), y)
        loss.backward()
        ref_opt.step()
        losses.append(loss.item())
    torch.manual_seed(10)
    got = train_epoch(model, loader, torch.optim.SGD(model.parameters(), lr=0.2))
    want = sum(losses) / len(losses)
    assert isinstance(got, float), f"train_epoch should return a Python float, got {type(got)}"
    assert abs(got - want) <= 1e-5, f"train_epoch returned {got:.5f}, expected {want:.5f}"
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(p.detach(), q.detach(), what=f"{name} after one epoch", atol=1e-6, rtol=1e-5)


def test_train_epoch_after_evaluate_trains_like_before() -> None:
    model = make_model(seed=11)
    twin = copy.deepcopy(model)
    loader = make_loader(32, seed=12)
    evaluate(model, make_loader(20, seed=13))
    torch.manual_seed(14)
    got = train_epoch(model, loader, torch.optim.SGD(model.parameters(), lr=0.2))
    torch.manual_seed(14)
    want = train_epoch(twin, loader, torch.optim.SGD(twin.parameters(), lr=0.2))
    assert abs(got - want) <= 1e-6, (
        f"an epoch right after evaluate gave loss {got:.5f}, the same epoch without the "
        f"evaluate before it {want:.5f}: evaluating must leave training as it was"
    )


def test_dropout_is_active_in_training_only() -> None:
    torch.manual_seed(15)
    model = MLP(IN, HIDDEN, CLASSES)
    assert isinstance(model.net[2], nn.Dropout) and model.net[2].p == 0.5, (
        f"net[2] should be Dropout(0.5) (the default p), got {model.net[2]}"
    )
    x = torch.randn(8, IN, generator=torch.Generator().manual_seed(16))
    model.train()
    assert not torch.equal(model(x), model(x)), "in training mode dropout should be random"
    model.eval()
    lin1, lin2 = model.net[0], model.net[3]
    want = lin2(F.relu(lin1(x)))
    assert_tensor(model(x), want, what="logits in eval mode (no dropout)", atol=1e-6, rtol=1e-5)
