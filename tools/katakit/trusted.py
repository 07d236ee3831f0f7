"""The trusted re-grade: built from the teacher's template outward, as trusted autograders are.

1. The template must be pristine: every kata loads, its generated files are fresh, every
   protected file and learner stub matches its manifest, and git (when present) has no
   uncommitted change to a tracked file. Otherwise nothing is graded (``TemplateError``).
2. A throw-away copy of the template is made. The template itself is never run in, so nothing
   the student's code does can change it.
3. Only the learner files of the template's own katas are laid over the copy, as plain bytes
   (a symlink or a huge file is not taken). Nothing else the student committed is read:
   conftest.py, new folders, classroom.toml, pyproject.toml, workflows, kata.toml, specs.
4. Each kata runs in its own process through the run service (offline guard before any learner
   code, no conftest discovery, no plugin autoload, safe path), with a canary test of a per-run
   random name that must fail. The parent trusts no run's word about itself: a passing canary,
   or test ids other than those a collection of the pristine copy found, make the run forged
   (0 points, flagged). This parent writes the report after every child is gone.
5. Each learner file is scanned for reach into the harness (``scan``): ``flags`` to read.

A kata whose own spec or kata.toml differs in the student's copy scores 0 here too (it was
not used, but changing it is not part of an answer); every other changed file is listed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from katakit.catalog import Catalog, Kata, discover, is_workspace
from katakit.grade import KataGrade, Report, broken_result, select, write_junit
from katakit.launcher import Ending, Job, KataRun, default_workers, run
from katakit.pristine import blob_sha, load_manifest
from katakit.results import RUN_NAME, TestResult, Verdict
from katakit.scan import scan
from katakit.sync import stale
from katakit.tamper import TamperReport, check, kata_files

SKIPPED_DIRS = {".git", ".venv", ".kata", "__pycache__", "node_modules", "kata-report"}
MAX_LEARNER_BYTES = 1 << 20
CANARY_DIR = ".kata-canary"


class TemplateError(RuntimeError):
    """The template cannot be trusted as it is: nothing is graded against it."""


def _files(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.endswith("_cache"))
        for name in sorted(names):
            if not name.endswith((".pyc", ".egg-info")):
                yield Path(folder) / name


def _digest(path: Path) -> str:
    if path.is_symlink():
        return "link:" + os.readlink(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Relative path -> content digest of every file that matters (no caches, no .git)."""
    return {p.relative_to(root).as_posix(): _digest(p) for p in _files(root)}


def check_template(template: Path) -> Catalog:
    """The template's catalogue, once it is shown pristine; TemplateError otherwise."""
    if not is_workspace(template):
        raise TemplateError(f"{template} is not a kata workspace (katas/ and pyproject.toml)")
    catalog = discover(template)
    manifest = load_manifest(template)
    problems = [f"{b.id} is broken ({b.error})" for b in catalog.broken]
    problems += [f"{path} is stale (run `kata sync`)" for path in stale(catalog)]
    problems += [
        f"{p} differs from the manifest" for p in check(template, manifest["protected"]).changed
    ]
    for kata in catalog.katas:
        if blob_sha(kata.learner_file.read_bytes()) != manifest["learner"].get(kata.id):
            problems.append(f"{kata.learner_file.relative_to(template)} is not the original stub")
    if (template / ".git").exists():
        done = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=template,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or done.stdout.strip():
            problems.append("the template has uncommitted changes (git status)")
    if problems:
        shown = "; ".join(problems[:6]) + (
            f"; and {len(problems) - 6} more" if len(problems) > 6 else ""
        )
        raise TemplateError(f"refusing to grade against {template}: {shown}")
    return catalog


def copy_template(template: Path, into: Path) -> Catalog:
    ignore = shutil.ignore_patterns(*SKIPPED_DIRS, "*_cache", "*.pyc")
    shutil.copytree(template, into, ignore=ignore, symlinks=True)
    return discover(into)


@dataclass
class Reference:
    """A checked template and what a collection of a pristine copy of it found: each graded
    kata's test ids (relative to the workspace root, so the same in every copy)."""

    template: Path
    ids: dict[str, set[str]]
    files: dict[str, str]  # the template's tree (path -> digest), to diff each student with


def collect(template: Path, work: Path) -> Reference:
    catalog = copy_template(template, work)
    katas = [k for k in select(catalog, None) if not k.broken]
    jobs = [Job(k, collect_only=True) for k in katas]
    runs = run(catalog, jobs, workers=default_workers(len(katas)))
    return Reference(template, {r.kata.id: set(r.collected) for r in runs}, tree(template))


def lay_over(student: Path, katas: Sequence[Kata], root: Path) -> list[str]:
    """Copy the student's learner files of these katas over the copy; the ones not taken."""
    missing = []
    for kata in katas:
        rel = kata.learner_file.relative_to(root)
        source = student / rel
        if source.is_symlink() or not source.is_file() or source.stat().st_size > MAX_LEARNER_BYTES:
            missing.append(str(rel))
            continue
        kata.learner_file.write_bytes(source.read_bytes())
    return missing


