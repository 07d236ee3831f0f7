"""The mutation operators, on a small training step."""

from __future__ import annotations

import ast

from katakit.mutate import mutants

SOURCE = '''"""Docstring with 3 numbers 1.0."""
import torch

LIMIT: int = 4


def step(model, opt, x: torch.Tensor, y: torch.Tensor) -> float:
    opt.zero_grad()
    loss = (model(x) - y).pow(2).mean(dim=1).sum()
    loss.backward()
    opt.step()
    return loss.detach().item()


def evaluate(model, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x), x], dim=1)


def check(n: int) -> None:
    if n < 0:
        raise ValueError("n must be >= 0, got 1")
    eps = 1e-5  # mutate: skip (a smaller epsilon changes nothing here)
'''


def descriptions() -> list[str]:
    return [m.description for m in mutants(SOURCE)]


def test_the_classic_mistakes_are_all_there() -> None:
    found = descriptions()
    for wanted in (
        "delete `opt.zero_grad()`",
        "delete `model.eval()`",
        "drop `with torch.no_grad():`",
        "drop `.detach(...)`",
        "`mean` -> `sum`",
        "`sum` -> `mean`",
        "`cat` -> `stack`",
        "`1` -> `2`",
        "drop `dim=`",
        "`-` -> `+`",
        "`<` -> `<=`",
        "`4` -> `5`",
    ):
        assert wanted in found, f"{wanted!r} missing from {found}"


def test_docstrings_annotations_raises_and_skipped_lines_are_left_alone() -> None:
    for m in mutants(SOURCE):
        tree = ast.parse(m.source)
        assert ast.get_docstring(tree) == "Docstring with 3 numbers 1.0."
        assert "raise ValueError('n must be >= 0, got 1')" in m.source
        assert "eps = 1e-05" in m.source, m.description
        assert "LIMIT: int" in m.source


def test_every_mutant_is_valid_and_distinct_code() -> None:
    found = mutants(SOURCE)
    sources = [m.source for m in found]
    assert len(set(sources)) == len(sources)
    original = ast.unparse(ast.parse(SOURCE))
    for m in found:
        compile(m.source, "<mutant>", "exec")
        assert m.source != original


def test_spread_takes_an_even_sample_in_order() -> None:
    from katakit.mutate import spread

    found = mutants("def f(x):\n    return x + 1 - 2 * 3 > 0 and x < 5\n")
    assert len(found) > 6
    picked = spread(found, 4)
    assert len(picked) == 4 and picked[0] == found[0]
    assert [m.index for m in picked] == sorted(m.index for m in picked)
    assert spread(found, None) == found and spread(found, 99) == found
