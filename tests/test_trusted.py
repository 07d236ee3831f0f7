"""The trusted re-grade, played against by a student who wants points without solving anything.

Every attack works in a student copy of an exported template: the cheating kata (demo/add,
unsolved) must score 0 under the trusted re-grade, and be flagged or listed, while the honest
kata in the same copy (demo/bug-sign, solved) keeps its point, and the template stays
byte-identical. Then the class scale: `kata regrade` over a roster, and regrade.yml's steps.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from katakit.trusted import tree

Kata = Callable[..., subprocess.CompletedProcess[str]]
ADD = "katas/01_demo/01_add/demo_add.py"
ADD_SPEC = "katas/01_demo/01_add/test_demo_add.py"
SIGN = "katas/01_demo/02_bug_sign/demo_bug_sign.py"
SOLVED_ADD = "import torch\n\n\ndef add(a, b):\n    return a + b\n"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
FORGE_REPORTS = """
import _pytest.runner as runner

_real = runner.call_and_report


def _passed(item, when, log=True, **kwargs):
    report = _real(item, when, log=False, **kwargs)
    report.outcome, report.longrepr = "passed", None
    if log:
        item.ihook.pytest_runtest_logreport(report=report)
    return report


runner.call_and_report = _passed
"""
PASS_EVERYTHING_HOOK = """import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    return report
"""


@pytest.fixture
def template(workspace: Path, tmp_path: Path, kata_at: Kata) -> Path:
    """The teacher's template: `kata export` of a workspace, committed."""
    target = tmp_path / "template"
    assert kata_at(workspace, "export", str(target)).returncode == 0
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    subprocess.run([*GIT, "commit", "-qm", "template"], cwd=target, check=True)
    return target


def student_copy(template: Path, workspace: Path, name: str) -> Path:
    """A student's repository from the template, with the bug hunt honestly solved."""
    copy = template.parent / "students" / name
    shutil.copytree(template, copy, ignore=shutil.ignore_patterns(".git"))
    shutil.copy(workspace / "solutions/01_demo/02_bug_sign/demo_bug_sign.py", copy / SIGN)
    return copy


@pytest.fixture
def student(template: Path, workspace: Path) -> Path:
    return student_copy(template, workspace, "eve")


def trusted(kata_at: Kata, student: Path, template: Path) -> dict[str, Any]:
    before = tree(template)
    out = student / "trusted-report"
    done = kata_at(student, "grade", "--json", "--against", str(template), "--out", str(out))
    assert done.returncode in (0, 1), done.stderr
    assert tree(template) == before, "the template changed"
    data = json.loads(done.stdout)
    assert data["advisory"] is False
    return data


def katas(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k["id"]: k for k in data["katas"]}


def assert_cheat_zero_honest_kept(data: dict[str, Any]) -> dict[str, Any]:
    rows = katas(data)
    assert rows["demo/add"]["points"] == 0, rows["demo/add"]
    assert rows["demo/bug-sign"]["points"] == 1, rows["demo/bug-sign"]
    assert data["max_score"] == 2
    return rows


@pytest.mark.parametrize("where", ["katas/conftest.py", "conftest.py"])
def test_a_committed_conftest_hook(
    kata_at: Kata, student: Path, template: Path, where: str
) -> None:
    (student / where).write_text(PASS_EVERYTHING_HOOK)
    data = trusted(kata_at, student, template)
    assert_cheat_zero_honest_kept(data)
    assert where in data["tampered"]
    advisory = kata_at(student, "grade", "--json", "--out", str(student / "a"))
    assert katas(json.loads(advisory.stdout))["demo/add"]["points"] == 0, "no conftest, anywhere"


def test_a_learner_file_that_forges_pytests_reports(
    kata_at: Kata, student: Path, template: Path
) -> None:
    (student / ADD).write_text((student / ADD).read_text() + FORGE_REPORTS)
    rows = assert_cheat_zero_honest_kept(trusted(kata_at, student, template))
    assert rows["demo/add"]["forged"].startswith("forged: the canary"), rows["demo/add"]
    assert any("pytest's internals" in flag for flag in rows["demo/add"]["flags"])
    assert rows["demo/bug-sign"]["flags"] == [] and not rows["demo/bug-sign"]["forged"]


