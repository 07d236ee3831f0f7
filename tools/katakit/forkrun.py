"""Run one kata's spec in a forked child of a warm process and read its results back early.

The parent has already imported torch (and Lightning), so a child starts in milliseconds, and
nothing the learner's code does (a syntax error, an infinite loop, a crash, global state) can
reach the parent. The child sends its results through a pipe the moment the last test has
reported, then exits without pytest's closing work (a full ``gc.collect`` over torch's heap
alone costs about 0.3 s): the learner sees the verdict first. A first timeout ends the run
too, so an infinite loop costs one timeout, not one per test.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from katakit.catalog import Kata
from katakit.results import TestResult
from katakit.runner import QUIET, base_args

# The child beats once per test phase; the parent gives up after this long without a beat:
# the kata's per-test timeout plus room for collection and the fork itself.
GRACE_S = 5.0
HEARTBEAT = b"."
DEADLINE_HINT = (
    "no progress for {seconds:.0f} s, so the run was stopped: probably an infinite loop "
    "(in code that runs at import time, or in a call the per-test timeout cannot interrupt)"
)


class _SendEarly:
    """Child-side plugin: ship the recorded results as soon as the tests are done."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.config: pytest.Config | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    def _send_and_exit(self) -> None:
        from katakit.plugin import recorder

        results = recorder(self.config).results if self.config is not None else []
        payload = json.dumps([r.to_json() for r in results]).encode()
        with os.fdopen(self.fd, "wb") as pipe:
            pipe.write(b"\n" + payload)
        os._exit(0)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            self._send_and_exit()

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from katakit.plugin import recorder

        os.write(self.fd, HEARTBEAT)
        if self.config is None or not report.failed:
            return
        results = recorder(self.config).results
        if results and results[-1].timeout:
            self._send_and_exit()


def child_args(root: Path, kata: Kata, basetemp: Path, extra: Sequence[str] = ()) -> list[str]:
    return [
        *base_args(root, "learner"),
        *QUIET,
        "-p",
        "no:xdist",
        f"--basetemp={basetemp}",
        *extra,
        str(kata.spec_file),
    ]


@dataclass
class Child:
    pid: int
    fd: int
    started: float


def start(root: Path, args: Sequence[str]) -> Child:
    """Fork a child that runs ``pytest.main(args)`` in its own process group."""
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 3
        try:
            os.close(read_fd)
            os.setpgid(0, 0)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.chdir(root)
            code = int(pytest.main(list(args), plugins=[_SendEarly(write_fd)]))
        finally:
            os._exit(code)
    os.close(write_fd)
    return Child(pid, read_fd, started)


def _reap(child: Child) -> int:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)  # the child, and any workers it left behind
    _, status = os.waitpid(child.pid, 0)
    return os.waitstatus_to_exitcode(status)


def _whole_run_failure(kata: Kata, message: str, *, timeout: bool) -> TestResult:
    return TestResult(
        path=str(kata.spec_file),
        nodeid=str(kata.spec_file),
        name="the kata run",
        outcome="error",
        exc_type="Timeout" if timeout else "Crash",
        message=message,
        timeout=timeout,
        extra={"hint": message} if timeout else {},
    )


def collect(child: Child, kata: Kata, deadline_s: float) -> list[TestResult]:
    """The child's results, or one failure saying why none came (a hang, a crash).

    ``deadline_s`` counts from the child's last sign of progress, not from its start."""
    chunks: list[bytes] = []
    end = child.started + deadline_s
    timed_out = False
    try:
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([child.fd], [], [], remaining)
            if not ready:
                continue
            data = os.read(child.fd, 1 << 16)
            if not data:
                break
            chunks.append(data)
            end = time.monotonic() + deadline_s
    finally:
        os.close(child.fd)
        code = _reap(child)
    if timed_out:
        message = DEADLINE_HINT.format(seconds=deadline_s)
        return [_whole_run_failure(kata, message, timeout=True)]
    _, newline, payload = b"".join(chunks).partition(b"\n")
    if not newline:
        message = (
            f"the run ended without a verdict (exit status {code}): did the code exit or crash?"
        )
        return [_whole_run_failure(kata, message, timeout=False)]
    return [TestResult.from_json(r) for r in json.loads(payload)]


def run_forked(root: Path, kata: Kata, basetemp: Path) -> list[TestResult]:
    child = start(root, child_args(root, kata, basetemp))
    return collect(child, kata, kata.timeout + GRACE_S)
