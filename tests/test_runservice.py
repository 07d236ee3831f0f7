"""The run service as a learner (or a careless or cheating one) meets it through the real CLI:
it never hangs, never lies, and one kata's trouble stays with that kata."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from katakit.launcher import GRACE_S

Kata = Callable[..., subprocess.CompletedProcess[str]]

ADD = Path("katas/01_demo/01_add/demo_add.py")
ADD_SPEC = Path("katas/01_demo/01_add/test_demo_add.py")
ADD_TOML = Path("katas/01_demo/01_add/kata.toml")
SIGN = Path("katas/01_demo/02_bug_sign/demo_bug_sign.py")
SIGN_SPEC = Path("katas/01_demo/02_bug_sign/test_demo_bug_sign.py")
ADD_TIMEOUT = 2  # the fixture kata's per-test timeout
BODY = 'raise NotImplementedError("add: the elementwise sum")'
SOLVED = "import torch\n\n\ndef add(a, b):\n    return a + b\n"


def learner(workspace: Path, text: str) -> None:
    (workspace / ADD).write_text(text)


def with_body(workspace: Path, body: str) -> None:
    path = workspace / ADD
    path.write_text(path.read_text().replace(BODY, body))


def solve_sign(workspace: Path) -> None:
    path = workspace / SIGN
    path.write_text(path.read_text().replace("return a + b", "return a - b"))


def statuses(kata: Kata) -> dict[str, str]:
    return {row["id"]: row["status"] for row in json.loads(kata("list", "--json").stdout)}


def grade(kata: Kata, workspace: Path) -> dict[str, int]:
    done = kata("grade", "--json", "--out", str(workspace / "out"))
    data = json.loads(done.stdout)
    return {row["id"]: row["points"] for row in data["katas"]}


class TestNeverHangs:
    def test_a_loop_at_import_time_stops_with_where_it_was(
        self, kata: Kata, workspace: Path
    ) -> None:
        learner(workspace, "while True:\n    pass\n" + SOLVED)
        started = time.monotonic()
        out = kata("check", "demo/add")
        took = time.monotonic() - started
        assert out.returncode == 1
        where = rf"probably an infinite loop in {ADD}:[12]\b"  # the `while` or its `pass`
        assert re.search(where, out.stdout), out.stdout
        assert took < ADD_TIMEOUT + GRACE_S + 10, f"took {took:.1f} s"

    def test_a_loop_in_a_function_costs_one_timeout_not_one_per_test(
        self, kata: Kata, workspace: Path
    ) -> None:
        spec = workspace / ADD_SPEC
        many = "\n\n@pytest.mark.parametrize('n', range(8))\ndef test_many(n):\n"
        spec.write_text(spec.read_text() + many + "    assert add(n, n) == 2 * n\n")
        with_body(workspace, "while True:\n        pass")
        started = time.monotonic()
        out = kata("check", "demo/add")
        took = time.monotonic() - started
        assert out.returncode == 1
        assert "probably an infinite loop" in out.stdout and f"{ADD}:1" in out.stdout, out.stdout
        assert took < ADD_TIMEOUT + GRACE_S + 10, f"9 looping tests took {took:.1f} s"

    def test_grade_survives_an_import_time_loop(self, kata: Kata, workspace: Path) -> None:
        learner(workspace, "while True:\n    pass\n")
        solve_sign(workspace)
        assert grade(kata, workspace) == {"demo/add": 0, "demo/bug-sign": 1}


class TestNeverLies:
    @pytest.mark.parametrize("exit_call", ["import os\nos._exit(0)", "import sys\nsys.exit(0)"])
    def test_exiting_at_import_is_not_green(
        self, kata: Kata, workspace: Path, exit_call: str
    ) -> None:
        learner(workspace, exit_call + "\n" + SOLVED)
        out = kata("check", "demo/add")
        assert out.returncode == 1, out.stdout
        assert "✘ demo/add" in out.stdout and "Green" not in out.stdout
        assert statuses(kata)["demo/add"] != "solved"

    def test_exiting_inside_a_test_is_not_green(self, kata: Kata, workspace: Path) -> None:
        with_body(workspace, "import os\n    os._exit(0)")
        out = kata("check", "demo/add")
        assert out.returncode == 1 and "ended before it finished" in out.stdout, out.stdout

    def test_ctrl_c_is_never_green(self, workspace: Path) -> None:
        toml = workspace / ADD_TOML
        toml.write_text(toml.read_text().replace("timeout = 2", "timeout = 60"))
        marker = workspace / "running"
        with_body(
            workspace,
            f"import pathlib, time\n    pathlib.Path({str(marker)!r}).touch()\n"
            "    time.sleep(50)\n    return a + b",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "katakit.cli", "check", "demo/add"],
            cwd=workspace,
            env={**os.environ, "NO_COLOR": "1", "CUDA_VISIBLE_DEVICES": ""},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group, as a terminal's foreground job is
        )
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:  # the slow test is running
            time.sleep(0.1)
        assert marker.exists(), "the spec never reached the slow test"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, (out, err)
        assert "Interrupted" in err and "Green" not in out
        state = workspace / ".kata" / "state.json"
        assert not state.exists() or "demo/add" not in json.loads(state.read_text())["green"]
        shown = subprocess.run(
            [sys.executable, "-m", "katakit.cli", "solution", "demo/add"],
            cwd=workspace,
            capture_output=True,
            text=True,
            check=False,
        )
        assert shown.returncode == 1 and "green first" in shown.stderr


class TestOneKataCannotReachAnother:
    def test_a_global_set_at_import_stays_in_its_own_kata(
        self, kata: Kata, workspace: Path
    ) -> None:
        spec = workspace / SIGN_SPEC
        spec.write_text(
            spec.read_text() + "\n\ndef test_float32_default() -> None:\n"
            "    assert torch.ones(1).dtype == torch.float32\n"
        )
        assert kata("sync").returncode == 0  # a maintainer's spec change, re-signed
        solve_sign(workspace)
        learner(workspace, "import torch\n\ntorch.set_default_dtype(torch.float64)\n" + SOLVED)
        assert kata("check", "demo/bug-sign").returncode == 0
        assert grade(kata, workspace) == {"demo/add": 1, "demo/bug-sign": 1}

    def test_an_exit_in_one_file_zeroes_only_its_kata_and_says_why(
        self, kata: Kata, workspace: Path
    ) -> None:
        learner(workspace, "import sys\nsys.exit(0)\n" + SOLVED)
        solve_sign(workspace)
        done = kata("grade", "--json", "--out", str(workspace / "out"))
        rows = {r["id"]: r for r in json.loads(done.stdout)["katas"]}
        assert rows["demo/bug-sign"]["points"] == 1
        assert rows["demo/add"]["points"] == 0 and rows["demo/add"]["message"], rows


class TestOneBrokenKataBreaksNothingElse:
    def test_a_deleted_spec(self, kata: Kata, workspace: Path) -> None:
        (workspace / SIGN_SPEC).unlink()
        self.still_works(kata, workspace, "test_demo_bug_sign.py")

    def test_a_bad_value_in_kata_toml(self, kata: Kata, workspace: Path) -> None:
        toml = workspace / "katas/01_demo/02_bug_sign/kata.toml"
        toml.write_text(toml.read_text().replace("minutes = 5", 'minutes = "five"'))
        out = self.still_works(kata, workspace, "kata.toml")
        assert "`minutes` must be a whole number" in out

    def still_works(self, kata: Kata, workspace: Path, file: str) -> str:
        listed = kata("list", "--json")
        assert listed.returncode == 0, listed.stderr
        rows = {r["id"]: r for r in json.loads(listed.stdout)}
        sign = rows["demo/bug-sign"]
        assert sign["status"] == "broken" and file in sign["error"]
        assert kata("list").returncode == 0 and "broken" in kata("list").stdout
        assert kata().returncode == 0 and kata("doctor").returncode == 0
        check = kata("check", "demo/bug-sign")
        assert check.returncode == 2 and "kata reset demo/bug-sign" in check.stderr
        with_body(workspace, "return a + b")
        graded = grade(kata, workspace)
        assert graded == {"demo/add": 1, "demo/bug-sign": 0}, "the broken kata keeps its max"
        reset = kata("reset", "demo/bug-sign", "--yes")
        assert reset.returncode == 0 and file in reset.stdout, reset.stderr
        assert statuses(kata)["demo/bug-sign"] == "new"
        return str(sign["error"])

    def test_a_deleted_learner_file_is_listed_and_reset_restores_it(
        self, kata: Kata, workspace: Path
    ) -> None:
        original = (workspace / ADD).read_text()
        (workspace / ADD).unlink()
        assert kata().returncode == 0
        assert statuses(kata)["demo/add"] == "broken"
        out = kata("reset", "demo/add", "--yes")
        assert out.returncode == 0 and "Restored katas/01_demo/01_add/demo_add.py" in out.stdout
        assert "already" not in out.stdout
        assert (workspace / ADD).read_text() == original

    def test_a_file_that_is_not_utf8_is_read(self, kata: Kata, workspace: Path) -> None:
        (workspace / ADD).write_bytes(b"# caf\xe9\n" + SOLVED.encode())
        assert kata().returncode == 0
        out = kata("check", "demo/add")
        assert out.returncode in (0, 1) and "demo/add" in out.stdout, out.stderr
        assert "Traceback" not in out.stdout + out.stderr
        assert "demo/add" in kata("list").stdout


class TestProgress:
    def test_two_checks_at_once_are_both_recorded(self, workspace: Path) -> None:
        with_body(workspace, "return a + b")
        solve_sign(workspace)
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "katakit.cli", "check", kid],
                cwd=workspace,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for kid in ("demo/add", "demo/bug-sign")
        ]
        assert [p.wait(timeout=120) for p in procs] == [0, 0]
        state = json.loads((workspace / ".kata" / "state.json").read_text())
        assert sorted(state["green"]) == ["demo/add", "demo/bug-sign"]

    def test_a_green_run_from_plain_pytest_counts(self, kata: Kata, workspace: Path) -> None:
        with_body(workspace, "return a + b")
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}

        def pytest_run(*args: str) -> int:
            cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
            return subprocess.run(cmd, cwd=workspace, env=env, capture_output=True).returncode

        assert pytest_run(f"{ADD_SPEC}::test_add_matches_torch") == 0
        assert statuses(kata)["demo/add"] != "solved", "one test of the spec is not the spec"
        assert pytest_run(str(ADD_SPEC)) == 0  # what the Test Explorer runs
        assert statuses(kata)["demo/add"] == "solved"
        assert "1/2" in kata("progress").stdout


def test_select_by_track_or_id_prefix(kata: Kata, workspace: Path) -> None:
    assert kata("grade", "--select", "bugs", "--out", str(workspace / "o")).returncode == 1
    data = json.loads((workspace / "o" / "grade.json").read_text())
    assert [k["id"] for k in data["katas"]] == ["demo/bug-sign"]


def test_a_kata_built_on_another_says_when_that_one_is_red(kata: Kata, workspace: Path) -> None:
    spec = workspace / SIGN_SPEC  # demo/bug-sign now builds on the learner's demo/add
    spec.write_text("from demo_add import add  # noqa: F401\n" + spec.read_text())
    out = kata("check", "demo/bug-sign")
    assert "this kata uses your demo/add, which is not solved yet" in out.stdout, out.stdout
    with_body(workspace, "return a + b")
    assert kata("check", "demo/add").returncode == 0
    assert "this kata uses" not in kata("check", "demo/bug-sign").stdout


def test_a_stray_test_file_in_a_kata_folder_breaks_nothing(kata: Kata, workspace: Path) -> None:
    (workspace / "katas/01_demo/01_add/test_mine.py").write_text("def test_mine():\n    pass\n")
    rows = {r["id"]: r for r in json.loads(kata("list", "--json").stdout)}
    assert rows["demo/add"]["status"] != "broken", rows["demo/add"]
    assert "demo/add: 0/1 passed" in kata("check", "demo/add").stdout
