"""Flag, don't forbid: what in a learner file reaches past its kata, for a teacher to read.

A kata's answer needs torch, maybe Lightning, NumPy, the standard library's math and data
helpers. Reaching into the test harness (pytest or katakit internals, ``sys.modules``), out of
the process (``os._exit``, ``ctypes``, ``subprocess``, sockets, signals) or to absolute paths is
rarely part of an answer and often part of a cheat. The trusted grade lists such lines per kata
under ``flags``; it does not change the score by itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

SUSPECT_MODULES = {
    "pytest": "imports pytest (the grader's test runner)",
    "_pytest": "imports pytest's internals",
    "pluggy": "imports pytest's plugin system",
    "katakit": "imports the kata harness",
    "ctypes": "imports ctypes (raw memory and system calls)",
    "subprocess": "imports subprocess (starts other programs)",
    "socket": "imports socket (network)",
    "signal": "imports signal (timeouts and process control)",
    "faulthandler": "imports faulthandler",
    "gc": "imports gc (can find the grader's objects)",
    "inspect": "imports inspect (can read the caller's frames)",
    "builtins": "imports builtins",
    "importlib": "imports importlib (loads modules by hand)",
    "multiprocessing": "imports multiprocessing",
    "urllib": "imports urllib (network)",
    "http": "imports http (network)",
    "requests": "imports requests (network)",
}
SUSPECT_ATTRIBUTES = {
    ("sys", "modules"): "reads or changes sys.modules",
    ("sys", "exit"): "calls sys.exit",
    ("sys", "settrace"): "installs a tracer",
    ("sys", "setprofile"): "installs a profiler hook",
    ("sys", "_getframe"): "reads the caller's frames",
    ("os", "_exit"): "calls os._exit",
    ("os", "kill"): "sends signals",
    ("os", "system"): "runs a shell command",
    ("os", "fork"): "forks the process",
    ("os", "write"): "writes to a raw file descriptor",
    ("os", "fdopen"): "opens a raw file descriptor",
    ("os", "dup2"): "rewires file descriptors",
    ("os", "getppid"): "looks up the grader's process",
}
SUSPECT_CALLS = {"exec", "eval", "compile", "__import__", "globals", "breakpoint"}


def scan_source(source: bytes) -> list[str]:
    """``line N: what`` for each suspect construct in ``source``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    flags: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        for name in names:
            top = name.split(".")[0]
            if top in SUSPECT_MODULES:
                flags.append((line, SUSPECT_MODULES[top]))
            if "." in name and tuple(name.split(".")[:2]) in SUSPECT_ATTRIBUTES:
                flags.append((line, SUSPECT_ATTRIBUTES[tuple(name.split(".")[:2])]))  # type: ignore[index]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            what = SUSPECT_ATTRIBUTES.get((node.value.id, node.attr))
            if what:
                flags.append((line, what))
        elif isinstance(node, ast.Name) and node.id in ("__builtins__", "__loader__"):
            flags.append((line, f"uses {node.id}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in SUSPECT_CALLS:
                flags.append((line, f"calls {node.func.id}()"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            pathlike = len(text) > 1 and "\n" not in text and " " not in text
            if pathlike and text.startswith(("/", "~/")):
                flags.append((line, f"names an absolute path {text[:60]!r}"))
    return [f"line {n}: {what}" for n, what in sorted(set(flags))]


def scan(path: Path) -> list[str]:
    try:
        return scan_source(path.read_bytes())
    except OSError:
        return []
