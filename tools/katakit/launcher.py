"""The run service: every command that runs a kata's spec (check, watch, verify, grade, mutate)
goes through ``run``: (jobs: kata, implementation, overrides) -> one ``KataRun`` per job.

One policy for all of them:

- Each job runs in its own process, forked from this interpreter after it has imported what the
  specs need (torch, Lightning, pytest): a child starts in milliseconds, and nothing a learner
  file does at import or run time (a loop, an exit, ``torch.set_default_dtype``) reaches the
  parent or another kata. Each child is its own process group; the parent kills the group.
- The child reports through a pipe, one JSON line at a time: the tests it collected, each
  result as it comes, and ``done`` at the end. Every line counts as progress.
- A kata stops at its first per-test timeout (pytest-timeout interrupts the test). A watchdog
  covers what that cannot: no progress for the kata's timeout plus ``GRACE_S`` (a loop at import
  time, in collection, or inside a C call) stops the child, after asking it (SIGUSR1, through
  ``faulthandler``) where it was, so the learner reads "probably an infinite loop in FILE:LINE".
- A run that did not finish is never green: a child that exits or crashes before ``done``, a
  run that reports fewer tests than it collected, a killed child, or Ctrl-C in the parent
  (``Interrupted``, exit 130) each add a failing result that says what happened.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import importlib
import json
import os
import re
import select
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from katakit import guard
from katakit.catalog import Catalog, Kata
from katakit.resolver import Impl
from katakit.results import RUN_NAME, TestResult, Verdict

GRACE_S = 5.0  # the watchdog's margin over a kata's per-test timeout
DUMP_WAIT_S = 2.0  # at most this long for a hung child to write where it was
# Only the plugins a spec needs (no third-party autoload: anyio, xdist, whatever else is
# installed); short tracebacks (still enough to find the failing line, much cheaper to build).
PLUGINS = ["-p", "pytest_timeout", "-p", "no:cacheprovider"]
QUIET = ["-q", "--tb=short", *PLUGINS]
HUNG = (
    "no progress for {seconds:.0f} s, so the run was stopped: probably an infinite loop{where} "
    "(in code that runs at import time, or in a call the per-test timeout cannot interrupt)"
)
_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+)', re.M)


class Ending(StrEnum):
    """How a child's run ended."""

    FINISHED = "finished"  # pytest ran every collected test and said so
    STOPPED = "stopped"  # stopped on purpose: a per-test timeout, or the first failure asked for
    HUNG = "hung"  # the watchdog: no progress for the kata's timeout plus the grace
    EXITED = "exited"  # the child ended without saying it was done: an exit, a crash, a kill
    INCOMPLETE = "incomplete"  # done, but fewer tests reported than collected
    INTERRUPTED = "interrupted"  # Ctrl-C in the parent


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run: every child was stopped; nothing counts."""


@dataclass(frozen=True)
class Job:
    kata: Kata
    impl: Impl = Impl.LEARNER
    overrides: tuple[tuple[str, Path], ...] = ()  # (module, file) pairs: a mutant, say
    first_failure: bool = False  # stop at the first failing test (mutants need one)
    verbose: bool = False  # pytest's own output on this terminal (one job at a time)
    collect_only: bool = False  # only the test ids (the trusted grade's reference list)
    canary: Path | None = None  # a spec whose one test must fail (the trusted grade's check)


@dataclass
class KataRun:
    job: Job
    results: list[TestResult]
    ending: Ending
    exit_code: int | None  # the child's exit status; None when it was killed
    seconds: float
    collected: list[str] = field(default_factory=list)

    @property
    def kata(self) -> Kata:
        return self.job.kata

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.job.kata, self.results)

    @property
    def green(self) -> bool:
        return self.ending in (Ending.FINISHED, Ending.STOPPED) and self.verdict.green


# --- the parent's preparation ----------------------------------------------------------------


def third_party_imports(katas: Iterable[Kata], own: set[str]) -> list[str]:
    """Top-level modules the katas' specs and learner files import, except kata modules."""
    import ast

    names: set[str] = set()
    for kata in katas:
        for path in (kata.spec_file, kata.learner_file):
            try:
                tree = ast.parse(path.read_bytes())
            except (OSError, SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(a.name for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] not in own)


