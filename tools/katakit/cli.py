"""The `kata` command: one entry point for learners, teachers and maintainers."""

from __future__ import annotations

import difflib
import json
import sys
from typing import Annotated, NoReturn

import typer

from katakit.catalog import Catalog, CatalogError, Kata, UnknownKata, load_catalog
from katakit.state import State, next_kata, statuses

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode="rich",
    help="Torch Katas: turn red PyTorch specs green. Run `kata` for the next kata.",
)

IdArg = Annotated[str, typer.Argument(help="a kata id (e.g. tensors/create) or a path in it")]
CurrentArg = Annotated[
    str | None, typer.Argument(help="a kata id or a path in it; default: the current kata")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def catalog() -> Catalog:
    try:
        return load_catalog()
    except CatalogError as err:
        fail(str(err), 2)


def find(query: str) -> Kata:
    cat = catalog()
    broken = cat.find_broken(query)
    if broken is not None:
        fail(
            f"{broken.id} is broken: {broken.error}\n"
            f"`kata reset {broken.id}` restores its original files (yours are backed up).",
            2,
        )
    try:
        return cat.find(query)
    except UnknownKata as err:
        fail(str(err), 2)


def current(query: str | None) -> Kata:
    """The kata named, or the next unsolved one."""
    if query is not None:
        return find(query)
    cat = catalog()
    kata = next_kata(cat, statuses(cat, State.load(cat.root)))
    if kata is None:
        fail("Every kata is solved: name one to check it again.", 0)
    return kata


def interrupted(what: str) -> NoReturn:
    fail(f"Interrupted: {what} stopped, and nothing from this run was recorded.", 130)


@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        next_()


@app.command("next")
def next_() -> None:
    """Progress at a glance and the next unsolved kata."""
    from katakit import render

    cat = catalog()
    status = statuses(cat, State.load(cat.root))
    render.show_next(cat, status, next_kata(cat, status))


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """Every kata in roadmap order, with its status."""
    cat = catalog()
    status = statuses(cat, State.load(cat.root))
    if as_json:
        rows: list[dict[str, object]] = [
            {
                "id": k.id,
                "title": k.title,
                "track": k.track,
                "kind": k.kind,
                "level": k.level,
                "topics": list(k.topics),
                "needs": list(k.needs),
                "minutes": k.minutes,
                "path": str(k.folder.relative_to(cat.root)),
                "status": status[k.id],
            }
            for k in cat.katas
        ]
        rows += [
            {
                "id": b.id,
                "title": "",
                "track": "",
                "kind": "",
                "level": 0,
                "topics": [],
                "needs": [],
                "minutes": 0,
                "path": str(b.folder.relative_to(cat.root)),
                "status": "broken",
                "error": b.error,
            }
            for b in cat.broken
        ]
        typer.echo(json.dumps(rows, indent=1))
        return
    from katakit import render

    render.show_list(cat, status)


@app.command()
def check(
    kata_id: Annotated[
        str | None, typer.Argument(help="kata id or path; default: the next")
    ] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="full pytest output")] = False,
) -> None:
    """Run one kata's spec against your code; exit 0 only when it is green."""
    from katakit import render
    from katakit.launcher import Interrupted, Job, run_one
    from katakit.state import record

    cat = catalog()
    kata = current(kata_id)
    try:
        done = run_one(cat, Job(kata, verbose=verbose))
    except Interrupted:
        interrupted(f"the check of {kata.id}")
    verdict = done.verdict
    edited = edited_files(cat, kata)
    if edited:  # a green against an edited spec proves nothing: not recorded
        render.console.print(
            f"[yellow]⚠ {', '.join(edited)} differs from the original: a green here will not "
            f"count when graded. `kata reset {kata.id}` restores it.[/yellow]"
        )
    else:
        record(cat.root, kata, verdict.green)
    render.show_verdict(cat, verdict)
    raise typer.Exit(0 if verdict.green else 1)


def edited_files(cat: Catalog, kata: Kata) -> list[str]:
    """The kata's spec and metadata files that differ from the manifest."""
    from katakit.pristine import load_manifest
    from katakit.tamper import check as tamper_check
    from katakit.tamper import kata_files

    protected = load_manifest(cat.root)["protected"]
    own = {p: protected[p] for p in kata_files(kata, cat.root) if p in protected}
    return tamper_check(cat.root, own).changed