def test_a_classroom_toml_of_solved_katas_and_a_new_kata_worth_100(
    kata_at: Kata, student: Path, template: Path
) -> None:
    (student / "classroom.toml").write_text('grade = ["demo/bug-sign"]\n')
    free = student / "katas/01_demo/03_free"
    free.mkdir()
    (free / "kata.toml").write_text(
        (student / "katas/01_demo/01_add/kata.toml").read_text().replace("demo/add", "demo/free")
        + "points = 100\n"
    )
    (free / "demo_free.py").write_text("x = 1\n")
    (free / "test_demo_free.py").write_text("def test_free():\n    assert True\n")
    data = trusted(kata_at, student, template)
    assert_cheat_zero_honest_kept(data)
    assert sorted(katas(data)) == ["demo/add", "demo/bug-sign"]
    assert {"classroom.toml", "katas/01_demo/03_free/kata.toml"} <= set(data["tampered"])


def test_an_edited_spec_re_signed_and_pytest_addopts(
    kata_at: Kata, student: Path, template: Path
) -> None:
    spec = student / ADD_SPEC
    spec.write_text(spec.read_text().replace("assert torch.equal", "assert True or torch.equal"))
    assert kata_at(student, "sync").returncode == 0
    rows = assert_cheat_zero_honest_kept(trusted(kata_at, student, template))
    assert rows["demo/add"]["tampered"] == [ADD_SPEC]
    # The advisory grade ignores PYTEST_ADDOPTS (here: run only the GPU test, which skips).
    advisory = kata_at(
        student, "grade", "--json", "--out", str(student / "a"), env={"PYTEST_ADDOPTS": "-k cuda"}
    )
    add = katas(json.loads(advisory.stdout))["demo/add"]
    assert add["max_points"] == 1 and add["tests"] == 1


def test_code_that_writes_a_conftest_while_it_runs(
    kata_at: Kata, student: Path, template: Path
) -> None:
    (student / ADD).write_text(
        "from pathlib import Path\n\n"
        "Path(__file__).parents[1].joinpath('conftest.py').write_text("
        f"{PASS_EVERYTHING_HOOK!r})\n" + (student / ADD).read_text()
    )
    rows = assert_cheat_zero_honest_kept(trusted(kata_at, student, template))
    assert "changed the grader's files" in rows["demo/add"]["forged"]
    assert not (student / "katas/conftest.py").exists(), "the student's copy is not run in"


def test_changed_workflow_and_setup_are_listed(
    kata_at: Kata, student: Path, template: Path
) -> None:
    for rel in (".github/workflows/classroom.yml", ".devcontainer/setup.sh"):
        path = student / rel  # the demo template has neither: the manifest says "absent"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((path.read_text() if path.exists() else "") + "\n# edited\n")
    data = trusted(kata_at, student, template)
    assert_cheat_zero_honest_kept(data)
    assert {".github/workflows/classroom.yml", ".devcontainer/setup.sh"} <= set(data["tampered"])
    manifest = json.loads((template / "katas/manifest.json").read_text())["protected"]
    assert manifest["classroom.toml"] == "absent"
    assert ".github/workflows/classroom.yml" in manifest and ".devcontainer/setup.sh" in manifest
    advisory = kata_at(student, "grade", "--json", "--out", str(student / "a"))
    assert json.loads(advisory.stdout)["score"] == 0, "the advisory grade zeroes a changed harness"


def test_a_corrupted_kata_toml_costs_that_kata_only(
    kata_at: Kata, student: Path, template: Path
) -> None:
    toml = student / "katas/01_demo/01_add/kata.toml"
    toml.write_text(toml.read_text().replace("minutes = 5", 'minutes = "five"'))
    (student / ADD).write_text(SOLVED_ADD)
    rows = assert_cheat_zero_honest_kept(trusted(kata_at, student, template))
    assert rows["demo/add"]["tampered"] == ["katas/01_demo/01_add/kata.toml"]
    advisory = kata_at(student, "grade", "--json", "--out", str(student / "a"))
    graded = katas(json.loads(advisory.stdout))
    assert (graded["demo/add"]["points"], graded["demo/bug-sign"]["points"]) == (0, 1)


def test_an_exit_at_import_costs_its_kata_only(
    kata_at: Kata, student: Path, template: Path
) -> None:
    (student / ADD).write_text("import os\nos._exit(0)\n" + SOLVED_ADD)
    rows = assert_cheat_zero_honest_kept(trusted(kata_at, student, template))
    assert any("os._exit" in flag for flag in rows["demo/add"]["flags"])


def test_honest_work_scores_and_the_advisory_grade_says_it_is_advisory(
    kata_at: Kata, student: Path, template: Path
) -> None:
    (student / ADD).write_text(SOLVED_ADD)
    data = trusted(kata_at, student, template)
    assert (data["score"], data["tampered"]) == (2, [])
    assert all(not k["flags"] and not k["forged"] for k in data["katas"])
    assert "Trusted re-grade" in (student / "trusted-report" / "summary.md").read_text()
    kata_at(student, "grade", "--out", str(student / "a"))
    assert "Advisory grade" in (student / "a" / "summary.md").read_text()


