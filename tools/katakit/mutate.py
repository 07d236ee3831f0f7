"""Mutation testing of the specs: how many plausible wrong solutions does each spec reject?

Each mutant is the reference solution with one small change a learner could plausibly make:
an operator or comparison swapped, a reduction swapped (sum/mean, max/min, cat/stack, ...), a
constant nudged (a dim, an index, a size), a keyword argument dropped (``dtype=``,
``device=``, ``dim=``), a device name swapped, a call dropped (``.detach()``, ``.to(device)``,
``.eval()``, ``zero_grad()``), a ``with torch.no_grad():`` unwrapped, or a statement deleted.
A mutant is killed when its spec fails. A line ending in ``# mutate: skip`` is left alone (for
changes that cannot alter behaviour, say why in the same comment).

Mutants run through the run service (``launcher``): torch (and Lightning where a kata needs
it) is imported once, and each mutant runs in a forked child, one per core, stopping at its
first failing test. Each kata's unmutated reference runs first, the same way: the control.
"""

from __future__ import annotations

import ast
import copy
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from katakit.catalog import Catalog, Kata
from katakit.launcher import Ending, Job, KataRun, default_workers, run
from katakit.resolver import Impl

BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.MatMult: ast.Mult,
}
CMP_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
NAME_SWAPS = {
    "sum": "mean",
    "mean": "sum",
    "max": "min",
    "min": "max",
    "amax": "amin",
    "amin": "amax",
    "argmax": "argmin",
    "argmin": "argmax",
    "maximum": "minimum",
    "minimum": "maximum",
    "cat": "stack",
    "stack": "cat",
    "zeros": "ones",
    "ones": "zeros",
    "zeros_like": "ones_like",
    "ones_like": "zeros_like",
    "softmax": "log_softmax",
    "log_softmax": "softmax",
    "any": "all",
    "all": "any",
    "floor": "ceil",
    "ceil": "floor",
    "eval": "train",
    "train": "eval",
    "no_grad": "enable_grad",
    "add_": "sub_",
    "sub_": "add_",
    "mul_": "div_",
    "div_": "mul_",
    "permute": "reshape",
}
DROPPABLE_METHODS = frozenset(
    {
        "detach",
        "clone",
        "contiguous",
        "to",
        "cpu",
        "cuda",
        "float",
        "double",
        "half",
        "long",
        "int",
        "bool",
        "squeeze",
        "unsqueeze",
        "flatten",
        "requires_grad_",
        "pin_memory",
        "eval",
        "train",
        "zero_grad",
        "item",
        "t",
    }
)
UNWRAPPABLE_CONTEXTS = frozenset({"no_grad", "inference_mode", "autocast", "enable_grad"})
DEVICE_SWAPS = {"cuda": "cpu", "cpu": "cuda", "meta": "cpu"}
SKIP_PRAGMA = "# mutate: skip"
# pytest's exit codes 3 (internal error) and 4 (usage error), before any test ran: our bugs,
# not the mutant's.
HARNESS_ERRORS = (3, 4)


@dataclass(frozen=True)
class Mutant:
    index: int
    line: int
    description: str
    source: str


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


