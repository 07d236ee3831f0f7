"""Spec for lightning/ema: the EMA callback against torch.optim.swa_utils, and its swaps."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
import torch.nn.functional as F
from ema_callback import EMA
from lightning.pytorch.callbacks import Callback
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from torch.utils.data import DataLoader, TensorDataset

Weights = dict[str, torch.Tensor]


class Recorder(L.LightningModule):
    """Keeps its weights after every training step and the weights each validation used."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
        self.steps: list[Weights] = []
        self.validated: dict[int, Weights] = {}

    def weights(self) -> Weights:
        return {k: v.detach().clone() for k, v in self.named_parameters()}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        x, y = batch
        return F.mse_loss(self(x), y)

    def on_train_batch_end(self, *args: object) -> None:
        self.steps.append(self.weights())

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        if not self.trainer.sanity_checking:
            self.validated[self.current_epoch] = self.weights()

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.2, momentum=0.5)


def loader() -> DataLoader[tuple[torch.Tensor, ...]]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(48, 3, generator=g)
    return DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=12)  # 4 steps/epoch


def fresh() -> Recorder:
    torch.manual_seed(0)
    return Recorder()


def fit(tmp_path: Path, callbacks: list[Callback], epochs: int = 3) -> Recorder:
    model = fresh()
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=epochs,
        default_root_dir=tmp_path,
        callbacks=callbacks,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, loader(), loader())
    return model


def ema_after_each_step(steps: list[Weights], decay: float) -> list[Weights]:
    """The oracle: torch's AveragedModel with the EMA averaging function, step by step."""
    averaged = AveragedModel(fresh(), multi_avg_fn=get_ema_multi_avg_fn(decay))
    out = []
    for weights in steps:
        snapshot = fresh()
        snapshot.load_state_dict(weights, strict=False)
        averaged.update_parameters(snapshot)
        out.append({k: v.detach().clone() for k, v in averaged.module.named_parameters()})
    return out


def assert_weights(got: Weights, want: Weights, what: str) -> None:
    for name, value in want.items():
        assert torch.allclose(got[name], value, atol=1e-6, rtol=0), (
            f"{what}: {name} differs by up to {float((got[name] - value).abs().max()):.2e}"
        )


@pytest.mark.parametrize("decay", [0.9, 0.5, None])
def test_after_fit_the_model_holds_the_ema(tmp_path: Path, decay: float | None) -> None:
    ema = EMA() if decay is None else EMA(decay)
    decay = 0.99 if decay is None else decay  # the default
    model = fit(tmp_path, [ema])
    assert ema.shadow and not any(t.requires_grad for t in ema.shadow.values()), (
        "the average should be kept in self.shadow (name -> tensor) as detached tensors (no "
        "graph), updated in on_train_batch_end; after fit self.shadow "
        + (
            "is empty"
            if not ema.shadow
            else "holds tensors that require grad: "
            + str(sorted(k for k, t in ema.shadow.items() if t.requires_grad))
        )
    )
    assert len(model.steps) == 12, f"3 epochs of 4 steps, recorded {len(model.steps)}"
    want = ema_after_each_step(model.steps, decay)[-1]
    assert_weights(
        model.weights(),
        want,
        f"after fit, the model should hold the EMA of the 12 steps' weights, loaded in "
        f"on_train_end (decay {decay}, as AveragedModel with get_ema_multi_avg_fn computes it; "
        "the first update copies the weights)",
    )


def test_validation_uses_the_ema_weights(tmp_path: Path) -> None:
    model = fit(tmp_path, [EMA(0.8)])
    ema = ema_after_each_step(model.steps, 0.8)
    for epoch in range(3):
        assert epoch in model.validated, (
            f"no validation in epoch {epoch}: validation ran in epochs {sorted(model.validated)}"
        )
        assert_weights(
            model.validated[epoch],
            ema[4 * epoch + 3],
            f"the weights validation saw in epoch {epoch} (should be the EMA after that epoch's "
            "last step: swap it in at on_validation_epoch_start)",
        )


def test_training_goes_on_from_the_raw_weights(tmp_path: Path) -> None:
    plain = fit(tmp_path / "plain", [])
    with_ema = fit(tmp_path / "ema", [EMA(0.8)])
    for step, (got, want) in enumerate(zip(with_ema.steps, plain.steps, strict=True)):
        assert_weights(
            got,
            want,
            f"the training weights after step {step} with the EMA callback differ from a run "
            "without it: put the training weights back at on_validation_epoch_end, and never "
            "write the average into the model during training",
        )


def test_each_fit_starts_afresh(tmp_path: Path) -> None:
    ema = EMA(0.5)
    fit(tmp_path / "first", [ema], epochs=1)
    model = fit(tmp_path / "second", [ema], epochs=1)
    plain = fit(tmp_path / "plain", [], epochs=1)
    for step, (got, want) in enumerate(zip(model.steps, plain.steps, strict=True)):
        assert_weights(
            got,
            want,
            f"a second fit with the same EMA callback, step {step}: nothing from the first fit "
            "(its average, its saved training weights) may leak into the second",
        )
    want = ema_after_each_step(model.steps, 0.5)[-1]
    assert_weights(model.weights(), want, "a second fit must not carry the first fit's average")
