"""The pytest plugin behind every kata spec.

Loaded for every pytest run in this workspace (``-p katakit.plugin`` in pyproject.toml). It
- chooses whose code a spec imports: ``--impl=learner`` (default) or ``--impl=solution``;
- skips ``gpu`` / ``multi_gpu`` tests without CUDA, saying which container to open;
- gives each kata its timeout and turns a timeout into "probably an infinite loop";
- seeds ``random``, NumPy and torch before every test;
- refuses network connections except to loopback (katas run offline);
- records one result per test (``--kata-results=FILE`` writes them as JSON) and prints a short
  learner-facing verdict per kata;
- records a verdict in the learner's progress when plain pytest (the Test Explorer) ran a kata's
  whole spec against the learner's file; under the run service (``--kata-service``) the `kata`
  command records instead.
"""

from __future__ import annotations

import gc
import json
import os
import random
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from katakit import guard, resolver
from katakit.catalog import Catalog, Kata, find_workspace, load_catalog
from katakit.results import (
    GPU_SKIP_PROPERTY,
    TIMEOUT_MARK,
    TestResult,
    Verdict,
    from_collect_report,
    from_test_report,
    kata_verdicts,
)

GPU_CONTAINER = (
    "open the workspace in the GPU dev container (a host with an NVIDIA GPU and the "
    "NVIDIA Container Toolkit: VS Code 'Reopen in Container' picks CUDA there)"
)
# Lightning's advice for big jobs (more workers, more logging steps) and a deprecation inside
# its own code: noise on a kata's tiny data, filtered for every Lightning kata here.
LIGHTNING_NOISE = (
    "ignore::lightning.fabric.utilities.warnings.PossibleUserWarning",
    "ignore:.*LeafSpec",
)
TIMEOUT_HINT = (
    "Timed out after {seconds:g}s: probably an infinite loop (a loop whose condition never "
    "changes?) or far too much work for these tiny inputs."
)
SEED = 0

_CATALOG_KEY = pytest.StashKey[Catalog | None]()
RECORDER = "kata-recorder"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kata")
    group.addoption(
        "--impl",
        choices=[str(i) for i in resolver.Impl],
        default="learner",
        help="whose code the kata specs import: the learner's file or the reference solution",
    )
    group.addoption(
        "--kata-override",
        action="append",
        default=[],
        metavar="MODULE=PATH",
        help="import MODULE from PATH instead (used by `kata mutate`)",
    )
    group.addoption("--kata-results", metavar="FILE", help="write per-test results as JSON")
    group.addoption(
        "--kata-service",
        action="store_true",
        help="run by `kata` (its run service records progress; this run does not)",
    )


