"""Keep the best model, not the last one.

Validation scores go up, then wobble, then often go down again as the model starts to
overfit. The weights you want to keep are those of the best epoch, not those you happen to
have when the loop ends. Keeping them has one classic trap: ``model.state_dict()`` returns the
model's *live* tensors. Store that dict and the next optimizer step changes your "best"
weights along with the model; keep a copy instead.

``train_one_epoch`` and ``validate`` are given, finished, and so is ``BestModel.__init__``.
Write:

1. ``BestModel.update(model, score, epoch) -> bool``: when ``score`` beats the best so far
   (higher for ``mode="max"``, lower for ``"min"``; the first score always does; an equal score
   does not), record ``best_score``, ``best_epoch`` and a copy of the model's full
   ``state_dict()`` (weights and buffers such as batch-norm statistics) in ``best_state``, and
   return True. Otherwise change nothing and return False.
2. ``BestModel.restore(model)`` loads the best state back into ``model``.
3. ``train_keep_best(model, train_loader, val_loader, loss_fn, optimizer, epochs, *,
   metric="accuracy") -> BestModel``: for each epoch ``1 .. epochs``, train one epoch, validate,
   and offer ``validate(...)[metric]`` to a ``BestModel`` (mode ``"min"`` for ``"loss"``,
   ``"max"`` for ``"accuracy"``). At the end restore the best weights into ``model`` and return
   the ``BestModel``.

The spec feeds scripted scores to check which epoch wins, trains on past the best epoch to
check that the kept weights did not move, and compares a real run with one done by hand.

Check it: ``kata check training/best-model``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import torch
from torch import nn

Batch: TypeAlias = tuple[torch.Tensor, torch.Tensor]
Loader: TypeAlias = Sequence[Batch] | torch.utils.data.DataLoader[Batch]
LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_one_epoch(
    model: nn.Module, loader: Loader, loss_fn: LossFn, optimizer: torch.optim.Optimizer
) -> None:
    """Given (from training/step): one pass over ``loader``."""
    model.train()
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss_fn(model(inputs), targets).backward()
        optimizer.step()


def validate(model: nn.Module, loader: Loader, loss_fn: LossFn) -> dict[str, float]:
    """Given (from training/validate): per-sample mean loss and accuracy, in eval mode,
    without gradients."""
    model.eval()
    loss_sum, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            outputs = model(inputs)
            loss_sum += loss_fn(outputs, targets).item() * len(targets)
            correct += (outputs.argmax(dim=1) == targets).sum().item()
            count += len(targets)
    return {"loss": loss_sum / count, "accuracy": correct / count}


class BestModel:
    """Remembers the best weights seen so far, judged by a validation score.

    ``mode="max"`` when a higher score is better (accuracy), ``"min"`` when lower is better
    (a loss). Until the first update every ``best_*`` attribute is None.
    """

    def __init__(self, mode: str = "max") -> None:
        self.mode = mode
        self.best_score: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None

    def update(self, model: nn.Module, score: float, epoch: int) -> bool:
        raise NotImplementedError("update: better than the best so far? then keep a copy")

    def restore(self, model: nn.Module) -> None:
        raise NotImplementedError("restore: load the best state back into the model")


def train_keep_best(
    model: nn.Module,
    train_loader: Loader,
    val_loader: Loader,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    *,
    metric: str = "accuracy",
) -> BestModel:
    raise NotImplementedError("train_keep_best: train, validate, update; restore at the end")
