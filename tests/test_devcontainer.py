"""The dev container, validated offline: official schema, hadolint, shellcheck, and the install
script's choice of torch build run for real with a GPU present and absent (a fake nvidia-smi)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import json5
import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEVCONTAINER = ROOT / ".devcontainer"
BIN = Path(sys.executable).parent
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def config() -> dict[str, Any]:
    loaded = json5.loads((DEVCONTAINER / "devcontainer.json").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_devcontainer_json_matches_the_official_schema() -> None:
    schema = json.loads((DEVCONTAINER / "schema" / "devContainer.base.schema.json").read_text())
    jsonschema.Draft201909Validator.check_schema(schema)
    validator = jsonschema.Draft201909Validator(schema)
    errors = [e.message for e in validator.iter_errors(config())]
    assert errors == []


def test_the_schema_is_not_a_pushover() -> None:
    schema = json.loads((DEVCONTAINER / "schema" / "devContainer.base.schema.json").read_text())
    validator = jsonschema.Draft201909Validator(schema)
    broken = {**config(), "hostRequirements": {"gpu": "sometimes"}}
    assert not validator.is_valid(broken)
    assert not validator.is_valid({**config(), "postAttachCommand": 3})


def test_gpu_is_optional_and_never_forced() -> None:
    cfg = config()
    assert cfg["hostRequirements"]["gpu"] == "optional"
    assert {"cpus", "memory", "storage"} <= set(cfg["hostRequirements"])
    text = (DEVCONTAINER / "devcontainer.json").read_text()
    assert "--gpus" not in json.dumps(cfg.get("runArgs", [])) and '"runArgs"' not in text


def test_lifecycle_commands_install_and_greet() -> None:
    cfg = config()
    for hook in ("onCreateCommand", "updateContentCommand", "postCreateCommand"):
        assert cfg[hook] == "bash .devcontainer/setup.sh", hook
    assert cfg["postAttachCommand"] == ".venv/bin/kata"
    assert cfg["remoteUser"] == cfg["containerUser"] == "vscode", "a non-root user"
    extensions = set(cfg["customizations"]["vscode"]["extensions"])
    assert {
        "ms-python.python",
        "ms-python.vscode-pylance",
        "ms-python.debugpy",
        "charliermarsh.ruff",
    } <= extensions


def test_dockerfile_uses_the_official_python_image_and_passes_hadolint() -> None:
    text = (DEVCONTAINER / "Dockerfile").read_text()
    base = next(line.split()[1] for line in text.splitlines() if line.startswith("FROM "))
    assert base.startswith("mcr.microsoft.com/devcontainers/python:1-3.11")
    done = subprocess.run(
        [str(BIN / "hadolint"), str(DEVCONTAINER / "Dockerfile")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_shell_scripts_pass_shellcheck() -> None:
    scripts = [*DEVCONTAINER.glob("*.sh"), ROOT / ".ci" / "run"]
    done = subprocess.run(
        [str(BIN / "shellcheck"), *map(str, scripts)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- setup.sh, run for real against a fake pip and a fake nvidia-smi -------------------------

FAKE_PIP = """#!/usr/bin/env bash
# Records each pip call; `install -e` creates the kata entry point as the real one would.
echo "$*" >> "$PIP_LOG"
if [[ "$*" == *"install -e"* ]]; then touch "$VENV_BIN/kata" && chmod +x "$VENV_BIN/kata"; fi
"""


class Setup:
    """A copy of the workspace's set-up files, and a PATH with or without nvidia-smi."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "ws"
        (self.root / ".devcontainer").mkdir(parents=True)
        shutil.copy(DEVCONTAINER / "setup.sh", self.root / ".devcontainer" / "setup.sh")
        shutil.copy(ROOT / "pyproject.toml", self.root / "pyproject.toml")
        self.venv_bin = self.root / ".venv" / "bin"
        self.venv_bin.mkdir(parents=True)
        (self.venv_bin / "python").symlink_to(sys.executable)  # the venv already exists
        self.bin = tmp / "bin"
        self.bin.mkdir()
        for tool in ("bash", "cat", "cut", "dirname", "grep", "sha256sum", "tr", "touch", "chmod"):
            found = shutil.which(tool)
            assert found, tool
            (self.bin / tool).symlink_to(found)
        self.pip = tmp / "pip"
        self.pip.write_text(FAKE_PIP)
        self.pip.chmod(0o755)
        self.log = tmp / "pip.log"

    def gpu(self, present: bool, works: bool = True) -> None:
        smi = self.bin / "nvidia-smi"
        smi.unlink(missing_ok=True)
        if present:
            body = "echo 'GPU 0: NVIDIA H100 80GB HBM3'" if works else "exit 9"
            smi.write_text(f"#!/usr/bin/env bash\n{body}\n")
            smi.chmod(0o755)

    def run(self, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
        self.log.write_text("")
        env = {
            "PATH": str(self.bin),
            "HOME": str(self.root),
            "KATA_PIP": str(self.pip),
            "PIP_LOG": str(self.log),
            "VENV_BIN": str(self.venv_bin),
        }
        done = subprocess.run(
            [str(self.bin / "bash"), str(self.root / ".devcontainer" / "setup.sh"), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        return done, [line for line in self.log.read_text().splitlines() if line]


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup(tmp_path)


def pins() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text()
    return [p for p in ("torch==2.14.1", "torchvision==0.29.1") if f'"{p}"' in text]


def test_without_a_gpu_it_installs_the_cpu_build(setup: Setup) -> None:
    setup.gpu(present=False)
    done, calls = setup.run()
    assert done.returncode == 0, done.stderr
    assert calls == [
        f"install --retries 0 --timeout 10 --index-url {CPU_INDEX} {' '.join(pins())}",
        f"install -e {setup.root}",
    ]
    assert len(pins()) == 2, "the pins setup.sh reads must match pyproject.toml"
    assert "export PATH=" in done.stdout, "tells how to put kata on PATH"


def test_an_unreachable_cpu_index_falls_back_to_the_default_index_at_once(setup: Setup) -> None:
    setup.gpu(present=False)
    setup.pip.write_text(FAKE_PIP + 'if [[ "$*" == *"--index-url"* ]]; then exit 1; fi\n')
    started = time.monotonic()
    done, calls = setup.run()
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 10
    assert "cannot be reached; using the default index" in done.stdout
    assert calls[1:] == [f"install {' '.join(pins())}", f"install -e {setup.root}"]


def test_dev_installs_the_maintainers_extras(setup: Setup) -> None:
    setup.gpu(present=False)
    done, calls = setup.run("--dev")
    assert done.returncode == 0, done.stderr
    assert calls[-1] == f"install -e {setup.root}[dev]"
    assert setup.run("--nope")[0].returncode == 2


def test_with_a_gpu_it_installs_the_cuda_build(setup: Setup) -> None:
    setup.gpu(present=True)
    done, calls = setup.run()
    assert done.returncode == 0, done.stderr
    assert calls == [f"install -e {setup.root}"], "PyPI's Linux torch wheels are the CUDA build"
    assert "cuda build" in done.stdout


def test_an_nvidia_smi_that_fails_means_no_gpu(setup: Setup) -> None:
    setup.gpu(present=True, works=False)  # the tool is there, the driver is not
    done, calls = setup.run()
    assert done.returncode == 0 and CPU_INDEX in calls[0]


def test_it_is_idempotent_and_switches_build_when_a_gpu_appears(setup: Setup) -> None:
    setup.gpu(present=False)
    assert setup.run()[0].returncode == 0
    done, calls = setup.run()
    assert done.returncode == 0 and calls == [], "a second run changes nothing"
    assert "already set up" in done.stdout

    setup.gpu(present=True)  # Codespaces: prebuilt without a GPU, opened on a GPU machine
    done, calls = setup.run()
    assert calls == [
        f"install --force-reinstall --no-deps {' '.join(pins())}",
        f"install -e {setup.root}",
    ]
    assert setup.run()[1] == []


def test_a_changed_pyproject_reinstalls(setup: Setup) -> None:
    setup.gpu(present=False)
    setup.run()
    with (setup.root / "pyproject.toml").open("a") as f:
        f.write("\n# a new dependency\n")
    assert setup.run()[1][-1] == f"install -e {setup.root}"


def test_stamp_records_the_choice(setup: Setup) -> None:
    setup.gpu(present=False)
    setup.run()
    digest = hashlib.sha256((setup.root / "pyproject.toml").read_bytes()).hexdigest()[:16]
    assert (setup.root / ".venv" / ".kata-setup").read_text().split() == ["cpu", digest]


def test_a_bad_variant_is_refused(setup: Setup) -> None:
    env_run = subprocess.run(
        ["bash", str(setup.root / ".devcontainer" / "setup.sh")],
        env={**os.environ, "KATA_VARIANT": "rocm", "KATA_PIP": str(setup.pip)},
        capture_output=True,
        text=True,
    )
    assert env_run.returncode == 2 and "cpu or cuda" in env_run.stderr
