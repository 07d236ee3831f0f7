"""Decide which file answers ``import <kata module>``: the learner's, the reference, or a mutant.

A spec simply writes ``from tensor_create import ramp``. This finder, placed first on
``sys.meta_path``, maps each kata module name to one concrete file, so the same spec runs
against any implementation without knowing which.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from types import ModuleType

from katakit.catalog import Catalog


class Impl(StrEnum):
    """Whose code a spec imports."""

    LEARNER = "learner"
    SOLUTION = "solution"


class KataFinder(importlib.abc.MetaPathFinder):
    def __init__(self, files: Mapping[str, Path]) -> None:
        self.files = dict(files)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        return importlib.util.spec_from_file_location(fullname, file)


def module_files(
    catalog: Catalog, impl: Impl, overrides: Mapping[str, Path] | None = None
) -> dict[str, Path]:
    files = {
        k.module: (k.solution_file if impl is Impl.SOLUTION else k.learner_file)
        for k in catalog.katas
    }
    files.update(overrides or {})
    return files


def install(files: Mapping[str, Path]) -> KataFinder:
    """Put a finder for ``files`` first on the import path, replacing any earlier one."""
    uninstall()
    finder = KataFinder(files)
    sys.meta_path.insert(0, finder)
    for name in files:
        sys.modules.pop(name, None)
    return finder


def uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, KataFinder)]
