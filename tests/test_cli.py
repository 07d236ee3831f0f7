"""The `kata` command as a learner meets it, in a small workspace of its own."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

Kata = Callable[..., subprocess.CompletedProcess[str]]

ADD = Path("katas/01_demo/01_add/demo_add.py")
BODY = 'raise NotImplementedError("add: the elementwise sum")'


def solve(workspace: Path) -> None:
    path = workspace / ADD
    path.write_text(
        path.read_text().replace(
            'raise NotImplementedError("add: the elementwise sum")', "return a + b"
        )
    )


def test_next_names_the_first_kata_and_how_to_check_it(kata: Kata) -> None:
    out = kata()
    assert out.returncode == 0, out.stderr
    assert "demo/add" in out.stdout and "kata check demo/add" in out.stdout
    assert "0 of 2 solved" in out.stdout


def test_list_json_keeps_its_keys(kata: Kata) -> None:
    rows = json.loads(kata("list", "--json").stdout)
    assert [r["id"] for r in rows] == ["demo/add", "demo/bug-sign"]
    for key in ("id", "title", "track", "kind", "topics", "needs", "path", "status"):
        assert key in rows[0], key
    assert rows[0]["status"] == "new" and rows[1]["kind"] == "bug"


def test_unknown_id_suggests_the_closest_and_exits_2(kata: Kata) -> None:
    out = kata("check", "demo/ad")
    assert out.returncode == 2
    assert "demo/add" in out.stderr and "No kata called 'demo/ad'" in out.stderr


def test_check_red_then_green_records_progress(kata: Kata, workspace: Path) -> None:
    red = kata("check", "demo/add")
    assert red.returncode == 1
    assert "0/1 passed" in red.stdout and "not written yet" in red.stdout
    assert "kata hint demo/add" in red.stdout
    assert "needs a CUDA GPU" not in red.stdout  # skips are quiet while red
    solve(workspace)
    green = kata("check", str(workspace / ADD))  # a path works as well as an id
    assert green.returncode == 0, green.stdout
    assert "1/1 passed, 1 skipped" in green.stdout and "GPU dev container" in green.stdout
    rows = json.loads(kata("list", "--json").stdout)
    assert rows[0]["status"] == "solved"
    assert "next bug hunt: demo/bug-sign" in kata().stdout


def test_a_syntax_error_is_reported_with_file_and_line(kata: Kata, workspace: Path) -> None:
    path = workspace / ADD
    line = len(path.read_text().splitlines()) + 2
    path.write_text(path.read_text() + "\ndef broken(:\n    pass\n")
    out = kata("check", "demo/add")
    assert out.returncode == 1
    assert f"Syntax error in {ADD}, line {line}" in out.stdout, out.stdout
    assert "Traceback" not in out.stdout


def test_an_infinite_loop_times_out_with_a_hint(kata: Kata, workspace: Path) -> None:
    path = workspace / ADD
    path.write_text(
        path.read_text().replace(
            'raise NotImplementedError("add: the elementwise sum")', "while True:\n        pass"
        )
    )
    out = kata("check", "demo/add")
    assert out.returncode == 1
    assert "probably an infinite loop" in out.stdout, out.stdout


def test_hints_are_revealed_one_at_a_time(kata: Kata) -> None:
    first = kata("hint", "demo/add").stdout
    assert "first hint" in first and "second hint" not in first
    second = kata("hint", "demo/add").stdout
    assert "second hint" in second
    assert "second hint" in kata("hint", "demo/add").stdout  # stays at the last one


def test_reset_backs_up_then_restores(kata: Kata, workspace: Path) -> None:
    path = workspace / ADD
    original = path.read_text()
    solve(workspace)
    mine = path.read_text()
    refused = kata("reset", "demo/add", stdin="n\n")
    assert refused.returncode == 1 and path.read_text() == mine
    out = kata("reset", "demo/add", "--yes")
    assert out.returncode == 0, out.stderr
    assert path.read_text() == original
    backups = list((workspace / ".kata" / "backups").rglob("demo_add.*.py"))
    assert [b.read_text() for b in backups] == [mine]
    assert "already in its original state" in kata("reset", "demo/add", "--yes").stdout


def test_reset_without_history_changes_nothing(kata: Kata, workspace: Path) -> None:
    import shutil

    shutil.rmtree(workspace / ".git")
    solve(workspace)
    mine = (workspace / ADD).read_text()
    out = kata("reset", "demo/add", "--yes")
    assert out.returncode == 1 and "Nothing changed" in out.stderr
    assert (workspace / ADD).read_text() == mine


def test_solution_only_after_green(kata: Kata, workspace: Path) -> None:
    early = kata("solution", "demo/add")
    assert early.returncode == 1 and "green first" in early.stderr
    solve(workspace)
    assert kata("check", "demo/add").returncode == 0
    shown = kata("solution", "demo/add")
    assert shown.returncode == 0 and "return a + b" in shown.stdout


def test_progress_and_doctor(kata: Kata) -> None:
    assert "0/2" in kata("progress").stdout
    doctor = kata("doctor")
    assert doctor.returncode == 0
    assert "torch" in doctor.stdout and "GPU tests   skip in 1 katas: demo/add" in doctor.stdout


def test_new_scaffolds_a_kata_that_verify_accepts(kata: Kata, workspace: Path) -> None:
    out = kata(
        "new",
        "demo/scaled",
        "--module",
        "demo_scaled",
        "--title",
        "Scale",
        "--track",
        "01_demo",
        "--topic",
        "tensors.create",
    )
    assert out.returncode == 0, out.stderr
    folder = workspace / "katas" / "01_demo" / "03_scaled"
    assert sorted(p.name for p in folder.iterdir()) == [
        "demo_scaled.py",
        "kata.toml",
        "test_demo_scaled.py",
    ]
    assert (workspace / "solutions/01_demo/03_scaled/demo_scaled.py").exists()
    for variants in ("mistakes", "alternatives"):
        assert (workspace / "solutions/01_demo/03_scaled" / variants / "README.md").exists()
    clash = kata("new", "demo/other", "--module", "json", "--title", "x", "--track", "01_demo")
    assert clash.returncode == 2 and "shadow" in clash.stderr


def test_verify_json_proves_both_ways(kata: Kata) -> None:
    out = kata("verify", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 0 and report["ok"], out.stdout
    assert {k["id"]: (k["stub"], k["solution"]) for k in report["katas"]} == {
        "demo/add": ("red", "green"),
        "demo/bug-sign": ("red", "green"),
    }


def test_verify_flags_a_stub_that_already_passes(kata: Kata, workspace: Path) -> None:
    solve(workspace)
    out = kata("verify", "demo/add", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 1 and not report["ok"]
    assert "passes on the untouched stub" in report["katas"][0]["problems"][0]


def test_mutate_json_counts_kills(kata: Kata) -> None:
    out = kata("mutate", "demo/add", "--json")
    report = json.loads(out.stdout)["katas"][0]
    assert report["id"] == "demo/add"
    assert report["mutants"] >= 1 and report["killed"] == report["mutants"], report
    assert out.returncode == 0


def test_verify_fails_when_the_manifest_is_stale(kata: Kata, workspace: Path) -> None:
    spec = workspace / "katas/01_demo/01_add/test_demo_add.py"
    spec.write_text(spec.read_text() + "\n")
    out = kata("verify", "demo/add", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 1 and not report["ok"] and report["katas"][0]["ok"]
    assert report["problems"] == ["katas/manifest.json is stale: run `kata sync`"]


def test_every_group_teaches_and_prints_show(kata: Kata, workspace: Path) -> None:
    spec = workspace / "katas/01_demo/01_add/test_demo_add.py"
    spec.write_text(
        spec.read_text()
        + "\n\n@pytest.mark.parametrize('n', [1, 2, 3, 4])\ndef test_scaled(n: int) -> None:\n"
        "    ones = torch.ones(n)\n"
        "    assert torch.equal(add(ones, ones), 2 * ones), 'wrong sum\\nthe scaled lesson'\n"
        "\n\ndef test_other() -> None:\n"
        "    assert torch.equal(add(torch.ones(1), torch.ones(1)), 2 * torch.ones(1)), "
        "'wrong again\\nthe other lesson'\n"
    )
    (workspace / ADD).write_text(
        "import torch\n\n\ndef add(a, b):\n"
        "    print('shapes', a.shape, b.shape)\n    return a - b\n"
    )
    out = kata("check", "demo/add")
    assert out.returncode == 1
    assert "test_scaled (4 cases, first [1])" in out.stdout, out.stdout
    assert "the scaled lesson" in out.stdout and "the other lesson" in out.stdout
    assert "printed by test_add_matches_torch:" in out.stdout and "shapes torch.Size" in out.stdout
    assert "differs from the original: a green here will not count" in out.stdout


def test_a_raw_torch_error_shows_the_learners_line(kata: Kata, workspace: Path) -> None:
    (workspace / ADD).write_text(
        "import torch\nimport torch.nn.functional as F\n\n\ndef add(a, b):\n"
        "    return F.one_hot(a, 3)\n"
    )
    out = kata("check", "demo/add")
    assert f"{ADD}:6: error: test_add_matches_torch: RuntimeError: one_hot" in out.stdout
    assert "your line 6: return F.one_hot(a, 3)" in out.stdout, out.stdout


def test_hint_and_solution_default_to_the_current_kata(kata: Kata, workspace: Path) -> None:
    assert "hint 1/2: first hint" in kata("hint").stdout
    assert "hint 2/2: second hint" in kata("hint").stdout
    assert "That was the last hint for demo/add" in kata("hint").stdout
    path = workspace / ADD  # solved another way, the task's docstring kept
    path.write_text(path.read_text().replace(BODY, "return torch.add(a, b)"))
    assert kata("check", "demo/add").returncode == 0
    shown = kata("solution")
    assert shown.returncode == 0 and "return a + b" in shown.stdout
    diff = shown.stdout.split("yours (code only)", 1)[1]
    assert '"""' not in diff and "Add two tensors" not in diff, "code, not docstrings"


