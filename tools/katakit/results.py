"""Per-test results from pytest reports, and one verdict per kata built from them."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from katakit.catalog import Catalog, Kata

TIMEOUT_MARK = "from pytest-timeout"
GPU_SKIP_PROPERTY = "kata_gpu_skip"  # set on a test skipped for want of a CUDA GPU
RUN_NAME = "the kata run"  # a result about the whole run: stopped, crashed, interrupted
OUTPUT_CAP = 4000  # characters of a test's printed output kept in its result
TEACHING_LINES = 8  # lines of a failure's teaching message shown per group
OUTPUT_LINES = 10  # lines of the first failing test's output shown
_EXC_LINE = re.compile(r"^E\s+([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))\b", re.M)
_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')
_SYNTAX_MSG = re.compile(r"^E\s+SyntaxError: (.*)$", re.M)
_CRASH_TYPE = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")


@dataclass
class TestResult:
    """One test (or one spec that failed to collect) and how it ended."""

    path: str  # the spec file, absolute
    nodeid: str
    name: str  # test function name, "" for a collection error
    outcome: str  # passed | failed | skipped | error
    exc_type: str = ""
    message: str = ""
    timeout: bool = False
    location: tuple[str, int] | None = None  # where it went wrong, in the kata's own files
    duration: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    gpu_skip: bool = False  # skipped only because no CUDA GPU is visible: neither red nor green
    output: str = ""  # what the test printed (stdout, then stderr), capped at OUTPUT_CAP

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> TestResult:
        loc = raw.get("location")
        raw = {**raw, "location": tuple(loc) if loc else None}
        return cls(**raw)


def _crash_message(longrepr: Any) -> str:
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # skip: (file, line, reason)
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def kata_frame(longrepr: Any, invocation_dir: Path) -> tuple[str, int] | None:
    """The innermost traceback frame in a kata's own files (learner file or spec)."""
    entries = getattr(getattr(longrepr, "reprtraceback", None), "reprentries", [])
    found = None
    for entry in entries:
        loc = getattr(entry, "reprfileloc", None)
        if loc is None:
            continue
        path = (invocation_dir / str(loc.path)).resolve()
        if "katas" in path.parts and "katakit" not in path.parts:
            found = (str(path), int(loc.lineno))
    return found


def teaching_part(message: str) -> str:
    """The message a spec wrote, without pytest's re-evaluation of the assert expression."""
    text = message.removeprefix("AssertionError: ")
    text = text.split("\nassert ", 1)[0]
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("+  where")]
    return "\n".join(lines[:12]).strip()


def from_test_report(report: Any, invocation_dir: Path | None = None) -> TestResult | None:
    """A result for the phase that decided the test: the call, or a failing setup/teardown."""
    if report.when != "call" and report.passed:
        return None
    if report.when == "teardown" and not report.failed:
        return None
    message = _crash_message(report.longrepr) if report.longrepr else ""
    exc_type = ""
    if report.failed:
        match = _CRASH_TYPE.match(message)
        exc_type = match.group(1) if match else "AssertionError"
        if message.startswith("assert "):
            exc_type = "AssertionError"
    timeout = TIMEOUT_MARK in message
    outcome = report.outcome
    if report.failed and report.when != "call":
        outcome = "error"
    name = report.nodeid.split("::")[-1]
    gpu_skip = bool(report.skipped) and any(
        key == GPU_SKIP_PROPERTY for key, _ in getattr(report, "user_properties", ())
    )
    return TestResult(
        path=str(report.fspath),
        nodeid=report.nodeid,
        name=name,
        outcome=outcome,
        exc_type="Timeout" if timeout else exc_type,
        message=message if report.skipped else teaching_part(message),
        timeout=timeout,
        location=kata_frame(report.longrepr, invocation_dir or Path.cwd())
        if report.failed
        else None,
        duration=float(getattr(report, "duration", 0.0)),
        gpu_skip=gpu_skip,
        output=(report.capstdout + report.capstderr)[:OUTPUT_CAP] if report.failed else "",
    )


def from_collect_report(report: Any) -> TestResult:
    """A spec file that could not even be imported: a syntax error, a missing name, ..."""
    text = str(report.longrepr)
    types = _EXC_LINE.findall(text)
    exc_type = types[-1] if types else ("ImportError" if "ImportError" in text else "Error")
    location = None
    message = text.strip().splitlines()[-1] if text.strip() else ""
    if exc_type == "SyntaxError" or "SyntaxError" in text:
        exc_type = "SyntaxError"
        files = _FILE_LINE.findall(text)
        if files:
            location = (files[-1][0], int(files[-1][1]))
        found = _SYNTAX_MSG.findall(text)
        message = found[-1] if found else message
    elif types:
        found = re.findall(rf"^E\s+{re.escape(exc_type)}: (.*)$", text, re.M)
        message = found[-1] if found else message
    return TestResult(
        path=str(report.fspath),
        nodeid=report.nodeid,
        name="",
        outcome="error",
        exc_type=exc_type,
        message=message,
        location=location,
    )


