"""`kata export DIR`: a classroom template, ready to push as a new repository.

Everything a student needs, as git tracks it, minus what only maintainers use: the reference
solutions, the maintainers' suite and CI (they need the solutions), and the benchmarks.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

MAINTAINERS_ONLY = (
    "solutions/",
    "tests/",
    ".ci/",
    ".github/workflows/ci.yml",
    ".github/workflows/regrade.yml",
    "roster.toml",
    "tools/bench.py",
    "tools/bench_watch.py",
    "tools/bench_katas.py",
)


class ExportError(RuntimeError):
    pass


def tracked_files(root: Path) -> list[str]:
    done = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise ExportError(f"`git ls-files` failed in {root}: {done.stderr.decode().strip()}")
    return sorted({p for p in done.stdout.decode().split("\0") if p})


def export(root: Path, target: Path) -> list[str]:
    """Copy the template into ``target`` (which must not exist yet); return the files."""
    if target.exists() and any(target.iterdir()):
        raise ExportError(f"{target} exists and is not empty")
    kept = [
        p for p in tracked_files(root) if not p.startswith(MAINTAINERS_ONLY) and (root / p).exists()
    ]
    for rel in kept:
        source, dest = root / rel, target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            dest.symlink_to(source.readlink())
        else:
            shutil.copy2(source, dest)
    return kept