def test_list_is_one_line_per_kata_in_80_columns(workspace: Path, kata_at: Kata) -> None:
    out = kata_at(workspace, "list", env={"COLUMNS": "80"}).stdout.splitlines()
    assert len(out) == 3 and max(len(line) for line in out) <= 80, out


def test_a_bug_is_explained_only_after_green(kata: Kata, workspace: Path) -> None:
    red = kata("check", "demo/bug-sign")
    assert red.returncode == 1 and "the bug, explained" not in red.stdout
    path = workspace / "katas/01_demo/02_bug_sign/demo_bug_sign.py"
    path.write_text(path.read_text().replace("a + b", "a - b"))
    green = kata("check", "demo/bug-sign")
    assert green.returncode == 0 and "the bug, explained" in green.stdout
    assert "It was silent because" in green.stdout


def test_verify_wants_every_bug_explained(kata: Kata, workspace: Path) -> None:
    toml = workspace / "katas/01_demo/02_bug_sign/kata.toml"
    toml.write_text(toml.read_text().split("explanation =")[0])
    report = json.loads(kata("verify", "demo/bug-sign", "--json").stdout)
    assert not report["ok"] and "explanation" in report["katas"][0]["problems"][0]


def test_the_first_screen_says_how_to_put_kata_on_path(kata: Kata, workspace: Path) -> None:
    out = kata().stdout
    assert "`kata` is not on PATH" in out and f"{workspace}/.venv/bin" in out


