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