def _canary(root: Path) -> Path:
    name = f"test_{secrets.token_hex(8)}"  # no fixed prefix for learner code to spot
    path = root / CANARY_DIR / f"{name}.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"def {name}():\n    assert False, 'the canary must fail'\n")
    return path


def judge(done: KataRun, canary: Path, expected: set[str]) -> tuple[list[TestResult], str]:
    """The kata's own results, and why the run is forged ("" when it is not)."""
    mine = [r for r in done.results if canary.name not in r.nodeid]
    bird = [r for r in done.results if canary.name in r.nodeid]
    ran = {r.nodeid for r in mine if r.name not in ("", RUN_NAME)}
    finished = done.ending is Ending.FINISHED
    if any(r.outcome != "failed" for r in bird):
        return mine, f"forged: the canary test (which must fail) was reported {bird[0].outcome}"
    if ran - expected:
        extra = sorted(ran - expected)[0].split("::")[-1]
        return mine, f"forged: a test the spec does not have was reported ({extra})"
    if finished and (expected - ran or not bird):
        return mine, "forged: the run claimed to finish without reporting every test"
    return mine, ""


def regrade(student: Path, reference: Reference, junit: Path | None = None) -> Report:
    """The trusted grade of ``student``'s copy, in a fresh copy of the reference's template."""
    template = reference.template
    template_tree = reference.files
    student_tree = tree(student)
    changed = sorted(
        path
        for path in set(template_tree) | set(student_tree)
        if template_tree.get(path) != student_tree.get(path)
    )
    with tempfile.TemporaryDirectory(prefix="kata-trusted-") as tmp:
        catalog = copy_template(template, Path(tmp) / "ws")
        root = catalog.root
        chosen = select(catalog, None)
        katas = [k for k in chosen if not k.broken]
        learner = {k.learner_file.relative_to(root).as_posix() for k in katas}
        lay_over(student, katas, root)
        canaries = {k.id: _canary(root) for k in katas}
        jobs = [Job(k, canary=canaries[k.id]) for k in katas]
        runs, meddled = _run_watched(catalog, jobs)
        shutil.rmtree(root / CANARY_DIR, ignore_errors=True)
        grades = []
        for kata in chosen:
            if kata.broken:
                grades.append(KataGrade(kata, Verdict(kata, [broken_result(kata)])))
                continue
            results, forged = judge(runs[kata.id], canaries[kata.id], reference.ids[kata.id])
            if kata.id in meddled:
                forged = f"forged: the code changed the grader's files ({meddled[kata.id]})"
            own = [p for p in kata_files(kata, root) if p in changed]
            flags = scan(kata.learner_file)
            grades.append(KataGrade(kata, Verdict(kata, results), own, flags, forged))
        listed = [p for p in changed if p not in learner]
        report = Report(root, grades, TamperReport(listed), trusted_against=str(template))
        if junit is not None:
            write_junit(report, junit)
    return report


def _diff(before: dict[str, str], root: Path) -> list[str]:
    after = tree(root)
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def _restore(root: Path, before: dict[str, str], snapshot: dict[str, bytes]) -> None:
    for rel in _diff(before, root):
        path = root / rel
        if rel in snapshot:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            path.write_bytes(snapshot[rel])
        else:
            path.unlink(missing_ok=True)


def _run_watched(catalog: Catalog, jobs: list[Job]) -> tuple[dict[str, KataRun], dict[str, str]]:
    """Every job's run, and the katas whose code changed files of the copy it ran in (kata id
    -> the first such file). Honest code writes only to its own temporary folder. When the copy
    changed during the parallel runs, it is restored and the jobs run again one at a time, the
    copy checked after each, so the change is pinned on the kata that made it."""
    root = catalog.root
    before = tree(root)
    snapshot = {rel: (root / rel).read_bytes() for rel in before if not (root / rel).is_symlink()}
    runs = {r.kata.id: r for r in run(catalog, jobs, workers=default_workers(len(jobs)))}
    if not _diff(before, root):
        return runs, {}
    _restore(root, before, snapshot)
    meddled: dict[str, str] = {}
    for job in jobs:
        runs[job.kata.id] = run(catalog, [job])[0]
        changed = _diff(before, root)
        if changed:
            meddled[job.kata.id] = changed[0]
            _restore(root, before, snapshot)
    return runs, meddled


@contextlib.contextmanager
def prepared(template: Path) -> Iterator[Reference]:
    """A checked template, copied to a throw-away folder and collected once."""
    check_template(template)
    with tempfile.TemporaryDirectory(prefix="kata-trusted-") as tmp:
        yield collect(template, Path(tmp) / "template")
