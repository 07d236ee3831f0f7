"""The pytest plugin's guards: offline, seeded, GPU skips, per-kata timeouts."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
import torch

from katakit import guard
from katakit.guard import NetworkBlocked
from katakit.plugin import GPU_CONTAINER


@pytest.fixture
def offline() -> Iterator[None]:
    guard.install()
    yield
    guard.uninstall()


@pytest.mark.usefixtures("offline")
def test_connections_beyond_loopback_are_refused() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlocked, match="offline"):
        sock.connect(("203.0.113.1", 80))
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect(("127.evil.example", 80))  # a name, not a loopback address


@pytest.mark.usefixtures("offline")
def test_udp_dns_and_other_programs_are_refused_python_is_not() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(NetworkBlocked):
        sock.sendto(b"x", ("8.8.8.8", 53))
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(NetworkBlocked):
        subprocess.run(["curl", "https://example.com"], check=False)
    with pytest.raises(NetworkBlocked):
        subprocess.run("echo hi", shell=True, check=False)
    probe = "import socket; socket.create_connection(('203.0.113.1', 80), timeout=1)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode != 0 and "NetworkBlocked" in done.stderr, "the guard reaches Python"


def test_loopback_is_decided_by_the_address() -> None:
    assert guard.is_loopback_host("127.0.0.1") and guard.is_loopback_host("::1")
    assert guard.is_loopback_host("localhost")
    assert not guard.is_loopback_host("127.evil.example")
    assert not guard.is_loopback_host("0.0.0.0") and not guard.is_loopback_host("10.0.0.1")


@pytest.mark.usefixtures("offline")
def test_loopback_stays_open() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted: list[bool] = []
    thread = threading.Thread(target=lambda: accepted.append(bool(server.accept())))
    thread.start()
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    thread.join(5)
    server.close()
    assert accepted == [True]


@pytest.mark.parametrize("run", [1, 2])
def test_every_test_starts_from_the_same_seed(run: int) -> None:
    assert random.random() == pytest.approx(0.8444218515250481)
    first = torch.rand(3)
    torch.manual_seed(0)
    assert torch.equal(first, torch.rand(3)), "torch was not seeded with 0 before the test"


def test_gpu_skip_reason_names_the_container() -> None:
    assert "GPU dev container" in GPU_CONTAINER
