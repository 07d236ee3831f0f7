"""Bug hunt: "validation accuracy changes between two runs on the same model".

A colleague trains a classifier with a training loader and a validation loader built by
``make_loaders``. To report validation accuracy, ``predict`` collects the predicted class of
every validation sample and ``val_accuracy`` compares them with the labels of the validation
set. Nothing crashes, but they report:

    "On the training set the model gets 95%. On the validation set, which comes from the same
    distribution, I get 36%, then 31% when I run val_accuracy again on the very same model,
    then 35%. It is close to chance for three classes. No dropout is involved: the model is
    in eval mode and nothing trains between the calls."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``make_loaders(train_set, val_set, batch_size=32)``: a training loader that visits the
  training set in a new random order every epoch, and a validation loader over the validation
  set, both in batches of ``batch_size``.
- ``predict(model, loader)``: the predicted class (argmax of the logits) of every sample the
  loader yields, in the order it yields them, from the model in evaluation mode; an int64
  tensor.
- ``val_accuracy(model, val_set, val_loader)``: the fraction of validation samples whose
  prediction equals their label, as a Python float, sample ``i`` of the set compared with
  label ``i``.

Check it: ``kata check bugs/shuffled-validation``.
"""

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

Pair = tuple[torch.Tensor, torch.Tensor]


def make_loaders(
    train_set: Dataset[Pair], val_set: Dataset[Pair], batch_size: int = 32
) -> tuple[DataLoader[Pair], DataLoader[Pair]]:
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=batch_size, shuffle=True)
    return train_loader, val_loader


@torch.no_grad()
def predict(model: nn.Module, loader: DataLoader[Pair]) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x).argmax(dim=1) for x, _ in loader])


def val_accuracy(model: nn.Module, val_set: Dataset[Pair], val_loader: DataLoader[Pair]) -> float:
    predictions = predict(model, val_loader)
    labels = torch.stack([label for _, label in val_set])
    return (predictions == labels).float().mean().item()
