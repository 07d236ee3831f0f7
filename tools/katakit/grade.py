"""`kata grade`: score every (or every chosen) kata for a class, as GitHub Actions shows it.

A kata earns its ``points`` when its spec is green: every test that ran passed. There is no
partial credit per test. Tests skipped because no CUDA GPU is visible neither earn nor cost
anything; a kata with nothing but such tests leaves the maximum too. Any other skip (say a
``pytest.skip()`` slipped into the learner's code) counts as a failure: skipped tests earning
points is the classic autograder trap. A kata whose spec or metadata differs from the committed
manifest scores zero, and so does every kata when the harness itself was changed.
"""

from __future__ import annotations

import base64
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from katakit.catalog import Catalog, Kata, UnknownKata
from katakit.launcher import Job, default_workers, run
from katakit.pristine import load_manifest
from katakit.results import RUN_NAME, TestResult, Verdict, failure_text
from katakit.tamper import TamperReport, check

SELECTION_FILE = "classroom.toml"


class SelectionError(ValueError):
    pass


def broken_katas(catalog: Catalog) -> list[Kata]:
    """Each broken kata the manifest knows, as a kata worth its recorded points: graded, it
    scores 0 with the reason, so breaking a kata never shrinks the maximum."""
    entries = load_manifest(catalog.root)["katas"]
    out = []
    for broken in catalog.broken:
        entry = entries.get(broken.id)
        if entry is None:
            continue  # a folder the template never had: not graded
        learner = next((f for f in entry["files"] if not Path(f).name.startswith("test_")), "")
        module = Path(learner).stem if learner.endswith(".py") else broken.id
        out.append(
            Kata(
                id=broken.id,
                title="(broken)",
                track=broken.folder.parent.name.split("_", 1)[-1],
                kind="topic",
                topics=(),
                minutes=0,
                level=1,
                needs=(),
                hints=(),
                requires=(),
                points=entry["points"],
                timeout=0,
                folder=broken.folder,
                module=module,
                solution_dir=broken.folder,
                broken=broken.error,
            )
        )
    return out


def select(catalog: Catalog, entries: Sequence[str] | None) -> list[Kata]:
    """The katas to grade: ``entries`` (kata ids, paths, track names such as ``tensors``, id
    prefixes such as ``arch`` or ``bugs``), else the ``grade`` list of classroom.toml, else
    every kata."""
    if entries is None:
        config = catalog.root / SELECTION_FILE
        if not config.exists():
            return [*catalog.katas, *broken_katas(catalog)]
        try:
            raw = tomllib.loads(config.read_text()).get("grade", [])
        except tomllib.TOMLDecodeError as err:
            raise SelectionError(f"{SELECTION_FILE}: {err}") from err
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise SelectionError(f"{SELECTION_FILE}: `grade` must be a list of ids or tracks")
        entries = raw
    everything = [*catalog.katas, *broken_katas(catalog)]
    groups = catalog.groups()
    chosen: set[str] = set()
    for entry in entries:
        if entry in groups:
            chosen.update(k.id for k in groups[entry])
            continue
        broken = catalog.find_broken(entry)
        if broken is not None:
            chosen.add(broken.id)
            continue
        try:
            chosen.add(catalog.find(entry).id)
        except UnknownKata as err:
            raise SelectionError(f"cannot grade {entry!r}: {err}") from err
    return [k for k in everything if k.id in chosen]