@app.command()
def watch(
    kata_id: Annotated[
        str | None, typer.Argument(help="kata id or path to start with; default: the next")
    ] = None,
) -> None:
    """Re-check a kata on every save, from a warm process: verdicts in well under a second."""
    from katakit.watch import watch as run_watch

    cat = catalog()
    raise typer.Exit(run_watch(cat, find(kata_id) if kata_id else None))


@app.command()
def grade(
    as_json: JsonOpt = False,
    select: Annotated[
        str | None,
        typer.Option(help="comma-separated kata ids or track names (default: classroom.toml)"),
    ] = None,
    out: Annotated[str, typer.Option(help="where grade.json, junit.xml, summary.md go")] = (
        ".kata/grade"
    ),
    against: Annotated[
        str | None,
        typer.Option(help="re-grade with the specs and harness of this pristine template"),
    ] = None,
) -> None:
    """Classroom: points per kata, a GitHub Actions job summary. Advisory in a student's own
    repository; `--against TEMPLATE` is the trusted re-grade of this copy."""
    import os
    from pathlib import Path

    from katakit import grade as grading

    out_dir = Path(out).resolve()
    try:
        if against is not None:
            if select is not None:
                fail("--select and --against do not mix: the template's classroom.toml decides", 2)
            from katakit.catalog import find_root
            from katakit.trusted import TemplateError, prepared, regrade

            template = Path(against).resolve()
            try:
                with prepared(template) as reference:
                    report = regrade(find_root(), reference, out_dir / "junit.xml")
                    lines = grading.publish(report, out_dir, dict(os.environ))
            except TemplateError as err:
                fail(str(err), 2)
        else:
            cat = catalog()
            try:
                chosen = grading.select(cat, select.split(",") if select else None)
            except grading.SelectionError as err:
                fail(str(err), 2)
            report = grading.grade(cat, chosen, junit=out_dir / "junit.xml")
            lines = grading.publish(report, out_dir, dict(os.environ))
    except KeyboardInterrupt:
        interrupted("grading")
    for line in lines:
        typer.echo(line)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=1))
    else:
        from rich.markdown import Markdown

        from katakit import render

        render.console.print(Markdown(grading.markdown(report)))
    raise typer.Exit(0 if report.score == report.max_score else 1)


@app.command()
def regrade(
    roster: Annotated[str, typer.Argument(help="roster.toml: one [[student]] per student")],
    template: Annotated[
        str, typer.Option(help="the pristine template (default: this workspace)")
    ] = ".",
    out: Annotated[str, typer.Option(help="where the class table goes")] = "regrade",
    students: Annotated[
        str | None, typer.Option(help="folder holding students given by repo (DIR/<name>)")
    ] = None,
    only: Annotated[str | None, typer.Option(help="re-grade this student only")] = None,
    matrix: Annotated[
        bool, typer.Option("--matrix", help="print the roster as a GitHub Actions matrix")
    ] = False,
    merge: Annotated[
        str | None, typer.Option(help="join the class.json tables found under this folder")
    ] = None,
) -> None:
    """Teachers: the trusted re-grade of every student on a roster; one class table."""
    import os
    from pathlib import Path

    from katakit import roster as rosters
    from katakit.grade import publish
    from katakit.trusted import TemplateError, prepared
    from katakit.trusted import regrade as trusted_regrade

    out_dir = Path(out).resolve()
    if merge is not None:
        rows, merged_from = rosters.merge(Path(merge))
        rosters.write(rows, out_dir, merged_from)
        typer.echo(rosters.table_markdown(rows, merged_from))
        return
    roster_path = Path(roster).resolve()
    try:
        listed = rosters.load(roster_path)
    except rosters.RosterError as err:
        fail(str(err), 2)
    if only is not None:
        listed = [s for s in listed if s.name == only]
        if not listed:
            fail(f"{only!r} is not on the roster", 2)
    if matrix:
        entries = [{"name": s.name, "repo": s.repo} for s in listed if s.repo]
        line = "students=" + json.dumps(entries)
        if os.environ.get("GITHUB_OUTPUT"):
            with open(os.environ["GITHUB_OUTPUT"], "a") as handle:
                handle.write(line + "\n")
        typer.echo(line)
        return
    source = Path(template).resolve()
    rows = []
    try:
        with prepared(source) as reference:
            for student in listed:
                folder = student.folder(roster_path, Path(students) if students else None)
                if not folder.is_dir():
                    rows.append(rosters.Row(student.name, error=f"no copy at {folder}"))
                    continue
                report = trusted_regrade(folder, reference)
                publish(report, out_dir / "students" / student.name, {})
                rows.append(rosters.Row.from_grade(student.name, report.to_json()))
    except TemplateError as err:
        fail(str(err), 2)
    except KeyboardInterrupt:
        interrupted("the class re-grade")
    rosters.write(rows, out_dir, str(source))
    typer.echo(rosters.table_markdown(rows, str(source)))


