"""Drive a running `kata watch` from another process, as a learner at a terminal would:
save files, read each verdict, press keys. Used by the maintainers' suite and the benchmark."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from katakit.watch import END


class Watch:
    """A `kata watch` subprocess whose output is read line by line, with arrival times."""

    def __init__(self, workspace: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "katakit.cli", "watch", *args],
            cwd=workspace,
            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.seen: list[str] = []
        self.last_at = 0.0  # time.perf_counter() when the last line returned by until() arrived
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put((time.perf_counter(), line.rstrip("\n")))

    def until(self, start: str, timeout: float = 60) -> str:
        """Every line up to and including the first one starting with ``start``."""
        block: list[str] = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                stamp, line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            block.append(line)
            self.seen.append(line)
            if line.startswith(start):
                self.last_at = stamp
                return "\n".join(block)
        raise AssertionError(f"no line starting {start!r} within {timeout} s:\n" + "\n".join(block))

    def verdict(self, timeout: float = 60) -> str:
        """The next run's output, up to its closing line."""
        return self.until(END, timeout)

    def press(self, key: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(key + "\n")
        self.proc.stdin.flush()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.press("q")
        return self.proc.wait(timeout=30)
