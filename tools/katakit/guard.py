"""The offline guard: katas run offline, and this makes a slip (or a cheat) fail loudly.

Installed in every run-service child before any learner code is imported, and per test by the
plugin under plain pytest. It refuses
- connections (TCP ``connect``/``connect_ex``) and datagrams (``sendto``/``sendmsg``) to any
  address but loopback, decided by ``ipaddress`` (``127.evil.example`` is a name, not loopback);
- DNS lookups of any name but ``localhost`` (``getaddrinfo``, ``gethostbyname``, ...);
- subprocesses other than Python itself (the specs run scripts with ``sys.executable``), and
  ``os.system``/``os.exec*``; Python subprocesses inherit the guard through ``sitecustomize``.

A guard, not a sandbox: code that wants out can use ctypes or a raw syscall. The trusted grade
therefore also flags such code (``scan``) and is best run in a container with networking off.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SITE_DIR = Path(__file__).parent / "offline_site"  # holds sitecustomize.py: the guard at start
ENV_FLAG = "KATA_OFFLINE"


class NetworkBlocked(ConnectionError):
    """Raised for anything the guard refuses."""


def is_loopback_host(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def allowed(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    return is_loopback_host(host)


def _refuse(what: str) -> NetworkBlocked:
    return NetworkBlocked(
        f"Katas run offline, but the code tried {what}. "
        "Use the synthetic data the task describes instead of downloading."
    )


_originals: dict[str, Any] = {}


def _patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    key = f"{getattr(owner, '__name__', owner)}.{name}"
    if key not in _originals:
        _originals[key] = (owner, name, getattr(owner, name))
    setattr(owner, name, make(_originals[key][2]))


def _python(executable: object) -> bool:
    if not isinstance(executable, str | bytes | os.PathLike):
        return False
    name = os.path.basename(os.fsdecode(executable))
    return name.startswith("python") or os.path.realpath(
        os.fsdecode(executable)
    ) == os.path.realpath(sys.executable)


def install() -> None:
    """Put the guard in place in this process; Python children started through ``Popen`` get
    it too (``with_guard``). Call ``os.environ.update(with_guard({}))`` as well for children
    started any other way (multiprocessing's spawn)."""

    def sock_check(method: Any) -> Any:
        def guarded(self: socket.socket, address: Any, *rest: Any) -> Any:
            if not allowed(self.family, address):
                raise _refuse(f"to connect to {address!r}")
            return method(self, address, *rest)

        return guarded

    def sendto(method: Any) -> Any:
        def guarded(self: socket.socket, data: Any, *rest: Any) -> Any:
            address = rest[-1] if rest else None
            if address is not None and not allowed(self.family, address):
                raise _refuse(f"to send to {address!r}")
            return method(self, data, *rest)

        return guarded

    def sendmsg(method: Any) -> Any:
        def guarded(self: socket.socket, *args: Any) -> Any:
            if len(args) >= 4 and args[3] is not None and not allowed(self.family, args[3]):
                raise _refuse(f"to send to {args[3]!r}")
            return method(self, *args)

        return guarded

    def lookup(method: Any) -> Any:
        def guarded(host: Any, *rest: Any, **kwargs: Any) -> Any:
            if host is not None and not is_loopback_host(host):
                raise _refuse(f"to look up {host!r}")
            return method(host, *rest, **kwargs)

        return guarded

    def popen_init(method: Any) -> Any:
        def guarded(self: Any, args: Any, *rest: Any, **kwargs: Any) -> Any:
            program = kwargs.get("executable") or (
                args if isinstance(args, str | bytes | os.PathLike) else next(iter(args), "")
            )
            if kwargs.get("shell") or not _python(program):
                raise _refuse(f"to start {program!r} (katas may start Python only)")
            env = kwargs.get("env")
            kwargs["env"] = with_guard(dict(os.environ if env is None else env))
            return method(self, args, *rest, **kwargs)

        return guarded

    def forbidden(what: str) -> Callable[[Any], Any]:
        def make(method: Any) -> Any:
            def guarded(*args: Any, **kwargs: Any) -> Any:
                raise _refuse(what)

            return guarded

        return make

    _patch(socket.socket, "connect", sock_check)
    _patch(socket.socket, "connect_ex", sock_check)
    _patch(socket.socket, "sendto", sendto)
    _patch(socket.socket, "sendmsg", sendmsg)
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        _patch(socket, name, lookup)
    _patch(subprocess.Popen, "__init__", popen_init)
    _patch(os, "system", forbidden("os.system()"))
    for name in ("execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp"):
        _patch(os, name, forbidden(f"os.{name}()"))


def active() -> bool:
    return bool(_originals)


def with_guard(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a Python child that starts with the guard installed."""
    paths = [str(SITE_DIR), str(Path(__file__).parents[1])]
    old = env.get("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    env["PYTHONPATH"] = os.pathsep.join([*paths, *([old] if old else [])])
    env[ENV_FLAG] = "1"
    return env


def uninstall() -> None:
    for owner, name, original in _originals.values():
        setattr(owner, name, original)
    _originals.clear()