@dataclass
class KataGrade:
    kata: Kata
    verdict: Verdict
    tampered: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # the static scan's lines (trusted grade)
    forged: str = ""  # why the run's own report cannot be trusted (trusted grade)

    @property
    def gpu_skipped(self) -> int:
        return sum(r.gpu_skip for r in self.verdict.results)

    @property
    def counted(self) -> list[TestResult]:
        """The tests that count: all but the GPU tests skipped for want of a GPU."""
        return [r for r in self.verdict.results if not r.gpu_skip]

    @property
    def in_play(self) -> bool:
        return bool(self.counted) or not self.verdict.results

    @property
    def green(self) -> bool:
        return bool(self.counted) and all(r.outcome == "passed" for r in self.counted)

    @property
    def points(self) -> int:
        return self.kata.points if self.green and not self.tampered and not self.forged else 0

    @property
    def max_points(self) -> int:
        return self.kata.points if self.in_play else 0

    def why(self, root: Path) -> str:
        if self.forged:
            return f"scores 0: {self.forged}"
        if self.tampered:
            return "scores 0: changed from the original: " + ", ".join(self.tampered)
        if not self.in_play:
            return f"not graded here: all {self.gpu_skipped} tests need a CUDA GPU"
        if self.green:
            return "green"
        bad = [r for r in self.counted if r.outcome != "passed"]
        if not self.verdict.results:
            return "no test ran"
        first = bad[0]
        if first.outcome == "skipped":
            return f"{first.name} was skipped, and only missing-GPU skips are allowed"
        text = failure_text(first, root).splitlines()[0]
        return text if len(text) <= 200 else text[:199] + "…"

    def to_json(self, root: Path) -> dict[str, Any]:
        return {
            "id": self.kata.id,
            "track": self.kata.track,
            "points": self.points,
            "max_points": self.max_points,
            "passed": sum(r.outcome == "passed" for r in self.counted),
            "tests": len(self.counted),
            "gpu_skipped": self.gpu_skipped,
            "green": self.green,
            "tampered": self.tampered,
            "flags": self.flags,
            "forged": self.forged,
            "message": self.why(root),
        }


@dataclass
class Report:
    root: Path
    grades: list[KataGrade]
    tamper: TamperReport
    trusted_against: str = ""  # the template of a trusted re-grade; "" for the advisory grade

    @property
    def score(self) -> int:
        return sum(g.points for g in self.grades)

    @property
    def max_score(self) -> int:
        return sum(g.max_points for g in self.grades)

    @property
    def gpu_skipped(self) -> int:
        return sum(g.gpu_skipped for g in self.grades)

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "gpu_tests_skipped": self.gpu_skipped,
            "katas": [g.to_json(self.root) for g in self.grades],
            "tampered": self.tamper.changed,
            "advisory": not self.trusted_against,
            "template": self.trusted_against,
        }


def grade(
    catalog: Catalog,
    katas: Sequence[Kata],
    junit: Path | None = None,
    tamper: TamperReport | None = None,
) -> Report:
    """Run the chosen katas' specs on the learner's code, each kata in its own process, and
    score them. The tamper check compares with the committed manifest unless ``tamper`` is
    given (a re-grade)."""
    if tamper is None:
        tamper = check(catalog.root, load_manifest(catalog.root)["protected"])
    runnable = [k for k in katas if not k.broken]
    runs = {
        r.kata.id: r
        for r in run(catalog, [Job(k) for k in runnable], workers=default_workers(len(runnable)))
    }
    grades = [
        KataGrade(
            k,
            runs[k.id].verdict if k.id in runs else Verdict(k, [broken_result(k)]),
            tamper.zeroes(k, catalog.root),
        )
        for k in katas
    ]
    report = Report(catalog.root, grades, tamper)
    if junit is not None:
        write_junit(report, junit)
    return report


def broken_result(kata: Kata) -> TestResult:
    message = f"this kata is broken ({kata.broken}): `kata reset {kata.id}` restores it"
    return TestResult(
        path=str(kata.folder),
        nodeid=f"{kata.id}::<broken>",
        name=RUN_NAME,
        outcome="error",
        exc_type="Broken",
        message=message,
    )


def write_junit(report: Report, path: Path) -> None:
    """JUnit XML, one test case per test (and per whole-run failure), one suite per kata."""
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites", name="katas")
    for g in report.grades:
        results = g.verdict.results
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=g.kata.id,
            tests=str(len(results)),
            failures=str(sum(r.outcome == "failed" for r in results)),
            errors=str(sum(r.outcome == "error" for r in results)),
            skipped=str(sum(r.outcome == "skipped" for r in results)),
            time=f"{sum(r.duration for r in results):.3f}",
        )
        for r in results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=g.kata.id,
                name=r.name or "collection",
                time=f"{r.duration:.3f}",
            )
            if r.outcome in ("failed", "error"):
                tag = "failure" if r.outcome == "failed" and r.name != RUN_NAME else "error"
                ET.SubElement(case, tag, message=r.message[:500], type=r.exc_type).text = r.message
            elif r.outcome == "skipped":
                ET.SubElement(case, "skipped", message=r.message[:500])
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


