"""Prove every kata both ways: the learner file fails for the intended reason, the reference passes.

- Topic kata: every test that runs fails on the untouched stub, with NotImplementedError or an
  AssertionError. A collection error (SyntaxError, ImportError, ...) or any other exception is a
  defect of the kata, and so is a test that passes on the stub: it checks nothing the learner
  writes.
- Bug kata: each test named in ``[bug].failing_tests`` fails on the planted bug, with the named
  exception (AssertionError for a silent bug); the fix is at most ``MAX_FIX_LINES`` lines.
- Both: every test that runs passes on the reference solution.
- Each file in the reference's ``mistakes/`` (a complete learner file with one plausible
  conceptual mistake, its docstring says which) fails the spec, with the failing tests named;
  each file in ``alternatives/`` (a correct answer written differently) passes it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from katakit.catalog import Catalog, Kata
from katakit.launcher import Job, KataRun, default_workers, run
from katakit.resolver import Impl
from katakit.results import TestResult, base_name
from katakit.sourcecode import code_lines

STUB_REASONS = ("NotImplementedError", "AssertionError")
MAX_FIX_LINES = 5
MIN_EXPLANATION = 120  # characters: what the bug was, why it was silent, how to spot it


class StubStatus(StrEnum):
    RED = "red"  # fails as intended
    WRONG = "wrong"  # passes somewhere, or fails for another reason


class SolutionStatus(StrEnum):
    GREEN = "green"
    RED = "red"


@dataclass
class Variant:
    """One mistake or alternative, and what the spec made of it."""

    name: str
    what: str  # the file's docstring: which mistake, or which other way
    green: bool
    failing: list[str] = field(default_factory=list)  # the tests that failed


@dataclass
class KataProof:
    id: str
    stub: StubStatus
    solution: SolutionStatus
    problems: list[str] = field(default_factory=list)
    mistakes: list[Variant] = field(default_factory=list)
    alternatives: list[Variant] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        raw = asdict(self)
        rejected = sum(not m.green for m in self.mistakes)
        accepted = sum(a.green for a in self.alternatives)
        return {
            **raw,
            "stub": str(self.stub),
            "solution": str(self.solution),
            "ok": self.ok,
            "mistakes": {
                "total": len(self.mistakes),
                "rejected": rejected,
                "each": raw["mistakes"],
            },
            "alternatives": {
                "total": len(self.alternatives),
                "accepted": accepted,
                "each": raw["alternatives"],
            },
        }


def fix_size(buggy: Path, fixed: Path) -> int:
    """How many code lines the fix changes (the larger of removed and added)."""
    diff = list(difflib.unified_diff(code_lines(buggy), code_lines(fixed), lineterm="", n=0))
    removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
    added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
    return max(removed, added)


def _describe(result: TestResult) -> str:
    what = result.name or "collection"
    return f"{what}: {result.exc_type} {result.message[:160]}".strip()


def check_stub(kata: Kata, results: list[TestResult]) -> list[str]:
    problems: list[str] = []
    collect = [r for r in results if r.name == ""]
    if collect:
        return [f"stub: the spec cannot even import the learner file ({_describe(collect[0])})"]
    ran = [r for r in results if r.outcome != "skipped"]
    if not ran:
        return ["stub: no test ran"]
    if kata.bug is None:
        for r in ran:
            if r.outcome == "passed":
                problems.append(f"stub: {r.name} passes on the untouched stub")
            elif r.exc_type not in STUB_REASONS:
                problems.append(f"stub: {r.name} fails for the wrong reason ({_describe(r)})")
        return problems
    want = kata.bug.exception or "AssertionError"
    for name in kata.bug.failing_tests:
        mine = [r for r in ran if base_name(r.name) == name]
        if not mine:
            problems.append(f"bug: failing test {name!r} named in kata.toml did not run")
        elif not any(r.outcome == "failed" for r in mine):
            problems.append(f"bug: {name} passes on the planted bug")
        elif not any(r.outcome == "failed" and r.exc_type == want for r in mine):
            got = next(r for r in mine if r.outcome == "failed")
            problems.append(f"bug: {name} should fail with {want}, got {_describe(got)}")
    return problems


def check_solution(results: list[TestResult]) -> list[str]:
    ran = [r for r in results if r.outcome != "skipped"]
    if not ran:
        return ["solution: no test ran"]
    return [f"solution: {_describe(r)}" for r in ran if r.outcome != "passed"]


def prove(kata: Kata, stub: list[TestResult], solution: list[TestResult]) -> KataProof:
    problems: list[str] = []
    if not kata.solution_file.exists():
        problems.append(f"no reference solution at {kata.solution_file}")
    problems += check_stub(kata, stub)
    problems += check_solution(solution)
    if kata.bug is not None and len(kata.bug.explanation) < MIN_EXPLANATION:
        problems.append(
            "bug: kata.toml needs [bug] explanation (at least "
            f"{MIN_EXPLANATION} characters): what the bug was, why it was silent, how to spot it"
        )
    if kata.bug is not None and kata.solution_file.exists():
        size = fix_size(kata.learner_file, kata.solution_file)
        if size == 0:
            problems.append("bug: the reference is the same code as the planted bug")
        elif size > MAX_FIX_LINES:
            problems.append(f"bug: the fix changes {size} lines (at most {MAX_FIX_LINES})")
    stub_red = not any(p.startswith(("stub", "bug:")) for p in problems)
    return KataProof(
        id=kata.id,
        stub=StubStatus.RED if stub_red else StubStatus.WRONG,
        solution=SolutionStatus.RED
        if any(p.startswith("solution") for p in problems)
        else SolutionStatus.GREEN,
        problems=problems,
    )


def variant(path: Path, done: KataRun) -> Variant:
    import ast

    try:
        what = ast.get_docstring(ast.parse(path.read_bytes())) or ""
    except (SyntaxError, ValueError):
        what = ""
    failing = [r.name or "collection" for r in done.verdict.failures]
    return Variant(path.stem, what.strip().splitlines()[0] if what else "", done.green, failing)


def variant_problems(proof: KataProof) -> list[str]:
    problems = [
        f"mistake {m.name} ({m.what or 'no docstring'}) passes the spec"
        for m in proof.mistakes
        if m.green
    ]
    problems += [
        f"alternative {a.name} ({a.what or 'no docstring'}) fails: {', '.join(a.failing[:3])}"
        for a in proof.alternatives
        if not a.green
    ]
    return problems


def verify(catalog: Catalog, katas: Sequence[Kata], workers: int | None = None) -> list[KataProof]:
    """Run every kata's spec on its learner file, its reference, its mistakes and its
    alternatives, each run in its own process, ``workers`` at a time (default: one per core)."""
    jobs = [Job(k, impl) for k in katas for impl in (Impl.LEARNER, Impl.SOLUTION)]
    variants: dict[int, tuple[str, Path]] = {}
    for k in katas:
        for kind, files in (("mistakes", k.mistakes), ("alternatives", k.alternatives)):
            for path in files:
                variants[len(jobs)] = (kind, path)
                jobs.append(Job(k, Impl.SOLUTION, ((k.module, path),)))
    done = run(catalog, jobs, workers=workers or default_workers(len(jobs)))
    runs = {(r.kata.id, r.job.impl): r for r in done if not r.job.overrides}
    proofs = {
        k.id: prove(k, runs[k.id, Impl.LEARNER].results, runs[k.id, Impl.SOLUTION].results)
        for k in katas
    }
    for index, (kind, path) in variants.items():
        proof = proofs[done[index].kata.id]
        getattr(proof, kind).append(variant(path, done[index]))
    for proof in proofs.values():
        proof.problems += variant_problems(proof)
    return [proofs[k.id] for k in katas]
