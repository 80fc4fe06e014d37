"""The query lane: the protocol's plainest request, `GET /sparql?query=…`, answered without Flask.

Most requests to the endpoint are exactly that: one `query` parameter and an Accept header. Flask's
request and response objects, routing and hooks cost more than reading such a query and handing it to
a query process (0.4 of the worker's 0.9 ms per uncached point lookup, measured with cProfile), so this
WSGI middleware answers it with the functions the view itself uses (`read_request`, `negotiated`,
`represent`, `header_lines`): the same answer to the byte, headers included (tests/web/test_lane.py
compares the two for every kind of answer).

Anything else goes on to Flask: another method, another parameter, a conditional or range request, the
query page. So does an error raised here, in the environ: the view raises it again (the query never
runs twice) and the app's error handlers map it to HTTP as they map every other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import http_date, parse_accept_header

from ..publishing.publication import Site
from ..rdf.formats import HTML
from .context import SITE_KEY, WsgiApp
from .http import gzip_wanted, header_lines
from .memo import allow
from .protocol import parse_params, read_request
from .sparql import LANE_FAILED, memoisable, negotiated, represent

#: Requests with any of these go to Flask: its `make_conditional` answers them (304, 412, 206).
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE",
               "HTTP_RANGE", "HTTP_IF_RANGE")  # fmt: skip
VARY = ("Accept",)

Answer = tuple[str, list[tuple[str, str]], bytes]


class QueryLane:
    """WSGI middleware in front of the Flask app: plain SPARQL GETs are answered here, the rest by `app`."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        answered = self.answer(environ)
        if answered is None:
            return self.app(environ, start_response)
        status, headers, body = answered
        start_response(status, headers)
        return [body]

    def answer(self, environ: dict[str, Any]) -> Answer | None:
        """The answer to a plain SPARQL GET; None for any other request (and for an error, left in `environ`)."""
        site = environ.get(SITE_KEY)
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql"
                or not isinstance(site, Site) or any(name in environ for name in CONDITIONAL)):  # fmt: skip
            return None
        try:
            # PEP 3333 hands the query string over as latin-1 text: these are its bytes (request.query_string).
            params = parse_params(environ.get("QUERY_STRING", "").encode("latin-1"), "URL query string")
            if len(params) != 1 or params[0][0] != "query":
                return None
            asked = read_request("GET", None, params, b"")
            if asked is None:
                return None
            media_type = negotiated(asked, environ.get("HTTP_ACCEPT"), safe=True)
            if media_type is HTML:
                return None
            rep = represent(site, asked, media_type)
            if memoisable(site, asked, media_type, rep):
                allow(environ)
        except Exception as exc:  # noqa: BLE001 -- the view raises it again, inside Flask's error handling
            environ[LANE_FAILED] = exc
            return None
        use_gzip = gzip_wanted(rep, parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING")).quality("gzip"))
        body = rep.gzipped() if use_gzip else rep.body
        headers = header_lines(rep, VARY, site.settings.cache_max_age, use_gzip)
        return "200 OK", [*headers, ("Content-Length", str(len(body))), ("Date", http_date())], body
