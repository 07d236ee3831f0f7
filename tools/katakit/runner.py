"""Run kata specs through pytest and bring back per-test results.

``run_inline`` runs in this process (fast: one interpreter, used by ``kata check``);
``run_subprocess`` runs in a fresh interpreter, optionally with pytest-xdist workers (used by
``kata verify``, where each implementation must be imported afresh).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from katakit.catalog import Kata
from katakit.results import TestResult

QUIET = ["-q", "-p", "no:cacheprovider"]


@dataclass
class Run:
    exit_code: int
    results: list[TestResult]


class _Grab:
    """A tiny plugin that remembers the config so the recorder's results can be read back."""

    config: pytest.Config | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config


def base_args(root: Path, impl: str) -> list[str]:
    return ["--rootdir", str(root), "-c", str(root / "pyproject.toml"), f"--impl={impl}"]


def run_inline(
    root: Path,
    katas: Sequence[Kata],
    *,
    impl: str = "learner",
    verbose: bool = False,
    extra: Sequence[str] = (),
) -> Run:
    from katakit.plugin import recorder

    grab = _Grab()
    args = [*base_args(root, impl), *([] if verbose else QUIET), *extra]
    args += [str(k.spec_file) for k in katas]
    if verbose:
        code = pytest.main(args, plugins=[grab])
    else:
        with contextlib.redirect_stdout(io.StringIO()):
            code = pytest.main(args, plugins=[grab])
    results = recorder(grab.config).results if grab.config is not None else []
    return Run(int(code), results)


def run_subprocess(
    root: Path,
    katas: Sequence[Kata],
    *,
    impl: str,
    workers: int = 0,
    extra: Sequence[str] = (),
) -> Run:
    with tempfile.TemporaryDirectory(prefix="kata-run-") as tmp:
        out = Path(tmp) / "results.json"
        args = [sys.executable, "-m", "pytest", *base_args(root, impl), *QUIET]
        args += [f"--kata-results={out}", *extra]
        args += ["-n", str(workers)] if workers > 0 else ["-p", "no:xdist"]
        args += [str(k.spec_file) for k in katas]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=False)
        if not out.exists():
            raise RuntimeError(f"pytest did not report back:\n{done.stdout}\n{done.stderr}")
        results = [TestResult.from_json(r) for r in json.loads(out.read_text())]
        return Run(done.returncode, results)
