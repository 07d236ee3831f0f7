"""Reference solution for bugs/best-state."""

import copy

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
            best_state = copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    return best_epoch, best_loss
