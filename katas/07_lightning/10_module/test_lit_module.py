"""Spec for lightning/module: the steps, configure_optimizers, make_trainer, fit/validate/test."""

from __future__ import annotations

import math
from pathlib import Path

import lightning as L
import pytest
import torch
import torch.nn.functional as F
from lightning.pytorch.accelerators import CPUAccelerator
from lightning.pytorch.callbacks import ModelSummary
from lightning.pytorch.trainer.connectors import accelerator_connector
from lightning.pytorch.utilities.exceptions import MisconfigurationException
from lit_module import LitClassifier, fit_validate_test, make_trainer
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_tensor

FEATURES, CLASSES = 4, 3
pytestmark = [  # warnings this spec provokes on purpose
    pytest.mark.filterwarnings("ignore:You are trying to .self.log"),
]


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = 3 * torch.randn(CLASSES, FEATURES, generator=torch.Generator().manual_seed(99))
    y = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[y] + torch.randn(n, FEATURES, generator=g), y


def loader(n: int, seed: int, batch_size: int = 16) -> DataLoader[tuple[torch.Tensor, ...]]:
    return DataLoader(TensorDataset(*blobs(n, seed)), batch_size=batch_size)


def spec_trainer(tmp_path: Path, max_epochs: int = 1) -> L.Trainer:
    return L.Trainer(
        accelerator="cpu",
        max_epochs=max_epochs,
        default_root_dir=tmp_path,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )


def model(seed: int = 0, **kwargs: float) -> LitClassifier:
    torch.manual_seed(seed)
    return LitClassifier(FEATURES, CLASSES, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [0, 1])
def test_training_step_returns_the_batch_cross_entropy(seed: int) -> None:
    lit = model(seed)
    x, y = blobs(10, seed)
    loss = lit.training_step((x, y), 0)
    assert isinstance(loss, torch.Tensor), f"training_step must return the loss, got {loss!r}"
    assert loss.requires_grad, (
        "the loss training_step returns has no graph: the Trainer calls backward on it, so do "
        "not detach it or call .item()"
    )
    assert_tensor(
        loss.detach(),
        F.cross_entropy(lit(x), y).detach(),
        what="training_step's loss (cross-entropy of the model's logits and y)",
        atol=1e-6,
        rtol=1e-6,
    )


@pytest.mark.parametrize("stage", ["validate", "test"])
def test_evaluation_steps_log_the_epoch_loss_and_accuracy(stage: str, tmp_path: Path) -> None:
    lit = model(2)
    # 50 samples in batches of 16: the last batch has 2, so a plain mean of batch means is wrong
    # unless Lightning weights by batch size (it does, for values you log).
    x, y = blobs(50, seed=3)
    data = DataLoader(TensorDataset(x, y), batch_size=16)
    trainer = spec_trainer(tmp_path)
    results = getattr(trainer, stage)(lit, data, verbose=False)[0]
    prefix = "val" if stage == "validate" else "test"
    with torch.no_grad():
        logits = lit(x)
    want = {
        f"{prefix}_loss": F.cross_entropy(logits, y).item(),
        f"{prefix}_acc": (logits.argmax(1) == y).float().mean().item(),
    }
    for name, value in want.items():
        assert name in results, (
            f"trainer.{stage} reported {sorted(results)}: log {name!r} with self.log in "
            f"{'validation' if stage == 'validate' else 'test'}_step"
        )
        assert math.isclose(results[name], value, abs_tol=1e-5), (
            f"{name} over the whole set should be {value:.5f}, the Trainer reported "
            f"{results[name]:.5f}: log the batch's mean {name.split('_')[1]} each step and let "
            "Lightning average it over the epoch"
        )


@pytest.mark.parametrize(
    ("kwargs", "lr", "step_size", "gamma"),
    [({}, 0.05, 2, 0.5), ({"lr": 0.2, "step_size": 3, "gamma": 0.1}, 0.2, 3, 0.1)],
)
def test_configure_optimizers_returns_sgd_and_an_epoch_scheduler(
    kwargs: dict[str, float], lr: float, step_size: int, gamma: float
) -> None:
    lit = model(**kwargs)
    config = lit.configure_optimizers()
    assert isinstance(config, dict) and {"optimizer", "lr_scheduler"} <= set(config), (
        f"configure_optimizers should return a dict with 'optimizer' and 'lr_scheduler', got "
        f"{config!r}"
    )
    optimizer, scheduler_config = config["optimizer"], config["lr_scheduler"]
    assert isinstance(optimizer, torch.optim.SGD), f"expected SGD, got {type(optimizer)}"
    group = optimizer.param_groups[0]
    assert (group["lr"], group["momentum"]) == (lr, 0.9), (
        f"SGD should use lr=self.lr ({lr} here) and momentum=0.9, got lr={group['lr']}, "
        f"momentum={group['momentum']}"
    )
    mine = {id(p) for g in optimizer.param_groups for p in g["params"]}
    assert mine == {id(p) for p in lit.parameters()}, "the optimizer must hold all the parameters"
    assert isinstance(scheduler_config, dict), (
        "config['lr_scheduler'] should itself be a dict: {'scheduler': ..., 'interval': ...}"
    )
    scheduler = scheduler_config.get("scheduler")
    assert isinstance(scheduler, torch.optim.lr_scheduler.StepLR), (
        f"expected a StepLR under 'scheduler', got {scheduler!r}"
    )
    got = (scheduler.step_size, scheduler.gamma, scheduler.optimizer)
    assert got == (step_size, gamma, optimizer), (
        "StepLR should wrap the returned optimizer with step_size=self.step_size and "
        f"gamma=self.gamma ({step_size} and {gamma} here), got {got[0]} and {got[1]}"
    )
    assert scheduler_config.get("interval") == "epoch", (
        f"the scheduler should step once per epoch: 'interval': 'epoch', got "
        f"{scheduler_config.get('interval')!r}"
    )


