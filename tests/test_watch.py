"""`kata watch` driven as a learner would: save, read the verdict, press keys."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from katakit.catalog import discover
from katakit.drive import Watch
from katakit.launcher import GRACE_S

ADD = Path("katas/01_demo/01_add/demo_add.py")
FIXED = (
    "import torch\n\n\ndef add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:\n"
    "    return a + b\n"
)


@pytest.fixture
def watch(start_watch: Callable[..., Watch]) -> Watch:
    return start_watch("demo/add")


def save(path: Path, text: str) -> None:
    path.write_text(text)


def test_red_fix_green_next_quit(watch: Watch, workspace: Path) -> None:
    first = watch.verdict()
    assert "▶ checking demo/add" in first and "✘ demo/add: 0/1 passed" in first
    assert "katas/01_demo/01_add/demo_add.py:12: error:" in first and "not written yet" in first

    save(workspace / ADD, FIXED)
    green = watch.verdict()
    assert "✔ demo/add: 1/1 passed, 1 skipped" in green
    assert "Press n for the next kata (demo/bug-sign)" in green

    watch.press("h")
    assert "hint 1/2: first hint" in watch.until("hint 1/2")
    watch.press("n")
    moved = watch.verdict()
    assert "demo/bug-sign: A sign bug" in moved and "✘ demo/bug-sign" in moved
    assert watch.stop() == 0
    state = (workspace / ".kata" / "state.json").read_text()
    assert '"demo/add"' in state, "a green run in watch mode counts as solved"


def test_syntax_error_and_infinite_loop_never_kill_it(watch: Watch, workspace: Path) -> None:
    watch.verdict()
    save(workspace / ADD, FIXED + "def broken(:\n")
    broken = watch.verdict()
    assert "Syntax error in katas/01_demo/01_add/demo_add.py, line 6" in broken
    assert "the spec could not load" in broken

    save(workspace / ADD, FIXED.replace("return a + b", "while True:\n        pass"))
    looped = watch.verdict()
    assert "probably an infinite loop" in looped and "✘ demo/add" in looped

    started = time.monotonic()
    save(workspace / ADD, "while True:\n    pass\n" + FIXED)  # loops at import: no test runs
    hung = watch.verdict(timeout=60)
    kata = discover(workspace).find("demo/add")
    assert f"no progress for {kata.timeout + GRACE_S:.0f} s" in hung
    assert re.search(rf"probably an infinite loop in {ADD}:[12]\b", hung), hung  # while or pass
    assert time.monotonic() - started < kata.timeout + GRACE_S + 10

    save(workspace / ADD, FIXED)
    assert "✔ demo/add" in watch.verdict(), "the watcher recovers after each of those"
    assert watch.stop() == 0


def test_checks_whichever_kata_was_saved(watch: Watch, workspace: Path) -> None:
    watch.verdict()
    bug = workspace / "katas/01_demo/02_bug_sign/demo_bug_sign.py"
    save(bug, bug.read_text() + "\n")
    assert "▶ checking demo/bug-sign" in watch.verdict()
    assert watch.stop() == 0


def test_a_new_save_cancels_a_running_check(watch: Watch, workspace: Path) -> None:
    watch.verdict()
    save(workspace / ADD, "while True:\n    pass\n" + FIXED)  # hangs until the watchdog
    watch.until("▶ checking demo/add")
    time.sleep(1.0)
    started = time.monotonic()
    save(workspace / ADD, FIXED)
    cancelled = watch.verdict(timeout=30)
    assert "cancelled by a newer save" in cancelled
    green = watch.verdict(timeout=30)
    assert "✔ demo/add" in green
    assert time.monotonic() - started < GRACE_S, "the fix did not wait for the looping run"
    assert watch.stop() == 0


def test_on_a_terminal_each_verdict_gets_a_fresh_screen_that_fits(workspace: Path) -> None:
    """Under a 100x16 pseudo-terminal: the screen is cleared before each run and a long red
    verdict is cut to the window, its headline first."""
    spec = workspace / "katas/01_demo/01_add/test_demo_add.py"
    spec.write_text(  # many distinct failures: more lines than the window has
        spec.read_text()
        + "".join(
            f"\n\ndef test_many_{n}() -> None:\n    assert add(1, {n}) == -1\n" for n in range(30)
        )
    )
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 16, 100, 0, 0))
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "TERM": "xterm", "COLUMNS": "", "LINES": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "katakit.cli", "watch", "demo/add"],
        cwd=workspace,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={k: v for k, v in env.items() if v},
    )
    os.close(follower)
    seen = b""
    try:
        end = time.monotonic() + 90
        while b"done demo/add" not in seen and time.monotonic() < end:
            if select.select([leader], [], [], 0.5)[0]:
                seen += os.read(leader, 65536)
        assert b"done demo/add" in seen, seen.decode(errors="replace")[-2000:]
        os.write(leader, b"q")
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    text = seen.decode(errors="replace")
    assert "\x1b[2J" in text, "the screen is cleared for the run"
    screen = text.rsplit("\x1b[2J", 1)[-1]
    assert "✘ demo/add" in screen and "more lines: kata check demo/add" in screen
    assert screen.count(": error:") <= 16, "cut to the window"
