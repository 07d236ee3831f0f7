"""The files generated from the katas: what `kata sync` writes and the suite checks."""

from __future__ import annotations

from pathlib import Path

from katakit.catalog import Catalog
from katakit.pristine import MANIFEST, render_manifest
from katakit.roadmap import render

VSCODE_TASKS = Path(".vscode") / "tasks.json"  # what VS Code reads: a copy, not a symlink


def generated(catalog: Catalog) -> dict[Path, str]:
    """Each generated file and its text. ``.vscode/tasks.json`` is a real copy of the top-level
    tasks.json (a symlink becomes a text file on checkouts without symlinks, e.g. Windows)."""
    out = {
        catalog.root / "ROADMAP.md": render(catalog),
        catalog.root / MANIFEST: render_manifest(catalog),
    }
    tasks = catalog.root / "tasks.json"
    if tasks.is_file():
        out[catalog.root / VSCODE_TASKS] = tasks.read_text()
    return out


def stale(catalog: Catalog) -> list[str]:
    """The generated files that differ from what `kata sync` would write (the manifest's
    hashes are what the tamper check trusts, so a stale one fails `kata verify`)."""
    return [
        str(path.relative_to(catalog.root))
        for path, text in generated(catalog).items()
        if is_stale(path, text)
    ]


def is_stale(path: Path, text: str) -> bool:
    return path.is_symlink() or not path.is_file() or path.read_text() != text