@app.command("export")
def export_(
    target: Annotated[str, typer.Argument(help="a new, empty folder for the template")],
) -> None:
    """Write a classroom template: no reference solutions, no maintainers' CI."""
    from pathlib import Path

    from katakit.export import ExportError, export

    try:
        kept = export(catalog().root, Path(target))
    except ExportError as err:
        fail(str(err), 2)
    typer.echo(f"Wrote {len(kept)} files to {target}. Push it as a new repository and mark it")
    typer.echo("a template (Settings > Template repository); see TEACHING.md.")


@app.command()
def hint(kata_id: CurrentArg = None) -> None:
    """Show the next hint for a kata (each call reveals one more); default: the next kata."""
    from katakit import render
    from katakit.state import reveal_hint

    kata = current(kata_id)
    render.show_hint(kata, reveal_hint(catalog().root, kata))


@app.command()
def reset(
    kata_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False,
) -> None:
    """Restore a kata's original files; your version is backed up first."""
    from katakit.pristine import PristineError
    from katakit.pristine import reset as do_reset
    from katakit.state import forget

    cat = catalog()
    broken = cat.find_broken(kata_id)
    kid = broken.id if broken is not None else find(kata_id).id
    if not yes and not typer.confirm(
        f"Restore {kid} to the original? (your version is backed up)", default=False
    ):
        fail("Nothing changed.", 1)
    try:
        restored = do_reset(cat.root, kid)
    except PristineError as err:
        fail(f"Cannot reset {kid}: {err}. Nothing changed.", 1)
    forget(cat.root, kid)
    if not restored.files:
        typer.echo(f"{kid} is already in its original state.")
        return
    for path, saved in restored.files.items():
        kept = f" (yours is saved at {saved.relative_to(cat.root)})" if saved else ""
        typer.echo(f"Restored {path.relative_to(cat.root)}{kept}")


@app.command()
def solution(kata_id: CurrentArg = None) -> None:
    """Show the reference solution (and a diff with yours) once your spec is green; default:
    the kata you turned green last."""
    from rich.syntax import Syntax

    from katakit import render
    from katakit.pristine import load_manifest
    from katakit.sourcecode import without_docstrings

    cat = catalog()
    state = State.load(cat.root)
    last = state.last_green if state.last_green in cat.ids else None
    kata = current(kata_id if kata_id is not None else last)
    if state.status(kata, load_manifest(cat.root)["learner"]) != "solved":
        fail(f"Make {kata.id} green first (`kata check {kata.id}`), then compare.", 1)
    if not kata.solution_file.exists():
        fail("This copy of the workspace has no reference solutions.", 1)
    reference = kata.solution_file.read_text()
    render.console.print(Syntax(reference, "python", line_numbers=True))
    diff = "".join(
        difflib.unified_diff(
            without_docstrings(kata.learner_file.read_text(errors="replace")).splitlines(True),
            without_docstrings(reference).splitlines(keepends=True),
            fromfile="yours (code only)",
            tofile="reference (code only)",
        )
    )
    if diff:
        render.console.print(Syntax(diff, "diff"))


@app.command()
def progress() -> None:
    """Per-track progress bars."""
    from katakit import render

    cat = catalog()
    render.console.print(render.progress_table(cat, statuses(cat, State.load(cat.root))))


@app.command()
def doctor() -> None:
    """Python, torch, CUDA, devices, Lightning: and which GPU tests will skip, and why."""
    from katakit.doctor import report

    cat = catalog()
    typer.echo(report(cat))


