"""Whole answers kept in memory by the server's front, so that a repeated request skips Flask (issue #12).

The app decides what may be kept: `send()` (documents, pages, VoID, the catalogue, the download index,
graphs), the 303 of `/id/…` and a SPARQL answer the representation cache kept (one asked for before)
set MEMO_KEY in the request's environ. They are the same bytes for the
same request for as long as one release is served. The front (server.py) asks `answer(environ)` before it
runs the app, and hands the app's answer to `keep(environ, answer)` after. Only the worker's event loop
thread calls either: no lock.

An answer is kept under everything of the request it can depend on: the method, the raw path and query
string, Host, the server address, protocol and scheme, the Cookie header (a `?lang=` answer sets a cookie
or not by it), and the value of each request header its Vary names, exactly as received (absent is not
empty). The Vary names seen per path let a lookup build that key before the app runs. Requests with
another condition than If-None-Match, ranged or authorised ones and those with a body always go to the
app; answers that set a cookie or are over MAX_ENTRY_BYTES are not kept. The memo belongs to one site:
when the site served changes (a new release), it is emptied, and an answer the app made from another site
than the one seen at lookup is not kept.

Memory is bounded in bytes (bodies, header lines, keys, and a fixed cost per entry); the least recently
used answers go first. A kept answer is sent as the app sent it, with its Date (if any) made current.
A request whose only condition is If-None-Match gets from a kept 200 what werkzeug's `make_conditional`
would answer: the 200 itself, or the 304 werkzeug makes of it (its entity headers removed, no body).
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from werkzeug.http import parse_etags, remove_entity_headers, unquote_etag

from .context import SITE_KEY

#: The environ key the app sets on an answer that may be kept (see `allow`).
MEMO_KEY = "oms_ld.memo"
#: The environ key of the site the memo served when the request arrived (set by `answer`).
SEEN_KEY = "oms_ld.memo.site"
#: Larger bodies are not kept (dumps and big pages are streamed or sent from disk anyway).
MAX_ENTRY_BYTES = 256 * 1024
#: Counted for each entry beyond its bytes (the tuple, the list, the dict slot, the objects' headers).
ENTRY_OVERHEAD = 512
#: Share of the byte budget the remembered paths (with their Vary names) may take; past it the memo
#: starts again (paths are not evicted one by one). A path can be kilobytes: counted in bytes, not paths.
PATHS_SHARE = 8
#: Counted for each remembered path beyond its text (the dict slot, the key tuple, the Vary tuple).
PATH_OVERHEAD = 200
#: The one condition the memo answers as the app would (for a kept 200 with an ETag).
IF_NONE_MATCH = "HTTP_IF_NONE_MATCH"
#: Requests carrying one of these (environ keys) get their answer from the app.
BYPASS = ("HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
          "HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_AUTHORIZATION", "HTTP_TRANSFER_ENCODING", "CONTENT_LENGTH",
          "CONTENT_TYPE")  # fmt: skip
STATUSES = (200, 303)

Answer = tuple[int, list[tuple[str, str]], bytes]


def allow(environ: dict[str, Any]) -> None:
    """Let the front keep this request's answer (called by the views whose answers are release-immutable)."""
    environ[MEMO_KEY] = True


def _environ_key(name: str) -> str:
    key = name.strip().upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key


def _date_at(headers: list[tuple[str, str]]) -> int:
    return next((i for i, (name, _) in enumerate(headers) if name.lower() == "date"), -1)


class _Entry:
    __slots__ = ("body", "date_at", "etag", "headers", "size", "status", "unmodified", "unmodified_date_at")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, size: int) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.size = size
        self.date_at = _date_at(headers)
        etag = next((value for name, value in headers if name.lower() == "etag"), None)
        #: The unquoted ETag of a 200 (None: If-None-Match requests go to the app).
        self.etag = unquote_etag(etag)[0] if etag is not None and status == 200 else None
        #: The 304 werkzeug makes of this answer (Response.get_wsgi_headers: remove_entity_headers).
        self.unmodified = list(headers)
        remove_entity_headers(self.unmodified)
        self.unmodified_date_at = _date_at(self.unmodified)

    def answer(self, conditions: str | None, now: Callable[[], str]) -> Answer | None:
        """This answer, or its 304 when `conditions` (If-None-Match) match (None: only the app can tell)."""
        status, headers, body, date_at = self.status, self.headers, self.body, self.date_at
        if conditions is not None:
            if self.etag is None:
                return None
            if parse_etags(conditions).contains_weak(self.etag):  # as werkzeug's is_resource_modified
                status, headers, body, date_at = 304, self.unmodified, b"", self.unmodified_date_at
        if date_at >= 0:
            headers = headers.copy()
            headers[date_at] = (headers[date_at][0], now())
        return status, headers, body


