"""Everything the `kata` command shows a person, drawn with rich."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from katakit.catalog import Catalog, Kata
from katakit.results import Verdict
from katakit.state import Status

if TYPE_CHECKING:
    from katakit.verify import KataProof

STATUS_STYLE: dict[str, tuple[str, str]] = {
    "solved": ("✔ solved", "green"),
    "failing": ("✘ failing", "red"),
    "started": ("… started", "yellow"),
    "new": ("· new", "dim"),
}

console = Console(highlight=False)


def rel(catalog: Catalog, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(catalog.root.resolve()))
    except ValueError:
        return str(path)


def progress_table(catalog: Catalog, statuses: dict[str, Status]) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("track")
    table.add_column("progress", width=24)
    table.add_column("done", justify="right")
    tracks: dict[str, list[Kata]] = {}
    for kata in catalog.katas:
        tracks.setdefault(kata.track, []).append(kata)
    for track, members in tracks.items():
        done = sum(statuses[k.id] == "solved" for k in members)
        bar = ProgressBar(total=len(members), completed=done, width=24)
        table.add_row(track, bar, f"{done}/{len(members)}")
    return table


def show_next(catalog: Catalog, statuses: dict[str, Status], kata: Kata | None) -> None:
    solved = sum(s == "solved" for s in statuses.values())
    console.print(f"[bold]Torch Katas[/bold]: {solved} of {len(catalog.katas)} solved")
    console.print(progress_table(catalog, statuses))
    broken_notice(catalog)
    console.print()
    if kata is None:
        console.print("[green bold]Every kata is solved.[/green bold] Well done!")
        return
    kind = "bug hunt" if kata.kind == "bug" else "kata"
    needs = f"  needs: {', '.join(kata.needs)}" if kata.needs else ""
    body = Group(
        Text(kata.summary()),
        Text(""),
        Text(f"open   {rel(catalog, kata.learner_file)}"),
        Text(f"check  kata check {kata.id}"),
        Text(f"hint   kata hint {kata.id}"),
        Text(f"about {kata.minutes} min, level {kata.level}{needs}", style="dim"),
    )
    console.print(Panel(body, title=f"next {kind}: {kata.id}", title_align="left"))
    path_tip(catalog)


def path_tip(catalog: Catalog) -> None:
    """When `kata` is not on PATH in this shell, say how to put it there."""
    import shutil

    venv_bin = catalog.root / ".venv" / "bin"
    found = shutil.which("kata")
    if found is not None and Path(found).resolve().parent == venv_bin.resolve():
        return
    console.print(
        f'[dim]tip: `kata` is not on PATH in this shell: export PATH="{venv_bin}:$PATH" '
        "(VS Code's terminals and the dev container have it already)[/dim]",
        soft_wrap=True,
    )


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def show_list(catalog: Catalog, statuses: dict[str, Status]) -> None:
    """One line per kata, cut to the terminal's width: number, id, status, kind, title."""
    id_width = max([len(k.id) for k in catalog.katas] + [len(b.id) for b in catalog.broken] + [2])
    head = f"{'#':>3}  {'id':<{id_width}}  {'status':<10}  {'kind':<4}  "
    title_width = max(console.width - len(head) - 1, 10)
    console.print(Text(head + "title", style="bold"), no_wrap=True, crop=True)
    for n, kata in enumerate(catalog.katas, 1):
        label, style = STATUS_STYLE[statuses[kata.id]]
        needs = f" [{', '.join(kata.needs)}]" if kata.needs else ""
        line = Text(f"{n:>3}  {kata.id:<{id_width}}  ")
        line.append(f"{label:<10}", style=style)
        line.append(f"  {'bug' if kata.kind == 'bug' else 'kata':<4}  ")
        line.append(_fit(kata.title + needs, title_width))
        console.print(line, no_wrap=True, crop=True)
    for broken in catalog.broken:
        line = Text(f"{'!':>3}  {broken.id:<{id_width}}  ")
        line.append(f"{'✘ broken':<10}", style="red bold")
        line.append(f"  {'':<4}  " + _fit(broken.error, title_width))
        console.print(line, no_wrap=True, crop=True)
    broken_notice(catalog)


def broken_notice(catalog: Catalog) -> None:
    for broken in catalog.broken:
        console.print(
            Text(
                f"{broken.id} is broken ({broken.error}): `kata reset {broken.id}` restores it.",
                style="red",
            )
        )


GREEN_NEXT = "Green! `kata next` for the next one, `kata solution` to compare."


def show_verdict(
    catalog: Catalog,
    verdict: Verdict,
    after_green: str = GREEN_NEXT,
    max_lines: int | None = None,
) -> None:
    """The verdict; ``max_lines`` caps the problem lines (the headline always shows)."""
    if verdict.green:
        console.print(f"[green bold]✔ {verdict.headline()}[/green bold]")
        for skipped in verdict.skipped:
            console.print(f"  [dim]skipped {skipped.name}: {skipped.message}[/dim]")
        bug = verdict.kata.bug
        if bug is not None and bug.explanation:
            paragraphs = [" ".join(p.split()) for p in bug.explanation.split("\n\n")]
            text = Text("\n\n".join(paragraphs))  # the terminal wraps, not the TOML file
            console.print(Panel(text, title="the bug, explained", title_align="left"))
        console.print(after_green)
        return
    console.print(f"[red bold]✘ {verdict.headline()}[/red bold]")
    lines = verdict.problem_lines(catalog.root) + verdict.output_lines()
    if max_lines is not None and len(lines) > max_lines:
        hidden = len(lines) - max_lines + 1
        lines = [*lines[: max_lines - 1], f"… {hidden} more lines: kata check {verdict.kata.id}"]
    for line in lines:
        console.print(Text(line), soft_wrap=True)
    console.print(
        f"[dim]full output: kata check {verdict.kata.id} -v · stuck? kata hint {verdict.kata.id}"
        "[/dim]"
    )


def show_hint(kata: Kata, shown: int, again: str = "") -> None:
    for n in range(shown):
        style = "bold" if n == shown - 1 else "dim"
        console.print(Text(f"hint {n + 1}/{len(kata.hints)}: {kata.hints[n]}", style=style))
    if shown < len(kata.hints):
        again = again or f"`kata hint {kata.id}` again"
        console.print(f"[dim]{again} for the next one.[/dim]")
    else:
        console.print(
            f"[dim]That was the last hint for {kata.id}. Still stuck? Re-read the docstring's "
            "contract, and print what your code computes at each step.[/dim]"
        )


def show_proofs(proofs: Sequence[KataProof]) -> None:
    table = Table(box=None, header_style="bold")
    for column in ("kata", "stub", "solution", "mistakes", "alternatives", "problems"):
        table.add_column(column)
    for p in proofs:
        rejected = sum(not m.green for m in p.mistakes)
        accepted = sum(a.green for a in p.alternatives)
        table.add_row(
            p.id,
            Text(str(p.stub), style="green" if p.stub == "red" else "red"),
            Text(str(p.solution), style="green" if p.solution == "green" else "red"),
            f"{rejected}/{len(p.mistakes)} red" if p.mistakes else "-",
            f"{accepted}/{len(p.alternatives)} green" if p.alternatives else "-",
            "\n".join(p.problems) or "-",
        )
    console.print(table)
