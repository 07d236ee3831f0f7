"""Spec for lightning/cli: LightningCLI from YAML and flags, in this process and as a script.

The script run (a fresh Python that imports Lightning: seconds) starts before anything else and
runs beside the in-process tests; the tests that read its output come last.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import torch
import yaml

pytestmark = [  # warnings this spec provokes on purpose
    pytest.mark.filterwarnings("ignore:.*does not have many workers"),
    pytest.mark.filterwarnings("ignore:.*log_every_n_steps"),
    pytest.mark.filterwarnings("ignore:LightningCLI's args parameter"),  # args= is the point here
    pytest.mark.filterwarnings("ignore:.*skip_none parameter was deprecated"),  # inside Lightning
    pytest.mark.filterwarnings("ignore:Starting from v1.9.0"),  # no TensorBoard: CSVLogger
]


class ScriptRun:
    """`python <the implementation file> fit --config cfg.yaml <flags>`, run in a subprocess."""

    def __init__(self, folder: Path) -> None:
        spec = importlib.util.find_spec("lit_cli")  # finds the file without importing it
        script = Path(spec.origin if spec is not None and spec.origin else "lit_cli.py")
        path = os.pathsep.join([str(script.parent), *sys.path])
        env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}
        command = [sys.executable, str(script), "fit", "--config", str(write_config(folder))]
        command += ["--trainer.max_epochs=2", "--model.lr=0.1"]
        self.run_dir, self.log = folder / "cli" / "version_0", folder / "output.txt"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def finish(self) -> str:
        try:
            self.process.wait(timeout=110)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return f"exit code {self.process.returncode}\n{self.log.read_text()[-3000:]}"


def write_config(folder: Path, **trainer: object) -> Path:
    config = {
        "seed_everything": 7,
        "trainer": {
            "max_epochs": 5,
            "default_root_dir": str(folder),
            "logger": {
                "class_path": "lightning.pytorch.loggers.CSVLogger",
                "init_args": {"save_dir": str(folder), "name": "cli", "version": 0},
            },
            **trainer,
        },
        "model": {"hidden": 8, "lr": 0.05},
        "data": {"features": 4, "n": 96},
    }
    path = folder / "cfg.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(autouse=True, scope="module")
def script_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptRun]:
    run = ScriptRun(tmp_path_factory.mktemp("cli_run"))
    yield run
    if run.process.poll() is None:
        run.process.kill()
        run.process.wait()


@pytest.fixture(scope="module")
def lit(script_run: ScriptRun) -> ModuleType:
    """The module under test, imported after the script run has started."""
    return importlib.import_module("lit_cli")


def hparams_of(lit: ModuleType, cli: Any) -> dict[str, object]:
    model = cli.model
    assert isinstance(model, lit.CliRegressor), (
        f"cli.model should be a CliRegressor, got {type(model).__name__}: pass CliRegressor as "
        "the model class to RegressionCLI"
    )
    return {k: v for k, v in model.hparams.items() if not k.startswith("_")}


def test_the_config_builds_model_data_and_trainer(tmp_path: Path, lit: ModuleType) -> None:
    cli = lit.cli_main(["--config", str(write_config(tmp_path))], run=False)
    got = hparams_of(lit, cli)
    want = {"in_features": 4, "hidden": 8, "lr": 0.05}
    assert got == want, (
        f"from the config (model: hidden 8, lr 0.05; data: features 4) the model's hparams "
        f"should be {want}, got {got}: call self.save_hyperparameters() in __init__, and link "
        "data.features to model.in_features with parser.link_arguments in "
        "add_arguments_to_parser"
    )
    first, last = cli.model.net[0], cli.model.net[-1]
    assert (first.in_features, first.out_features, last.out_features) == (4, 8, 1), (
        f"self.net should run Linear(4, 8) ... Linear(8, 1) here, got Linear({first.in_features}, "
        f"{first.out_features}) ... Linear(.., {last.out_features})"
    )
    assert isinstance(cli.datamodule, lit.CliData) and cli.datamodule.features == 4, (
        f"cli.datamodule should be a CliData with features=4 from the config, got "
        f"{type(cli.datamodule).__name__} with features={getattr(cli.datamodule, 'features', None)}"
    )
    lr = cli.model.configure_optimizers().param_groups[0]["lr"]
    assert lr == 0.05, f"the optimizer should use model.lr from the config (0.05), got {lr}"
    assert cli.trainer.max_epochs == 5, (
        f"trainer.max_epochs from the config: 5, got {cli.trainer.max_epochs}"
    )


def test_flags_override_the_config(tmp_path: Path, lit: ModuleType) -> None:
    config = str(write_config(tmp_path))
    cli = lit.cli_main(["--config", config, "--model.hidden=5", "--data.features=2"], run=False)
    got = hparams_of(lit, cli)
    want = {"in_features": 2, "hidden": 5, "lr": 0.05}
    assert got == want, (
        f"--model.hidden=5 --data.features=2 after the config should give {want}, got {got}"
    )


def test_the_defaults_come_from_the_signatures(lit: ModuleType) -> None:
    cli = lit.cli_main([], run=False)
    got = hparams_of(lit, cli)
    want = {"in_features": 3, "hidden": 16, "lr": 0.01}
    assert got == want, (
        f"with no config the CLI uses the defaults of CliRegressor.__init__ and CliData.__init__ "
        f"(features=3 linked to in_features): expected {want}, got {got}"
    )
    dm = cli.datamodule
    assert (dm.features, dm.n, dm.batch_size) == (3, 128, 32), (
        f"with no config, the data module should have CliData's defaults (features, n, "
        f"batch_size) = (3, 128, 32), got {(dm.features, dm.n, dm.batch_size)}"
    )


def test_the_data_module_serves_seeded_data(tmp_path: Path, lit: ModuleType) -> None:
    dm = lit.cli_main(["--config", str(write_config(tmp_path))], run=False).datamodule
    dm.setup("fit")
    x, y = dm.data.tensors
    want = torch.randn(96, 4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(x, want) and torch.equal(y, want.sum(1, keepdim=True)), (
        "CliData (given) should draw its 96 x 4 inputs from a generator seeded 0"
    )
    train, val = dm.train_dataloader(), dm.val_dataloader()
    assert (train.batch_size, val.batch_size) == (32, 32), (
        f"CliData (given) batches by 32, got {(train.batch_size, val.batch_size)}"
    )
    assert isinstance(train.sampler, torch.utils.data.RandomSampler), (
        f"CliData's (given) training loader shuffles, its sampler is a "
        f"{type(train.sampler).__name__}"
    )
    assert isinstance(val.sampler, torch.utils.data.SequentialSampler), (
        f"CliData's (given) validation loader does not shuffle, its sampler is a "
        f"{type(val.sampler).__name__}"
    )


def test_trainer_defaults_are_quiet_cpu_and_overridable(tmp_path: Path, lit: ModuleType) -> None:
    from lightning.pytorch.accelerators import CPUAccelerator
    from lightning.pytorch.callbacks import ModelSummary

    trainer = lit.cli_main([], run=False).trainer
    got = {
        "cpu": isinstance(trainer.accelerator, CPUAccelerator),
        "checkpointing": trainer.checkpoint_callback is not None,
        "progress bar": trainer.progress_bar_callback is not None,
        "model summary": any(isinstance(c, ModelSummary) for c in trainer.callbacks),
    }
    want = {"cpu": True, "checkpointing": False, "progress bar": False, "model summary": False}
    setting = {  # what trainer_defaults should hold for each setting
        "cpu": '"accelerator": "cpu"',
        "checkpointing": '"enable_checkpointing": False (there is a ModelCheckpoint)',
        "progress bar": '"enable_progress_bar": False (the progress bar is on)',
        "model summary": '"enable_model_summary": False (the model summary is on)',
    }
    wrong = [k for k in want if got[k] != want[k]]
    assert got == want, (
        "with no config, the Trainer is not yet a quiet CPU trainer; put these in "
        "trainer_defaults: " + "; ".join(setting[k] for k in wrong)
    )
    config = str(write_config(tmp_path, enable_checkpointing=True))
    trainer = lit.cli_main(["--config", config], run=False).trainer
    assert trainer.checkpoint_callback is not None, (
        "a config that sets trainer.enable_checkpointing: true must win, yet the Trainer has no "
        "ModelCheckpoint: pass these settings to RegressionCLI as trainer_defaults, not as "
        "fixed arguments"
    )


def test_a_rerun_may_replace_its_saved_config(tmp_path: Path, lit: ModuleType) -> None:
    config = str(write_config(tmp_path, max_epochs=1, limit_train_batches=1, limit_val_batches=1))
    lit.cli_main(["fit", "--config", config])
    saved = tmp_path / "cli" / "version_0" / "config.yaml"
    assert saved.exists(), f"`fit` should save the config it ran with at {saved}"
    try:
        lit.cli_main(["fit", "--config", config, "--model.hidden=3"])
    except RuntimeError as err:
        raise AssertionError(
            f"running again into the same log folder failed ({err}): pass "
            "save_config_kwargs={'overwrite': True}"
        ) from None
    hidden = yaml.safe_load(saved.read_text())["model"]["hidden"]
    assert hidden == 3, (
        f"the re-run with --model.hidden=3 should replace {saved.name}, it still says hidden: "
        f"{hidden}"
    )


def test_the_script_fits_with_command_line_overrides(script_run: ScriptRun) -> None:
    output, run_dir = script_run.finish(), script_run.run_dir
    metrics = run_dir / "metrics.csv"
    assert metrics.exists(), (
        f"`python lit_cli.py fit --config cfg.yaml ...` wrote no {metrics}; its output:\n{output}"
    )
    with metrics.open() as f:
        rows = list(csv.DictReader(f))
    epochs = sorted({int(r["epoch"]) for r in rows})
    assert epochs == [0, 1], (
        f"--trainer.max_epochs=2 should override the config's 5: the log has epochs {epochs}"
    )
    val = [float(r["val_loss"]) for r in rows if r.get("val_loss")]
    assert len(val) == 2 and val[1] < val[0], f"val_loss should fall over the 2 epochs: {val}"
    train = [float(r["train_loss"]) for r in rows if r.get("train_loss")]
    assert len(train) == 2, f"train_loss should be logged once per epoch, got {train}"


def test_the_script_saves_the_config_it_ran_with(script_run: ScriptRun) -> None:
    output, run_dir = script_run.finish(), script_run.run_dir
    saved = run_dir / "config.yaml"
    assert saved.exists(), f"the CLI should save {saved}; its output:\n{output}"
    config = yaml.safe_load(saved.read_text())
    got = (config["trainer"]["max_epochs"], config["model"]["lr"], config["model"]["hidden"])
    assert got == (2, 0.1, 8), (
        f"the saved config should hold the merged settings (max_epochs 2 and lr 0.1 from the "
        f"flags, hidden 8 from the file), got {got}"
    )
    hparams = yaml.safe_load((run_dir / "hparams.yaml").read_text())
    assert hparams.get("in_features") == 4, (
        f"the logged hparams should show in_features 4 (linked from data.features), got {hparams}"
    )