class Memo:
    """A byte-bounded LRU of whole answers for the site `site()` returns (see the module's docstring)."""

    def __init__(self, max_bytes: int, site: Callable[[], object], *, max_entry: int = MAX_ENTRY_BYTES) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self._site = site
        self._served: weakref.ref[object] | None = None
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._vary: dict[tuple[str, str], tuple[str, ...]] = {}
        self._vary_bytes = 0
        #: Bytes counted for the entries now kept (never above max_bytes).
        self.used = 0
        self.hits = 0
        self.kept = 0
        self._date: tuple[int, str] = (0, "")

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every answer."""
        self._entries.clear()
        self._vary.clear()
        self._vary_bytes = 0
        self.used = 0

    def answer(self, environ: dict[str, Any]) -> Answer | None:
        """The kept answer to this request, or None (then the app answers, and `keep` may keep it)."""
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or any(key in environ for key in BYPASS):
            return None
        site = self._site()
        if self._served is None or self._served() is not site:
            self.clear()
            self._served = weakref.ref(site)
        environ[SEEN_KEY] = site
        names = self._vary.get((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        if names is None:
            return None
        key = _key(environ, names)
        entry = self._entries.get(key)
        if entry is None:
            return None
        answer = entry.answer(environ.get(IF_NONE_MATCH), self._now)
        if answer is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        return answer

    def keep(self, environ: dict[str, Any], answer: Answer) -> None:
        """Keep the app's answer when the app allowed it and it was made from the site seen at lookup."""
        site = environ.get(SEEN_KEY)
        if site is None or not environ.get(MEMO_KEY) or environ.get(SITE_KEY) is not site:
            return
        if IF_NONE_MATCH in environ:
            return  # its answer is kept from an unconditional request
        if self._served is None or self._served() is not site:
            return  # the site changed while the app answered
        status, headers, body = answer
        if status not in STATUSES or len(body) > self.max_entry:
            return
        names: list[str] = []
        for name, value in headers:
            lower = name.lower()
            if lower == "set-cookie":
                return
            if lower == "vary":
                names += (part for part in value.split(",") if part.strip())
        if any(name.strip() == "*" for name in names):
            return
        vary = tuple(_environ_key(name) for name in names)
        key = _key(environ, vary)
        size = ENTRY_OVERHEAD + len(body) + sum(len(n) + len(v) + 72 for n, v in headers)  # 8: the 304's list
        size += sum(len(part) if isinstance(part, str) else 8 for part in (*key[0], *key[2]))
        if size > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.used -= old.size
        while self._entries and self.used + size > self.max_bytes:
            self.used -= self._entries.popitem(last=False)[1].size
        place = (environ["REQUEST_METHOD"], environ["PATH_INFO"])
        if place not in self._vary:
            cost = PATH_OVERHEAD + len(place[1]) + sum(len(name) for name in vary)
            if self._vary_bytes + cost > self.max_bytes // PATHS_SHARE:
                self.clear()
            self._vary_bytes += cost
        self._vary[place] = vary
        self._entries[key] = _Entry(status, list(headers), body, size)
        self.used += size
        self.kept += 1

    def _now(self) -> str:
        """The current time as an HTTP date (what werkzeug's http_date gives), formatted once a second."""
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, formatdate(second, usegmt=True))
        return self._date[1]


def _key(environ: dict[str, Any], vary: tuple[str, ...]) -> tuple[Any, ...]:
    """What an answer can depend on: the request line, the host, the cookie, and the Vary headers' values."""
    request = (environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("QUERY_STRING", ""),
               environ.get("HTTP_HOST"), environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
               environ.get("SERVER_PROTOCOL"), environ.get("wsgi.url_scheme"), environ.get("HTTP_COOKIE"))  # fmt: skip
    return request, vary, tuple(environ.get(name) for name in vary)