_warmed: set[str] = set()


def warm(catalog: Catalog, katas: Iterable[Kata]) -> None:
    """Import, once in this process, what the children will need: each fork then starts warm.
    Kata modules are never imported here, so every child imports the implementation afresh."""
    import pytest_timeout  # type: ignore[import-untyped]  # noqa: F401
    import torch

    torch.set_num_threads(1)
    katas = list(katas)
    names = third_party_imports(katas, set(catalog.by_module()))
    if any("lightning" in k.needs for k in katas):
        names.insert(0, "lightning")
    fresh = [n for n in names if n not in _warmed]
    for name in fresh:
        _warmed.add(name)
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    if fresh and len(katas) > 1:
        gc.collect()
        gc.freeze()  # the children share these pages instead of copying them on first gc


# --- the child -------------------------------------------------------------------------------


class _Reporter:
    """Child-side plugin: every collected id and every result, through the pipe, as they come;
    ``done`` right after the last test (pytest's closing work is skipped: a full gc over torch's
    heap alone costs ~0.3 s). A per-test timeout ends the run there."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.config: Any = None
        self.sent = 0

    def _send(self, **message: object) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.fd, data) :]

    def _flush_results(self) -> bool:
        """Send the results recorded since the last call; True when one was a timeout."""
        from katakit.plugin import recorder

        results = recorder(self.config).results if self.config is not None else []
        fresh, self.sent = results[self.sent :], len(results)
        for result in fresh:
            self._send(result=result.to_json())
        return any(r.timeout for r in fresh)

    def _done(self, stopped: bool) -> None:
        self._flush_results()
        self._send(done={"stopped": stopped})
        os._exit(0)

    def pytest_configure(self, config: Any) -> None:
        self.config = config

    def pytest_collection_finish(self, session: Any) -> None:
        self._send(collected=[item.nodeid for item in session.items])

    @pytest.hookimpl(trylast=True)
    def pytest_collectreport(self, report: Any) -> None:
        self._flush_results()

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: Any) -> None:
        if self._flush_results():
            self._done(stopped=True)
        self._send(beat=report.when)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtestloop(self, session: Any) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            self._done(stopped=bool(session.shouldstop))


def pytest_args(root: Path, job: Job, basetemp: Path) -> list[str]:
    args = ["--rootdir", str(root), "-c", str(root / "pyproject.toml")]
    args += [f"--impl={job.impl.value}", "--kata-service", f"--basetemp={basetemp}"]
    args += PLUGINS if job.verbose else QUIET
    args += [f"--kata-override={module}={path}" for module, path in job.overrides]
    args += ["-x"] if job.first_failure else []
    args += ["--collect-only"] if job.collect_only else []
    args += ["--noconftest"]  # a conftest.py a learner adds (or writes) never joins in
    args.append(str(job.kata.spec_file))
    return args + ([str(job.canary)] if job.canary is not None else [])


def _child(root: Path, job: Job, write_fd: int, scratch: Path) -> int:  # pragma: no cover
    """Runs in the forked child: never returns."""
    code = 3
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0,) if job.verbose else (0, 1, 2):
            os.dup2(devnull, fd)
        dump = open(scratch / "where.txt", "w")  # noqa: SIM115 - open until the child ends
        faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)
        os.chdir(scratch / "cwd")  # paths are absolute: a relative write lands in scratch
        harden()
        args = pytest_args(root, job, scratch / "tmp")
        code = int(pytest.main(args, plugins=[_Reporter(write_fd)]))
    finally:
        os._exit(code)


def harden() -> None:  # pragma: no cover - in the child
    """Before any learner code: only the trusted install's plugins and settings, no module
    from the working folder shadowing a real one, and the offline guard."""
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONSTARTUP"):
        os.environ.pop(name, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ["PYTHONSAFEPATH"] = "1"  # Python subprocesses: no script folder on sys.path
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # no cached bytecode a later run could pick up
    sys.dont_write_bytecode = True
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    os.environ.update(guard.with_guard({}))
    guard.install()


# --- the parent's loop -----------------------------------------------------------------------


@dataclass
class _Live:
    index: int
    job: Job
    pid: int
    fd: int
    scratch: Path
    started: float
    last_seen: float
    buffer: bytes = b""
    results: list[TestResult] = field(default_factory=list)
    collected: list[str] | None = None
    done: dict[str, Any] | None = None
    status: int | None = None  # from waitpid, once reaped

    @property
    def deadline(self) -> float:
        return self.last_seen + self.job.kata.timeout + GRACE_S

    def feed(self, data: bytes) -> None:
        self.last_seen = time.monotonic()
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # not the reporter's: ignored
            if not isinstance(message, dict):
                continue
            if "result" in message:
                self.results.append(TestResult.from_json(message["result"]))
            elif "collected" in message:
                self.collected = list(message["collected"])
            elif "done" in message:
                self.done = dict(message["done"])


def _start(root: Path, index: int, job: Job, scratch_root: Path) -> _Live:
    scratch = scratch_root / str(index)
    (scratch / "tmp").mkdir(parents=True)
    (scratch / "cwd").mkdir()
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        _child(root, job, write_fd, scratch)
    os.close(write_fd)
    now = time.monotonic()
    return _Live(index, job, pid, read_fd, scratch, now, now)


def _kill(live: _Live) -> int | None:
    """Stop the child's whole group (helpers it forked too) and reap it: its exit status, or
    None when it had to be killed."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(live.pid, signal.SIGKILL)
    if live.status is None:
        _, live.status = os.waitpid(live.pid, 0)
    with contextlib.suppress(OSError):
        os.close(live.fd)
    if os.WIFSIGNALED(live.status) and os.WTERMSIG(live.status) == signal.SIGKILL:
        return None
    return os.waitstatus_to_exitcode(live.status)


