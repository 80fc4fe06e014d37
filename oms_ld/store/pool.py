"""Run untrusted queries in confined child processes, so a time limit can really stop them.

pyoxigraph cannot cancel a query once started, and a thread cannot be killed. So each query from
the SPARQL endpoint goes to a child process forked from the loaded store (copy-on-write, so no
reload), and a child that overruns the limit is killed and replaced.

At birth a child is confined (store/confine.py): it closes every descriptor it inherited but its
socket pair to the worker, loses the network, and gets a memory budget. Then it answers requests,
one at a time, each in frames over that socket (store/child.py). The body is the client's final
representation, so the worker does not parse or re-serialize it. The worker stops reading at the byte cap; a child is
replaced once its own memory (anonymous resident pages, beyond what it had at birth) has grown by
`recycle_memory`, after an answer over `recycle_bytes`, after a memory error, or after `max_queries`
answers (a backstop: a fork costs tens of milliseconds, so recycling is by memory, not by count).

Capacity is separate from the serving threads: with every child busy a query waits a bounded time
(`queue`, `wait`) or is refused (`Overloaded`, 503 + Retry-After). Beyond the `size` children,
`express` more answer only the queries whose template ran quick before (store/lanes.py). Trusted
queries (pages) never come here.

Each child also arms SIGALRM for one second past the limit, so a query stops even when the worker
that should kill it has died. A child may be forked from a threaded server. If it inherited a lock
another thread held at that moment and blocks on it, the cost is bounded: the request times out and
the child is replaced.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import pickle
import select
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..errors import Overloaded, QueryTimeout, ResultTooLarge, SandboxUnavailable, StoreError
from . import confine
from .child import Work, serve
from .lanes import Admission, Costs

log = logging.getLogger(__name__)

#: How long a new child may take to confine itself and say it is ready.
_BIRTH_TIMEOUT = 10.0
_PAGE = os.sysconf("SC_PAGE_SIZE")


def private_bytes(statm: int) -> int:
    """The anonymous resident memory (resident minus file-backed and shared pages) of the process whose
    /proc/PID/statm is open as descriptor `statm`; 0 once it is gone.

    Read again from the open file, as the kernel writes it anew at each read: opening it for every answer
    cost more than the answer of a point lookup spends in the pool.
    """
    try:
        fields = os.pread(statm, 128, 0).split()
    except OSError:
        return 0
    return (int(fields[1]) - int(fields[2])) * _PAGE if len(fields) > 2 else 0


class ChildFailed(Exception):
    """The child answered with an error: the name of a project error class and its message."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass
class _Child:
    pid: int
    conn: Connection
    answered: int = 0
    #: Its anonymous resident memory when it said it was ready (the store and heap it inherited).
    born: int = 0
    #: Its /proc/PID/statm, open for reading (-1: not open).
    statm: int = -1
    #: Waits for its answer (one poll object per child: multiprocessing's `poll` makes a selector per call).
    poller: select.poll | None = None


