"""VS Code: every task's command line runs and works; the problem matchers match what the
commands print; the Test Explorer's discovery and the debugger's launch configuration work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import json5
import pytest

from katakit.drive import Watch

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
KATA_FILE = Path("katas/01_demo/01_add/demo_add.py")
REQUIRED = {
    "kata: check this kata",
    "kata: watch",
    "kata: next",
    "kata: hint for this kata",
    "kata: reset this kata",
    "kata: progress",
    "kata: run the GPU katas",
    "kata: lint this file",
    "kata: type-check this file",
    "kata: verify all",
}


def load(path: Path) -> dict[str, Any]:
    loaded = json5.loads(path.read_text())  # JSON with comments, as VS Code reads it
    assert isinstance(loaded, dict)
    return loaded


def tasks() -> dict[str, dict[str, Any]]:
    return {t["label"]: t for t in load(ROOT / "tasks.json")["tasks"]}


def resolve(value: str, workspace: Path) -> str:
    """VS Code's variables, for a learner whose open file is a kata's file in ``workspace``.
    The workspace copy has no .venv of its own: its tools resolve to this checkout's."""
    value = value.replace("${workspaceFolder}/.venv/bin", str(VENV_BIN))
    file = workspace / KATA_FILE
    return (
        value.replace("${workspaceFolder}", str(workspace))
        .replace("${fileDirname}", str(file.parent))
        .replace("${file}", str(file))
    )


def command_line(task: dict[str, Any], workspace: Path) -> list[str]:
    assert task["type"] == "process", "process tasks: no shell quoting surprises with paths"
    return [resolve(part, workspace) for part in [task["command"], *task.get("args", [])]]


def run_task(label: str, workspace: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    task = tasks()[label]
    cwd = resolve(task.get("options", {}).get("cwd", "${workspaceFolder}"), workspace)
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "CUDA_VISIBLE_DEVICES": "",
        "MYPY_CACHE_DIR": str(ROOT / ".mypy_cache"),  # torch's stubs: read once, not per test
    }
    return subprocess.run(
        command_line(task, workspace),
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def matcher_regex(label: str) -> re.Pattern[str]:
    return re.compile(tasks()[label]["problemMatcher"]["pattern"]["regexp"])


def test_tasks_json_is_copied_into_dot_vscode() -> None:
    copy = ROOT / ".vscode" / "tasks.json"
    assert not copy.is_symlink(), "a symlink is a text file on Windows checkouts: no tasks"
    assert copy.read_text() == (ROOT / "tasks.json").read_text(), "run `kata sync`"


def test_every_task_the_learner_needs_is_there() -> None:
    assert set(tasks()) >= REQUIRED
    default = [t for t in tasks().values() if t.get("group", {}).get("isDefault")]
    assert [t["label"] for t in default] == ["kata: check this kata"]
    assert default[0]["group"]["kind"] == "test"


def test_check_task_puts_failures_on_the_learners_file_and_line(workspace: Path) -> None:
    done = run_task("kata: check this kata", workspace)
    assert done.returncode == 1, done.stdout + done.stderr
    hits = [
        m
        for line in done.stdout.splitlines()
        if (m := matcher_regex("kata: check this kata").match(line))
    ]
    assert hits, f"no line for the problem matcher in:\n{done.stdout}"
    file, line, severity, message = hits[0].groups()
    assert (workspace / file).resolve() == (workspace / KATA_FILE).resolve()
    assert (
        (workspace / KATA_FILE)
        .read_text()
        .splitlines()[int(line) - 1]
        .strip()
        .startswith("raise NotImplementedError")
    ), "the problem should sit on the line that raised"
    assert severity == "error" and "not written yet" in message


@pytest.mark.timeout(600)  # a cold mypy reads all of torch's annotations
@pytest.mark.parametrize(
    ("label", "stdin", "expect"),
    [
        ("kata: next", "", "demo/add"),
        ("kata: hint for this kata", "", "hint 1/2: first hint"),
        ("kata: reset this kata", "y\n", "already in its original state"),
        ("kata: progress", "", "demo"),
        ("kata: run the GPU katas", "", "needs a CUDA GPU"),
        ("kata: lint this file", "", "All checks passed"),
        ("kata: type-check this file", "", "Success"),
        ("kata: verify all", "", "demo/bug-sign"),
    ],
)
def test_task_runs_and_works(workspace: Path, label: str, stdin: str, expect: str) -> None:
    done = run_task(label, workspace, stdin)
    assert done.returncode == 0, done.stdout + done.stderr
    assert expect in done.stdout


def test_reset_task_asks_first(workspace: Path) -> None:
    learner = workspace / KATA_FILE
    learner.write_text(learner.read_text() + "# my work\n")
    kept = run_task("kata: reset this kata", workspace, stdin="n\n")
    assert kept.returncode != 0 and "# my work" in learner.read_text()
    done = run_task("kata: reset this kata", workspace, stdin="y\n")
    assert done.returncode == 0 and "# my work" not in learner.read_text()
    assert "saved at .kata/backups/" in done.stdout


@pytest.mark.timeout(600)
def test_lint_and_type_check_matchers_match_their_tools(workspace: Path) -> None:
    learner = workspace / KATA_FILE
    learner.write_text(learner.read_text() + "\nimport os\n\n\ndef f(x):\n    return x\n")
    for label in ("kata: lint this file", "kata: type-check this file"):
        done = run_task(label, workspace)
        assert done.returncode == 1
        regex = matcher_regex(label)
        assert any(regex.match(line) for line in done.stdout.splitlines()), done.stdout


def test_watch_task_brackets_every_run_for_the_background_matcher(
    workspace: Path, start_watch: Callable[..., Watch]
) -> None:
    background = tasks()["kata: watch"]["problemMatcher"]["background"]
    begins, ends = re.compile(background["beginsPattern"]), re.compile(background["endsPattern"])
    assert command_line(tasks()["kata: watch"], workspace)[1:] == ["watch"]
    watch = start_watch()
    lines = watch.verdict().splitlines()
    assert any(begins.match(line) for line in lines)
    assert ends.match(lines[-1])
    assert any(matcher_regex("kata: check this kata").match(line) for line in lines)
    assert watch.stop() == 0


def test_launch_debugs_the_open_katas_spec_without_timeouts(workspace: Path) -> None:
    launch = load(ROOT / ".vscode" / "launch.json")["configurations"]
    spec = next(c for c in launch if c.get("module") == "pytest")
    assert spec["type"] == "debugpy" and "--timeout=0" in spec["args"]
    args = [resolve(a, workspace) for a in spec["args"]]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-rA"],
        cwd=resolve(spec["cwd"], workspace),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "test_add_matches_torch" in done.stdout
    assert time.monotonic() - started < 120
    debug_test = next(c for c in launch if "debug-test" in c.get("purpose", []))
    assert "--timeout=0" in debug_test["env"]["PYTEST_ADDOPTS"]


def test_test_explorer_discovers_the_katas_cleanly(root: Path) -> None:
    settings = load(ROOT / ".vscode" / "settings.json")
    assert settings["python.testing.pytestEnabled"] is True
    args = settings["python.testing.pytestArgs"]
    assert args == ["katas"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "error" not in done.stdout.lower().split("\n")[-2]
    assert re.search(r"^\d+ tests collected", done.stdout, re.M), done.stdout[-500:]


def test_test_explorer_shows_gpu_tests_skipped_with_the_reason(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "katas", "-m", "gpu", "-q", "-rs", "-p", "no:randomly"],
        cwd=root,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips and all("GPU dev container" in line or "dev container" in line for line in skips)