def _exited(live: _Live) -> bool:
    """Has the child itself ended? (A helper it left behind may still hold the pipe open.)
    Reads what it wrote before it went."""
    pid, status = os.waitpid(live.pid, os.WNOHANG)
    if pid == 0:
        return False
    live.status = status
    while select.select([live.fd], [], [], 0)[0]:
        data = os.read(live.fd, 1 << 16)
        if not data:
            break
        live.feed(data)
    return True


def _where(live: _Live, root: Path) -> tuple[str, int] | None:
    """The innermost frame of the hung child in the kata's own files (faulthandler's dump)."""
    try:
        text = (live.scratch / "where.txt").read_text(errors="replace")
    except OSError:
        return None
    own = {str(p) for _, p in live.job.overrides}
    homes = (str(root / "katas"), str(root / "solutions"))
    for file, line in _FRAME.findall(text):  # most recent call first
        if file in own or (file.startswith(homes) and "katakit" not in file):
            return file, int(line)
    return None


def _whole_run(
    job: Job, message: str, kind: str, where: tuple[str, int] | None = None
) -> TestResult:
    return TestResult(
        path=str(job.kata.spec_file),
        nodeid=f"{job.kata.spec_file}::<run>",
        name=RUN_NAME,
        outcome="error",
        exc_type=kind,
        message=message,
        timeout=kind == "Timeout",
        location=where,
        extra={"hint": message} if kind == "Timeout" else {},
    )


def _hung(live: _Live, root: Path) -> KataRun:
    with contextlib.suppress(ProcessLookupError):
        os.kill(live.pid, signal.SIGUSR1)  # faulthandler writes where it is
        end = time.monotonic() + DUMP_WAIT_S
        while time.monotonic() < end and not _where(live, root):
            time.sleep(0.02)
    where = _where(live, root)
    code = _kill(live)
    seconds = live.job.kata.timeout + GRACE_S
    shown = f" in {_relative(where[0], root)}:{where[1]}" if where else ""
    failure = _whole_run(live.job, HUNG.format(seconds=seconds, where=shown), "Timeout", where)
    return _finish(live, Ending.HUNG, code, [failure])


