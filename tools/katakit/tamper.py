"""Which graded files differ from the committed manifest: the tamper check.

Protected: every kata's spec and metadata (its points), and the harness that runs and scores
them (the ``katakit`` package, ``pyproject.toml`` with the pytest settings, ``classroom.toml``
when a teacher chose a subset, recorded as absent when there is none, the grading workflow and
the set-up script it runs). ``kata sync`` records their SHA-256 in ``katas/manifest.json``.
A changed, deleted (or added, for an absent one) spec or metadata file zeroes its kata; a
changed harness file zeroes all. This check runs where the student controls the files: it
catches slips, not a determined cheat (see ``trusted``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from katakit.catalog import Catalog, Kata

HARNESS = (
    "pyproject.toml",
    "classroom.toml",
    ".github/workflows/classroom.yml",
    ".devcontainer/setup.sh",
)
ABSENT = "absent"  # the digest recorded for a harness file the template does not have
HARNESS_PACKAGE = Path("tools") / "katakit"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kata_files(kata: Kata, root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in (kata.spec_file, kata.folder / "kata.toml")]


def harness_files(root: Path) -> list[str]:
    package = sorted(p.relative_to(root).as_posix() for p in (root / HARNESS_PACKAGE).rglob("*.py"))
    return list(HARNESS) + package


def digest(path: Path) -> str:
    return sha256(path) if path.is_file() else ABSENT


def protected_hashes(catalog: Catalog) -> dict[str, str]:
    root = catalog.root
    paths = harness_files(root) + [p for k in catalog.katas for p in kata_files(k, root)]
    return {path: digest(root / path) for path in sorted(paths)}


@dataclass
class TamperReport:
    changed: list[str] = field(default_factory=list)  # relative paths, changed or deleted

    def zeroes(self, kata: Kata, root: Path) -> list[str]:
        """The tampered files that void this kata's points: its own, and any harness file."""
        own = kata_files(kata, root)
        return [p for p in self.changed if p in own or not p.startswith("katas/")]


def check(root: Path, expected: dict[str, str]) -> TamperReport:
    """Compare the protected files under ``root`` with ``expected`` (path -> SHA-256)."""
    report = TamperReport()
    for path, want in sorted(expected.items()):
        if digest(root / path) != want:
            report.changed.append(path)
    return report
