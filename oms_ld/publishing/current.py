"""The site a server answers from, switched to each new `current` release while it answers (issue #11).

A watcher thread per process (started again in each forked worker on its first request, which first
looks at `current` itself) reads the `current` link once every RELEASE_CHECK_SECONDS. When it names
another release, the thread opens that release's site (store read-only, its own query processes, held
against `prune`) off the request path, then swaps the reference under a lock. Every request leases the
site it started on (`acquire`) and gives it back when its answer is sent (`Lease.release`), so a request
never mixes two releases; the old site is closed (its query processes stopped, its hold let go) when
the last lease on it ends, and its store (with its open files) is freed by the watcher's next round
once nothing refers to it. A release that cannot be opened is logged, and the old one keeps answering.
Flask-free.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import OmsLdError
from .publication import Site

log = logging.getLogger(__name__)

#: Held by the watcher's rounds (a site opened, swapped, closed, collected); a fork waits for it in the
#: process that made the sites (the server's master forks its workers from it), so that no worker
#: inherits a half-opened store or a held lock. Re-entrant: a fork from inside a round cannot deadlock.
_OPENING = threading.RLock()
_GUARD_PID = [0]
#: Held while a forked process takes over the site (CurrentSite._adopt).
_ADOPTING = threading.Lock()
#: Watcher rounds that try to free a closed site before it is reported as still referred to.
COLLECT_ROUNDS = 30


def _before_fork() -> None:
    if _GUARD_PID[0] == os.getpid():
        _OPENING.acquire()


def _after_fork_parent() -> None:
    if _GUARD_PID[0] == os.getpid():
        _OPENING.release()


def _after_fork_child() -> None:
    global _OPENING, _ADOPTING
    _OPENING = threading.RLock()  # the parent's is held by the fork; a child forks without waiting
    _ADOPTING = threading.Lock()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_parent, after_in_child=_after_fork_child)


@dataclass(eq=False)
class _Entry:
    """A site and how many requests use it now."""

    site: Site
    users: int = 0
    retired: bool = False


class Lease:
    """One request's use of one site; `release` (idempotent) gives it back."""

    __slots__ = ("_current", "_entry", "site")

    def __init__(self, current: CurrentSite, entry: _Entry) -> None:
        self._current: CurrentSite | None = current
        self._entry = entry
        self.site = entry.site

    def release(self) -> None:
        """Give the site back; the last lease of a site that was switched away from closes it."""
        current, self._current = self._current, None
        if current is not None:
            current._give_back(self._entry)


def release_name(site: Site) -> str | None:
    """The directory name of the release a site serves (None: a site computed in memory or remote)."""
    return None if site.release is None else site.release.path.name


