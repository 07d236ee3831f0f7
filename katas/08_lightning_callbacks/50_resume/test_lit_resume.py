"""Spec for lightning/resume: EpochSampler, and a resumed run equal to an uninterrupted one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L
import pytest
import torch
import torch.nn.functional as F
from lightning.pytorch.callbacks import ModelSummary
from lightning.pytorch.trainer.connectors import accelerator_connector
from lit_resume import EpochSampler, train
from torch import nn
from torch.utils.data import TensorDataset

from katakit.testing import kind, playing_a_gpu_machine

pytestmark = [  # warnings this spec provokes on purpose
    pytest.mark.filterwarnings("ignore:.*there is no last checkpoint"),
]


@pytest.fixture(autouse=True)
def _cpu_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend this machine has a GPU: 'auto' would pick it; the CPU must be asked for by name.
    monkeypatch.setattr(accelerator_connector, "_select_auto_accelerator", lambda: "cuda")


def call_train(*args: Any, **kwargs: Any) -> L.Trainer:
    """train(...), with a message that says why when its Trainer is left on 'auto'."""
    with playing_a_gpu_machine():
        return train(*args, **kwargs)


class Recorder(L.LightningModule):
    """Adam and a decaying lr (state beyond the weights); records what each epoch saw."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 2))
        self.seen: dict[int, list[int]] = {}
        self.batch_sizes: list[int] = []

    def training_step(
        self, batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor], i: int
    ) -> torch.Tensor:
        x, y, index = batch
        self.seen.setdefault(self.current_epoch, []).extend(index.tolist())
        self.batch_sizes.append(len(index))
        return F.cross_entropy(self.net(x), y)

    def configure_optimizers(self) -> dict[str, object]:
        optimizer = torch.optim.Adam(self.parameters(), lr=0.05)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}


def dataset() -> TensorDataset:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(40, 3, generator=g)
    return TensorDataset(x, (x.sum(1) > 0).long(), torch.arange(40))


def fresh(seed: int) -> Recorder:
    torch.manual_seed(seed)
    return Recorder()


def expected_order(n: int, seed: int, epoch: int) -> list[int]:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed + epoch)).tolist()


@pytest.mark.parametrize(("n", "seed"), [(10, 0), (25, 3)])
def test_the_sampler_order_depends_on_the_epoch_alone(n: int, seed: int) -> None:
    sampler = EpochSampler(n, seed=seed)
    assert len(sampler) == n, f"len(EpochSampler({n})) should be {n}, got {len(sampler)}"
    torch.manual_seed(1)
    first = list(sampler)
    torch.manual_seed(2)  # the global generator must not matter
    assert list(sampler) == first == expected_order(n, seed, 0), (
        f"before set_epoch, the order should be randperm({n}) from a generator seeded "
        f"{seed} + 0 = {expected_order(n, seed, 0)}, got {first}"
    )
    for epoch in (1, 5, 1):
        sampler.set_epoch(epoch)
        order = list(sampler)
        assert order == expected_order(n, seed, epoch), (
            f"after set_epoch({epoch}) the order should come from a generator seeded "
            f"{seed} + {epoch} = {expected_order(n, seed, epoch)}, got {order}"
        )
    assert all(type(i) is int for i in sampler), (
        "iterating should yield plain Python ints, got "
        f"{sorted({type(i).__name__ for i in sampler})}"
    )


def test_lightning_shuffles_each_epoch_with_the_sampler(tmp_path: Path) -> None:
    model = fresh(0)
    trainer = call_train(model, dataset(), tmp_path, max_epochs=3)
    for epoch in range(3):
        assert model.seen.get(epoch) == expected_order(40, 0, epoch), (
            f"epoch {epoch} should visit the samples in EpochSampler's order for that epoch "
            "(batches of 8, seed 0): draw the batches with sampler=EpochSampler(...)"
        )
    assert model.batch_sizes == [8] * 15, (
        f"3 epochs of 40 samples in batches of 8 (batch_size=8), got {model.batch_sizes}"
    )
    assert trainer.progress_bar_callback is None and trainer.logger is None, (
        "pass enable_progress_bar=False and logger=False to L.Trainer (it has progress bar: "
        f"{kind(trainer.progress_bar_callback)}, logger: {kind(trainer.logger)})"
    )
    assert not any(isinstance(c, ModelSummary) for c in trainer.callbacks), (
        "pass enable_model_summary=False to L.Trainer (the model summary is on)"
    )
    last = tmp_path / "checkpoints" / "last.ckpt"
    assert last.exists(), f"train should keep {last} (ModelCheckpoint(..., save_last=True))"
    last_epoch = torch.load(last, weights_only=True)["epoch"]
    assert last_epoch == 2, (
        f"last.ckpt should be from the last epoch (2) of 3, it is from epoch {last_epoch}"
    )


def test_a_resumed_run_matches_an_uninterrupted_one(tmp_path: Path) -> None:
    straight = fresh(0)
    want = call_train(straight, dataset(), tmp_path / "straight", max_epochs=4)

    first = fresh(0)
    call_train(first, dataset(), tmp_path / "run", max_epochs=2)
    del first  # the process "dies" here
    torch.manual_seed(999)  # a new process: another random state

    resumed = fresh(7)  # other random weights: everything must come from the checkpoint
    got = call_train(resumed, dataset(), tmp_path / "run", max_epochs=4, resume=True)
    assert sorted(resumed.seen) == [2, 3], (
        f"resuming after 2 of 4 epochs should train epochs 2 and 3 only, it trained "
        f"{sorted(resumed.seen)}: fit with ckpt_path pointing at the last checkpoint"
    )
    assert got.global_step == want.global_step == 20, (
        f"step counter: expected 20 after 4 epochs of 5 batches, the resumed run has "
        f"{got.global_step}, the uninterrupted one {want.global_step}"
    )
    lr = (got.optimizers[0].param_groups[0]["lr"], want.optimizers[0].param_groups[0]["lr"])
    assert lr[0] == lr[1], (
        f"the scheduler's lr after the resumed run is {lr[0]}, after the uninterrupted one "
        f"{lr[1]}: the scheduler's state comes back with trainer.fit(..., ckpt_path=...)"
    )
    for (name, a), b in zip(
        resumed.state_dict().items(), straight.state_dict().values(), strict=True
    ):
        assert torch.allclose(a, b, atol=1e-6, rtol=0), (
            f"{name} after the resumed run differs from the uninterrupted run's: weights, "
            "optimizer state, scheduler and the order of the batches must all be restored"
        )


def test_without_resume_an_old_checkpoint_is_ignored(tmp_path: Path) -> None:
    call_train(fresh(0), dataset(), tmp_path, max_epochs=2)
    model = fresh(1)
    trainer = call_train(model, dataset(), tmp_path, max_epochs=1)
    assert sorted(model.seen) == [0] and trainer.global_step == 5, (
        "train(..., resume=False) (the default) should start from epoch 0, whatever "
        f"checkpoints the folder already holds: it trained epochs {sorted(model.seen)}, "
        f"global_step {trainer.global_step}"
    )


def test_resume_without_a_checkpoint_starts_from_scratch(tmp_path: Path) -> None:
    model = fresh(1)
    trainer = call_train(model, dataset(), tmp_path, max_epochs=1, resume=True)
    assert sorted(model.seen) == [0] and trainer.global_step == 5, (
        "with no checkpoint yet, resume=True should simply train from epoch 0: it trained "
        f"epochs {sorted(model.seen)}, global_step {trainer.global_step}"
    )