def _relative(file: str, root: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(Path(file).relative_to(root))
    return file


def _ended(live: _Live) -> KataRun:
    """The pipe closed: the child finished, or died."""
    code = _kill(live)
    if live.done is None:
        status = "killed" if code is None else f"exit status {code}"
        message = (
            f"the run ended before it finished ({status}): did the code call sys.exit() or "
            "os._exit(), or crash the interpreter? No result of this run counts."
        )
        return _finish(live, Ending.EXITED, code, [_whole_run(live.job, message, "Crash")])
    reported = {r.nodeid for r in live.results}
    missing = [n for n in live.collected or [] if n not in reported]
    if live.done.get("stopped"):
        return _finish(live, Ending.STOPPED, code, [])
    if missing:
        message = (
            f"{len(missing)} of {len(live.collected or [])} collected tests never reported a "
            f"result (first: {missing[0].split('::')[-1]}): the run did not finish."
        )
        return _finish(live, Ending.INCOMPLETE, code, [_whole_run(live.job, message, "Crash")])
    return _finish(live, Ending.FINISHED, code, [])


def _finish(live: _Live, ending: Ending, code: int | None, extra: list[TestResult]) -> KataRun:
    shutil.rmtree(live.scratch, ignore_errors=True)
    return KataRun(
        job=live.job,
        results=[*live.results, *extra],
        ending=ending,
        exit_code=code,
        seconds=time.monotonic() - live.started,
        collected=list(live.collected or []),
    )


def run(
    catalog: Catalog,
    jobs: Sequence[Job],
    *,
    workers: int = 1,
    on_run: Callable[[KataRun], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[KataRun]:
    """Run every job, ``workers`` children at a time; the runs come back in the jobs' order,
    and ``on_run`` sees each as it ends. Ctrl-C stops every child and raises ``Interrupted``;
    so does ``cancel`` answering yes (it is asked a few times a second: a newer save)."""
    root = catalog.root
    warm(catalog, {j.kata for j in jobs})
    done: list[KataRun | None] = [None] * len(jobs)
    pending = deque(enumerate(jobs))
    running: dict[int, _Live] = {}
    scratch_root = Path(tempfile.mkdtemp(prefix="kata-run-"))

    def settle(run: KataRun, live: _Live) -> None:
        del running[live.fd]
        done[live.index] = run
        if on_run is not None:
            on_run(run)

    try:
        while pending or running:
            while pending and len(running) < max(workers, 1):
                index, job = pending.popleft()
                live = _start(root, index, job, scratch_root)
                running[live.fd] = live
            wait = min(live.deadline for live in running.values()) - time.monotonic()
            ready, _, _ = select.select(list(running), [], [], max(0.0, min(wait, 0.25)))
            for fd in ready:
                live = running[fd]
                data = os.read(fd, 1 << 16)
                live.feed(data)
                if not data or live.done is not None:  # ended, or said it is done
                    settle(_ended(live), live)
            if cancel is not None and cancel():
                raise KeyboardInterrupt
            now = time.monotonic()
            for live in list(running.values()):
                if now > live.deadline:
                    settle(_hung(live, root), live)
                elif _exited(live):
                    settle(_ended(live), live)
    except KeyboardInterrupt as err:
        for live in list(running.values()):
            _kill(live)
        raise Interrupted from err
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)
    return [r for r in done if r is not None]


def run_one(catalog: Catalog, job: Job, cancel: Callable[[], bool] | None = None) -> KataRun:
    return run(catalog, [job], cancel=cancel)[0]


def default_workers(jobs: int) -> int:
    return max(1, min(jobs, os.cpu_count() or 1))
