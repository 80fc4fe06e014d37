"""The shipped front for tests: `python -m oms_ld serve` as a subprocess, and raw-socket HTTP helpers."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .backends import free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
#: Building the app validates the data (a recorded result makes it quick); allow a slow shared machine.
START_TIMEOUT = 120.0


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = START_TIMEOUT) -> None:
    """Return once something answers HTTP on `port`; raise if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oms-ld serve exited with {process.returncode}")
        try:
            status, _ = exchange(port, b"GET /static/style.css HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 2)
            if status:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"oms-ld serve did not answer on port {port} within {timeout:g} s")


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


def read_response(sock: socket.socket, timeout: float, *, head: bool = False) -> tuple[int, bytes]:
    """Read until a whole answer came, the server closed or `timeout`; the status (0 if none) and the bytes.

    `head`: the request was HEAD, so the answer has no body whatever its Content-Length. Interim
    (1xx) answers are skipped.

    Raises TimeoutError when the server neither answered nor closed within `timeout`.
    """
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        try:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
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
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") and data.count(b" ") >= 1 else 0
    return status, data


def _complete(data: bytes) -> bool:
    """True when `data` holds a whole response with a Content-Length."""
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip() or b"0")
    return False


def exchange(port: int, request: bytes, timeout: float = 5.0, *, half_close: bool = False) -> tuple[int, bytes]:
    """Send raw `request` on a new connection and read the answer (see `read_response`)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            return 0, b""
        return read_response(sock, timeout, head=request.startswith(b"HEAD "))