def test_a_modified_template_is_refused(kata_at: Kata, student: Path, template: Path) -> None:
    spec = template / ADD_SPEC
    spec.write_text(spec.read_text() + "\n# drift\n")
    done = kata_at(student, "grade", "--against", str(template))
    assert done.returncode == 2 and "refusing to grade" in done.stderr


# --- the class scale -------------------------------------------------------------------------


def three_students(template: Path, workspace: Path) -> dict[str, Path]:
    honest = student_copy(template, workspace, "honest")
    (honest / ADD).write_text(SOLVED_ADD)
    half = student_copy(template, workspace, "half")
    cheat = student_copy(template, workspace, "cheat")
    (cheat / ADD).write_text((cheat / ADD).read_text() + FORGE_REPORTS)
    return {"honest": honest, "half": half, "cheat": cheat}


EXPECTED = {"honest": (2, 2), "half": (1, 2), "cheat": (1, 2)}


def test_regrade_over_a_roster_writes_the_class_table(
    kata_at: Kata, template: Path, workspace: Path, tmp_path: Path
) -> None:
    students = three_students(template, workspace)
    roster = tmp_path / "roster.toml"
    roster.write_text(
        "".join(f'[[student]]\nname = "{n}"\npath = "{p}"\n\n' for n, p in students.items())
    )
    out = tmp_path / "class"
    done = kata_at(tmp_path, "regrade", str(roster), "--template", str(template), "--out", str(out))
    assert done.returncode == 0, done.stderr
    table = {r["student"]: r for r in json.loads((out / "class.json").read_text())["students"]}
    assert {n: (r["score"], r["max_score"]) for n, r in table.items()} == EXPECTED
    assert list(table["cheat"]["forged"]) == ["demo/add"] and table["cheat"]["flags"]
    assert not table["honest"]["forged"] and not table["half"]["flags"]
    csv_rows = (out / "class.csv").read_text().splitlines()
    assert csv_rows[0].startswith("student,score,max_score,tampered,flags,forged,demo/add")
    assert len(csv_rows) == 4 and "| cheat | 1/2 |" in (out / "class.md").read_text()


def test_regrade_workflow_steps_run_here(
    root: Path, template: Path, workspace: Path, tmp_path: Path
) -> None:
    """regrade.yml's run steps, verbatim, in the layout its jobs check out: this repository
    (roster.toml, .venv), template/ and students/<name>/."""
    grading = tmp_path / "grading"
    grading.mkdir()
    (grading / ".venv" / "bin").mkdir(parents=True)
    (grading / ".venv/bin/kata").symlink_to(Path(sys.executable).parent / "kata")
    shutil.copytree(template, grading / "template", symlinks=True)
    students = three_students(template, workspace)
    for name, copy in students.items():
        shutil.move(copy, grading / "students" / name)
    (grading / "roster.toml").write_text(
        "".join(f'[[student]]\nname = "{n}"\nrepo = "class/{n}"\n\n' for n in students)
    )
    workflow = yaml.safe_load((root / ".github/workflows/regrade.yml").read_text())
    env = {**os.environ, "ROSTER": "roster.toml", "CUDA_VISIBLE_DEVICES": ""}

    def steps(job: str) -> list[str]:
        lines = [s["run"] for s in workflow["jobs"][job]["steps"] if "run" in s]
        return [line for line in lines if "setup.sh" not in line]  # set-up: test_devcontainer

    def sh(line: str, **extra: str) -> None:
        done = subprocess.run(
            ["bash", "-c", line], cwd=grading, env={**env, **extra}, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"

    outputs = grading / "github_output"
    (matrix,) = steps("roster")
    sh(matrix, GITHUB_OUTPUT=str(outputs))
    listed = json.loads(outputs.read_text().split("=", 1)[1])
    assert [s["name"] for s in listed] == list(students)
    (grade,) = steps("grade")
    for entry in listed:  # each matrix job, and its artifact downloaded under regrade/
        sh(grade, STUDENT=entry["name"])
    merge, summary = steps("table")
    sh(merge)
    sh(summary, GITHUB_STEP_SUMMARY=str(grading / "summary.md"))
    table = json.loads((grading / "class-table/class.json").read_text())["students"]
    assert {r["student"]: (r["score"], r["max_score"]) for r in table} == EXPECTED
    assert "| cheat | 1/2 |" in (grading / "summary.md").read_text()
