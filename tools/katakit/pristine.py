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
from pathlib import Path

from katakit.catalog import Catalog, Kata

MANIFEST = Path("katas") / "manifest.json"


class PristineError(Exception):
    pass


def blob_sha(data: bytes) -> str:
    """The id git gives a file with these bytes (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def build_manifest(catalog: Catalog) -> dict[str, dict[str, str]]:
    from katakit.tamper import protected_hashes

    return {
        "learner": {k.id: blob_sha(k.learner_file.read_bytes()) for k in catalog.katas},
        "protected": protected_hashes(catalog),
    }


def render_manifest(catalog: Catalog) -> str:
    return json.dumps(build_manifest(catalog), indent=1, sort_keys=True) + "\n"


def load_manifest(root: Path) -> dict[str, dict[str, str]]:
    try:
        raw = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError):
        return {"learner": {}, "protected": {}}
    return {
        "learner": dict(raw.get("learner", {})),
        "protected": dict(raw.get("protected", {})),
    }


def pristine_learner(root: Path, kata: Kata) -> bytes:
    sha = load_manifest(root)["learner"].get(kata.id)
    if sha is None:
        raise PristineError(f"{MANIFEST} has no entry for {kata.id}: run `kata sync`")
    if kata.learner_file.exists() and blob_sha(kata.learner_file.read_bytes()) == sha:
        return kata.learner_file.read_bytes()
    try:
        done = subprocess.run(
            ["git", "cat-file", "blob", sha], cwd=root, capture_output=True, check=False
        )
    except OSError as err:
        raise PristineError(f"git is needed to restore the original file: {err}") from err
    if done.returncode != 0 or blob_sha(done.stdout) != sha:
        raise PristineError(
            f"the original {kata.learner_file.name} is not in this repository's history "
            "(was the workspace copied without .git?)"
        )
    return done.stdout


def backup(root: Path, kata: Kata) -> Path | None:
    """Copy the learner's file to ``.kata/backups/`` and return where it went."""
    if not kata.learner_file.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = root / ".kata" / "backups" / kata.id.replace("/", "__")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{kata.module}.{stamp}.py"
    n = 1
    while target.exists():
        target = folder / f"{kata.module}.{stamp}-{n}.py"
        n += 1
    shutil.copy2(kata.learner_file, target)
    return target


def reset(root: Path, kata: Kata) -> Path | None:
    """Back up, then restore the pristine learner file. Returns the backup path."""
    original = pristine_learner(root, kata)
    if kata.learner_file.exists() and kata.learner_file.read_bytes() == original:
        return None
    saved = backup(root, kata)
    kata.learner_file.write_bytes(original)
    return saved
