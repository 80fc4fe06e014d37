"""A query process's side of store/pool.py: confine itself, then answer requests one at a time.

Each answer leaves in frames over the socket pair to the worker: `D` + body bytes (1 MiB or more
each), then `K` + kind + space + the CPU seconds the work took + newline + the body's last bytes (a
short answer is that one message), or `E` + a JSON [error class, message].
"""

from __future__ import annotations

import json
import math
import os
import pickle
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, NoReturn

from ..errors import OmsLdError
from . import confine

#: The child's job: answer `request`, writing the body through the callable; returns the body's kind.
Work = Callable[[Any, Callable[[bytes], None]], str]
_FRAME = 1 << 20


class _Frames:
    """The child's body writer: collects bytes and sends them in frames of up to 1 MiB."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.parts.append(chunk)
        self.size += len(chunk)
        if self.size >= _FRAME:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.conn.send_bytes(b"D" + self.rest())

    def rest(self) -> bytes:
        """The bytes not sent yet (they leave with the answer's last message)."""
        rest = b"".join(self.parts)
        self.parts, self.size = [], 0
        return rest


def error_frame(name: str, message: str) -> bytes:
    return b"E" + json.dumps([name, message]).encode()


def serve(conn: Connection, work: Work, memory_budget: int, reopen: Callable[[], None] | None = None) -> NoReturn:
    """The child: confine itself, (re)open what it reads, say it is ready, then answer until the pipe closes.

    `reopen` runs after the descriptors are closed: an on-disk store inherited from the worker has lost
    its files, so the child opens its own read-only handle (the pages stay shared in the page cache).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it stops the children
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGCHLD,
                   signal.SIGALRM):
        signal.signal(number, signal.SIG_DFL)  # not the server's handlers, inherited by the fork
    try:
        confine.confine(keep=[conn.fileno()], memory_budget=memory_budget, reopen=reopen)
    except Exception as exc:  # never run a query unconfined (nor without its store): tell the worker why
        conn.send_bytes(error_frame("SandboxUnavailable", f"the query process cannot be confined: {exc}"))
        os._exit(70)
    conn.send_bytes(b"R")
    while True:
        try:
            timeout, request = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        # The kernel ends this process one second after the worker should have (SIGALRM's default
        # action needs no Python code to run), so a query outlives its limit even if the worker died.
        signal.alarm(math.ceil(timeout) + 1)
        frames = _Frames(conn)
        began = time.process_time()
        try:
            kind = work(request, frames.write)
            spent = b"%.6f" % (time.process_time() - began)
            reply = b"K" + kind.encode() + b" " + spent + b"\n" + frames.rest()  # the end and the last bytes
        except OmsLdError as exc:
            reply = error_frame(type(exc).__name__, exc.message)
        except MemoryError as exc:
            reply = error_frame("ResultTooLarge", f"the query needs more memory than a query may use ({exc})")
        except BaseException as exc:  # noqa: BLE001 -- the child is an isolation boundary (pyo3 panics too)
            reply = error_frame("StoreError", f"{type(exc).__name__}: {exc}")
        signal.alarm(0)
        try:
            conn.send_bytes(reply)
        except OSError:
            os._exit(0)
