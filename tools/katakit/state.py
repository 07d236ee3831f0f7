"""The learner's local progress: which katas went green (for which file content) and hints seen.

Kept in ``.kata/state.json`` at the workspace root (git-ignored). A kata counts as solved while
the learner file still has the content it had when its spec last went green. Every change is
made under a lock on ``.kata/state.lock``, re-reading the file first (``State.update``), so two
commands finishing at once (two checks, a check and the Test Explorer) both count.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
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
    last_green: str = ""  # the kata that went green most recently

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
            last_green=str(raw.get("last_green", "")),
        )

    def _write(self) -> None:
        payload = {
            "green": self.green,
            "red": self.red,
            "hints": self.hints,
            "last_green": self.last_green,
        }
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True))
        tmp.replace(self.path)

    @classmethod
    def update(cls, root: Path, change: Callable[[State], None]) -> State:
        """Apply ``change`` to the freshest saved state, under the lock, and save it."""
        with _locked(root / ".kata" / "state.lock"):
            state = cls.load(root)
            change(state)
            state._write()
        return state

    def record(self, kata: Kata, green: bool) -> None:
        digest = file_digest(kata.learner_file)
        (self.green if green else self.red)[kata.id] = digest
        (self.red if green else self.green).pop(kata.id, None)
        if green:
            self.last_green = kata.id

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


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def record(root: Path, kata: Kata, green: bool) -> None:
    """Save one verdict for the learner file as it is now."""
    State.update(root, lambda state: state.record(kata, green))


def reveal_hint(root: Path, kata: Kata) -> int:
    """One more hint seen (up to the last); returns how many are shown now."""

    def more(state: State) -> None:
        state.hints[kata.id] = min(state.hints.get(kata.id, 0) + 1, len(kata.hints))

    return State.update(root, more).hints[kata.id]


def forget(root: Path, kata_id: str) -> None:
    """A reset kata starts over: no verdict recorded for it."""

    def drop(state: State) -> None:
        state.green.pop(kata_id, None)
        state.red.pop(kata_id, None)

    State.update(root, drop)


def statuses(catalog: Catalog, state: State) -> dict[str, Status]:
    pristine = load_manifest(catalog.root)["learner"]
    return {k.id: state.status(k, pristine) for k in catalog.katas}


def next_kata(catalog: Catalog, status: dict[str, Status]) -> Kata | None:
    """The first kata in roadmap order that is not solved."""
    return next((k for k in catalog.katas if status[k.id] != "solved"), None)
