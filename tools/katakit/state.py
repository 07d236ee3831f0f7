"""The learner's local progress: which katas went green (for which file content) and hints seen.

Kept in ``.kata/state.json`` at the workspace root (git-ignored). A kata counts as solved while
the learner file still has the content it had when its spec last went green.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from katakit.catalog import Catalog, Kata
from katakit.pristine import blob_sha, load_manifest

Status = Literal["solved", "failing", "started", "new"]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


@dataclass
class State:
    path: Path
    green: dict[str, str] = field(default_factory=dict)  # kata id -> digest of the green file
    red: dict[str, str] = field(default_factory=dict)  # kata id -> digest of the last red file
    hints: dict[str, int] = field(default_factory=dict)  # kata id -> hints revealed

    @classmethod
    def load(cls, root: Path) -> State:
        path = root / ".kata" / "state.json"
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError):
            return cls(path)
        return cls(
            path,
            green=dict(raw.get("green", {})),
            red=dict(raw.get("red", {})),
            hints=dict(raw.get("hints", {})),
        )

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"green": self.green, "red": self.red, "hints": self.hints}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True))
        tmp.replace(self.path)

    def record(self, kata: Kata, green: bool) -> None:
        digest = file_digest(kata.learner_file)
        (self.green if green else self.red)[kata.id] = digest
        (self.red if green else self.green).pop(kata.id, None)

    def status(self, kata: Kata, pristine: dict[str, str]) -> Status:
        digest = file_digest(kata.learner_file)
        if self.green.get(kata.id) == digest:
            return "solved"
        if self.red.get(kata.id) == digest:
            return "failing"
        want = pristine.get(kata.id)
        if want is not None and kata.learner_file.exists():
            if blob_sha(kata.learner_file.read_bytes()) != want:
                return "started"
        return "new"


def statuses(catalog: Catalog, state: State) -> dict[str, Status]:
    pristine = load_manifest(catalog.root)["learner"]
    return {k.id: state.status(k, pristine) for k in catalog.katas}


def next_kata(catalog: Catalog, status: dict[str, Status]) -> Kata | None:
    """The first kata in roadmap order that is not solved."""
    return next((k for k in catalog.katas if status[k.id] != "solved"), None)
