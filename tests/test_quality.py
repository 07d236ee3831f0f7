"""Lint, format and types: the CI workflow's own steps, run here exactly as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def ci_tool_steps() -> list[str]:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    runs = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
    return [r.strip() for r in runs if r.startswith(".venv/bin/")]


def test_ci_lints_formats_and_type_checks() -> None:
    tools = {line.split()[0].removeprefix(".venv/bin/") for line in ci_tool_steps()}
    assert tools == {"ruff", "mypy"}
    assert ".venv/bin/ruff format --check ." in ci_tool_steps()


@pytest.mark.timeout(600)  # a cold mypy reads all of torch's annotations
@pytest.mark.parametrize("line", ci_tool_steps())
def test_clean(line: str) -> None:
    command = line.split()
    done = subprocess.run(
        [str(BIN / command[0].removeprefix(".venv/bin/")), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
