"""`kata regrade`: the trusted re-grade of a whole class, and one class table.

The roster is a TOML file, one ``[[student]]`` table each::

    [[student]]
    name = "ada"
    path = "../ada-katas"          # a local folder, relative to the roster

    [[student]]
    name = "bob"
    repo = "my-class/bob-katas"    # a GitHub repository: regrade.yml checks it out

A student given by ``repo`` is looked for in ``--students DIR/<name>`` (where the teacher's
workflow, or the teacher, checked it out). The class table comes as ``class.csv``,
``class.json`` and ``class.md``; ``--merge`` joins the tables of several runs (the workflow's
matrix jobs) into one.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class RosterError(ValueError):
    pass


@dataclass(frozen=True)
class Student:
    name: str
    path: str = ""
    repo: str = ""

    def folder(self, roster: Path, students: Path | None) -> Path:
        if self.path:
            return (roster.parent / self.path).resolve()
        return ((students or roster.parent / "students") / self.name).resolve()


def load(roster: Path) -> list[Student]:
    try:
        raw = tomllib.loads(roster.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise RosterError(f"{roster}: {err}") from err
    entries = raw.get("student", [])
    if not isinstance(entries, list) or not entries:
        raise RosterError(f"{roster}: no [[student]] tables")
    out: list[Student] = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise RosterError(f"{roster}: student {n} needs a name")
        name, path, repo = entry["name"], entry.get("path", ""), entry.get("repo", "")
        if not NAME.match(name):
            raise RosterError(f"{roster}: student name {name!r}: letters, digits, . _ - only")
        if not isinstance(path, str) or not isinstance(repo, str) or bool(path) == bool(repo):
            raise RosterError(f"{roster}: student {name!r} needs exactly one of path or repo")
        if name in {s.name for s in out}:
            raise RosterError(f"{roster}: student {name!r} is listed twice")
        out.append(Student(name, path, repo))
    return out


@dataclass
class Row:
    student: str
    score: int = 0
    max_score: int = 0
    points: dict[str, int] = field(default_factory=dict)
    tampered: list[str] = field(default_factory=list)
    flags: dict[str, list[str]] = field(default_factory=dict)
    forged: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @classmethod
    def from_grade(cls, student: str, grade: dict[str, Any]) -> Row:
        katas = grade["katas"]
        return cls(
            student=student,
            score=grade["score"],
            max_score=grade["max_score"],
            points={k["id"]: k["points"] for k in katas},
            tampered=list(grade["tampered"]),
            flags={k["id"]: k["flags"] for k in katas if k.get("flags")},
            forged={k["id"]: k["forged"] for k in katas if k.get("forged")},
        )


def table_csv(rows: list[Row]) -> str:
    katas = sorted({k for r in rows for k in r.points})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", "tampered", "flags", "forged", *katas])
    for r in rows:
        flagged = sum(len(v) for v in r.flags.values())
        forged = "; ".join(f"{k}: {v}" for k, v in r.forged.items()) or r.error
        points = [r.points.get(k, "") for k in katas]
        writer.writerow(
            [r.student, r.score, r.max_score, " ".join(r.tampered), flagged, forged, *points]
        )
    return buffer.getvalue()


def table_markdown(rows: list[Row], template: str) -> str:
    lines = [
        "## Torch Katas: class re-grade",
        "",
        f"Trusted re-grade against `{template}`: the template's specs and harness, only each "
        "student's learner files.",
        "",
        "| student | points | changed files | flagged lines | forged runs |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        forged = ", ".join(f"`{k}`" for k in r.forged) or (r.error or "-")
        flagged = sum(len(v) for v in r.flags.values())
        lines.append(
            f"| {r.student} | {r.score}/{r.max_score} | {len(r.tampered)} | {flagged} | {forged} |"
        )
    return "\n".join(lines) + "\n"


def write(rows: list[Row], out: Path, template: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    payload = {"template": template, "students": [asdict(r) for r in rows]}
    (out / "class.json").write_text(json.dumps(payload, indent=1) + "\n")
    (out / "class.csv").write_text(table_csv(rows))
    (out / "class.md").write_text(table_markdown(rows, template))


def merge(folder: Path) -> tuple[list[Row], str]:
    """Every class.json below ``folder`` (one per matrix job), as one table."""
    rows: list[Row] = []
    template = ""
    for path in sorted(folder.rglob("class.json")):
        data = json.loads(path.read_text())
        template = template or data.get("template", "")
        rows += [Row(**raw) for raw in data["students"]]
    rows.sort(key=lambda r: r.student)
    return rows, template
