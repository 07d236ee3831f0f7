"""The pytest plugin's guards: offline, seeded, GPU skips, per-kata timeouts."""

from __future__ import annotations

import random
import socket
import threading

import pytest
import torch

from katakit.plugin import GPU_CONTAINER, NetworkBlocked


def test_connections_beyond_loopback_are_refused() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlocked, match="offline"):
        sock.connect(("203.0.113.1", 80))


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
