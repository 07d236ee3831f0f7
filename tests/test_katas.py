"""Checks over every kata in the set: metadata, layout, curriculum, uniqueness."""

from __future__ import annotations

import ast
import importlib.machinery
import re
import sys
from pathlib import Path

import pytest

from katakit.catalog import KNOWN_NEEDS, Catalog, Kata, discover
from katakit.roadmap import curriculum_topics
from katakit.sourcecode import without_docstrings

ROOT = Path(__file__).resolve().parents[1]
KATAS = discover(ROOT).katas
SHARED_CURRICULUM = ROOT.parent / "shared" / "CURRICULUM.md"
# Topic ids whose katas have landed; each track's issue adds its ids here.
MUST_BE_COVERED = (
    "tensors.",
    "modules.",
    "arch.",
    "data.",
    "training.",
    "tech.",
    "bugs.",
    "pl.module",
    "pl.datamodule",
    "pl.trainer",
    "pl.log",
    "pl.debug-flags",
    "pl.cli",
    "pl.hparams",
    "pl.wafer",
    "pl.torchmetrics",
    "pl.custom-metric",
    "pl.checkpoint",
    "pl.early-stopping",
    "pl.resume",
    "pl.swa",
    "pl.ema",
    "pl.custom-callback",
    "pl.lr-monitor",
)
# New curriculum ids under landed prefixes whose katas are filed, not yet written: the issue
# that adds each kata removes it here.
STILL_TO_COME = (
    "data.imbalance",  # issue 18
    "training.plateau",  # issue 18
)


# What a learner writes or reads that one kata teaches first (regexes over code, no docstrings).
TAUGHT_BY = {
    r"class \w+\((nn\.)?Module\)": "modules/custom-module",
    r"class \w+\((torch\.utils\.data\.)?Dataset\b": "data/dataset",
    r"\bDataLoader\(": "data/dataloader",
    r"\boptim\.\w+\(": "training/step",
    r"LightningModule\)|\bL\.Trainer\(": "lightning/module",
}


def by_id(kata: Kata) -> str:
    return kata.id


def marked_tests(kata: Kata, marker: str) -> tuple[list[str], list[str]]:
    """(tests carrying the marker, tests without it) in a spec, read from its source."""
    tree = ast.parse(kata.spec_file.read_text())
    marked, plain = [], []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            names = {ast.unparse(d).split("(")[0] for d in node.decorator_list}
            (marked if f"pytest.mark.{marker}" in names else plain).append(node.name)
    return marked, plain


def test_the_set_is_not_empty() -> None:
    assert len(KATAS) >= 10


def test_ids_and_module_names_are_unique(catalog: Catalog) -> None:
    ids = [k.id for k in catalog.katas]
    modules = [k.module for k in catalog.katas]
    assert len(set(ids)) == len(ids), "duplicate kata ids"
    assert len(set(modules)) == len(modules), "duplicate module names"


def test_vendored_curriculum_matches_the_shared_one(root: Path) -> None:
    if not SHARED_CURRICULUM.exists():
        pytest.skip("no ../shared/CURRICULUM.md beside this checkout")
    assert (root / "docs" / "CURRICULUM.md").read_text() == SHARED_CURRICULUM.read_text(), (
        "docs/CURRICULUM.md differs from ../shared/CURRICULUM.md: copy the new one in"
    )


def test_landed_tracks_cover_every_topic(root: Path, catalog: Catalog) -> None:
    covered = {t for k in catalog.katas for t in k.topics}
    wanted = [
        t
        for t in curriculum_topics(root)
        if t.startswith(MUST_BE_COVERED) and t not in STILL_TO_COME
    ]
    assert wanted, "the curriculum lost its topics?"
    assert [t for t in wanted if t not in covered] == []


@pytest.mark.parametrize("kata", KATAS, ids=by_id)
class TestEveryKata:
    def test_metadata_is_complete(self, kata: Kata, root: Path) -> None:
        topics = set(curriculum_topics(root))
        assert kata.title and kata.minutes > 0 and 1 <= kata.level <= 4
        assert kata.topics, "no curriculum topic"
        assert set(kata.topics) <= topics, f"unknown topics {set(kata.topics) - topics}"
        assert set(kata.needs) <= KNOWN_NEEDS, f"unknown needs {set(kata.needs) - KNOWN_NEEDS}"
        assert len(kata.hints) >= 2, "at least two progressive hints"
        assert all(len(h) > 15 for h in kata.hints), "hints that say something"

    def test_id_shape_and_folder(self, kata: Kata) -> None:
        assert kata.id.count("/") == 1 and kata.id == kata.id.lower()
        assert kata.folder.name[:2].isdigit() and kata.folder.parent.name[:2].isdigit()

    def test_module_name_shadows_nothing_installed(self, kata: Kata) -> None:
        shadowed = kata.module in sys.builtin_module_names or (
            importlib.machinery.PathFinder.find_spec(kata.module) is not None
        )
        assert not shadowed, f"module {kata.module} shadows an installed module"

    def test_learner_file_states_the_task(self, kata: Kata) -> None:
        doc = ast.get_docstring(ast.parse(kata.learner_file.read_text()))
        assert doc and len(doc) > 200, "the docstring is the task: say what, why and the contract"
        assert f"kata check {kata.id}" in doc, "tell the learner how to check"

    def test_reference_solution_lives_outside_katas(self, kata: Kata) -> None:
        assert kata.solution_file.exists()
        assert "katas" not in kata.solution_file.relative_to(ROOT).parts[:1]
        assert not list(kata.folder.glob("solution*")), "no spoilers next to the learner file"

    def test_prerequisites_come_earlier(self, kata: Kata, catalog: Catalog) -> None:
        order = catalog.ids
        for required in kata.requires:
            assert required in order, f"unknown prerequisite {required}"
            assert order.index(required) < order.index(kata.id), f"{required} comes later"

    def test_requires_name_the_katas_that_teach_what_it_writes(
        self, kata: Kata, catalog: Catalog
    ) -> None:
        """A kata (its code to read and its answer) must not build on an API that only a later
        kata teaches: each construct below needs its teaching kata among the requires."""
        by_id = {k.id: k for k in catalog.katas}
        reachable, todo = set(), list(kata.requires)
        while todo:
            kid = todo.pop()
            if kid in by_id and kid not in reachable:
                reachable.add(kid)
                todo.extend(by_id[kid].requires)
        code = without_docstrings(kata.learner_file.read_text())
        if kata.solution_file.exists():
            code += "\n" + without_docstrings(kata.solution_file.read_text())
        for construct, teacher in TAUGHT_BY.items():
            if re.search(construct, code) and teacher not in reachable | {kata.id}:
                raise AssertionError(f"uses {construct!r}: add {teacher} to requires")

    def test_gpu_needs_match_the_markers(self, kata: Kata) -> None:
        gpu, cpu = marked_tests(kata, "gpu")
        assert bool(gpu) == ("gpu" in kata.needs), "needs 'gpu' iff some test is marked gpu"
        assert cpu, "every kata has a part that runs without a GPU"

    def test_bug_metadata_names_real_tests(self, kata: Kata) -> None:
        if kata.bug is None:
            assert kata.kind == "topic"
            return
        gpu, plain = marked_tests(kata, "gpu")
        for name in kata.bug.failing_tests:
            assert name in plain + gpu, f"failing test {name} is not in the spec"
