"""Reference solution for training/full-pipeline."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


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
    parser = argparse.ArgumentParser(description="Train a classifier on a saved data set.")
    parser.add_argument("--data", type=Path, required=True, help="a .pt file: inputs, targets")
    parser.add_argument("--out", type=Path, default=Path("runs/pipeline"), help="output folder")
    parser.add_argument("--epochs", type=int, default=20, help="most epochs to train")
    parser.add_argument("--batch-size", type=int, default=32, help="samples per batch")
    parser.add_argument("--lr", type=float, default=0.01, help="AdamW learning rate")
    parser.add_argument("--val-fraction", type=float, default=0.2, help="share for validation")
    parser.add_argument("--patience", type=int, default=5, help="epochs without improvement")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights, split, order")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    return parser.parse_args(argv)


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def run(args: argparse.Namespace) -> dict[str, float]:
    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    data = torch.load(args.data)
    dataset = TensorDataset(data["inputs"], data["targets"])
    split = torch.Generator().manual_seed(args.seed)
    train_set, val_set = random_split(dataset, [1 - args.val_fraction, args.val_fraction], split)
    order = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(train_set, args.batch_size, shuffle=True, generator=order)
    val_loader = DataLoader(val_set, args.batch_size)
    num_classes = int(data["targets"].max()) + 1
    model = make_model(data["inputs"].shape[1], num_classes).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    args.out.mkdir(parents=True, exist_ok=True)
    history = []
    best_loss, best_epoch = float("inf"), 0
    for epoch in range(1, args.epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        train_loss = train_one_epoch(model, train_loader, optimizer, device)
        metrics = validate(model, val_loader, device)
        scheduler.step()
        val_loss, val_accuracy = metrics["loss"], metrics["accuracy"]
        history.append(
            {
                "epoch": epoch,
                "lr": lr,
                "train_loss": train_loss,
                "val_loss": val_loss,
                "val_accuracy": val_accuracy,
            }
        )
        print(
            f"epoch {epoch}/{args.epochs}: train_loss {train_loss:.4f}, "
            f"val_loss {val_loss:.4f}, val_accuracy {val_accuracy:.4f}"
        )
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            torch.save(model.state_dict(), args.out / "best.pt")
        elif epoch - best_epoch >= args.patience:
            break
    (args.out / "history.json").write_text(json.dumps(history))
    return {"best_epoch": best_epoch, "best_val_loss": best_loss, "epochs_run": len(history)}


def main(argv: Sequence[str] | None = None) -> int:
    summary = run(parse_args(argv))
    print(f"best epoch {summary['best_epoch']}: val_loss {summary['best_val_loss']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