def _catalog(config: pytest.Config) -> Catalog | None:
    return config.stash.get(_CATALOG_KEY, None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gpu: needs a CUDA GPU; skipped with a reason otherwise")
    config.addinivalue_line("markers", "multi_gpu: needs two or more CUDA GPUs")
    config.pluginmanager.register(Recorder(config), RECORDER)
    # Specs run on tiny tensors, where torch's intra-op threads cost more than they save, and
    # share the cores with xdist workers and a watcher: one thread each.
    import torch

    torch.set_num_threads(1)
    root = find_workspace(Path(str(config.rootpath)))
    # Outside a kata workspace the plugin stays out of the way. Inside one, a broken kata
    # (see Catalog.broken) costs only its own spec: the others keep running.
    catalog = load_catalog(root) if root is not None else None
    config.stash[_CATALOG_KEY] = catalog
    if catalog is None:
        return
    overrides = {}
    for item in config.getoption("kata_override"):
        module, _, path = item.partition("=")
        overrides[module] = Path(path)
    impl = resolver.Impl(config.getoption("impl"))
    resolver.install(resolver.module_files(catalog, impl, overrides))


def pytest_unconfigure(config: pytest.Config) -> None:
    resolver.uninstall()


def kata_of(config: pytest.Config, path: Path) -> Kata | None:
    catalog = _catalog(config)
    return catalog.for_path(path) if catalog is not None else None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported for the katas (torch, Lightning, every spec) lives as long as the
    session: out of the garbage collector's sight, pytest's closing collections take
    milliseconds instead of a second (the Test Explorer collects every kata)."""
    if any(kata_of(session.config, item.path) is not None for item in session.items[:1]):
        gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        kata = kata_of(config, item.path)
        if kata is not None and "lightning" in kata.needs:
            for noise in LIGHTNING_NOISE:
                item.add_marker(pytest.mark.filterwarnings(noise))
    if config.getoption("timeout", None) is not None:
        return  # an explicit --timeout (e.g. --timeout=0 in the debugger) wins
    for item in items:
        kata = kata_of(config, item.path)
        if kata is not None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(kata.timeout))


def pytest_runtest_setup(item: pytest.Item) -> None:
    gpu = item.get_closest_marker("gpu")
    multi = item.get_closest_marker("multi_gpu")
    if gpu is None and multi is None:
        return
    import torch

    if not torch.cuda.is_available():
        item.user_properties.append((GPU_SKIP_PROPERTY, True))
        pytest.skip(f"needs a CUDA GPU, and none is visible here: {GPU_CONTAINER}")
    if multi is not None and torch.cuda.device_count() < 2:
        item.user_properties.append((GPU_SKIP_PROPERTY, True))
        pytest.skip(f"needs two CUDA GPUs, {torch.cuda.device_count()} visible")


@pytest.fixture(autouse=True)
def _kata_cwd(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kata's test runs in its own temporary folder: whatever the code writes to a relative
    path (Lightning's default checkpoints/, logs/) never lands in the learner's working tree."""
    if kata_of(request.config, request.node.path) is not None:
        monkeypatch.chdir(request.getfixturevalue("tmp_path"))


@pytest.fixture(autouse=True)
def _kata_seed() -> None:
    """Every test starts from the same random state, so results never depend on order."""
    random.seed(SEED)
    try:
        import numpy as np

        np.random.seed(SEED)
    except ImportError:  # pragma: no cover - numpy ships with torch
        pass
    import torch

    torch.manual_seed(SEED)


@pytest.fixture(autouse=True)
def _kata_offline(request: pytest.FixtureRequest) -> Generator[None, None, None]:
    """A kata's test runs offline (``guard``); under the run service the guard is already in
    place from before the learner's code was imported."""
    if guard.active() or kata_of(request.config, request.node.path) is None:
        yield
        return
    saved = {k: os.environ.get(k) for k in guard.with_guard({})}
    os.environ.update(guard.with_guard({}))
    guard.install()
    try:
        yield
    finally:
        guard.uninstall()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and call.excinfo is not None and TIMEOUT_MARK in str(call.excinfo.value):
        marker = item.get_closest_marker("timeout")
        seconds = float(marker.args[0]) if marker and marker.args else 0.0
        report.sections.append(("kata", TIMEOUT_HINT.format(seconds=seconds)))
    return report


class Recorder:
    """Collects one TestResult per test; writes them out and prints per-kata verdicts."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: list[TestResult] = []
        self.collected: dict[str, list[str]] = {}  # spec path -> the test ids collected
        self.partial: set[str] = set()  # spec paths not run whole (-k, ::test, --lf, ...)
        self.notes: dict[str, str] = {}  # spec path -> its unsolved dependencies, once

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            self.collected.setdefault(str(item.path), []).append(item.nodeid)
        for arg in self.config.args:
            if "::" in arg:
                self.partial.add(str(Path(self.config.invocation_params.dir, arg.split("::")[0])))

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.partial.update(str(item.path) for item in items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        result = from_test_report(report, self.config.invocation_params.dir)
        if result is None:
            return
        if result.outcome in ("failed", "error"):
            note = self._unsolved_dependencies(self.config.rootpath / report.nodeid.split("::")[0])
            if note:
                result.extra["uses"] = note
        if result.timeout:
            seconds = dict(report.sections).get("kata") or TIMEOUT_HINT.format(seconds=0)
            result.extra["hint"] = seconds
        self.results.append(result)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.results.append(from_collect_report(report))

    def _unsolved_dependencies(self, spec: Path) -> str:
        key = str(spec)
        if key not in self.notes:
            self.notes[key] = self._find_unsolved_dependencies(spec)
        return self.notes[key]

    def _find_unsolved_dependencies(self, spec: Path) -> str:
        """ "this kata uses your X, which is still red" for each other kata's learner module
        that this kata imports and that is not solved: its failure may not be this kata's."""
        catalog = _catalog(self.config)
        kata = catalog.for_path(spec) if catalog is not None else None
        if catalog is None or kata is None or self.config.getoption("impl") != "learner":
            return ""
        from katakit.launcher import third_party_imports
        from katakit.state import State, statuses

        modules = catalog.by_module()
        imported = third_party_imports([kata], {kata.module})  # names outside this kata
        uses = [modules[n.split(".")[0]] for n in imported if n.split(".")[0] in modules]
        if not uses:
            return ""
        status = statuses(catalog, State.load(catalog.root))
        red = [k.id for k in uses if status[k.id] != "solved"]
        if not red:
            return ""
        names = ", ".join(red)
        return (
            f"this kata uses your {names}, which is not solved yet: solve it first "
            f"(`kata check {red[0]}`); this failure may come from there"
        )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        target = self.config.getoption("kata_results", None)
        if target and not hasattr(self.config, "workerinput"):
            payload = [r.to_json() for r in self.results]
            Path(target).write_text(json.dumps(payload, indent=1))
        self._record_progress()

    def whole_runs(self) -> list[Verdict]:
        """Verdicts of the katas whose whole spec ran here, every collected test reported."""
        catalog = _catalog(self.config)
        if catalog is None:
            return []
        out = []
        for verdict in kata_verdicts(catalog, self.results):
            spec = str(verdict.kata.spec_file)
            reported = {r.nodeid for r in verdict.results}
            if spec in self.partial or not set(self.collected.get(spec, [])) <= reported:
                continue
            out.append(verdict)
        return out

    def _record_progress(self) -> None:
        """Plain pytest on the learner's code (the Test Explorer, say): a whole spec's verdict
        counts as `kata check`'s would."""
        config = self.config
        if (
            config.getoption("kata_service")
            or config.getoption("impl") != "learner"
            or config.getoption("kata_override")
            or hasattr(config, "workerinput")
            or config.pluginmanager.has_plugin("dsession")  # xdist's controller: no items here
        ):
            return
        from katakit.state import record

        catalog = _catalog(config)
        if catalog is None:
            return
        for verdict in self.whole_runs():
            record(catalog.root, verdict.kata, verdict.green)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        catalog = _catalog(self.config)
        if catalog is None or hasattr(self.config, "workerinput"):
            return
        verdicts = kata_verdicts(catalog, self.results)
        if verdicts:
            terminalreporter.section("kata")
            for verdict in verdicts:
                terminalreporter.write_line(verdict.one_line())


def recorder(config: pytest.Config) -> Recorder:
    plugin = config.pluginmanager.get_plugin(RECORDER)
    assert isinstance(plugin, Recorder)
    return plugin
