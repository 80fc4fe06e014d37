"""Which query may take which query process: an express lane for the queries known to be quick.

A query process runs one query at a time and nothing can interrupt it but its time limit. So a point
lookup that arrives while every process runs a GROUP BY over a million places waited for one of them
to finish: a second, for an answer that takes a tenth of a millisecond. `Admission` keeps `express`
processes beyond the `size` regular ones, for quick queries only.

A query is known by its template (rdf/sparql.py `Reading.template`: its tokens after the prologue,
with IRIs and literal values left out), and a template by the engine time its last run took in its
process (CPU seconds, which do not grow when the machine is busy, as wall time does). `Costs` keeps
that time in a fixed table. A template never seen, or last seen over `quick` seconds (or stopped at
its limit), is slow: it takes a regular process. A quick one takes an express process if one is
free, else a regular one. A template that runs slow once is slow from then on, until it runs quick in
a regular process again; until then the damage is one express process busy for that one run.
"""

from __future__ import annotations

import math
import threading
import time
from array import array

#: Templates whose last cost is remembered (a slot per hash; 16 bytes each, 64 KiB in all).
TEMPLATES = 4096
REGULAR = "regular"
EXPRESS = "express"


class Costs:
    """The engine seconds of each template's last run, in a fixed table: a new template overwrites the
    slot of an older one whose hash falls there (which then counts as never seen, so as slow).

    Read and written by the worker's threads without a lock: a reader that meets a slot half-written
    takes one template's cost for another's once, which only decides a lane.
    """

    def __init__(self, slots: int = TEMPLATES) -> None:
        self._templates = array("q", bytes(8 * slots))
        self._seconds = array("d", [math.inf]) * slots

    def seconds(self, template: int) -> float:
        """The last run's seconds, or infinity for a template not in the table."""
        slot = template % len(self._templates)
        return self._seconds[slot] if self._templates[slot] == template else math.inf

    def record(self, template: int, seconds: float) -> None:
        slot = template % len(self._templates)
        self._templates[slot] = template
        self._seconds[slot] = seconds


class Admission:
    """Counts the free processes of each lane; a query enters one, waiting a bounded time, or is refused.

    Each waits at most `wait` seconds. At most `queue` slow queries wait at once, and more are refused
    at once: their wait is long, and each holds a server thread meanwhile. With an express lane, quick
    ones are not counted against `queue`: they wait for the express processes, which free within
    milliseconds (and for a thread each, so the server's threads bound them). Without one, they are
    counted like any other.
    """

    def __init__(self, size: int, express: int, queue: int, wait: float) -> None:
        self.free = {REGULAR: size, EXPRESS: express}
        self.express = express
        self.queue = queue
        self.wait = wait
        #: Slow queries waiting now, and quick ones (not counted against `queue`).
        self.waiting = 0
        self.waiting_quick = 0
        self._changed = threading.Condition(threading.Lock())

    def _lane(self, quick: bool) -> str | None:
        if quick and self.free[EXPRESS]:
            return EXPRESS
        return REGULAR if self.free[REGULAR] else None

    def enter(self, quick: bool) -> str | None:
        """The lane now taken (EXPRESS only for a quick query), or None: refused."""
        with self._changed:
            lane = self._lane(quick)
            if lane is None:
                quick = quick and self.express > 0  # no express lane: a query like any other
                if not quick and self.waiting >= self.queue:
                    return None
                self._count(quick, 1)
                end = time.monotonic() + self.wait
                try:
                    while (lane := self._lane(quick)) is None:
                        left = end - time.monotonic()
                        if left <= 0:
                            return None
                        self._changed.wait(left)
                finally:
                    self._count(quick, -1)
            self.free[lane] -= 1
            return lane

    def _count(self, quick: bool, change: int) -> None:
        if quick:
            self.waiting_quick += change
        else:
            self.waiting += change

    def leave(self, lane: str) -> None:
        with self._changed:
            self.free[lane] += 1
            # Waiters differ in the lanes they may take (only a quick one takes EXPRESS): wake them all.
            self._changed.notify_all()