class QueryPool:
    """Up to `size` confined children answering `work(request, write)`, each bounded in time and bytes."""

    def __init__(
        self,
        work: Work,
        *,
        size: int,
        max_bytes: int,
        memory_budget: int,
        max_queries: int = 100_000,
        recycle_bytes: int = 8 << 20,
        recycle_memory: int = 64 << 20,
        reopen: Callable[[], None] | None = None,
        queue: int = 0,
        wait: float = 0.0,
        express: int = 0,
        quick: float = 0.02,
    ) -> None:
        self._work = work
        self._reopen = reopen
        self.size = size
        self.max_bytes = max_bytes
        self.memory_budget = memory_budget
        self.max_queries = max_queries
        self.recycle_bytes = recycle_bytes
        self.recycle_memory = recycle_memory
        #: A template that last ran in at most `quick` CPU seconds may take one of the `express` processes.
        self.quick = quick
        self.costs = Costs()
        #: At most `queue` queries wait, each at most `wait` seconds, for a busy process; the rest get 503 at once.
        self.admission = Admission(size, express, queue, wait)
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self._owner = os.getpid()
        reason = confine.available()
        if reason is not None:  # said at start, and again with every refused query
            log.error("untrusted SPARQL queries will be refused (503): %s", reason)

    def pids(self) -> list[int]:
        """The process ids of the idle children (for tests and diagnostics)."""
        with self._lock:
            return [child.pid for child in self._idle]

    def _spawn(self) -> _Child:
        reason = confine.available()
        if reason is not None:
            log.error("untrusted queries are refused: %s", reason)
            raise SandboxUnavailable(f"queries cannot run on this server now: {reason}")
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover -- the child; it never returns
            try:
                ours.close()
                serve(Connection(theirs.detach()), self._work, self.memory_budget, self._reopen)
            finally:
                os._exit(70)
        theirs.close()
        child = _Child(pid, Connection(ours.detach()))
        child.poller = select.poll()
        child.poller.register(child.conn.fileno(), select.POLLIN)
        try:
            ready = child.conn.poll(_BIRTH_TIMEOUT) and child.conn.recv_bytes()
        except (EOFError, OSError):
            ready = b""
        if ready != b"R":
            self._kill(child)
            detail = json.loads(ready[1:])[1] if ready and ready[:1] == b"E" else "it did not start"
            log.error("untrusted queries are refused: %s", detail)
            raise SandboxUnavailable(f"queries cannot run on this server now: {detail}")
        with contextlib.suppress(OSError):  # gone already: its next answer fails and it is replaced
            child.statm = os.open(f"/proc/{pid}/statm", os.O_RDONLY | os.O_CLOEXEC)
        child.born = private_bytes(child.statm)
        return child

    def _take(self) -> _Child:
        with self._lock:
            if self._owner != os.getpid():  # forked (e.g. into a server worker): children are not ours
                self._idle, self._owner = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._spawn()

    def _give_back(self, child: _Child, size: int) -> None:
        child.answered += 1
        grown = private_bytes(child.statm) - child.born
        if child.answered >= self.max_queries or size > self.recycle_bytes or grown > self.recycle_memory:
            self._kill(child)  # its heap has grown; a fresh fork starts from the loaded store again
            return
        with self._lock:
            self._idle.append(child)

    def run(self, request: Any, timeout: float, template: int | None = None) -> tuple[str, bytes]:
        """The child's answer (kind, body) to `request`, whose cost is learnt under `template` (None: unknown).

        Raises:
            Overloaded: every child is busy, and `queue` queries already wait (at once) or this one
                waited `wait` seconds in vain.
            QueryTimeout: no answer within `timeout`; the child is killed.
            ResultTooLarge: the body went over `max_bytes`, or the child ran out of memory.
            ChildFailed: the child reported an error (a project error class name and message).
            StoreError: the child died; SandboxUnavailable: children cannot be confined here.
        """
        quick = template is not None and self.costs.seconds(template) <= self.quick
        lane = self.admission.enter(quick)
        if lane is None:
            raise Overloaded(f"all {self.size} query processes are busy; try again shortly",
                             retry_after=max(1, math.ceil(timeout)))  # fmt: skip
        spent, learnt = math.inf, template  # stopped at the limit, or failed: slow until it runs quick again
        try:
            child = self._take()
            kind, body, spent = self._exchange(child, request, time.monotonic() + timeout, timeout)
            return kind, body
        except ChildFailed:
            learnt = None  # the query's error: nothing learnt about its cost
            raise
        finally:
            self.admission.leave(lane)
            if learnt is not None:
                self.costs.record(learnt, spent)

    def _exchange(self, child: _Child, request: Any, deadline: float, timeout: float) -> tuple[str, bytes, float]:
        parts: list[bytes] = []
        size = 0
        try:
            poller = child.poller
            assert poller is not None  # set when the child was spawned
            child.conn.send_bytes(pickle.dumps((timeout, request)))
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not poller.poll(math.ceil(left * 1000)):
                    log.warning("query exceeded %.1f s; killing child %s", timeout, child.pid)
                    self._kill(child)
                    raise QueryTimeout(f"the query was stopped after the time limit of {timeout:g} s")
                frame = child.conn.recv_bytes()
                tag, data = frame[:1], frame[1:]
                if tag == b"K":  # the end: its kind and CPU seconds, then the body's last bytes
                    head, _, data = data.partition(b"\n")
                    kind, _, spent = head.partition(b" ")
                if tag in (b"D", b"K"):
                    size += len(data)
                    if size > self.max_bytes:  # the child counts too; this holds even if it does not
                        self._kill(child)
                        raise ResultTooLarge(f"the answer is over the limit of {self.max_bytes} bytes; add a LIMIT")
                    parts.append(data)
                    if tag == b"K":
                        self._give_back(child, size)
                        return kind.decode(), b"".join(parts), float(spent)
                else:
                    name, message = json.loads(data)
                    if name == "ResultTooLarge":
                        self._kill(child)
                    else:
                        self._give_back(child, size)
                    raise ChildFailed(str(name), str(message))
        except (EOFError, OSError) as exc:
            status = self._kill(child)
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
                log.warning("query child %s aborted (an allocation over its memory limit)", child.pid)
                raise ResultTooLarge("the query needs more memory than a query may use") from exc
            log.warning("query child %s failed: %s (status %s)", child.pid, exc, status)
            raise StoreError(f"the query process failed: {exc}") from exc

    @staticmethod
    def _kill(child: _Child) -> int:
        """Stop `child` and reap it; returns its wait status."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)
        child.conn.close()
        if child.statm >= 0:
            os.close(child.statm)
            child.statm = -1
        try:
            return os.waitpid(child.pid, 0)[1]
        except ChildProcessError:
            return 0

    def close(self) -> None:
        """Stop every idle child."""
        with self._lock:
            idle, self._idle = self._idle, []
            mine = self._owner == os.getpid()
        for child in idle if mine else ():
            self._kill(child)
