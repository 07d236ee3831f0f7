"""One runnable script: arguments, seed, device, split, loop, best model, early stop.

Everything from the earlier katas, wired into the kind of script you run on a GPU box and
leave alone: ``python train_pipeline.py --data data.pt --out runs/exp1 --epochs 30``. It reads
its settings from the command line, seeds itself, picks the device, splits the data
reproducibly, trains with AdamW and a cosine schedule, keeps the best weights on disk, stops
early, and leaves a history next to them. ``make_model``, ``train_one_epoch`` and
``validate`` are given, finished (this time they move each batch to the device).

Write four functions:

1. ``parse_args(argv=None) -> argparse.Namespace`` with ``argparse``: the parser has a
   description and every option a help text (``--help`` prints them):

   ========================  =======  ========================================
   option                    type     default
   ========================  =======  ========================================
   ``--data``                Path     required: a ``.pt`` file (see below)
   ``--out``                 Path     ``Path("runs/pipeline")``
   ``--epochs``              int      20
   ``--batch-size``          int      32
   ``--lr``                  float    0.01
   ``--val-fraction``        float    0.2
   ``--patience``            int      5
   ``--seed``                int      0
   ``--device``              str      ``"auto"``
   ========================  =======  ========================================

2. ``pick_device(name) -> torch.device``: ``"auto"`` means ``cuda`` when CUDA is available,
   else ``cpu``; any other name (``"cpu"``, ``"cuda:1"``) is taken as it is.
3. ``run(args) -> dict``, in this order:

   - ``torch.manual_seed(args.seed)``; the device from ``pick_device(args.device)``;
   - ``torch.load(args.data)`` holds a dict: ``"inputs"``, a float tensor ``(N, F)``, and
     ``"targets"``, class indices ``(N,)``; the classes are ``0 .. targets.max()``;
   - ``random_split`` of a ``TensorDataset`` into fractions
     ``[1 - val_fraction, val_fraction]``, with a ``torch.Generator`` seeded with
     ``args.seed``; a training ``DataLoader`` (``batch_size``, shuffled with *another*
     generator seeded with ``args.seed``) and a validation one (``batch_size``, in order);
   - ``make_model(F, num_classes)`` moved to the device; ``torch.optim.AdamW`` at ``args.lr``
     (other settings default); ``CosineAnnealingLR`` with ``T_max=args.epochs``;
   - create ``args.out`` (and its parents) if needed;
   - for each epoch ``1 .. epochs``: train, validate, then ``scheduler.step()``; append
     ``{"epoch", "lr", "train_loss", "val_loss", "val_accuracy"}`` to the history (``lr`` is
     the one this epoch trained with) and print one line starting ``epoch {epoch}/{epochs}:``;
     a ``val_loss`` strictly below the best so far saves ``model.state_dict()`` to
     ``args.out / "best.pt"``; ``patience`` epochs in a row without one end the run;
   - write the history as JSON to ``args.out / "history.json"`` and return
     ``{"best_epoch": ..., "best_val_loss": ..., "epochs_run": ...}``. A diverged run whose
     validation loss is NaN from the start never improves (NaN is not below anything): it
     saves no ``best.pt``, stops after ``patience`` epochs, and reports best epoch 0 with a
     best loss of ``inf``.

4. ``main(argv=None) -> int``: parse, run, print a last line with the best epoch, return 0.
   The ``if __name__ == "__main__":`` line at the bottom makes the file a script.

The spec writes a tiny data set into a temporary folder, runs ``main`` in-process and compares
the history and ``best.pt`` with a pipeline written by hand, then runs the file as a script
with ``sys.executable``. A GPU test trains on CUDA.

Check it: ``kata check training/full-pipeline``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import torch
from torch import nn
from torch.utils.data import DataLoader


def make_model(in_features: int, num_classes: int) -> nn.Module:
    """Given: a small MLP classifier with dropout."""
    return nn.Sequential(
        nn.Linear(in_features, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, num_classes)
    )


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, ...]],
    optimizer: torch.optim.Optimizer,
    device: torch.device,
) -> float:
    """Given (from training/step): one pass of cross-entropy training; the mean batch loss."""
    model.train()
    total = 0.0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def validate(
    model: nn.Module, loader: DataLoader[tuple[torch.Tensor, ...]], device: torch.device
) -> dict[str, float]:
    """Given (from training/validate): per-sample mean loss and accuracy, in eval mode,
    without gradients."""
    model.eval()
    loss_sum, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            loss_sum += nn.functional.cross_entropy(outputs, targets).item() * len(targets)
            correct += (outputs.argmax(dim=1) == targets).sum().item()
            count += len(targets)
    return {"loss": loss_sum / count, "accuracy": correct / count}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    raise NotImplementedError("parse_args: an ArgumentParser with the options in the table")


def pick_device(name: str) -> torch.device:
    raise NotImplementedError("pick_device: 'auto' picks cuda when available, else the name")


def run(args: argparse.Namespace) -> dict[str, float]:
    raise NotImplementedError("run: seed, device, data, split, model, loop, best.pt, history")


def main(argv: Sequence[str] | None = None) -> int:
    raise NotImplementedError("main: parse the arguments, run, report, return 0")


if __name__ == "__main__":
    raise SystemExit(main())
