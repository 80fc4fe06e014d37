"""Waiting for a state to be reached: the one place in tests/ that reads a clock.

Tests never measure how long something took: a slower machine must not fail them and a faster one
must not pass them. They check what happened (a status, a message, a closed connection, the order
of events). What they may do is wait, with a generous bound, for another process or thread to reach
a state: a port that answers, a pool that fills, a release that is switched to. `wait_until` polls
for it and, if it never comes, fails naming what never happened. tests/test_layers.py checks that
no other code in tests/ reads a clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: How long anything may take before a test counts it as never happening (or hung): far past every
#: limit the server sets, so that only a real failure reaches it.
LIMIT = 60.0


class NeverHappened(AssertionError):
    """What a test waited for did not happen within the bound."""


def wait_until(
    predicate: Callable[[], T],
    what: str,
    limit: float = LIMIT,
    *,
    every: float = 0.1,
    detail: Callable[[], str] | None = None,
) -> T:
    """Call `predicate` every `every` seconds until it returns something true, and return that.

    Args:
        predicate: the state to wait for; an exception it raises (a process that exited, say)
            ends the wait at once.
        what: the state, as in "never happened within 60 s: <what>".
        limit: seconds before giving up.
        every: seconds between calls.
        detail: called on failure for more to say (a log's tail, the last state seen).

    Raises:
        NeverHappened: the predicate was still false after `limit` seconds.
    """
    deadline = time.monotonic() + limit
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            message = f"never happened within {limit:g} s: {what}"
            raise NeverHappened(message + (f"\n{detail()}" if detail is not None else ""))
        time.sleep(every)
