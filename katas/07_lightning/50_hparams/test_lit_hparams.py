"""Spec for lightning/hparams: save_hyperparameters, a checkpoint, load_from_checkpoint."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import lightning
import lightning as L
import pytest
import torch
from lightning.pytorch.trainer.connectors import accelerator_connector
from lit_hparams import LitMLP, reload, train_and_checkpoint
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from katakit.testing import assert_quiet_trainer, assert_tensor, playing_a_gpu_machine


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[L.Trainer]:
    """Every Trainer the code under test builds, to inspect its settings afterwards."""
    trainers: list[L.Trainer] = []

    class Recording(lightning.Trainer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            with playing_a_gpu_machine():
                super().__init__(*args, **kwargs)
            trainers.append(self)

    monkeypatch.setattr(lightning, "Trainer", Recording)
    # Pretend this machine has a GPU: 'auto' would pick it; the CPU must be asked for by name.
    monkeypatch.setattr(accelerator_connector, "_select_auto_accelerator", lambda: "cuda")
    return trainers


def loader(in_features: int, classes: int) -> DataLoader[tuple[torch.Tensor, ...]]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(40, in_features, generator=g)
    return DataLoader(TensorDataset(x, torch.randint(0, classes, (40,), generator=g)), 10)


@pytest.mark.parametrize(
    ("args", "kwargs", "want"),
    [
        (
            (5, 16, 3),
            {"lr": 0.3, "dropout": 0.2},
            {"in_features": 5, "hidden": 16, "num_classes": 3, "lr": 0.3, "dropout": 0.2},
        ),
        (
            (4, 8, 2),
            {},
            {"in_features": 4, "hidden": 8, "num_classes": 2, "lr": 1e-2, "dropout": 0.1},
        ),
    ],
)
def test_init_saves_every_argument_but_the_loss(
    args: tuple[int, ...], kwargs: dict[str, float], want: dict[str, float]
) -> None:
    model = LitMLP(*args, **kwargs, loss_fn=nn.CrossEntropyLoss(label_smoothing=0.1))
    got = dict(model.hparams)
    assert got == want, (
        f"self.hparams should hold the __init__ arguments except loss_fn (defaults included): "
        f"expected {want}, got {got}: call self.save_hyperparameters() in __init__, and leave "
        "loss_fn out with its ignore= argument"
    )


def test_the_layers_follow_the_hyperparameters() -> None:
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)
    model = LitMLP(5, 16, 3, dropout=0.25, loss_fn=loss)
    layers = list(model.net)
    kinds = [type(m).__name__ for m in layers]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear"], (
        f"self.net should be an nn.Sequential of Linear, ReLU, Dropout, Linear; got {kinds}"
    )
    sizes = [
        (layers[0].in_features, layers[0].out_features),
        (layers[3].in_features, layers[3].out_features),
    ]
    assert sizes == [(5, 16), (16, 3)], f"Linear sizes: expected [(5, 16), (16, 3)], got {sizes}"
    assert layers[2].p == 0.25, f"Dropout(p) should be the dropout argument 0.25, got {layers[2].p}"
    assert model.loss_fn is loss, (
        "self.loss_fn should be the very loss module that was passed in, got another "
        f"{type(model.loss_fn).__name__}"
    )
    assert isinstance(LitMLP(5, 16, 3).loss_fn, nn.CrossEntropyLoss), (
        "without a loss_fn, self.loss_fn should be nn.CrossEntropyLoss(), got "
        f"{type(LitMLP(5, 16, 3).loss_fn).__name__}"
    )


@pytest.mark.parametrize("epochs", [None, 2])
def test_the_checkpoint_carries_hyperparameters_and_weights(
    tmp_path: Path, epochs: int | None, built: list[L.Trainer]
) -> None:
    torch.manual_seed(1)
    model = LitMLP(6, 12, 4, lr=0.05, loss_fn=nn.CrossEntropyLoss(label_smoothing=0.1))
    before = [p.detach().clone() for p in model.parameters()]
    if epochs is None:
        path, epochs = train_and_checkpoint(model, loader(6, 4), tmp_path), 1  # the default
    else:
        path = train_and_checkpoint(model, loader(6, 4), tmp_path, epochs=epochs)
    assert len(built) == 1, (
        f"train_and_checkpoint should build one L.Trainer, it built {len(built)} (the spec "
        "counts the calls to L.Trainer, with lightning imported as L)"
    )
    trainer = built[0]
    assert_quiet_trainer(trainer, tmp_path)
    assert Path(path) == tmp_path / "model.ckpt", (
        f"train_and_checkpoint should return the path it saved to, root_dir / 'model.ckpt' "
        f"({tmp_path / 'model.ckpt'}), got {path}"
    )
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert files == ["model.ckpt"], (
        "only model.ckpt should be written: pass logger=False and enable_checkpointing=False "
        f"to L.Trainer, and save the one file with trainer.save_checkpoint; found {files}"
    )
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True)), (
        "the weights did not change: call trainer.fit with the model before saving it"
    )
    try:
        checkpoint = torch.load(path, weights_only=True)  # fails if a module was pickled into it
    except pickle.UnpicklingError as err:
        raise AssertionError(
            f"model.ckpt holds a pickled object, not only tensors and plain values "
            f"({pickled_global(err)}): is loss_fn among the saved hyper-parameters? Leave it "
            "out with self.save_hyperparameters(ignore=...)"
        ) from None
    assert checkpoint.get("global_step") == 4 * epochs, (
        f"{epochs} epoch(s) of 4 batches should be {4 * epochs} steps, the checkpoint says "
        f"{checkpoint.get('global_step')}: pass max_epochs=epochs to L.Trainer"
    )
    assert dict(checkpoint.get("hyper_parameters", {})) == dict(model.hparams), (
        f"the checkpoint's 'hyper_parameters' should be the model's hparams {dict(model.hparams)}, "
        f"got {checkpoint.get('hyper_parameters')}: call self.save_hyperparameters in __init__"
    )
    for name, value in model.state_dict().items():
        assert_tensor(checkpoint["state_dict"][name], value, what=f"state_dict[{name!r}]")


def pickled_global(err: Exception) -> str:
    """The line of torch's weights-only error that names the object it refused."""
    lines = [line.strip() for line in str(err).splitlines() if "Unsupported global" in line]
    return lines[0] if lines else str(err).splitlines()[0]


