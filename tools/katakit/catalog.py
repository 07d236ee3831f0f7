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
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

Kind = Literal["topic", "bug"]
KNOWN_NEEDS = frozenset({"gpu", "multi-gpu", "lightning", "slow"})
LEVELS = {1: "Foundations", 2: "Intermediate", 3: "Advanced", 4: "Expert"}


class CatalogError(Exception):
    """A kata folder whose files or metadata cannot be read: the message names file and key."""


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
    explanation: str = ""  # what the bug was, why it was silent, how to spot it: after green


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
    broken: str = ""  # why it cannot run (a stand-in for a broken kata when grading)

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
    def mistakes(self) -> list[Path]:
        """Complete learner files, each with one plausible conceptual mistake: must be red."""
        return sorted((self.solution_dir / "mistakes").glob("*.py"))

    @property
    def alternatives(self) -> list[Path]:
        """Correct answers written differently from the reference: must be green."""
        return sorted((self.solution_dir / "alternatives").glob("*.py"))

    @property
    def needs_gpu(self) -> bool:
        return "gpu" in self.needs or "multi-gpu" in self.needs

    def summary(self) -> str:
        """The paragraph after the docstring's title line: the task in brief."""
        import ast

        try:  # bytes: the learner's file may not even be valid UTF-8
            doc = ast.get_docstring(ast.parse(self.learner_file.read_bytes()))
        except (OSError, SyntaxError, ValueError):
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
        raise CatalogError(f"{where}: `{what}` must be a list of strings, not {raw!r}")
    return tuple(raw)


def _as_str(raw: object, what: str, where: Path) -> str:
    if not isinstance(raw, str) or not raw:
        raise CatalogError(f"{where}: `{what}` must be a non-empty string, not {raw!r}")
    return raw


def _as_number(raw: object, what: str, where: Path, *, whole: bool) -> float:
    ok = isinstance(raw, int) if whole else isinstance(raw, int | float)
    if isinstance(raw, bool) or not ok or float(raw) < 0:  # type: ignore[arg-type]
        noun = "a whole number" if whole else "a number"
        raise CatalogError(f"{where}: `{what}` must be {noun} >= 0, not {raw!r}")
    return float(raw)  # type: ignore[arg-type]


def _module_name(folder: Path) -> str:
    """The kata's module: the one ``test_<module>.py`` beside a ``<module>.py``. A stray test
    file a learner adds to the folder (with no module of its own) does not count."""
    specs = sorted(folder.glob("test_*.py"))
    paired = [s for s in specs if (folder / f"{s.stem.removeprefix('test_')}.py").is_file()]
    chosen = paired if len(paired) == 1 else specs
    if len(chosen) != 1:
        raise CatalogError(
            f"{folder}: expected exactly one test_<module>.py spec, found {len(chosen)}"
        )
    return chosen[0].stem.removeprefix("test_")


def load_kata(folder: Path, root: Path) -> Kata:
    """Read one kata folder; a CatalogError names the file and key that are wrong."""
    meta_path = folder / "kata.toml"
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise CatalogError(f"{meta_path}: {err}") from err
    try:
        kind = meta["kind"]
        if kind not in ("topic", "bug"):
            raise CatalogError(f"{meta_path}: `kind` must be 'topic' or 'bug', not {kind!r}")
        bug = None
        if kind == "bug":
            raw_bug = meta["bug"]
            if not isinstance(raw_bug, dict):
                raise CatalogError(f"{meta_path}: `[bug]` must be a table")
            exception = raw_bug.get("exception")
            explanation = raw_bug.get("explanation", "")
            if not isinstance(explanation, str):
                raise CatalogError(f"{meta_path}: `bug.explanation` must be a string")
            bug = BugSpec(
                failing_tests=_as_tuple(raw_bug["failing_tests"], "bug.failing_tests", meta_path),
                exception=None
                if exception is None
                else _as_str(exception, "bug.exception", meta_path),
                explanation=explanation.strip(),
            )
        module = _module_name(folder)
        rel = folder.relative_to(root / "katas")
        kata = Kata(
            id=_as_str(meta["id"], "id", meta_path),
            title=_as_str(meta["title"], "title", meta_path),
            track=_track_name(folder.parent),
            kind=kind,
            topics=_as_tuple(meta["topics"], "topics", meta_path),
            minutes=int(_as_number(meta["minutes"], "minutes", meta_path, whole=True)),
            level=int(_as_number(meta["level"], "level", meta_path, whole=True)),
            needs=_as_tuple(meta.get("needs", []), "needs", meta_path),
            hints=_as_tuple(meta["hints"], "hints", meta_path),
            requires=_as_tuple(meta.get("requires", []), "requires", meta_path),
            points=int(_as_number(meta.get("points", 1), "points", meta_path, whole=True)),
            timeout=_as_number(meta.get("timeout", 30), "timeout", meta_path, whole=False),
            folder=folder,
            module=module,
            solution_dir=root / "solutions" / rel,
            bug=bug,
            order=(folder.parent.name, folder.name),
        )
    except KeyError as err:
        raise CatalogError(f"{meta_path}: missing key {err}") from err
    if not kata.learner_file.is_file():
        raise CatalogError(f"{kata.learner_file}: the learner file is missing")
    return kata


