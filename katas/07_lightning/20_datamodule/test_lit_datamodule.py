"""Spec for lightning/datamodule: prepare_data, setup(stage), the four dataloaders, the Trainer."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
import torch.nn.functional as F
from lit_datamodule import PointsDataModule
from torch import nn
from torch.utils.data import TensorDataset, random_split

from katakit.testing import assert_tensor


def expected_points(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(n, 2, generator=torch.Generator().manual_seed(seed))
    return x, (x[:, 0] + x[:, 1] > 0).long()


def expected_split(n: int, seed: int) -> list[torch.Tensor]:
    """The inputs of the train, val and test parts, in split order."""
    x, y = expected_points(n, seed)
    parts = random_split(
        TensorDataset(x, y), [0.7, 0.15, 0.15], generator=torch.Generator().manual_seed(seed)
    )
    return [x[torch.tensor(part.indices)] for part in parts]


def inputs_of(dataset: object, what: str) -> torch.Tensor:
    assert dataset is not None, (
        f"{what} is still None: setup(stage) should build the splits that stage needs "
        "('fit': self.train and self.val; 'validate': self.val; 'test' and 'predict': self.test)"
    )
    return torch.stack([dataset[i][0] for i in range(len(dataset))])  # type: ignore[index, arg-type]


def prepared(tmp_path: Path, n: int = 200, seed: int = 0, batch_size: int = 16) -> PointsDataModule:
    dm = PointsDataModule(tmp_path, n=n, batch_size=batch_size, seed=seed)
    dm.prepare_data()
    return dm


@pytest.mark.parametrize(("n", "seed"), [(200, 0), (50, 5)])
def test_prepare_data_writes_the_points(tmp_path: Path, n: int, seed: int) -> None:
    data_dir = tmp_path / "not" / "there yet"
    PointsDataModule(data_dir, n=n, seed=seed).prepare_data()
    path = data_dir / "points.pt"
    assert path.exists(), f"prepare_data should write {path} (creating the folders it needs)"
    data = torch.load(path)
    assert isinstance(data, dict) and {"x", "y"} <= set(data), (
        f"points.pt should hold a dict with 'x' and 'y', got {type(data).__name__} "
        f"{sorted(data) if isinstance(data, dict) else ''}"
    )
    x, y = expected_points(n, seed)
    assert_tensor(data["x"], x, what=f"x: torch.randn({n}, 2) from a generator seeded {seed}")
    assert_tensor(data["y"], y, what="y: 1 where x[:, 0] + x[:, 1] > 0, else 0 (int64)")


def test_prepare_data_keeps_an_existing_file(tmp_path: Path) -> None:
    marker = {"x": torch.zeros(3, 2), "y": torch.zeros(3, dtype=torch.long)}
    torch.save(marker, tmp_path / "points.pt")
    prepared(tmp_path)
    kept = torch.load(tmp_path / "points.pt")
    assert torch.equal(kept["x"], marker["x"]), (
        "prepare_data overwrote an existing points.pt: a download step should skip files that "
        "are already there"
    )


def test_prepare_data_sets_nothing_on_self(tmp_path: Path) -> None:
    dm = PointsDataModule(tmp_path)
    before = dict(vars(dm))
    dm.prepare_data()
    after = dict(vars(dm))
    changed = sorted(k for k in after if k not in before or after[k] is not before[k])
    assert not changed, (
        f"prepare_data changed {changed} on self: in multi-process training prepare_data runs "
        "in one process only, so the others would never see it. Write files there; build "
        "state in setup()"
    )


@pytest.mark.parametrize(("n", "seed"), [(200, 0), (60, 3)])
def test_setup_splits_70_15_15_with_a_seeded_generator(tmp_path: Path, n: int, seed: int) -> None:
    dm = prepared(tmp_path, n=n, seed=seed)
    torch.manual_seed(1234)  # the global generator must not matter
    dm.setup("fit")
    dm.setup("test")
    want = expected_split(n, seed)
    for name, expected in zip(("train", "val", "test"), want, strict=True):
        assert_tensor(
            inputs_of(getattr(dm, name), f"self.{name} after setup('fit') and setup('test')"),
            expected,
            what=f"the inputs of self.{name} (random_split(..., [0.7, 0.15, 0.15], "
            f"generator=torch.Generator().manual_seed({seed})))",
        )


def test_the_defaults_are_200_points_in_batches_of_16(tmp_path: Path) -> None:
    dm = PointsDataModule(tmp_path)
    dm.prepare_data()
    dm.setup("fit")
    batch = next(iter(dm.val_dataloader()))
    assert len(batch[0]) == 16, f"batch_size defaults to 16, got batches of {len(batch[0])}"
    assert_tensor(
        inputs_of(dm.val, "self.val after setup('fit')"),
        expected_split(200, 0)[1],
        what="the validation inputs with the defaults (n=200, seed=0)",
    )


@pytest.mark.parametrize(
    ("stage", "built"),
    [("fit", {"train", "val"}), ("validate", {"val"}), ("test", {"test"}), ("predict", {"test"})],
)
def test_setup_builds_what_the_stage_needs(tmp_path: Path, stage: str, built: set[str]) -> None:
    dm = prepared(tmp_path)
    dm.setup(stage)
    got = {name for name in ("train", "val", "test") if getattr(dm, name) is not None}
    assert got == built, (
        f"setup({stage!r}) should build {sorted(built)}, it built {sorted(got)}: each stage "
        "needs only its own splits"
    )


def test_the_train_loader_shuffles_in_batches(tmp_path: Path) -> None:
    dm = prepared(tmp_path, batch_size=32)
    dm.setup("fit")
    loader = dm.train_dataloader()
    epochs = [list(loader), list(loader)]
    sizes = [len(x) for x, _ in epochs[0]]
    assert sizes == [32, 32, 32, 32, 12], (
        f"140 training points in batches of 32 should give sizes [32, 32, 32, 32, 12], got {sizes}"
    )
    first, second = (torch.cat([x for x, _ in epoch]) for epoch in epochs)
    train_x = expected_split(200, 0)[0]
    assert not torch.equal(first, second) and not torch.equal(first, train_x), (
        "the training loader returns the points in the same order every epoch: shuffle it"
    )
    key = lambda t: sorted(map(tuple, t.tolist()))  # noqa: E731
    assert key(first) == key(train_x), "one epoch of the train loader should visit each point once"


@pytest.mark.parametrize("stage", ["val", "test", "predict"])
def test_evaluation_loaders_keep_the_order(tmp_path: Path, stage: str) -> None:
    dm = prepared(tmp_path, batch_size=8)
    dm.setup("fit" if stage == "val" else stage)
    batches = list(getattr(dm, f"{stage}_dataloader")())
    sizes = [len(b[0]) if stage != "predict" else len(b) for b in batches]
    assert sizes == [8, 8, 8, 6], f"30 points in batches of 8: sizes [8, 8, 8, 6], got {sizes}"
    if stage == "predict":
        assert all(isinstance(b, torch.Tensor) for b in batches), (
            "predict_dataloader should yield input tensors only (no labels): a model predicts "
            f"from x; its first batch is a {type(batches[0]).__name__}"
        )
        got = torch.cat(batches)
    else:
        got = torch.cat([x for x, _ in batches])
    want = expected_split(200, 0)[1 if stage == "val" else 2]
    assert_tensor(got, want, what=f"the {stage} inputs, in order (no shuffling outside training)")


class Counter(L.LightningModule):
    """Counts the samples each stage sees."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(2, 2)
        self.seen = {"train": 0, "val": 0, "test": 0}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x)

    def _step(self, batch: tuple[torch.Tensor, torch.Tensor], stage: str) -> torch.Tensor:
        x, y = batch
        self.seen[stage] += len(x)
        return F.cross_entropy(self(x), y)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> torch.Tensor:
        return self._step(batch, "train")

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        self._step(batch, "val")

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        self._step(batch, "test")

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_the_trainer_drives_the_whole_lifecycle(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    dm = PointsDataModule(data_dir, n=200, batch_size=16, seed=1)
    model = Counter()
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=2,
        default_root_dir=tmp_path,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
    )
    trainer.fit(model, datamodule=dm)
    assert (data_dir / "points.pt").exists(), (
        f"after trainer.fit(model, datamodule=dm) there is no {data_dir / 'points.pt'}: the "
        "Trainer calls dm.prepare_data(), which should write points.pt into data_dir"
    )
    trainer.test(model, datamodule=dm, verbose=False)
    predictions = trainer.predict(model, datamodule=dm)
    want = {"train": 2 * 140, "val": 2 * 30, "test": 30}
    assert model.seen == want, (
        f"samples seen by each stage over fit (2 epochs), test: expected {want}, got {model.seen}"
    )
    assert predictions is not None, "trainer.predict(model, datamodule=dm) returned None"
    stacked = torch.cat(predictions)  # type: ignore[arg-type]
    with torch.no_grad():
        expected = model(expected_split(200, 1)[2])
    assert_tensor(stacked, expected, what="trainer.predict over the predict loader (test inputs)")