@app.command()
def verify(
    ids: Annotated[list[str] | None, typer.Argument(help="katas to prove (default: all)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Maintainers: prove each kata both ways (stub red for the right reason, solution green)."""
    from katakit.verify import verify as run_verify

    cat = catalog()
    katas = [find(i) for i in ids] if ids else list(cat.katas)
    from katakit.sync import stale

    try:
        proofs = run_verify(cat, katas)
    except KeyboardInterrupt:
        interrupted("kata verify")
    problems = [f"{path} is stale: run `kata sync`" for path in stale(cat)]
    ok = all(p.ok for p in proofs) and not problems
    if as_json:
        payload = {"ok": ok, "katas": [p.to_json() for p in proofs], "problems": problems}
        typer.echo(json.dumps(payload, indent=1))
    else:
        from katakit import render

        render.show_proofs(proofs)
        typer.echo(f"{sum(p.ok for p in proofs)}/{len(proofs)} katas proven both ways")
        for problem in problems:
            typer.echo(problem)
    raise typer.Exit(0 if ok else 1)


@app.command()
def mutate(
    ids: Annotated[list[str] | None, typer.Argument(help="katas to mutate (default: all)")] = None,
    as_json: JsonOpt = False,
    floor: Annotated[float, typer.Option(help="fail when a kata kills less than this")] = 0.8,
    sample: Annotated[
        int | None, typer.Option(help="run only this many mutants per kata, evenly spread")
    ] = None,
) -> None:
    """Maintainers: how many mutants of each reference solution its spec kills."""
    from katakit.mutate import mutate as run_mutate

    cat = catalog()
    katas = [find(i) for i in ids] if ids else list(cat.katas)

    def tick(kid: str, done: int, total: int) -> None:
        if not as_json and sys.stderr.isatty():
            print(f"\r{done}/{total} mutants ({kid})   ", end="", file=sys.stderr, flush=True)

    try:
        reports = run_mutate(cat, katas, progress=tick, sample=sample)
    except KeyboardInterrupt:
        interrupted("kata mutate")
    ok = all(r.score >= floor and not r.error for r in reports)
    if as_json:
        typer.echo(json.dumps({"ok": ok, "katas": [r.to_json() for r in reports]}, indent=1))
    else:
        print(file=sys.stderr)
        for r in reports:
            mark = "✔" if r.score >= floor and not r.error else "✘"
            typer.echo(f"{mark} {r.id}: {r.killed}/{r.mutants} killed ({r.score:.0%}) {r.error}")
            for survivor in r.survivors:
                typer.echo(f"    survived: {survivor}")
    raise typer.Exit(0 if ok else 1)


@app.command()
def sync(
    check_only: Annotated[bool, typer.Option("--check", help="only report staleness")] = False,
) -> None:
    """Maintainers: regenerate ROADMAP.md and katas/manifest.json from the katas."""
    from katakit.sync import generated, is_stale

    cat = catalog()
    stale = []
    for path, text in generated(cat).items():
        if is_stale(path, text):
            stale.append(path.relative_to(cat.root))
            if not check_only:
                path.unlink(missing_ok=True)  # a symlink is replaced by the file itself
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    if check_only and stale:
        fail(f"stale: {', '.join(map(str, stale))}. Run `kata sync`.", 1)
    typer.echo("up to date" if not stale else f"wrote {', '.join(map(str, stale))}")


@app.command()
def new(
    kata_id: Annotated[str, typer.Argument(help="the new id, e.g. tensors/views")],
    module: Annotated[str, typer.Option(help="unique module name, e.g. tensor_views")],
    title: Annotated[str, typer.Option(help="one-line title")],
    track: Annotated[str, typer.Option(help="track folder, e.g. 01_tensors")],
    kind: Annotated[str, typer.Option(help="topic or bug")] = "topic",
    topic: Annotated[list[str] | None, typer.Option(help="curriculum topic id")] = None,
) -> None:
    """Maintainers: scaffold a new kata (learner file, spec, metadata, reference)."""
    from katakit.scaffold import ScaffoldError, scaffold

    cat = catalog()
    try:
        folder = scaffold(cat, kata_id, module, title, track, kind, topic or [])
    except ScaffoldError as err:
        fail(str(err), 2)
    typer.echo(f"created {folder.relative_to(cat.root)} and its reference under solutions/")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