@dataclass(frozen=True)
class Broken:
    """A kata folder that cannot be used as it is; ``kata reset ID`` restores its files."""

    id: str  # from the manifest when it knows the folder, else the folder's path
    folder: Path
    error: str


@dataclass(frozen=True)
class Catalog:
    root: Path
    katas: tuple[Kata, ...]
    broken: tuple[Broken, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [k.id for k in self.katas]

    def by_module(self) -> dict[str, Kata]:
        return {k.module: k for k in self.katas}

    @cached_property
    def _homes(self) -> dict[Path, Kata]:
        """Every kata's folder and reference folder, resolved once: the path -> kata index."""
        homes: dict[Path, Kata] = {}
        for kata in self.katas:
            homes[kata.folder.resolve()] = kata
            homes[kata.solution_dir.resolve()] = kata
        return homes

    def find(self, query: str) -> Kata:
        """Look a kata up by id, by a path to any file in its folder, or by module name."""
        for kata in self.katas:
            if query in (kata.id, kata.module):
                return kata
        candidate = Path(query)
        if candidate.exists():
            found = self.for_path(candidate)
            if found is not None:
                return found
        known = self.ids + [b.id for b in self.broken]
        suggestions = difflib.get_close_matches(query, known, n=3, cutoff=0.4)
        if not suggestions:
            suggestions = [i for i in known if query and query.split("/")[-1] in i][:3]
        raise UnknownKata(query, suggestions)

    def find_broken(self, query: str) -> Broken | None:
        """A broken kata named by its id or a path in its folder."""
        path = Path(query).resolve() if Path(query).exists() else None
        for broken in self.broken:
            home = broken.folder.resolve()
            if query == broken.id or (path is not None and (path == home or home in path.parents)):
                return broken
        return None

    def for_path(self, path: Path) -> Kata | None:
        """The kata whose folder (or reference folder) holds ``path``, if any."""
        resolved = path.resolve()
        for folder in (resolved, *resolved.parents):
            kata = self._homes.get(folder)
            if kata is not None:
                return kata
        return None

    def groups(self) -> dict[str, list[Kata]]:
        """Katas by every name a selection may use: track (``tensors``), id prefix (``arch``),
        and kind (``bug`` or ``bugs``, ``topic`` or ``topics``)."""
        out: dict[str, list[Kata]] = {}
        for kata in self.katas:
            for name in {kata.track, kata.id.split("/", 1)[0], kata.kind, f"{kata.kind}s"}:
                out.setdefault(name, []).append(kata)
        return out


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder upwards holding ``katas/`` and ``pyproject.toml``."""
    found = find_workspace(start or Path.cwd())
    if found is not None:
        return found
    package_root = Path(__file__).resolve().parents[2]
    if is_workspace(package_root):
        return package_root
    raise CatalogError("Cannot find the kata workspace (a folder with katas/ and pyproject.toml).")


def is_workspace(folder: Path) -> bool:
    """A kata workspace holds ``katas/`` and ``pyproject.toml``."""
    return (folder / "katas").is_dir() and (folder / "pyproject.toml").is_file()


def find_workspace(start: Path) -> Path | None:
    """The nearest kata workspace at or above ``start``, or None."""
    here = start.resolve()
    return next((f for f in (here, *here.parents) if is_workspace(f)), None)


def _known_folders(root: Path) -> dict[str, tuple[str, list[str]]]:
    """Kata folder (relative) -> (id, its files), as the manifest recorded them."""
    from katakit.pristine import load_manifest

    entries = load_manifest(root)["katas"].items()
    return {entry["folder"]: (kid, list(entry["files"])) for kid, entry in entries}


def discover(root: Path) -> Catalog:
    """Every kata folder under ``katas/``: the good ones, and the broken ones with why."""
    known = _known_folders(root)
    folders = {p.parent for p in (root / "katas").glob("*/*/kata.toml")}
    folders |= {p.parent for p in (root / "katas").glob("*/*/test_*.py")}
    folders |= {root / f for f in known if (root / f).is_dir()}
    katas: list[Kata] = []
    broken: list[Broken] = []
    for folder in sorted(folders):
        rel = folder.relative_to(root).as_posix()
        kid, files = known.get(rel, (rel, []))
        try:
            katas.append(load_kata(folder, root))
        except CatalogError as err:
            missing = [f for f in files if not (root / f).is_file()]
            why = f"missing {', '.join(missing)}" if missing else str(err)
            broken.append(Broken(kid, folder, why.replace(f"{root}/", "")))
    for rel, (kid, _) in sorted(known.items()):  # a whole kata folder deleted
        if not (root / rel).exists():
            broken.append(Broken(kid, root / rel, f"{rel}: the kata's folder is missing"))
    return Catalog(root=root, katas=tuple(katas), broken=tuple(broken))


@cache
def load_catalog(root: Path | None = None) -> Catalog:
    return discover(root or find_root())
