"""The shipped front for tests: `python -m oms_ld serve` as a subprocess, and raw-socket HTTP helpers."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from .backends import free_port, stop_process
from .polling import LIMIT as HANG
from .polling import wait_until

ROOT = Path(__file__).resolve().parent.parent
#: Building the app validates the data (a recorded result makes it quick); allow a slow shared machine.
START_TIMEOUT = 120.0


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = START_TIMEOUT) -> None:
    """Return once something answers HTTP on `port`; raise if the process exits or it never does."""

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"oms-ld serve exited with {process.returncode}")
        try:
            status, _ = exchange(port, b"GET /static/style.css HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 2)
        except OSError:
            return False
        return bool(status)

    wait_until(answers, f"oms-ld serve answering HTTP on port {port}", timeout, every=0.3)


@contextlib.contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """`python -m oms_ld serve --port FREE --no-access-log [args]` until the block ends; yields the port."""
    port = free_port()
    command = [sys.executable, "-m", "oms_ld", "serve", "--port", str(port), "--no-access-log", *args]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(port, process)
        yield port
    finally:
        stop_process(process)
        if process.stderr is not None:
            process.stderr.close()


def read_response(sock: socket.socket, timeout: float = HANG, *, head: bool = False) -> tuple[int, bytes]:
    """Read until a whole answer came or the server closed; the status (0 if none) and the bytes.

    `head`: the request was HEAD, so the answer has no body whatever its Content-Length. Interim
    (1xx) answers are skipped.

    Raises TimeoutError when the server sent nothing for `timeout` seconds and had not answered.
    """
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        except TimeoutError:
            if data.startswith(b"HTTP/"):
                break  # an answer came; the connection stays open (keep-alive)
            raise
        if not chunk:
            break
        data += chunk
        while data.startswith(b"HTTP/1.1 1") and b"\r\n\r\n" in data:  # 100 Continue
            data = data.partition(b"\r\n\r\n")[2]
        if b"\r\n\r\n" in data and (head or _complete(data)):
            break
    return _status(data), data


def read_until_closed(sock: socket.socket, what: str, timeout: float = HANG) -> tuple[int, bytes]:
    """Read until the server closes the connection: the status of what it sent first (0 if none), every byte.

    Fails naming `what` when the server neither sent nor closed anything for `timeout` seconds.
    """
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        except TimeoutError:
            raise AssertionError(f"the server did not close {what} in {timeout:g} s; it sent {data[:200]!r}") from None
        if not chunk:
            break
        data += chunk
    return _status(data), data


def is_open(sock: socket.socket) -> bool:
    """Whether the server has neither sent anything on `sock` nor closed it, looking without waiting."""
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)  # readable: bytes came, or the end of the stream (a close or a reset)


def _status(data: bytes) -> int:
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") and data.count(b" ") >= 1 else 0


def _complete(data: bytes) -> bool:
    """True when `data` holds a whole response framed by its Content-Length or chunked coding."""
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip() or b"0")
        if name.strip().lower() == b"transfer-encoding" and value.strip().lower() == b"chunked":
            return body.endswith(b"0\r\n\r\n")
    return False


def exchange(port: int, request: bytes, timeout: float = HANG, *, half_close: bool = False) -> tuple[int, bytes]:
    """Send raw `request` on a new connection and read the answer (see `read_response`)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            return 0, b""
        return read_response(sock, timeout, head=request.startswith(b"HEAD "))


class RsgiHeaders:
    """The header mapping granian hands an RSGI app (only `items` is read)."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def items(self) -> list[tuple[str, str]]:
        return self._items


class RsgiScope:
    """What granian hands an RSGI app for `method target HTTP/1.1` with `headers` (Host: t added)."""

    proto = "http"
    http_version = "1.1"
    scheme = "http"
    server = "127.0.0.1:8080"
    client = "127.0.0.1:50000"
    authority = None

    def __init__(self, method: str = "GET", target: str = "/", headers: dict[str, str] | None = None) -> None:
        self.method = method
        self.path, _, self.query_string = target.partition("?")
        self.headers = RsgiHeaders([("host", "t"), *((k.lower(), v) for k, v in (headers or {}).items())])
