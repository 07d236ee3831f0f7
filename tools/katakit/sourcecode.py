"""Python source as the tools compare it: code, not docstrings."""

from __future__ import annotations

import ast
from pathlib import Path


def _docstrings(tree: ast.AST) -> list[ast.Expr]:
    found = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            found.append(body[0])
    return found


def code_lines(path: Path) -> list[str]:
    """The file's code, normalised by the AST: no docstrings, comments or layout."""
    tree = ast.parse(path.read_bytes())
    for doc in _docstrings(tree):
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and body[0] is doc:
                body.pop(0)
    return ast.unparse(tree).splitlines()


def without_docstrings(text: str) -> str:
    """``text`` with every docstring's lines removed; comments and layout stay."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    drop: set[int] = set()
    for doc in _docstrings(tree):
        drop.update(range(doc.lineno, (doc.end_lineno or doc.lineno) + 1))
    lines = text.splitlines(keepends=True)
    kept = [line for n, line in enumerate(lines, 1) if n not in drop]
    while kept and not kept[0].strip():  # the blank line a module docstring leaves
        kept.pop(0)
    return "".join(kept)
