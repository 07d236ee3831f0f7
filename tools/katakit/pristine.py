"""The pristine learner files, identified by git blob hashes in ``katas/manifest.json``.

``kata sync`` records, for every kata, the git blob id of its untouched learner file, and the
SHA-256 of every file the tamper check protects (see ``tamper``). ``kata reset`` restores a
learner file from the repository's own history by that blob id (every clone of the template
holds it), after backing the learner's copy up.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from katakit.catalog import Catalog

MANIFEST = Path("katas") / "manifest.json"


class PristineError(Exception):
    pass


def blob_sha(data: bytes) -> str:
    """The id git gives a file with these bytes (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class KataEntry(TypedDict):
    folder: str  # relative to the workspace root
    points: int
    files: dict[str, str]  # relative path -> git blob id: what `kata reset` can restore


class Manifest(TypedDict):
    learner: dict[str, str]  # kata id -> git blob id of the untouched learner file
    protected: dict[str, str]  # relative path -> SHA-256, for the tamper check
    katas: dict[str, KataEntry]


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def build_manifest(catalog: Catalog) -> Manifest:
    from katakit.tamper import protected_hashes

    root = catalog.root
    katas: dict[str, KataEntry] = {}
    for k in catalog.katas:
        files = (k.learner_file, k.spec_file, k.metadata_file)
        katas[k.id] = {
            "folder": _rel(root, k.folder),
            "points": k.points,
            "files": {_rel(root, f): blob_sha(f.read_bytes()) for f in files},
        }
    return {
        "learner": {k.id: blob_sha(k.learner_file.read_bytes()) for k in catalog.katas},
        "protected": protected_hashes(catalog),
        "katas": katas,
    }


def render_manifest(catalog: Catalog) -> str:
    return json.dumps(build_manifest(catalog), indent=1, sort_keys=True) + "\n"


def load_manifest(root: Path) -> Manifest:
    try:
        raw = json.loads((root / MANIFEST).read_text())
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        return {
            "learner": dict(raw.get("learner", {})),
            "protected": dict(raw.get("protected", {})),
            "katas": dict(raw.get("katas", {})),
        }
    except (OSError, ValueError, TypeError):
        return {"learner": {}, "protected": {}, "katas": {}}


def _from_history(root: Path, sha: str, name: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "cat-file", "blob", sha], cwd=root, capture_output=True, check=False
        )
    except OSError as err:
        raise PristineError(f"git is needed to restore the original file: {err}") from err
    if done.returncode != 0 or blob_sha(done.stdout) != sha:
        raise PristineError(
            f"the original {name} is not in this repository's history "
            "(was the workspace copied without .git?)"
        )
    return done.stdout


def original_files(root: Path, kata_id: str) -> dict[Path, bytes]:
    """Every file of a kata as `kata sync` recorded it (learner file, spec, kata.toml)."""
    entry = load_manifest(root)["katas"].get(kata_id)
    if entry is None:
        raise PristineError(f"{MANIFEST} has no entry for {kata_id}: run `kata sync`")
    out: dict[Path, bytes] = {}
    for rel, sha in entry["files"].items():
        path = root / rel
        try:
            current = path.read_bytes()
        except OSError:
            current = None
        out[path] = (
            current
            if current is not None and blob_sha(current) == sha
            else (_from_history(root, sha, path.name))
        )
    return out


def backup(root: Path, kata_id: str, path: Path) -> Path | None:
    """Copy a file of the learner's to ``.kata/backups/`` and return where it went."""
    if not path.is_file():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = root / ".kata" / "backups" / kata_id.replace("/", "__")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
        n += 1
    shutil.copy2(path, target)
    return target


@dataclass
class Restored:
    """What a reset changed: each restored file, with its backup (None: it was missing)."""

    files: dict[Path, Path | None] = field(default_factory=dict)


def reset(root: Path, kata_id: str) -> Restored:
    """Back up, then restore every file of the kata that differs from the original (the
    learner file, and the spec and kata.toml when they were changed or deleted). All the
    originals are read before anything is written: a failure changes nothing."""
    originals = original_files(root, kata_id)
    done = Restored()
    for path, data in originals.items():
        if path.is_file() and path.read_bytes() == data:
            continue
        done.files[path] = backup(root, kata_id, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return done
