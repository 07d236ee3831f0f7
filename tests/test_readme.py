"""README gives exactly two set-up commands, and CI runs the test one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    found = re.findall(r"<!-- (\w+)-command -->\s*```(?:bash|sh)?\n(.+?)\n```", text, re.S)
    return dict(found)


def test_readme_has_exactly_the_two_commands() -> None:
    found = commands()
    assert set(found) == {"main", "test"}
    assert found["main"].endswith(".venv/bin/kata")
    assert "pytest" in found["test"]
    for command in found.values():
        assert command.startswith("bash .devcontainer/setup.sh"), "the container's own set-up"


def test_ci_runs_the_readme_test_command() -> None:
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == commands()["test"]
