"""Representations computed once per data version, kept in a bounded in-process cache."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

#: Bodies at least this big are worth compressing.
GZIP_MIN_BYTES = 1024
#: Keys `RepresentationCache.asked_before` remembers (16 bytes each, in one table).
REMEMBERED = 16384
#: Digests per set of that table: a key asked for is forgotten once this many others of its set came after it.
WAYS = 4
_DIGEST = 16


@dataclass(frozen=True)
class Representation:
    """A finished response body with what caching needs to know about it."""

    body: bytes
    content_type: str
    #: Strong validator: data version + variant (+ language), quoted.
    etag: str
    last_modified: datetime
    headers: tuple[tuple[str, str], ...] = ()
    _gzipped: list[bytes] = field(default_factory=list, compare=False, repr=False)

    def gzipped(self) -> bytes:
        """The body gzip-compressed (computed once, deterministic: no timestamp in the header)."""
        if not self._gzipped:
            self._gzipped.append(gzip.compress(self.body, compresslevel=6, mtime=0))
        return self._gzipped[0]


def make_etag(version: str, *parts: str) -> str:
    """A strong ETag from the data version and the variant's distinguishing parts."""
    digest = hashlib.sha256("\0".join((version, *parts)).encode()).hexdigest()[:24]
    return f'"{digest}"'


def _cost(rep: Representation) -> int:
    """What `rep` may come to hold: its body, and room for the gzip copy `send` may add to it."""
    return 2 * len(rep.body) + 512


class RepresentationCache:
    """A thread-safe LRU of representations; keys include the data version, so a reload starts fresh.

    Bounded both by entries (`maxsize`) and by bytes (`max_bytes`, bodies counted twice for their
    gzip copies); a representation bigger than the whole byte budget is not kept at all.
    """

    def __init__(self, maxsize: int = 4096, max_bytes: int = 256 << 20, *, remembered: int = REMEMBERED) -> None:
        self._items: OrderedDict[tuple[str, ...], Representation] = OrderedDict()
        self._lock = threading.Lock()
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        #: Bytes the entries are counted for now.
        self.size = 0
        self.remembered = remembered
        #: Digests of keys asked for (`asked_before`): `remembered` slots of 16 bytes in sets of WAYS, made on
        #: first use (so in the process that asks, not in the one it was forked from), never resized.
        self._asked = bytearray()
        self._ways = max(1, min(WAYS, remembered))
        self._sets = max(1, -(-remembered // self._ways))
        #: Per set, the slot the next new digest goes to (the set's oldest).
        self._next = bytearray()

    def asked_before(self, key: tuple[str, ...]) -> bool:
        """Whether `key` was asked for recently (and remember that it now was): an admission test, so that
        answers asked for once (a client's one-off queries) do not push out those asked for again.

        The keys are kept as 16-byte digests in a table of `remembered` slots, allocated whole on first use:
        its bytes are fixed whatever the keys (a query text can be 64 KB) and however many were asked, so
        memory does not grow while one-off queries come in. A digest's set is chosen by the digest; a new
        one replaces the oldest of its set (with `remembered` ≤ WAYS, the oldest of all).
        """
        digest = hashlib.blake2b("\0".join(key).encode("utf-8", "surrogatepass"), digest_size=_DIGEST).digest()
        chosen = int.from_bytes(digest[:8], "little") % self._sets
        start = chosen * self._ways * _DIGEST
        with self._lock:
            if not self._asked:
                self._asked = bytearray(self._sets * self._ways * _DIGEST)
                self._next = bytearray(self._sets)
            found = self._asked.find(digest, start, start + self._ways * _DIGEST)
            if found >= 0 and (found - start) % _DIGEST == 0:
                return True
            way = self._next[chosen]
            self._asked[start + way * _DIGEST : start + (way + 1) * _DIGEST] = digest
            self._next[chosen] = (way + 1) % self._ways
            return False

    def peek(self, key: tuple[str, ...]) -> Representation | None:
        """The cached representation for `key`, if any."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], rep: Representation) -> None:
        """Store `rep` under `key`, evicting the least recently used entries over the bounds."""
        if _cost(rep) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.size -= 0 if old is None else _cost(old)
            self._items[key] = rep
            self.size += _cost(rep)
            while len(self._items) > self.maxsize or self.size > self.max_bytes:
                self.size -= _cost(self._items.popitem(last=False)[1])

    def get(self, key: tuple[str, ...], build: Callable[[], Representation]) -> Representation:
        """The cached representation for `key`, building (outside the lock) and storing it if absent."""
        found = self.peek(key)
        if found is not None:
            return found
        built = build()
        self.put(key, built)
        return built


class _Flight:
    """One computation in progress, and the askings waiting for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Representation | None = None
        self.followers = 0


class Flights:
    """Concurrent askings of one key share one computation (request coalescing), within one process.

    The first asking computes; the others wait for its result. If it fails, each of them computes on
    its own (its error is the first one's, raised in its own thread). At most one entry per key being
    computed: the table is as large as the requests in progress.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[tuple[str, ...], _Flight] = {}

    def run(self, key: tuple[str, ...], compute: Callable[[], Representation]) -> tuple[Representation, bool, bool]:
        """`compute()`'s result for `key`: (it, whether this asking computed it, whether another shared it)."""
        with self._lock:
            flight = self._flights.get(key)
            leading = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
            else:
                flight.followers += 1
        if not leading:
            flight.done.wait()
            return (flight.value, False, True) if flight.value is not None else (compute(), True, True)
        try:
            flight.value = compute()
            return flight.value, True, flight.followers > 0
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
