"""Confine a freshly forked query process: no inherited descriptors, no network, bounded memory.

A query process runs untrusted SPARQL, so at birth (before it reads its first request) it keeps only
what it needs, in this order:

1. **Descriptors.** Everything the serving worker had open is closed: client connections, the
   listening socket, log files. Only its pipe to the worker and stderr (for the log) stay; stdin and
   stdout become /dev/null. A child holding a client socket kept that connection open after the
   worker had dropped it, so the client's next request on it hung (issue #15). The in-memory store
   needs no descriptor; a release's on-disk store is opened again, read-only, after this step and
   the next (`reopen`), so the only files the process holds are ones it opened itself.
2. **Network.** A seccomp filter makes `socket()` fail with EPERM for every address family (the
   child needs none: its pipe already exists), and `io_uring_setup` fail with ENOSYS (io_uring can
   open sockets without the `socket` system call). pyoxigraph evaluates SERVICE by making HTTP
   requests; the endpoint refuses SERVICE, and this is the second wall behind that refusal.
   Why seccomp and not a network namespace: it needs no privilege (a namespace needs root or a user
   namespace, which containers often disable), it cannot be undone by the process, and it is one
   small rule. The filter is built with PyPI's `pyseccomp` (ctypes over Debian's libseccomp2, the
   same API as libseccomp's own Python binding, which is not installable into a virtualenv).
3. **Memory.** RLIMIT_DATA is set to what the process already maps plus a budget. It counts private
   writable mappings (heap, anonymous mmap: where pyoxigraph's answers grow) but not address space
   that is only reserved, so it does not trip on allocator arenas the way RLIMIT_AS does. An
   allocation over the limit fails: Python raises MemoryError, Rust aborts the process (SIGABRT);
   the pool reports both as an answer too large for the service.
4. **Priority.** The process runs NICENESS steps nicer than the worker: a heavy query takes what CPU
   is left, and the worker's event loop and threads (documents, pages and cached answers from memory,
   each a fraction of a millisecond) are not queued behind it by the scheduler.

`available()` says, in the worker, whether step 2 can work here. When it cannot, untrusted queries are
refused with a 503 and an error in the log: the service never runs them unconfined.
"""

from __future__ import annotations

import errno
import gc
import os
import resource
from collections.abc import Callable, Iterable
from typing import Any

#: How much nicer than the worker a query process runs (Linux CFS: nice 5 weighs about a third of nice 0).
NICENESS = 5
#: Why the network cannot be taken away on this host (None: it can), found once per process.
_MISSING: list[str | None] = []


def _seccomp() -> Any:
    """The pyseccomp module (raises ImportError/OSError when it or libseccomp2 is missing)."""
    import pyseccomp

    return pyseccomp


def available() -> str | None:
    """None when a query process can be confined here, else the reason it cannot."""
    if not _MISSING:
        try:
            _network_filter()
            _MISSING.append(None)
        except Exception as exc:  # any failure here means: no confinement, say why
            _MISSING.append(f"seccomp is not available ({type(exc).__name__}: {exc}); install libseccomp2, pyseccomp")
    return _MISSING[0]


def _network_filter() -> Any:
    """A seccomp filter that lets everything through but socket() and io_uring_setup()."""
    seccomp = _seccomp()
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    rules.add_rule(seccomp.ERRNO(errno.EPERM), "socket")
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
    return rules


def close_inherited(keep: Iterable[int]) -> None:
    """Close every descriptor but `keep` and stderr; stdin and stdout become /dev/null."""
    kept = sorted({2, *keep})
    low = 3
    for fd in kept:
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX") if os.sysconf("SC_OPEN_MAX") > 0 else 65536)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        if fd not in kept:
            os.dup2(null, fd)
    if null not in (0, 1, *kept):
        os.close(null)


def deny_network() -> None:
    """Load the seccomp filter into this process (for good: a filter cannot be removed)."""
    _network_filter().load()


def _mapped_data() -> int:
    """Bytes of private writable memory this process maps now (VmData in /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(budget: int) -> None:
    """Let this process map at most `budget` more bytes of private writable memory than it has now."""
    limit = _mapped_data() + budget
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def confine(keep: Iterable[int], memory_budget: int, reopen: Callable[[], None] | None = None) -> None:
    """All of the above, for a query process just forked; raises OSError when a step fails.

    `reopen` runs once the descriptors are closed and the network is gone, before the memory limit:
    an on-disk store is opened again there (its files were closed with the rest), and what opening it
    maps is not taken from the query's budget.
    """
    # Objects inherited from the worker (its sockets among them) are never collected here, so no
    # finalizer closes a descriptor number that has been reused; untouched pages also stay shared.
    gc.freeze()
    close_inherited(keep)
    deny_network()
    if reopen is not None:
        reopen()
    limit_memory(memory_budget)
    os.nice(NICENESS)
