"""Small pure pieces: result parsing, teaching messages, fix size, blob ids."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import torch

from katakit.pristine import blob_sha
from katakit.results import teaching_part
from katakit.testing import assert_tensor, shape_advice
from katakit.verify import fix_size


def test_teaching_part_drops_pytest_reevaluation() -> None:
    raw = "AssertionError: expected 3, got 4: off by one?\nassert 4 == 3\n +  where 4 = f()"
    assert teaching_part(raw) == "expected 3, got 4: off by one?"


@pytest.mark.parametrize(
    ("got", "want", "advice"),
    [
        ((8, 1, 10), (8, 10), "singleton"),
        ((10, 8), (8, 10), "permuted"),
        ((8,), (8, 10), "reduced"),
        ((8, 10, 3), (8, 10), "stacked"),
        ((8, 12), (8, 10), "dim 1"),
    ],
)
def test_shape_advice_names_the_usual_cause(
    got: tuple[int, ...], want: tuple[int, ...], advice: str
) -> None:
    assert advice in shape_advice(got, want)


def test_assert_tensor_explains_each_kind_of_mismatch() -> None:
    want = torch.zeros(2, 3)
    cases = [
        ([0.0], "expected a torch.Tensor"),
        (torch.zeros(2, 1, 3), "expected shape (2, 3), got (2, 1, 3)"),
        (torch.zeros(2, 3, dtype=torch.float64), "expected dtype torch.float32"),
        (torch.zeros(2, 3, device="meta"), "expected a tensor on cpu"),
        (torch.tensor([[0.0, float("nan"), 0.0], [0.0] * 3]), "NaN or Inf (first at index (0, 1))"),
        (torch.tensor([[0.0, 0.0, 0.5], [0.0] * 3]), "the values are wrong"),
    ]
    for actual, message in cases:
        with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace(")", r"\)")):
            assert_tensor(actual, want)
    assert_tensor(torch.zeros(2, 3), want)


def test_fix_size_ignores_docstrings_and_comments(tmp_path: Path) -> None:
    buggy = tmp_path / "a.py"
    fixed = tmp_path / "b.py"
    buggy.write_text('"""Long task text."""\nx = 1  # note\ny = x + 1\n')
    fixed.write_text('"""Other."""\nx = 1\ny = x - 1\n')
    assert fix_size(buggy, fixed) == 1


def test_blob_sha_is_gits(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_bytes(b"print('hi')\n")
    git = subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    )
    assert blob_sha(path.read_bytes()) == git.stdout.strip()
