"""The site of the app serving the current request: the one leased when the request began (see
publishing/current.py), so that every part of one answer comes from one release."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import current_app, has_request_context, request

from ..publishing.current import CurrentSite, Lease
from ..publishing.publication import Site

#: The app's extension keys: the site it serves now, and the switch that keeps it current.
EXTENSION = "oms_ld"
CURRENT = "oms_ld.current"
#: The WSGI environ key of the site a request leased.
SITE_KEY = "oms_ld.site"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def get_site() -> Site:
    """The site of the current request (outside a request: the site the app serves now)."""
    if has_request_context():
        site = request.environ.get(SITE_KEY)
        if isinstance(site, Site):
            return site
    current = current_app.extensions[CURRENT]
    assert isinstance(current, CurrentSite)
    return current.site


class _Answer:
    """The app's answer, which gives the lease back when the server closes it (after the last byte)."""

    def __init__(self, body: Iterable[bytes], lease: Lease) -> None:
        self._body = body
        self._lease = lease

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._lease.release()


class Leasing:
    """WSGI middleware: each request leases the site served when it begins, until its answer is closed."""

    def __init__(self, app: WsgiApp, current: CurrentSite) -> None:
        self.app = app
        self.current = current

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        lease = self.current.acquire()
        environ[SITE_KEY] = lease.site
        try:
            body = self.app(environ, start_response)
        except BaseException:
            lease.release()
            raise
        return _Answer(body, lease)
