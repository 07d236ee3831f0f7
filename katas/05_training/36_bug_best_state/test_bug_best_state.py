"""Spec for bugs/best-state: the model handed back holds the best epoch's weights."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_best_state import fit_keep_best, train_epoch, val_loss
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor

W = torch.tensor([[2.0], [-1.0], [0.5]])


def loaders(seed: int) -> tuple[DataLoader, DataLoader]:
    """Validation targets are a shrunk version of the training rule, so the validation loss
    falls for a few epochs and then rises again: the best epoch lies in the middle."""
    gen = torch.Generator().manual_seed(seed)
    x_train, x_val = torch.randn(32, 3, generator=gen), torch.randn(16, 3, generator=gen)
    train = TensorDataset(x_train, x_train @ W)
    val = TensorDataset(x_val, x_val @ (0.4 * W))
    return DataLoader(train, batch_size=8), DataLoader(val, batch_size=8)


def make_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.zero_()
    return model


def by_hand(
    model: nn.Module, train: DataLoader, val: DataLoader, lr: float, epochs: int
) -> tuple[list[float], list[dict[str, torch.Tensor]]]:
    """(losses per epoch, weights after each epoch) with plain SGD."""
    losses, states = [], []
    for _ in range(epochs):
        for x, y in train:
            loss = F.mse_loss(model(x), y)
            grads = torch.autograd.grad(loss, list(model.parameters()))
            with torch.no_grad():
                for p, g in zip(model.parameters(), grads, strict=True):
                    p -= lr * g
        with torch.no_grad():
            x, y = (torch.cat(t) for t in zip(*val, strict=True))
            losses.append(F.mse_loss(model(x), y).item())
        states.append(copy.deepcopy(model.state_dict()))
    return losses, states


@pytest.mark.parametrize(("seed", "epochs"), [(0, 8), (1, 12)])
def test_model_ends_with_the_weights_of_the_best_epoch(seed: int, epochs: int) -> None:
    model = make_model(seed)
    train, val = loaders(seed)
    losses, states = by_hand(copy.deepcopy(model), train, val, lr=0.05, epochs=epochs)
    best = min(range(epochs), key=losses.__getitem__)
    assert 0 < best < epochs - 1, "the scenario should have its best epoch in the middle"
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    got_epoch, got_loss = fit_keep_best(model, train, val, optimizer, epochs)
    assert (got_epoch, round(got_loss, 5)) == (best, round(losses[best], 5)), (
        f"fit_keep_best returned {(got_epoch, got_loss)}, expected epoch {best} with "
        f"validation loss {losses[best]:.5f} (losses per epoch: "
        f"{[round(v, 4) for v in losses]})"
    )
    for key, value in model.state_dict().items():
        assert_tensor(
            value,
            states[best][key],
            what=f"{key} of the model after fit_keep_best: it should be the weight right after "
            f"the best epoch ({best}), not after the last one ({epochs - 1})",
            atol=1e-6,
            rtol=1e-5,
        )
    assert abs(val_loss(model, val) - losses[best]) <= 1e-5, (
        f"the validation loss of the model handed back is {val_loss(model, val):.5f}, but "
        f"fit_keep_best reported {got_loss:.5f} for it"
    )


def test_equal_losses_keep_the_earliest_epoch() -> None:
    model = make_model(seed=2)
    train, val = loaders(seed=2)
    epoch, _ = fit_keep_best(model, train, val, torch.optim.SGD(model.parameters(), lr=0.0), 4)
    assert epoch == 0, f"with lr=0 every epoch is as good as the first; got best epoch {epoch}"


def test_train_epoch_and_val_loss() -> None:
    model = make_model(seed=3)
    reference = copy.deepcopy(model)
    train, val = loaders(seed=3)
    losses, _ = by_hand(reference, train, val, lr=0.1, epochs=1)
    train_epoch(model, train, torch.optim.SGD(model.parameters(), lr=0.1))
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(p.detach(), q.detach(), what=f"{name} after train_epoch", atol=1e-6, rtol=0)
    got = val_loss(model, val)
    assert isinstance(got, float) and abs(got - losses[0]) <= 1e-6, (
        f"val_loss returned {got!r}, expected the float {losses[0]:.6f}"
    )
