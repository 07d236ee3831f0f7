"""The files generated from the katas: what `kata sync` writes and the suite checks."""

from __future__ import annotations

from pathlib import Path

from katakit.catalog import Catalog
from katakit.pristine import MANIFEST, render_manifest
from katakit.roadmap import render


def generated(catalog: Catalog) -> dict[Path, str]:
    return {
        catalog.root / "ROADMAP.md": render(catalog),
        catalog.root / MANIFEST: render_manifest(catalog),
    }


def stale(catalog: Catalog) -> list[str]:
    """The generated files that differ from what `kata sync` would write (the manifest's
    hashes are what the tamper check trusts, so a stale one fails `kata verify`)."""
    return [
        str(path.relative_to(catalog.root))
        for path, text in generated(catalog).items()
        if not path.exists() or path.read_text() != text
    ]
