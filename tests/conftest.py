"""Shared fixtures for the maintainers' suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from katakit.catalog import Catalog, discover
from katakit.drive import Watch

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "workspace"

collect_ignore_glob = ["fixtures/*"]

Kata = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return discover(ROOT)


def run_kata(
    cwd: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `kata` command as a learner would, in ``cwd``."""
    env = {
        **os.environ,
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "CUDA_VISIBLE_DEVICES": "",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "katakit.cli", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A small, self-contained kata workspace under git, as a fresh clone would be."""
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURE, ws)
    shutil.copy(ROOT / "pyproject.toml", ws / "pyproject.toml")
    (ws / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "CURRICULUM.md", ws / "docs" / "CURRICULUM.md")
    assert run_kata(ws, "sync").returncode == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=ws, check=True)
    subprocess.run(["git", "add", "-A"], cwd=ws, check=True)
    subprocess.run([*git, "commit", "-qm", "template"], cwd=ws, check=True)
    return ws


@pytest.fixture
def kata_at() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The `kata` command, run in a folder of the test's choosing."""
    return run_kata


@pytest.fixture
def kata(workspace: Path) -> Kata:
    def call(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return run_kata(workspace, *args, stdin=stdin)

    return call


StartWatch = Callable[..., Watch]


@pytest.fixture
def start_watch(workspace: Path) -> Iterator[StartWatch]:
    """Start `kata watch` in the workspace; it is killed at the end if still running."""
    started: list[Watch] = []

    def start(*args: str) -> Watch:
        started.append(Watch(workspace, *args, env={"CUDA_VISIBLE_DEVICES": ""}))
        return started[-1]

    yield start
    for running in started:
        if running.proc.poll() is None:
            running.proc.kill()
            running.proc.wait()
