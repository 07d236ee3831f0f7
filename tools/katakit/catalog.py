"""The kata catalogue: discover kata folders, read their metadata, look katas up.

A kata lives in ``katas/<NN_track>/<NN_slug>/`` with three files:
``<module>.py`` (the learner's file), ``test_<module>.py`` (the spec) and ``kata.toml``
(metadata). Its reference solution lives at the same relative place under ``solutions/``.
Roadmap order is the order of the numbered folders.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

Kind = Literal["topic", "bug"]
KNOWN_NEEDS = frozenset({"gpu", "multi-gpu", "lightning", "slow"})
LEVELS = {1: "Foundations", 2: "Intermediate", 3: "Advanced", 4: "Expert"}


class CatalogError(Exception):
    """A kata folder whose metadata cannot be read."""


class UnknownKata(LookupError):
    """An id or path that names no kata; carries the closest ids."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No kata called {query!r}.{hint} (`kata list` shows them all.)")


@dataclass(frozen=True)
class BugSpec:
    """What a bug kata's planted bug must do to its spec."""

    failing_tests: tuple[str, ...]
    exception: str | None = None


@dataclass(frozen=True)
class Kata:
    id: str
    title: str
    track: str
    kind: Kind
    topics: tuple[str, ...]
    minutes: int
    level: int
    needs: tuple[str, ...]
    hints: tuple[str, ...]
    requires: tuple[str, ...]
    points: int
    timeout: float
    folder: Path
    module: str
    solution_dir: Path
    bug: BugSpec | None = None
    order: tuple[str, str] = field(default=("", ""), compare=False)

    @property
    def learner_file(self) -> Path:
        return self.folder / f"{self.module}.py"

    @property
    def spec_file(self) -> Path:
        return self.folder / f"test_{self.module}.py"

    @property
    def metadata_file(self) -> Path:
        return self.folder / "kata.toml"

    @property
    def solution_file(self) -> Path:
        return self.solution_dir / f"{self.module}.py"

    @property
    def needs_gpu(self) -> bool:
        return "gpu" in self.needs or "multi-gpu" in self.needs

    def summary(self) -> str:
        """The paragraph after the docstring's title line: the task in brief."""
        import ast

        try:
            doc = ast.get_docstring(ast.parse(self.learner_file.read_text()))
        except SyntaxError:
            doc = None
        if not doc:
            return self.title
        paragraphs = doc.strip().split("\n\n")
        # The first paragraph is the title line; the task in brief follows it.
        brief = paragraphs[1] if len(paragraphs) > 1 else paragraphs[0]
        if brief.endswith("::") and len(paragraphs) > 2:  # it introduces a literal block
            return (brief[:-1].replace("\n", " ") + "\n" + paragraphs[2]).replace("``", "")
        return brief.replace("\n", " ").replace("``", "")


def _track_name(folder: Path) -> str:
    return folder.name.split("_", 1)[1] if "_" in folder.name else folder.name


def _as_tuple(raw: object, what: str, where: Path) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise CatalogError(f"{where}: `{what}` must be a list of strings")
    return tuple(raw)


def _module_name(folder: Path) -> str:
    specs = sorted(folder.glob("test_*.py"))
    if len(specs) != 1:
        raise CatalogError(
            f"{folder}: expected exactly one test_<module>.py spec, found {len(specs)}"
        )
    return specs[0].stem.removeprefix("test_")


def load_kata(folder: Path, root: Path) -> Kata:
    meta_path = folder / "kata.toml"
    try:
        meta = tomllib.loads(meta_path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise CatalogError(f"{meta_path}: {err}") from err
    try:
        kind = meta["kind"]
        if kind not in ("topic", "bug"):
            raise CatalogError(f"{meta_path}: kind must be 'topic' or 'bug', not {kind!r}")
        bug = None
        if kind == "bug":
            raw_bug = meta["bug"]
            bug = BugSpec(
                failing_tests=_as_tuple(raw_bug["failing_tests"], "bug.failing_tests", meta_path),
                exception=raw_bug.get("exception"),
            )
        module = _module_name(folder)
        rel = folder.relative_to(root / "katas")
        return Kata(
            id=meta["id"],
            title=meta["title"],
            track=_track_name(folder.parent),
            kind=kind,
            topics=_as_tuple(meta["topics"], "topics", meta_path),
            minutes=int(meta["minutes"]),
            level=int(meta["level"]),
            needs=_as_tuple(meta.get("needs", []), "needs", meta_path),
            hints=_as_tuple(meta["hints"], "hints", meta_path),
            requires=_as_tuple(meta.get("requires", []), "requires", meta_path),
            points=int(meta.get("points", 1)),
            timeout=float(meta.get("timeout", 30)),
            folder=folder,
            module=module,
            solution_dir=root / "solutions" / rel,
            bug=bug,
            order=(folder.parent.name, folder.name),
        )
    except KeyError as err:
        raise CatalogError(f"{meta_path}: missing key {err}") from err


@dataclass(frozen=True)
class Catalog:
    root: Path
    katas: tuple[Kata, ...]

    @property
    def ids(self) -> list[str]:
        return [k.id for k in self.katas]

    def by_module(self) -> dict[str, Kata]:
        return {k.module: k for k in self.katas}

    def find(self, query: str) -> Kata:
        """Look a kata up by id, by a path to any file in its folder, or by module name."""
        for kata in self.katas:
            if query in (kata.id, kata.module):
                return kata
        candidate = Path(query)
        if candidate.exists():
            resolved = candidate.resolve()
            for kata in self.katas:
                for home in (kata.folder.resolve(), kata.solution_dir.resolve()):
                    if resolved == home or home in resolved.parents:
                        return kata
        suggestions = difflib.get_close_matches(query, self.ids, n=3, cutoff=0.4)
        if not suggestions:
            suggestions = [i for i in self.ids if query and query.split("/")[-1] in i][:3]
        raise UnknownKata(query, suggestions)

    def for_path(self, path: Path) -> Kata | None:
        """The kata whose folder holds ``path``, if any."""
        try:
            return self.find(str(path))
        except UnknownKata:
            return None


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder upwards holding ``katas/`` and ``pyproject.toml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "katas").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    package_root = Path(__file__).resolve().parents[2]
    if (package_root / "katas").is_dir():
        return package_root
    raise CatalogError("Cannot find the kata workspace (a folder with katas/ and pyproject.toml).")


def discover(root: Path) -> Catalog:
    folders = sorted(p.parent for p in (root / "katas").glob("*/*/kata.toml"))
    katas = tuple(load_kata(f, root) for f in folders)
    return Catalog(root=root, katas=katas)


@cache
def load_catalog(root: Path | None = None) -> Catalog:
    return discover(root or find_root())