class _Sites(ast.NodeTransformer):
    """Walks a tree in a fixed order, numbering every mutation site.

    With ``target`` set, applies the mutation whose number it is and leaves the rest alone.
    """

    def __init__(self, skip_lines: set[int], target: int = -1) -> None:
        self.skip_lines = skip_lines
        self.target = target
        self.count = 0
        self.sites: list[tuple[int, str]] = []
        self.applied = False

    def _site(self, node: ast.AST, description: str) -> bool:
        """Register one site; True when it is the one to apply now."""
        line = getattr(node, "lineno", 0)
        if line in self.skip_lines:
            return False
        index = self.count
        self.count += 1
        self.sites.append((line, description))
        if index == self.target:
            self.applied = True
            return True
        return False

    # --- parts of the tree that are never mutated --------------------------------------
    def visit_Import(self, node: ast.Import) -> ast.AST:
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        return node

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return node

    def _visit_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> ast.AST:
        node.body = self._visit_body(node.body)
        if not isinstance(node, ast.ClassDef):
            node.args.defaults = [self.visit(d) for d in node.args.defaults]
        return node

    visit_FunctionDef = _visit_def
    visit_AsyncFunctionDef = _visit_def
    visit_ClassDef = _visit_def

    def visit_Module(self, node: ast.Module) -> ast.AST:
        node.body = self._visit_body(node.body)
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
        ):
            return node  # the script entry point
        return self.generic_visit(node)

    # --- statements ---------------------------------------------------------------------
    def _visit_body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            if _is_docstring(stmt):
                out.append(stmt)
                continue
            deletable = isinstance(stmt, ast.AugAssign | ast.Assign) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            )
            if deletable and len(body) > 1:
                text = ast.unparse(stmt).splitlines()[0]
                if self._site(stmt, f"delete `{text}`"):
                    out.append(ast.copy_location(ast.Pass(), stmt))
                    continue
            if isinstance(stmt, ast.With) and self._unwrappable(stmt):
                if self._site(stmt, f"drop `with {ast.unparse(stmt.items[0].context_expr)}:`"):
                    out.extend(stmt.body)
                    continue
            out.append(self.visit(stmt))
        return out

    @staticmethod
    def _unwrappable(node: ast.With) -> bool:
        if len(node.items) != 1:
            return False
        expr = node.items[0].context_expr
        return isinstance(expr, ast.Call) and _call_name(expr.func) in UNWRAPPABLE_CONTEXTS

    def visit_With(self, node: ast.With) -> ast.AST:
        node.items = [self.visit(i) for i in node.items]
        node.body = self._visit_body(node.body)
        return node

    def visit_For(self, node: ast.For) -> ast.AST:
        node.iter = self.visit(node.iter)
        node.body = self._visit_body(node.body)
        node.orelse = self._visit_body(node.orelse)
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        node.test = self.visit(node.test)
        node.body = self._visit_body(node.body)
        return node

    # --- expressions --------------------------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        swap = BINOP_SWAPS.get(type(node.op))
        if swap is not None and self._site(node, f"`{_op(node.op)}` -> `{_op(swap())}`"):
            node.op = swap()
            return node
        return self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        swap = BINOP_SWAPS.get(type(node.op))
        if swap is not None and self._site(node, f"`{_op(node.op)}=` -> `{_op(swap())}=`"):
            node.op = swap()
            return node
        node.value = self.visit(node.value)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        for i, op in enumerate(node.ops):
            swap = CMP_SWAPS.get(type(op))
            if swap is not None and self._site(node, f"`{_op(op)}` -> `{_op(swap())}`"):
                node.ops[i] = swap()
                return node
        return self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        if self._site(node, f"`{_op(node.op)}` -> `{_op(other)}`"):
            node.op = other
            return node
        return self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if isinstance(node.op, ast.Not) and self._site(node, "drop `not`"):
            return node.operand
        if (
            isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
            and not isinstance(node.operand.value, bool)
        ):
            value = node.operand.value
            if self._site(node, f"`-{value}` -> `{value}`"):
                return node.operand
            if self._site(node, f"`-{value}` -> `-{_nudge(value)}`"):
                node.operand = ast.Constant(_nudge(value))
                return node
            return node
        return self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            if self._site(node, f"`{value}` -> `{not value}`"):
                return ast.Constant(not value)
        elif isinstance(value, int | float):
            if self._site(node, f"`{value}` -> `{_nudge(value)}`"):
                return ast.Constant(_nudge(value))
        elif isinstance(value, str) and value in DEVICE_SWAPS:
            if self._site(node, f"`{value!r}` -> `{DEVICE_SWAPS[value]!r}`"):
                return ast.Constant(DEVICE_SWAPS[value])
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        name = _call_name(node.func)
        if name in NAME_SWAPS and self._site(node, f"`{name}` -> `{NAME_SWAPS[name]}`"):
            if isinstance(node.func, ast.Attribute):
                node.func.attr = NAME_SWAPS[name]
            elif isinstance(node.func, ast.Name):
                node.func.id = NAME_SWAPS[name]
            return node
        if (
            isinstance(node.func, ast.Attribute)
            and name in DROPPABLE_METHODS
            and self._site(node, f"drop `.{name}(...)`")
        ):
            receiver: ast.AST = self.visit(node.func.value)
            return receiver
        for i, keyword in enumerate(node.keywords):
            if keyword.arg is not None and self._site(node, f"drop `{keyword.arg}=`"):
                del node.keywords[i]
                return node
        return self.generic_visit(node)


def _nudge(value: float) -> float:
    if isinstance(value, int):
        return value + 1
    return value * 2 if value else 1.0


