"""Bug hunt: "the best model I keep is just the last one".

A colleague trains a regressor for a fixed number of epochs and, to guard against
overfitting, keeps the weights of the epoch with the lowest validation loss: after training,
``fit_keep_best`` loads those weights back into the model and returns the best epoch and its
validation loss. Nothing crashes, but they report:

    "fit_keep_best says the best epoch was epoch 3 with validation loss 0.21. But when I
    compute the validation loss of the model it hands back, I get 0.48, the loss of the last
    epoch, and its weights are exactly the last epoch's weights. Keeping the best model seems
    to do nothing at all."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``train_epoch(model, loader, optimizer)``: one optimizer step per batch on the batch's mean
  squared error.
- ``val_loss(model, loader)``: the mean squared error over the loader (equal-sized batches),
  without gradients, as a Python float.
- ``fit_keep_best(model, train_loader, val_loader, optimizer, epochs)``: trains for
  ``epochs`` epochs, measuring the validation loss after each; afterwards the model holds the
  weights it had right after the best epoch (the earliest one with the lowest validation
  loss), and the function returns ``(best_epoch, best_loss)``, epochs counted from 0.

Check it: ``kata check bugs/best-state``.
"""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

Loader = DataLoader[tuple[torch.Tensor, torch.Tensor]]


def train_epoch(model: nn.Module, loader: Loader, optimizer: torch.optim.Optimizer) -> None:
    for x, y in loader:
        optimizer.zero_grad()
        F.mse_loss(model(x), y).backward()
        optimizer.step()


@torch.no_grad()
def val_loss(model: nn.Module, loader: Loader) -> float:
    losses = [F.mse_loss(model(x), y).item() for x, y in loader]
    return sum(losses) / len(losses)


def fit_keep_best(
    model: nn.Module,
    train_loader: Loader,
    val_loader: Loader,
    optimizer: torch.optim.Optimizer,
    epochs: int,
) -> tuple[int, float]:
    best_loss, best_epoch, best_state = float("inf"), None, None
    for epoch in range(epochs):
        train_epoch(model, train_loader, optimizer)
        loss = val_loss(model, val_loader)
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
            best_state = model.state_dict()
    model.load_state_dict(best_state)
    return best_epoch, best_loss