def test_the_trainer_steps_the_scheduler_once_per_epoch(tmp_path: Path) -> None:
    lit = model(4, lr=0.1, step_size=2, gamma=0.5)
    trainer = spec_trainer(tmp_path, max_epochs=4)
    trainer.fit(lit, loader(48, seed=4))
    lr = trainer.optimizers[0].param_groups[0]["lr"]
    assert math.isclose(lr, 0.025, rel_tol=1e-9), (
        f"after 4 epochs with StepLR(step_size=2, gamma=0.5) from lr 0.1 the lr should be "
        f"0.025, got {lr}: is the scheduler stepped per epoch (not per batch)?"
    )
    assert "train_loss" in trainer.callback_metrics, (
        f"training_step should log 'train_loss'; the Trainer saw {sorted(trainer.callback_metrics)}"
    )


def test_make_trainer_is_a_quiet_cpu_trainer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend this machine has a GPU: 'auto' would pick it; the CPU must be asked for by name.
    monkeypatch.setattr(accelerator_connector, "_select_auto_accelerator", lambda: "cuda")
    try:
        trainer = make_trainer(tmp_path, max_epochs=3)
    except MisconfigurationException as err:
        raise AssertionError(
            "this test plays a machine with a GPU, where the Trainer's default accelerator "
            f"('auto') picks the GPU ({err}): pass accelerator='cpu' to L.Trainer so the run "
            "is the same on every machine"
        ) from None
    assert isinstance(trainer, L.Trainer), f"make_trainer should return an L.Trainer: {trainer!r}"
    got = {
        "max_epochs": trainer.max_epochs,
        "default_root_dir": Path(trainer.default_root_dir).resolve(),
        "cpu": isinstance(trainer.accelerator, CPUAccelerator),
        "logger": trainer.logger,
        "checkpointing": trainer.checkpoint_callback,
        "progress bar": trainer.progress_bar_callback,
        "model summary": any(isinstance(c, ModelSummary) for c in trainer.callbacks),
    }
    want = {
        "max_epochs": 3,
        "default_root_dir": tmp_path.resolve(),
        "cpu": True,
        "logger": None,
        "checkpointing": None,
        "progress bar": None,
        "model summary": False,
    }
    argument = {  # what to pass to L.Trainer for each setting
        "max_epochs": "max_epochs=max_epochs",
        "default_root_dir": "default_root_dir=the folder make_trainer was given",
        "cpu": "accelerator='cpu'",
        "logger": "logger=False (no logger)",
        "checkpointing": "enable_checkpointing=False (no ModelCheckpoint)",
        "progress bar": "enable_progress_bar=False (the progress bar is on)",
        "model summary": "enable_model_summary=False (the model summary is on)",
    }
    wrong = [k for k in want if got[k] != want[k]]
    assert not wrong, (
        "make_trainer(tmp_path, max_epochs=3) is not yet a quiet CPU trainer; pass "
        + "; ".join(argument[k] for k in wrong)
    )


def test_fit_validate_test_learns_and_reports_each_split(tmp_path: Path) -> None:
    lit = model(5)
    train, val, test = loader(96, seed=6), loader(40, seed=6), loader(40, seed=7)
    before = [p.detach().clone() for p in lit.parameters()]
    results = fit_validate_test(lit, train, val, test, tmp_path, max_epochs=4)
    want_keys = {"val_loss", "val_acc", "test_loss", "test_acc"}
    assert isinstance(results, dict) and set(results) == want_keys, (
        f"fit_validate_test should return a dict with keys {sorted(want_keys)}, got {results!r}"
    )
    assert all(type(v) is float for v in results.values()), (
        f"the values should be plain Python floats, got {results!r}"
    )
    assert any(not torch.equal(a, b) for a, b in zip(before, lit.parameters(), strict=True)), (
        "the model's weights did not change: was trainer.fit called with this model?"
    )
    assert results["test_acc"] > 0.9, (
        f"on well-separated blobs 4 epochs should give over 90% test accuracy, got "
        f"{results['test_acc']:.2%}: is the model trained before it is tested?"
    )
    lit.eval()
    for split, data in (("val", val), ("test", test)):
        x, y = data.dataset.tensors  # type: ignore[attr-defined]
        with torch.no_grad():
            want = F.cross_entropy(lit(x), y).item()
        assert math.isclose(results[f"{split}_loss"], want, abs_tol=1e-5), (
            f"{split}_loss should be the trained model's loss on the {split} loader ({want:.5f}), "
            f"got {results[f'{split}_loss']:.5f}: did the {split} numbers come from the right "
            "loader and the trainer's validate/test results?"
        )