@dataclass
class Verdict:
    kata: Kata
    results: list[TestResult]

    @property
    def ran(self) -> list[TestResult]:
        return [r for r in self.results if r.outcome != "skipped"]

    @property
    def passed(self) -> int:
        return sum(r.outcome == "passed" for r in self.results)

    @property
    def skipped(self) -> list[TestResult]:
        return [r for r in self.results if r.outcome == "skipped"]

    @property
    def failures(self) -> list[TestResult]:
        return [r for r in self.results if r.outcome in ("failed", "error")]

    @property
    def green(self) -> bool:
        return bool(self.ran) and not self.failures

    def headline(self) -> str:
        if self.failures and all(r.name == "" for r in self.results):
            return f"{self.kata.id}: the spec could not load, so no test ran"
        if self.failures and all(r.name == RUN_NAME for r in self.failures) and not self.passed:
            return f"{self.kata.id}: the run was stopped before any test finished"
        total = len(self.ran)
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return f"{self.kata.id}: {self.passed}/{total} passed{skipped}"

    def first_failure_text(self, root: Path | None = None) -> str:
        return failure_text(self.failures[0], root) if self.failures else ""

    def problem_lines(self, root: Path) -> list[str]:
        """``path:line: error: message`` lines for editors' problem matchers: one per place and
        test (its parametrised cases counted together), each with its teaching message, and the
        learner's own line when the failure happened in it."""
        groups: dict[tuple[str, str], list[TestResult]] = {}
        for result in self.failures:
            file, line = result.location or (str(self.kata.spec_file), 1)
            where = f"{_relative(Path(file), root)}:{line}"
            groups.setdefault((where, base_name(result.name)), []).append(result)
        lines: list[str] = []
        for (where, base), members in groups.items():
            first = members[0]
            head, _, rest = failure_text(first, root).partition("\n")
            if len(members) > 1 and first.name.startswith(base):
                case = first.name[len(base) :]
                head = head.replace(first.name, f"{base} ({len(members)} cases, first {case})", 1)
            lines.append(f"{where}: error: {head}")
            mine = self._learner_line(first)
            if mine is not None:
                lines.append(f"    your line {mine[0]}: {mine[1]}")
            teaching = rest.splitlines()
            lines += ["    " + ln for ln in teaching[:TEACHING_LINES]]
            if len(teaching) > TEACHING_LINES:
                lines.append(f"    … {len(teaching) - TEACHING_LINES} more lines: kata check -v")
        return lines

    def _learner_line(self, result: TestResult) -> tuple[int, str] | None:
        """(line, source) of the learner's line where ``result`` failed, when it failed there."""
        if result.location is None or result.exc_type in ("SyntaxError", "NotImplementedError"):
            return None  # a syntax error names its line already; a stub's raise says nothing
        file, line = result.location
        if Path(file).resolve() != self.kata.learner_file.resolve():
            return None
        try:
            text = self.kata.learner_file.read_text(errors="replace").splitlines()
        except OSError:
            return None
        return (line, text[line - 1].strip()) if 0 < line <= len(text) else None

    def output_lines(self) -> list[str]:
        """What the first failing test that printed anything printed, capped."""
        first = next((r for r in self.failures if r.output.strip()), None)
        if first is None:
            return []
        printed = first.output.rstrip().splitlines()
        lines = [f"printed by {first.name}:"] + ["  " + ln for ln in printed[:OUTPUT_LINES]]
        if len(printed) > OUTPUT_LINES:
            lines.append(f"  … {len(printed) - OUTPUT_LINES} more lines: kata check -v")
        return lines

    def one_line(self) -> str:
        if self.green:
            return f"{self.headline()} - green. Next: `kata next`"
        return (
            f"{self.headline()} - {self.first_failure_text()} (stuck? `kata hint {self.kata.id}`)"
        )


def base_name(name: str) -> str:
    """A test's name without its parameters: ``test_x[3-cpu]`` -> ``test_x``."""
    return name.split("[", 1)[0]


def failure_text(first: TestResult, root: Path | None = None) -> str:
    """What went wrong in one test, as the learner should read it; when it uses another kata's
    unsolved code, that comes first."""
    text = _failure_text(first, root)
    uses = first.extra.get("uses")
    if not uses:
        return text
    return f"{first.name}: {uses}\nthe failure itself: {text}"


def _failure_text(first: TestResult, root: Path | None = None) -> str:
    if first.exc_type == "SyntaxError" and first.location:
        file, line = first.location
        shown = _relative(Path(file), root)
        return f"Syntax error in {shown}, line {line}: {first.message}"
    if first.name == "":
        return f"The spec could not import your code: {first.exc_type}: {first.message}"
    if first.timeout:
        hint = str(first.extra.get("hint", "timed out: probably an infinite loop"))
        if first.location:
            file, line = first.location
            hint += f" It was running {_relative(Path(file), root)}:{line}."
        return f"{first.name}: {hint}"
    if first.name == RUN_NAME:
        return first.message
    if first.exc_type == "NotImplementedError":
        pointer = first.message.removeprefix("NotImplementedError: ")
        return f"{first.name}: not written yet ({pointer})"
    return f"{first.name}: {first.message}"


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def kata_verdicts(catalog: Catalog, results: list[TestResult]) -> list[Verdict]:
    by_spec = {str(k.spec_file.resolve()): k for k in catalog.katas}
    grouped: dict[str, list[TestResult]] = {}
    for result in results:
        kata = by_spec.get(str((catalog.root / result.path).resolve()))  # relative: to root
        if kata is not None:
            grouped.setdefault(kata.id, []).append(result)
    return [Verdict(k, grouped[k.id]) for k in catalog.katas if k.id in grouped]