_OP_TEXT = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.And: "and",
    ast.Or: "or",
}


def _op(op: ast.AST) -> str:
    return _OP_TEXT.get(type(op), type(op).__name__)


def _skip_lines(source: str) -> set[int]:
    return {n for n, line in enumerate(source.splitlines(), 1) if SKIP_PRAGMA in line}


def mutants(source: str) -> list[Mutant]:
    """Every single-change mutant of ``source`` that differs from it as code."""
    tree = ast.parse(source)
    skip = _skip_lines(source)
    survey = _Sites(skip)
    survey.visit(copy.deepcopy(tree))
    baseline = ast.unparse(tree)
    seen: set[str] = set()
    out: list[Mutant] = []
    for index, (line, description) in enumerate(survey.sites):
        mutator = _Sites(skip, target=index)
        mutated = ast.fix_missing_locations(mutator.visit(copy.deepcopy(tree)))
        text = ast.unparse(mutated)
        if not mutator.applied or text == baseline or text in seen:
            continue
        seen.add(text)
        out.append(Mutant(index=len(out), line=line, description=description, source=text))
    return out


# --- running ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Survivor:
    line: int
    description: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.description}"


@dataclass
class KataMutation:
    id: str
    mutants: int = 0
    killed: int = 0
    survived: list[Survivor] = field(default_factory=list)
    error: str = ""

    @property
    def score(self) -> float:
        return self.killed / self.mutants if self.mutants else 1.0

    @property
    def survivors(self) -> list[str]:
        return [str(s) for s in self.survived]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "mutants": self.mutants,
            "killed": self.killed,
            "survivors": self.survivors,
            "survived": [{"line": s.line, "description": s.description} for s in self.survived],
            "score": round(self.score, 4),
            "error": self.error,
        }


def spread(found: list[Mutant], sample: int | None) -> list[Mutant]:
    """``sample`` mutants taken at even steps through the list (all when fewer)."""
    if sample is None or len(found) <= sample:
        return found
    return [found[i * len(found) // sample] for i in range(sample)]


def harness_error(done: KataRun) -> bool:
    return done.ending is Ending.EXITED and done.exit_code in HARNESS_ERRORS


def mutate(
    catalog: Catalog,
    katas: Sequence[Kata],
    *,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    sample: int | None = None,
) -> list[KataMutation]:
    """Run each kata's mutants (or, with ``sample``, that many of them, spread evenly over
    the reference from top to bottom) against its spec, after the unmutated reference."""
    reports = {k.id: KataMutation(k.id) for k in katas}
    mutant_of: dict[int, Mutant] = {}
    with tempfile.TemporaryDirectory(prefix="kata-mutants-") as tmp:
        jobs: list[Job] = []
        for kata in katas:
            found = spread(mutants(kata.solution_file.read_text()), sample)
            reports[kata.id].mutants = len(found)
            jobs.append(Job(kata, Impl.SOLUTION, first_failure=True))  # the control
            for m in found:
                path = Path(tmp) / kata.module / str(m.index) / f"{kata.module}.py"
                path.parent.mkdir(parents=True)
                path.write_text(m.source)
                mutant_of[len(jobs)] = m
                jobs.append(Job(kata, Impl.SOLUTION, ((kata.module, path),), first_failure=True))
        index = {id(job): n for n, job in enumerate(jobs)}
        finished = 0

        def tally(done: KataRun) -> None:
            nonlocal finished
            finished += 1
            report = reports[done.kata.id]
            mutant = mutant_of.get(index[id(done.job)])
            if harness_error(done):
                report.error = f"a run ended with pytest exit code {done.exit_code}"
            elif mutant is None:
                if not done.green:
                    first = done.verdict.first_failure_text()
                    report.error = f"the unmutated reference fails its spec: {first}"
            elif done.green:
                report.survived.append(Survivor(mutant.line, mutant.description))
            else:
                report.killed += 1
            if progress is not None:
                progress(done.kata.id, finished, len(jobs))

        run(catalog, jobs, workers=workers or default_workers(len(jobs)), on_run=tally)
    for report in reports.values():
        report.survived.sort(key=lambda s: s.line)
        if report.error:
            report.killed = 0
    return [reports[k.id] for k in katas]


if __name__ == "__main__":  # pragma: no cover - debugging aid
    for m in mutants(Path(sys.argv[1]).read_text()):
        print(m.line, m.description)
