"""`kata new`: a new kata folder with every file in place, ready to be written."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from katakit.catalog import Catalog

LEARNER = '''"""{title}.

What to build, why it matters, and the contract (shapes, dtypes, devices).

Check it: ``kata check {id}``.
"""

from __future__ import annotations

import torch


def solve(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("solve: say in one line where to start")
'''
SOLUTION = '''"""Reference solution for {id}."""

from __future__ import annotations

import torch


def solve(x: torch.Tensor) -> torch.Tensor:
    return x
'''
SPEC = '''"""Spec for {id}."""

import torch
from {module} import solve

from katakit.testing import assert_tensor


def test_solve_returns_its_input() -> None:
    x = torch.randn(3, 4)
    assert_tensor(solve(x), x, what="solve(x)")
'''
METADATA = """id = "{id}"
title = "{title}"
kind = "{kind}"
level = 1
topics = [{topics}]
minutes = 15
needs = []
requires = []
hints = [
    "Where to look first.",
    "What to compare.",
    "The concept, named.",
]
"""
BUG_TABLE = """
[bug]
failing_tests = ["test_solve_returns_its_input"]
"""


VARIANTS = {
    "mistakes": (
        "Plausible conceptual mistakes, one per file: a complete copy of the learner file with\n"
        "one mistake a learner would make (wrong axis, train mode left on, ...), its module\n"
        "docstring saying which in one line. `kata verify` proves each one fails the spec.\n"
    ),
    "alternatives": (
        "Correct answers written differently from the reference, one per file, its module\n"
        "docstring saying how in one line. `kata verify` proves each one passes the spec.\n"
    ),
}


class ScaffoldError(ValueError):
    pass


def _check(catalog: Catalog, kata_id: str, module: str, kind: str) -> None:
    if kata_id in catalog.ids:
        raise ScaffoldError(f"{kata_id} already exists")
    if not re.fullmatch(r"[a-z]+/[a-z0-9-]+", kata_id):
        raise ScaffoldError("ids look like track/short-name, e.g. tensors/views")
    if not module.isidentifier() or module in catalog.by_module():
        raise ScaffoldError(f"module {module!r} is not a new Python identifier")
    if importlib.util.find_spec(module) is not None:
        raise ScaffoldError(f"module {module!r} would shadow an installed module")
    if kind not in ("topic", "bug"):
        raise ScaffoldError("kind is topic or bug")


def scaffold(
    catalog: Catalog,
    kata_id: str,
    module: str,
    title: str,
    track: str,
    kind: str,
    topics: list[str],
) -> Path:
    _check(catalog, kata_id, module, kind)
    track_dir = catalog.root / "katas" / track
    taken = [int(p.name.split("_", 1)[0]) for p in track_dir.glob("[0-9]*_*") if p.is_dir()]
    slug = kata_id.split("/", 1)[1].replace("-", "_")
    folder = track_dir / f"{max(taken, default=0) + 1:02d}_{slug}"
    values = {
        "id": kata_id,
        "title": title,
        "kind": kind,
        "module": module,
        "topics": ", ".join(f'"{t}"' for t in topics),
    }
    solution_dir = catalog.root / "solutions" / folder.relative_to(catalog.root / "katas")
    folder.mkdir(parents=True)
    solution_dir.mkdir(parents=True, exist_ok=True)
    metadata = METADATA.format(**values) + (BUG_TABLE if kind == "bug" else "")
    (folder / "kata.toml").write_text(metadata)
    (folder / f"{module}.py").write_text(LEARNER.format(**values))
    (folder / f"test_{module}.py").write_text(SPEC.format(**values))
    (solution_dir / f"{module}.py").write_text(SOLUTION.format(**values))
    for name, text in VARIANTS.items():
        (solution_dir / name).mkdir()
        (solution_dir / name / "README.md").write_text(text)
    return folder
