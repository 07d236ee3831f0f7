"""`kata grade` and `kata export`: scores, the skipped-test trap, the tamper check, the
GitHub Actions outputs, and a classroom template graded end to end."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from katakit.catalog import discover
from katakit.grade import KataGrade, SelectionError, select
from katakit.results import TestResult as Result
from katakit.results import Verdict
from katakit.tamper import check

Kata = Callable[..., subprocess.CompletedProcess[str]]


def report(out: Path) -> dict[str, Any]:
    loaded = json.loads((out / "grade.json").read_text())
    assert isinstance(loaded, dict)
    return loaded


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k["id"]: k for k in data["katas"]}


def solve_all(root: Path) -> None:
    for solution in (root / "solutions").glob("*/*/*.py"):  # references, not their variants
        target = root / "katas" / solution.relative_to(root / "solutions")
        shutil.copy(solution, target)


def result(name: str, outcome: str, message: str = "") -> Result:
    return Result(
        path="spec.py",
        nodeid=name,
        name=name,
        outcome=outcome,
        message=message,
        gpu_skip=message == GPU,
    )


GPU = "needs a CUDA GPU, and none is visible here: open the workspace in the GPU dev container"


class TestScoring:
    def kata_grade(self, workspace: Path, *results: Result) -> KataGrade:
        kata = discover(workspace).find("demo/add")
        return KataGrade(kata, Verdict(kata, list(results)))

    def test_green_with_gpu_tests_skipped_scores(self, workspace: Path) -> None:
        g = self.kata_grade(workspace, result("a", "passed"), result("b", "skipped", GPU))
        assert (g.points, g.max_points, g.gpu_skipped) == (1, 1, 1)

    def test_any_other_skip_is_a_failure(self, workspace: Path) -> None:
        g = self.kata_grade(workspace, result("a", "passed"), result("b", "skipped", "later"))
        assert (g.points, g.max_points) == (0, 1)
        assert "only missing-GPU skips" in g.why(workspace)

    def test_only_gpu_tests_leave_the_maximum(self, workspace: Path) -> None:
        g = self.kata_grade(workspace, result("b", "skipped", GPU))
        assert (g.points, g.max_points, g.in_play) == (0, 0, False)

    def test_a_failure_scores_nothing_no_partial_credit(self, workspace: Path) -> None:
        g = self.kata_grade(workspace, result("a", "passed"), result("b", "failed", "wrong"))
        assert (g.points, g.max_points) == (0, 1)

    def test_nothing_ran_scores_nothing(self, workspace: Path) -> None:
        g = self.kata_grade(workspace)
        assert (g.points, g.max_points) == (0, 1)


def test_selection_by_track_id_or_classroom_toml(workspace: Path) -> None:
    cat = discover(workspace)
    assert [k.id for k in select(cat, None)] == ["demo/add", "demo/bug-sign"]
    assert [k.id for k in select(cat, ["demo/bug-sign"])] == ["demo/bug-sign"]
    assert len(select(cat, ["demo"])) == 2
    (workspace / "classroom.toml").write_text('grade = ["demo/add"]\n')
    assert [k.id for k in select(cat, None)] == ["demo/add"]
    with pytest.raises(SelectionError, match="demo/ad"):
        select(cat, ["demo/addd"])


def test_tamper_check_flags_changed_and_deleted_files(workspace: Path) -> None:
    from katakit.pristine import load_manifest

    expected = load_manifest(workspace)["protected"]
    spec = "katas/01_demo/01_add/test_demo_add.py"
    assert spec in expected and "pyproject.toml" in expected
    assert check(workspace, expected).changed == []
    (workspace / spec).write_text((workspace / spec).read_text() + "\n# harmless?\n")
    (workspace / "katas/01_demo/02_bug_sign/kata.toml").unlink()
    assert check(workspace, expected).changed == [
        "katas/01_demo/01_add/test_demo_add.py",
        "katas/01_demo/02_bug_sign/kata.toml",
    ]


def test_grade_red_then_green_with_reports(kata: Kata, workspace: Path) -> None:
    out = workspace / "out"
    red = kata("grade", "--out", str(out))
    assert red.returncode == 1
    data = report(out)
    assert (data["score"], data["max_score"], data["tampered"]) == (0, 2, [])
    assert data["gpu_tests_skipped"] == 1
    add = by_id(data)["demo/add"]
    assert {"id", "points", "max_points", "passed", "tests"} <= set(add)
    assert (add["points"], add["max_points"], add["passed"], add["tests"]) == (0, 1, 0, 1)
    junit = ET.parse(out / "junit.xml").getroot()
    assert sum(int(suite.get("tests", 0)) for suite in junit.iter("testsuite")) == 3
    assert "0 / 2 points" in (out / "summary.md").read_text()

    solve_all(workspace)
    green = kata("grade", "--json", "--out", str(out))
    assert green.returncode == 0
    assert (json.loads(green.stdout)["score"], json.loads(green.stdout)["max_score"]) == (2, 2)
    summary = (out / "summary.md").read_text()
    assert "2 / 2 points" in summary and "| demo | `████████████████████` | 2/2 |" in summary
    assert "1 GPU tests were skipped" in summary


def test_an_edited_spec_is_flagged_and_scores_zero(kata: Kata, workspace: Path) -> None:
    solve_all(workspace)
    spec = workspace / "katas/01_demo/02_bug_sign/test_demo_bug_sign.py"
    spec.write_text("import pytest\npytestmark = pytest.mark.skip\n" + spec.read_text())
    done = kata("grade", "--json", "--out", str(workspace / "out"))
    data = json.loads(done.stdout)
    assert data["tampered"] == ["katas/01_demo/02_bug_sign/test_demo_bug_sign.py"]
    sign = by_id(data)["demo/bug-sign"]
    assert sign["points"] == 0 and "changed from the original" in sign["message"]
    assert (data["score"], data["max_score"]) == (1, 2)


def test_a_changed_harness_zeroes_everything(kata: Kata, workspace: Path) -> None:
    solve_all(workspace)
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# loosened\n")
    data = json.loads(kata("grade", "--json", "--out", str(workspace / "out")).stdout)
    assert (data["score"], data["tampered"]) == (0, ["pyproject.toml"])


def test_github_actions_outputs(workspace: Path, kata_at: Kata) -> None:
    solve_all(workspace)
    (workspace / "katas/01_demo/01_add/demo_add.py").write_text(
        "import torch\n\n\ndef add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:\n"
        "    return a - b\n"
    )
    summary, outputs = workspace / "summary.md", workspace / "outputs.txt"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
    }
    done = kata_at(workspace, "grade", "--out", "kata-report", env=env)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "::notice title=Autograding complete::Points 1/2" in lines
    error = next(line for line in lines if line.startswith("::error "))
    spec_line = "katas/01_demo/01_add/test_demo_add.py,line=8"  # where the wrong sum is caught
    assert error.startswith(f"::error file={spec_line},title=demo/add::test_add_matches_torch")
    assert "## Torch Katas: 1 / 2 points" in summary.read_text()
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert (values["points"], values["max-points"]) == ("1", "2")
    payload = json.loads(base64.b64decode(values["result"]))
    assert payload["max_score"] == 2 and payload["status"] == "fail"
    assert sum(t["score"] for t in payload["tests"]) == 1, "what the reporter adds up"
    assert {t["name"]: t["status"] for t in payload["tests"]} == {
        "demo/add": "fail",
        "demo/bug-sign": "pass",
    }


def test_regrade_against_the_template_sees_through_a_resynced_manifest(
    kata: Kata, workspace: Path, tmp_path: Path
) -> None:
    template = tmp_path / "template"
    shutil.copytree(workspace, template, ignore=shutil.ignore_patterns(".git"))
    solve_all(workspace)
    spec = workspace / "katas/01_demo/01_add/test_demo_add.py"
    spec.write_text(spec.read_text().replace("assert torch.equal", "assert True or torch.equal"))
    assert kata("sync").returncode == 0  # the student also re-signs the manifest
    local = json.loads(kata("grade", "--json", "--out", str(tmp_path / "a")).stdout)
    assert local["tampered"] == [], "a re-signed manifest fools the in-repo check..."
    again = kata("grade", "--json", "--against", str(template), "--out", str(tmp_path / "b"))
    data = json.loads(again.stdout)
    assert data["tampered"] == ["katas/01_demo/01_add/test_demo_add.py", "katas/manifest.json"]
    assert data["advisory"] is False and local["advisory"] is True
    assert by_id(data)["demo/add"]["points"] == 0 and by_id(data)["demo/bug-sign"]["points"] == 1
    assert spec.read_text().count("assert True or") == 2, "the student's files are untouched"


def test_bad_selection_exits_2(kata: Kata) -> None:
    done = kata("grade", "--select", "nope/nothing")
    assert done.returncode == 2 and "cannot grade" in done.stderr


@pytest.mark.timeout(600)  # two real grading runs of a whole track
def test_export_is_a_template_that_grades_zero_then_max(
    root: Path, tmp_path: Path, kata_at: Kata
) -> None:
    target = tmp_path / "template"
    done = kata_at(root, "export", str(target))
    assert done.returncode == 0, done.stderr
    assert not (target / "solutions").exists() and not (target / "tests").exists()
    assert not (target / ".github/workflows/ci.yml").exists()
    assert (target / ".github/workflows/classroom.yml").exists()
    assert (target / ".vscode/tasks.json").read_text() == (target / "tasks.json").read_text()
    assert (target / "katas/manifest.json").exists() and (target / "TEACHING.md").exists()
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)

    # The teacher's flow (TEACHING.md): choose what counts, re-sign, grade. One track keeps
    # this test quick; `kata verify` proves every kata's stub red and reference green.
    (target / "classroom.toml").write_text('grade = ["tensors"]\n')
    assert kata_at(target, "sync").returncode == 0
    out = tmp_path / "out"
    cat = discover(target)
    tensors = [k for k in cat.katas if k.track == "tensors"]
    zero = kata_at(target, "grade", "--out", str(out))
    data = report(out)
    assert zero.returncode == 1 and data["score"] == 0 and data["tampered"] == []
    assert data["max_score"] == sum(k.points for k in tensors)
    assert sorted(by_id(data)) == sorted(k.id for k in tensors)

    shutil.copytree(root / "solutions", target / "solutions")
    solve_all(target)
    edited = next(k for k in tensors if k.kind == "topic")
    edited.spec_file.write_text(edited.spec_file.read_text() + "\n# edited\n")
    kata_at(target, "grade", "--out", str(out))
    data = report(out)
    assert by_id(data)[edited.id]["points"] == 0
    assert data["tampered"] == [str(edited.spec_file.relative_to(target))]
    assert data["score"] == data["max_score"] - edited.points, [
        (k["id"], k["message"]) for k in data["katas"] if k["points"] != k["max_points"]
    ]