def test_verify_proves_mistakes_red_and_alternatives_green(kata: Kata, workspace: Path) -> None:
    report = json.loads(kata("verify", "--json").stdout)
    add, sign = report["katas"]
    assert add["mistakes"]["total"] == add["mistakes"]["rejected"] == 1
    assert add["mistakes"]["each"][0]["failing"] == ["test_add_matches_torch"]
    assert add["mistakes"]["each"][0]["what"] == "Subtracts instead of adding."
    assert add["alternatives"]["total"] == add["alternatives"]["accepted"] == 1
    assert sign["mistakes"]["rejected"] == 1 and report["ok"]
    passing = workspace / "solutions/01_demo/01_add/mistakes/passes.py"
    passing.write_text('"""Not a mistake at all."""\n\n\ndef add(a, b):\n    return a + b\n')
    wrong = workspace / "solutions/01_demo/01_add/alternatives/wrong.py"
    wrong.write_text('"""Claims to be right."""\n\n\ndef add(a, b):\n    return a * b\n')
    again = json.loads(kata("verify", "demo/add", "--json").stdout)
    problems = again["katas"][0]["problems"]
    assert not again["ok"]
    assert "mistake passes (Not a mistake at all.) passes the spec" in problems
    assert any(p.startswith("alternative wrong (Claims to be right.) fails") for p in problems)
