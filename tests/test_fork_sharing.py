"""The server's master freezes what it built before forking its workers (server/__init__.py): a worker's
garbage collection then leaves the pages it shares with the master alone (issue #12, memory flat)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from oms_ld.server import share_with_workers

MB = 1 << 20


def _private_dirty() -> int:
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Private_Dirty:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no Private_Dirty in smaps_rollup")


def _dirtied_by_a_collection_in_a_child() -> int:
    """Bytes of private memory a forked child gains by running the cyclic collector once."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the child
        try:
            before = _private_dirty()
            gc.collect()
            os.write(write, str(_private_dirty() - before).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        grown = int(answer.read() or b"-1")
    os.waitpid(pid, 0)
    return grown


def test_a_worker_collecting_garbage_copies_none_of_what_the_master_built() -> None:
    built = [(n, [n]) for n in range(200_000)]  # what a master holds: tracked containers, about 24 MB
    try:
        share_with_workers()
        grown = _dirtied_by_a_collection_in_a_child()
        assert 0 <= grown < 3 * MB, f"a collection in the worker copied {grown / MB:.1f} MB of the master's pages"
    finally:
        gc.unfreeze()
    assert len(built) == 200_000