class CurrentSite:
    """The site now served, and the switch to a new one.

    `watch` returns the name `current` points at (None: no link); `open_site(name)` opens that release's
    site (raising when it cannot). Without `watch` the site never changes (a remote store has no releases).
    """

    def __init__(
        self,
        site: Site,
        *,
        watch: Callable[[], str | None] | None = None,
        open_site: Callable[[str], Site] | None = None,
        every: float = 2.0,
    ) -> None:
        self._entry = _Entry(site)
        self._watch = watch
        self._open_site = open_site
        self.every = every
        self._lock = threading.Lock()
        self._checking = threading.Lock()
        #: The last link target that could not be opened: tried again only when the link changes.
        self._failed: str | None = None
        self._watcher_pid = 0
        self._stop = threading.Event()
        #: Sites closed but maybe not yet freed (their store holds its files open until it is collected).
        self._closed: list[tuple[weakref.ref[Any], str | None, int]] = []
        #: Called with the new site after each switch (the web edge keeps the app's reference current).
        self.on_switch: Callable[[Site], None] | None = None
        if watch is not None:
            _GUARD_PID[0] = os.getpid()
            self._start_watcher()

    @property
    def site(self) -> Site:
        """The site new requests get."""
        return self._entry.site

    def acquire(self) -> Lease:
        """Lease the site now served, for one request (see `Lease.release`)."""
        if self._watch is not None and self._watcher_pid != os.getpid():
            self._adopt()
        with self._lock:
            entry = self._entry
            entry.users += 1
        return Lease(self, entry)

    def _adopt(self) -> None:
        """The first lease in a forked worker: the parent's watcher thread did not come along. Look at
        `current` now, before answering, so that a worker forked from a parent that had not yet seen a
        switch never answers from the old release; then start this process's watcher."""
        with _ADOPTING:
            if self._watcher_pid == os.getpid():
                return  # another of the worker's first requests got here first
            self._checking = threading.Lock()  # the parent's watcher may have held it at the fork
            self.check()
            self._start_watcher()

    def _give_back(self, entry: _Entry) -> None:
        with self._lock:
            entry.users -= 1
            done = entry.retired and entry.users == 0
        if done:
            self._retire(entry.site)

    def check(self) -> bool:
        """Look at `current` once; when it names another release, open it and switch. True: switched."""
        if self._watch is None or self._open_site is None:
            return False
        with self._checking:
            name = self._watch()
            if name is None or name == release_name(self._entry.site) or name == self._failed:
                return False
            with _OPENING:
                try:
                    site = self._open_site(name)
                except (OmsLdError, OSError, ValueError) as exc:  # refused, unreadable, or a bad manifest
                    log.warning("cannot switch to release %s (%s); still serving %s", name, exc,
                                release_name(self._entry.site))  # fmt: skip
                    self._failed = name
                    return False
                except Exception:  # a bug: the old release keeps answering, and the log has the traceback
                    log.exception("cannot switch to release %s; still serving %s", name,
                                  release_name(self._entry.site))  # fmt: skip
                    self._failed = name
                    return False
                with self._lock:
                    old, self._entry = self._entry, _Entry(site)
                    old.retired = True
                    done = old.users == 0
            self._failed = None
            if self.on_switch is not None:
                self.on_switch(site)
            log.info("switched to release %s (version %s) from %s", name, site.version, release_name(old.site))
            if done:
                self._retire(old.site)
            return True

    def _start_watcher(self) -> None:
        self._watcher_pid = os.getpid()
        thread = threading.Thread(target=_watch_loop, args=(weakref.ref(self), self._stop, self.every),
                                  name="oms-ld-release-watch", daemon=True)  # fmt: skip
        thread.start()

    def close(self) -> None:
        """Stop watching and close the site now served (for tests and orderly shutdown)."""
        self._stop.set()
        with self._lock:
            entry = self._entry
            entry.retired = True
            done = entry.users == 0
        if done:
            self._retire(entry.site)

    def _retire(self, site: Site) -> None:
        _close(site)
        with self._lock:
            self._closed.append((weakref.ref(site.store), release_name(site), 0))

    def collect(self) -> int:
        """Free the stores of closed sites once nothing refers to them (a store and its query pool refer to
        each other, so only the cyclic collector frees them); returns how many are still alive.

        A site still alive after COLLECT_ROUNDS rounds is referred to from somewhere: logged, and left.
        """
        with self._lock:
            taken, self._closed = self._closed, []
        alive = [(ref, name, rounds) for ref, name, rounds in taken if ref() is not None]
        if alive:
            # The server froze what its master built, so that workers share those pages (server/__init__.py);
            # the collector never frees frozen objects, and the first site is among them.
            gc.unfreeze()
            gc.collect()
        kept = []
        for ref, name, rounds in alive:
            if ref() is None:
                continue
            if rounds + 1 >= COLLECT_ROUNDS:
                log.warning("closed release %s is still referred to; its store files stay open", name)
            else:
                kept.append((ref, name, rounds + 1))
        with self._lock:
            self._closed = kept + self._closed  # and those closed meanwhile
            return len(self._closed)


def _watch_loop(ref: weakref.ref[CurrentSite], stop: threading.Event, every: float) -> None:
    """Check at once (a worker forked after a switch catches up), then every `every` seconds, until the
    CurrentSite is stopped or gone."""
    while True:
        current = ref()
        if current is None:
            return
        try:
            with _OPENING:
                current.check()
                current.collect()
        except Exception:  # the watcher must outlive any failure, or the server would never switch again
            log.exception("checking for a new release failed")
        del current
        if stop.wait(every):
            return


def _close(site: Site) -> None:
    """Stop a site's query processes and let go of its release (its store goes with the last reference)."""
    site.store.close()
    if site.release is not None:
        site.release.let_go()
        log.info("closed release %s", site.release.path.name)
