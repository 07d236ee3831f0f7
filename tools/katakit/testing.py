"""Assertions for kata specs that explain a mismatch the way a teacher would.

``assert_tensor(actual, expected)`` checks, in order: that a tensor came back at all, its shape
(with a guess at the usual cause), dtype, device, NaN/Inf, and finally the values through
``torch.testing.assert_close``, whose report names the largest difference and where it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import torch

T = TypeVar("T")


def explain_errors(what: str, fn: Callable[[], T], advice: Mapping[str, str]) -> T:
    """Run ``fn``; a RuntimeError whose text holds one of ``advice``'s keys (autograd's or
    torch's wording for a usual mistake) becomes a failure that quotes it and teaches."""
    try:
        return fn()
    except RuntimeError as err:
        if isinstance(err, NotImplementedError):
            raise
        text = str(err)
        for needle, lesson in advice.items():
            if needle in text:
                first = text.splitlines()[0][:300]
                raise AssertionError(f"{what} failed: {first}\n{lesson}") from None
        raise


def _shape(shape: Sequence[int]) -> tuple[int, ...]:
    return tuple(int(d) for d in shape)


def shape_advice(got: Sequence[int], want: Sequence[int]) -> str:
    """A likely cause for a shape mismatch, or "" when none is obvious."""
    got, want = _shape(got), _shape(want)
    if [d for d in got if d != 1] == [d for d in want if d != 1]:
        return "the sizes match apart from 1s: did you keep (or drop) a singleton dim?"
    if sorted(got) == sorted(want):
        return "same sizes in another order: are the dims permuted or transposed?"
    if len(got) == len(want) - 1:
        return "one dim too few: was something reduced or squeezed away?"
    if len(got) == len(want) + 1:
        return "one dim too many: was something stacked or unsqueezed that should not be?"
    if len(got) == len(want) and sum(a != b for a, b in zip(got, want, strict=True)) == 1:
        dim = next(i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b)
        return f"only dim {dim} differs: was the concatenation or reduction on the right dim?"
    return ""


def assert_shape(actual: torch.Tensor, want: Sequence[int], what: str = "the result") -> None:
    got = _shape(actual.shape)
    if got != _shape(want):
        advice = shape_advice(got, want)
        raise AssertionError(
            f"{what}: expected shape {_shape(want)}, got {got}" + (f": {advice}" if advice else "")
        )


def assert_tensor(
    actual: object,
    expected: torch.Tensor,
    *,
    what: str = "the result",
    atol: float | None = None,
    rtol: float | None = None,
    check_device: bool = True,
) -> None:
    """Fail with a teaching message unless ``actual`` matches ``expected``.

    Tolerances default to ``torch.testing.assert_close``'s per-dtype defaults; pass both
    ``atol`` and ``rtol`` to set them explicitly.
    """
    if not isinstance(actual, torch.Tensor):
        raise AssertionError(f"{what}: expected a torch.Tensor, got {type(actual).__name__}")
    assert_shape(actual, expected.shape, what)
    if actual.dtype != expected.dtype:
        raise AssertionError(
            f"{what}: expected dtype {expected.dtype}, got {actual.dtype}: "
            "check the dtype= you create it with, or a conversion along the way"
        )
    if check_device and actual.device.type != expected.device.type:
        raise AssertionError(
            f"{what}: expected a tensor on {expected.device.type}, got one on "
            f"{actual.device.type}: was it created or moved to the right device?"
        )
    if actual.is_floating_point() and actual.device.type != "meta":
        bad = ~torch.isfinite(actual)
        if bool(bad.any()) and not bool((~torch.isfinite(expected))[bad].all()):
            where = tuple(int(i) for i in bad.nonzero()[0])
            raise AssertionError(
                f"{what}: contains NaN or Inf (first at index {where}): "
                "a division by zero, a log of 0, or an overflow?"
            )
    if actual.device.type == "meta":
        return
    try:
        torch.testing.assert_close(
            actual, expected, atol=atol, rtol=rtol, check_device=check_device
        )
    except AssertionError as err:
        raise AssertionError(f"{what}: the values are wrong.\n{err}") from None


def kind(obj: object) -> str:
    """A type name for a message ('none' for None), never an object's repr."""
    return "none" if obj is None else type(obj).__name__


@contextlib.contextmanager
def playing_a_gpu_machine() -> Iterator[None]:
    """Explain the error of an ``L.Trainer`` left on ``accelerator='auto'`` while a spec plays a
    machine with a GPU; any other error passes through unchanged."""
    from lightning.fabric.utilities.exceptions import MisconfigurationException

    try:
        yield
    except MisconfigurationException as err:
        if "CUDAAccelerator" not in str(err):
            raise
        raise AssertionError(
            "this test plays a machine with a GPU, where the Trainer's default accelerator "
            f"('auto') picks the GPU ({err}): pass accelerator='cpu' to L.Trainer so the run "
            "is the same on every machine"
        ) from None


def assert_quiet_trainer(trainer: Any, root_dir: Path | None = None) -> None:
    """A kata's Trainer: in the folder it was given (when ``root_dir`` is), no progress bar, no
    model summary; each message names the ``L.Trainer`` argument to pass."""
    from lightning.pytorch.callbacks import ModelSummary

    assert root_dir is None or Path(trainer.default_root_dir) == root_dir, (
        f"pass default_root_dir=root_dir to L.Trainer, got {trainer.default_root_dir}"
    )
    assert trainer.progress_bar_callback is None, (
        "pass enable_progress_bar=False to L.Trainer (it has a "
        f"{type(trainer.progress_bar_callback).__name__})"
    )
    assert not any(isinstance(c, ModelSummary) for c in trainer.callbacks), (
        "pass enable_model_summary=False to L.Trainer (the model summary is on)"
    )
