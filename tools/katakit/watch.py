"""`kata watch`: a warm process that re-checks a kata on every save, in a fresh forked child.

Torch, torchvision, Lightning and everything else the specs import are imported once, here.
Each save runs the kata through the run service (``launcher``): a forked child, so no state
leaks between runs and nothing the learner's code does can bring the watcher down.
Lines starting ``▶ checking`` and ``■ done`` bracket every run, for editors' problem matchers.
"""

from __future__ import annotations

import os
import queue
import select
import sys
import termios
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import watchfiles

from katakit import render
from katakit.catalog import Catalog, Kata
from katakit.launcher import Interrupted, Job, run_one, warm
from katakit.results import Verdict
from katakit.state import State, next_kata, record, reveal_hint, statuses

KEYS = "keys: n next kata · h hint · l list · r re-run · q quit · save a kata file to check it"
BEGIN, END = "▶ checking", "■ done"


class Keys:
    """Single key presses from a terminal (cbreak mode), or lines from a pipe."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno() if sys.stdin is not None else -1
        self.tty = self.fd >= 0 and os.isatty(self.fd)
        self.closed = self.fd < 0
        self._saved: list[Any] | None = None

    def __enter__(self) -> Keys:
        if self.tty:
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def read(self, timeout: float = 0.0) -> str | None:
        if self.closed or not select.select([self.fd], [], [], timeout)[0]:
            return None
        data = os.read(self.fd, 1 if self.tty else 1024)
        if not data:
            self.closed = True  # stdin ended: keep watching files, stop reading keys
            return None
        text = data.decode(errors="ignore").strip().lower()
        return text[:1] or "r"  # Enter alone re-runs


class Watcher:
    def __init__(self, catalog: Catalog, kata: Kata | None) -> None:
        self.catalog = catalog
        self.current = kata or next_kata(catalog, self.statuses())
        self.last: Verdict | None = None
        self.saves: queue.Queue[set[Path]] = queue.Queue()
        self.pending: set[Path] | None = None  # a save that arrived during a run

    def next_save(self, timeout: float) -> set[Path]:
        if self.pending is not None:
            changed, self.pending = self.pending, None
            return changed
        try:
            return self.saves.get(timeout=timeout)
        except queue.Empty:
            return set()

    def statuses(self) -> dict[str, Any]:
        return dict(statuses(self.catalog, State.load(self.catalog.root)))

    def kata_of(self, paths: set[Path]) -> Kata | None:
        found = [k for k in map(self.catalog.for_path, paths) if k is not None]
        if self.current is not None and self.current in found:
            return self.current
        return found[-1] if found else None

    def check(self, kata: Kata, introduced: bool = False) -> Verdict | None:
        """Run the kata's spec and show one screen; None when a newer save cancelled it."""
        self.current = kata
        out = render.console
        if out.is_terminal and not introduced:
            out.clear()  # one verdict per screen: the headline never scrolls away
            out.print(f"{kata.id}: {kata.title}", style="bold", highlight=False)
        out.print(f"{BEGIN} {kata.id} …", style="dim", highlight=False)
        started = time.monotonic()
        try:
            verdict = run_one(self.catalog, Job(kata), cancel=self.saved_again).verdict
        except Interrupted:
            if self.pending is None:
                raise  # Ctrl-C: the watcher stops
            out.print(f"{END} {kata.id}: cancelled by a newer save", style="dim")
            return None
        record(self.catalog.root, kata, verdict.green)
        after = f"Green! Press n for the next kata{self._upcoming()}, or keep editing."
        room = max(out.height - 8, 5) if out.is_terminal else None
        render.show_verdict(self.catalog, verdict, after_green=after, max_lines=room)
        out.print(f"{END} {kata.id} in {time.monotonic() - started:.2f} s", style="dim")
        self.last = verdict
        return verdict

    def saved_again(self) -> bool:
        """Has a kata file been saved since this run started? (It is kept for the loop.)"""
        while self.pending is None:
            try:
                changed = self.saves.get_nowait()
            except queue.Empty:
                return False
            if self.kata_of(changed) is not None:
                self.pending = changed
        return True

    def _upcoming(self) -> str:
        upcoming = next_kata(self.catalog, self.statuses())
        return f" ({upcoming.id})" if upcoming is not None else ""

    def introduce(self, kata: Kata) -> None:
        if render.console.is_terminal:
            render.console.clear()
        render.console.print()
        render.console.rule(f"{kata.id}: {kata.title}", align="left")
        render.console.print(kata.summary(), highlight=False)
        render.console.print(f"open  {render.rel(self.catalog, kata.learner_file)}", style="bold")

    def advance(self) -> None:
        upcoming = next_kata(self.catalog, self.statuses())
        if upcoming is None:
            render.console.print("[green bold]Every kata is solved.[/green bold] Well done!")
            return
        if self.last is not None and not self.last.green and upcoming == self.current:
            render.console.print("Still red: make this one green first (h for a hint).")
            return
        self.introduce(upcoming)
        self.check(upcoming, introduced=True)

    def on_key(self, key: str) -> bool:
        """Handle one key; False means quit."""
        if key == "q":
            return False
        if key == "n":
            self.advance()
        elif key == "h" and self.current is not None:
            shown = reveal_hint(self.catalog.root, self.current)
            render.show_hint(self.current, shown, again="h again")
        elif key == "l":
            render.show_list(self.catalog, self.statuses())
        elif key == "r" and self.current is not None:
            self.check(self.current)
        else:
            render.console.print(KEYS, style="dim")
        return True


def changes(root: Path) -> Iterator[set[Path]]:
    """Sets of changed kata .py files; an empty set every 50 ms so keys stay responsive."""
    for batch in watchfiles.watch(
        root / "katas",
        watch_filter=watchfiles.PythonFilter(),
        debounce=400,
        step=15,
        rust_timeout=50,
        yield_on_timeout=True,
        raise_interrupt=False,
    ):
        yield {Path(path) for _, path in batch}


def watch(catalog: Catalog, kata: Kata | None) -> int:
    out = render.console
    out.print("kata watch: importing torch and friends once …", style="dim", highlight=False)
    started = time.monotonic()
    warm(catalog, catalog.katas)
    out.print(f"ready in {time.monotonic() - started:.1f} s. {KEYS}", style="dim")
    watcher = Watcher(catalog, kata)
    stream = changes(catalog.root)
    next(stream)  # the watcher is live from here: no save goes unseen

    def pump() -> None:  # saves arrive while a run is going: a newer one cancels it
        for changed in stream:
            if changed:
                watcher.saves.put(changed)

    threading.Thread(target=pump, daemon=True).start()
    try:
        with Keys() as keys:
            if watcher.current is not None:
                watcher.introduce(watcher.current)
                watcher.check(watcher.current, introduced=True)
            while True:
                target = watcher.kata_of(watcher.next_save(timeout=0.05))
                if target is not None:
                    watcher.check(target)
                key = keys.read()
                while key is not None:
                    if not watcher.on_key(key):
                        return 0
                    key = keys.read()
    except Interrupted:
        return 130