def markdown(report: Report) -> str:
    """The job summary: the score, a per-track table with text bars, and what to fix."""
    lines = [f"## Torch Katas: {report.score} / {report.max_score} points", ""]
    if report.trusted_against:
        lines += [
            "Trusted re-grade: the template's specs and harness, only the learner files of its "
            "katas taken from the student's copy.",
            "",
        ]
    else:
        lines += [
            "> [!NOTE]",
            "> Advisory grade: it ran in a repository the student controls. The grade that "
            "counts is the teacher's trusted re-grade from the template (`kata regrade`).",
            "",
        ]
    if report.tamper.changed:
        lines += [
            "> [!WARNING]",
            "> These graded files differ from the original, so their katas score 0: "
            + ", ".join(f"`{p}`" for p in report.tamper.changed),
            "",
        ]
    lines += ["| track | progress | points |", "|---|---|---|"]
    tracks: dict[str, list[KataGrade]] = {}
    for g in report.grades:
        tracks.setdefault(g.kata.track, []).append(g)
    for track, members in tracks.items():
        got, most = sum(g.points for g in members), sum(g.max_points for g in members)
        lines.append(f"| {track} | `{bar(got, most)}` | {got}/{most} |")
    lines += ["", "| kata | points | |", "|---|---|---|"]
    for g in report.grades:
        mark = "✅" if g.points else ("⏭️" if not g.in_play else "❌")
        lines.append(f"| `{g.kata.id}` | {g.points}/{g.max_points} | {mark} {g.why(report.root)} |")
    if report.gpu_skipped:
        lines += [
            "",
            f"{report.gpu_skipped} GPU tests were skipped (no CUDA GPU on this runner): they "
            "neither earn nor cost points, and are left out of the maximum.",
        ]
    lines.append("")
    lines.append("No partial credit: a kata scores its points when every test that ran passed.")
    return "\n".join(lines) + "\n"


def reporter_payload(report: Report) -> dict[str, Any]:
    """The result format of the classroom-resources autograding runners, one runner."""
    tests = [
        {
            "name": g.kata.id,
            "status": "pass" if g.points else ("error" if g.tampered else "fail"),
            "message": g.why(report.root),
            "score": g.points,
            "max_score": g.max_points,
            "filename": str(g.kata.spec_file.relative_to(report.root)),
            "line_no": 0,
            "execution_time": f"{sum(r.duration for r in g.verdict.results):.2f}s",
        }
        for g in report.grades
        if g.in_play
    ]
    status = "pass" if report.score == report.max_score else "fail"
    return {"version": 1, "status": status, "max_score": report.max_score, "tests": tests}


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_commands(report: Report) -> list[str]:
    """Workflow commands: check annotations on the failing lines, and the points notice."""
    out = []
    for g in report.grades:
        if g.points or not g.in_play:
            continue
        failing = [r for r in g.counted if r.outcome != "passed"]
        where = ""
        if g.tampered:
            where = f"file={g.tampered[0]},"
        elif failing and failing[0].location:
            file, line = failing[0].location
            where = f"file={Path(file).resolve().relative_to(report.root.resolve())},line={line},"
        out.append(f"::error {where}title={g.kata.id}::{_escape(g.why(report.root))}")
    out.append(f"::notice title=Autograding complete::Points {report.score}/{report.max_score}")
    return out


def publish(report: Report, out: Path, env: dict[str, str]) -> list[str]:
    """Write the reports to ``out`` and, under GitHub Actions, to the job summary and the step
    outputs. Returns the workflow command lines to print."""
    out.mkdir(parents=True, exist_ok=True)
    summary = markdown(report)
    (out / "grade.json").write_text(json.dumps(report.to_json(), indent=1) + "\n")
    (out / "summary.md").write_text(summary)
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a") as f:
            f.write(summary)
    if env.get("GITHUB_OUTPUT"):
        encoded = base64.b64encode(json.dumps(reporter_payload(report)).encode()).decode()
        with open(env["GITHUB_OUTPUT"], "a") as f:
            f.write(f"result={encoded}\npoints={report.score}\nmax-points={report.max_score}\n")
    return github_commands(report) if env.get("GITHUB_ACTIONS") == "true" else []
