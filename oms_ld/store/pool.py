"""Run untrusted queries in child processes so a time limit can really stop them.

pyoxigraph cannot cancel a query once started, and a thread cannot be killed. So each query from
the SPARQL endpoint goes to a child process forked from the loaded store (copy-on-write, so no
reload), and a child that overruns the limit is killed and replaced. Other requests keep being
served by the other children and by the parent. Replies cross the pipe as bytes (TSV, N-Triples).

A child may be forked from a threaded server. If it inherited a lock another thread held at that
moment and blocks on it, the cost is bounded: the request times out and the child is replaced.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

#: A picklable query request, and the reply: (kind, payload) or ("error", (class name, message)).
Request = tuple[str, tuple[str, ...] | None, tuple[str, ...] | None, int | None]
Reply = tuple[str, Any]


@dataclass
class _Child:
    process: Any  # multiprocessing.context.ForkProcess
    conn: Connection


def _serve(conn: Connection, run: Callable[[Request], Reply]) -> None:
    """The child's loop: answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run(request)
        except Exception as exc:  # the child is an isolation boundary: report, log in the parent, go on
            reply = ("error", ("StoreError", f"{type(exc).__name__}: {exc}"))
        conn.send(reply)


class QueryPool:
    """Up to `size` forked children answering `run(request)`, each request bounded by a timeout."""

    def __init__(self, run: Callable[[Request], Reply], *, size: int) -> None:
        self._run = run
        self._idle: list[_Child] = []
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._context = mp.get_context("fork")
        self._owner = os.getpid()

    def _spawn(self) -> _Child:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self._run), daemon=True)
        process.start()
        child.close()
        return _Child(process, parent)

    def _take(self) -> _Child:
        with self._lock:
            if self._owner != os.getpid():  # forked (e.g. into a server worker): children are not ours
                self._idle, self._owner = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._spawn()

    def run(self, request: Request, timeout: float) -> Reply | None:
        """The child's reply, or None when it did not answer within `timeout` (the child is killed)."""
        with self._slots:
            child = self._take()
            try:
                child.conn.send(request)
                if child.conn.poll(timeout):
                    reply: Reply = child.conn.recv()
                    with self._lock:
                        self._idle.append(child)
                    return reply
            except (EOFError, OSError) as exc:
                log.warning("query child %s failed: %s", child.process.pid, exc)
                self._kill(child)
                return ("error", ("StoreError", f"the query process failed: {exc}"))
            log.warning("query exceeded %.1f s; killing child %s", timeout, child.process.pid)
            self._kill(child)
            return None

    @staticmethod
    def _kill(child: _Child) -> None:
        child.process.kill()
        child.process.join(timeout=5)
        child.conn.close()

    def close(self) -> None:
        """Stop every idle child."""
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            self._kill(child)
