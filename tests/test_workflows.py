"""The GitHub workflows, validated offline: the official workflow schema (check-jsonschema's
built-in copy), pinned actions, least privilege, and each `run:` step executed here."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent
Kata = Callable[..., subprocess.CompletedProcess[str]]


def workflow(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(loaded, dict)
    return loaded


def steps(name: str) -> list[dict[str, Any]]:
    return [s for job in workflow(name)["jobs"].values() for s in job["steps"]]


def test_workflows_match_the_github_workflow_schema() -> None:
    files = sorted(map(str, WORKFLOWS.glob("*.yml")))
    assert len(files) == 3
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", ["classroom.yml", "ci.yml", "regrade.yml"])
def test_least_privilege_pinned_actions_and_a_timeout(name: str) -> None:
    wf = workflow(name)
    assert wf["permissions"] == {"contents": "read"}
    for job in wf["jobs"].values():
        assert 0 < job["timeout-minutes"] <= 60
    for step in steps(name):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_classroom_skips_the_template_bots_first_commit() -> None:
    job = workflow("classroom.yml")["jobs"]["grade"]
    assert job["name"] == "Autograding Tests", "the check name the autograding reporters read"
    assert "github-classroom[bot]" in job["if"] and "'Initial commit'" in job["if"]


def test_ci_runs_only_in_the_upstream_template() -> None:
    (job,) = workflow("ci.yml")["jobs"].values()
    assert job["if"] == "github.event.repository.is_template"


REGRADE_LINES = {
    "bash .devcontainer/setup.sh",
    '.venv/bin/kata regrade "$ROSTER" --matrix',
    '.venv/bin/kata regrade "$ROSTER" --template template --students students --only "$STUDENT" '
    '--out "regrade/$STUDENT"',
    '.venv/bin/kata regrade "$ROSTER" --merge regrade --out class-table',
    'cat class-table/class.md >> "$GITHUB_STEP_SUMMARY"',
}


def run_lines(name: str) -> list[str]:
    return [s["run"].strip() for s in steps(name) if "run" in s]


NODE24_ACTIONS = {  # the current majors, on Node 24
    "actions/checkout": "3d3c42e5aac5ba805825da76410c181273ba90b1",  # v7.0.1
    "actions/setup-python": "5fda3b95a4ea91299a34e894583c3862153e4b97",  # v7.0.0
    "actions/upload-artifact": "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",  # v7.0.0
    "actions/download-artifact": "37930b1c2abaa49bbe596cd826c3c89aef350131",  # v7.0.0
}


@pytest.mark.parametrize("name", ["classroom.yml", "ci.yml", "regrade.yml"])
def test_actions_are_the_node24_majors(name: str) -> None:
    for step in steps(name):
        if "uses" in step:
            action, _, sha = step["uses"].partition("@")
            assert NODE24_ACTIONS[action] == sha, step["uses"]


def test_every_run_step_is_a_command_this_suite_runs() -> None:
    tested = {
        *REGRADE_LINES,  # tests/test_trusted.py runs regrade.yml's steps in a class layout
        "bash .devcontainer/setup.sh",  # tests/test_devcontainer.py: setup.sh, GPU or not
        ".venv/bin/kata grade --out kata-report",  # below, in a workspace
        ".venv/bin/ruff check .",  # tests/test_quality.py runs ci.yml's tool steps
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy",
        "bash .ci/run",  # tests/test_readme.py: .ci/run is README's test command
    }
    every = set(run_lines("classroom.yml")) | set(run_lines("ci.yml"))
    assert every | set(run_lines("regrade.yml")) <= tested


def test_classroom_grade_step_runs_here(workspace: Path, kata_at: Kata) -> None:
    (line,) = [ln for ln in run_lines("classroom.yml") if "kata grade" in ln]
    args = line.removeprefix(".venv/bin/kata ").split()
    outputs = workspace / "github_output"
    done = kata_at(workspace, *args, env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs)})
    assert done.returncode == 1, "stubs only: graded, not full marks"
    assert (workspace / "kata-report" / "grade.json").exists()
    assert "::notice title=Autograding complete::Points 0/2" in done.stdout
    assert outputs.read_text().startswith("result=")
    upload = next(s for s in steps("classroom.yml") if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"].rstrip("/") == "kata-report" and upload["if"] == "always()"