def trained(tmp_path: Path) -> tuple[LitMLP, Path]:
    torch.manual_seed(2)
    model = LitMLP(7, 24, 5, lr=0.02, dropout=0.3)
    return model, train_and_checkpoint(model, loader(7, 5), tmp_path)


def test_reload_rebuilds_the_model_from_the_file_alone(tmp_path: Path) -> None:
    model, path = trained(tmp_path)
    loss = nn.CrossEntropyLoss(label_smoothing=0.2)
    torch.manual_seed(99)  # other random weights before loading: they must be replaced
    again = reload(path, loss_fn=loss)
    assert isinstance(again, LitMLP), (
        f"reload should return a LitMLP, got {type(again).__name__}: rebuild it with "
        "LitMLP.load_from_checkpoint"
    )
    assert dict(again.hparams) == dict(model.hparams), (
        f"the reloaded hparams {dict(again.hparams)} differ from {dict(model.hparams)}: "
        "LitMLP.load_from_checkpoint reads them from the checkpoint's 'hyper_parameters'"
    )
    assert again.loss_fn is loss, (
        "reload should pass loss_fn on to LitMLP.load_from_checkpoint (it is not in the "
        f"checkpoint), the rebuilt model has another {type(again.loss_fn).__name__}"
    )
    x = torch.randn(3, 7, generator=torch.Generator().manual_seed(3))
    model.eval()
    again.eval()
    with torch.no_grad():
        assert_tensor(again(x), model(x), what="the reloaded model's output", atol=0, rtol=0)
    assert isinstance(reload(path).loss_fn, nn.CrossEntropyLoss), (
        "reload(path) without a loss_fn should give a model with the default nn.CrossEntropyLoss()"
    )


def test_reload_overrides_a_hyperparameter(tmp_path: Path) -> None:
    model, path = trained(tmp_path)
    again = reload(path, lr=0.5)
    assert again.hparams.lr == 0.5, (
        f"reload(path, lr=0.5): hparams.lr is {again.hparams.lr}: pass the overrides on to "
        "LitMLP.load_from_checkpoint as keyword arguments"
    )
    assert again.configure_optimizers().param_groups[0]["lr"] == 0.5, (
        "reload(path, lr=0.5): the optimizer should use the overridden lr 0.5 (the given "
        "configure_optimizers reads self.hparams.lr)"
    )
    assert again.hparams.hidden == 24 and again.hparams.dropout == 0.3, (
        "overriding lr must keep the other saved hyper-parameters"
    )
    for (name, a), b in zip(again.state_dict().items(), model.state_dict().values(), strict=True):
        assert torch.equal(a, b), f"{name} differs after reloading with an override"
