"""The HTTP edge: turn representations into responses (caching, CORS, gzip) and errors into statuses."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from flask import Flask, Request, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import quote_etag
from werkzeug.wrappers import Response

from ..errors import NotAcceptable, OmsLdError, Overloaded, StoreError, StoreTimeout
from ..publishing.representation import GZIP_MIN_BYTES, Representation
from ..rdf.formats import HTML
from .conneg import negotiate
from .errors import status_of, title_of
from .memo import allow
from .representations import TEXT

log = logging.getLogger(__name__)

COMPRESSIBLE = ("text/", "application/ld+json", "application/rdf+xml", "application/n-", "application/trig",
                "application/sparql-results", "image/svg+xml", "application/json")  # fmt: skip


def send(rep: Representation, *, vary: Iterable[str] = ("Accept",), max_age: int = 3600, memo: bool = True) -> Response:
    """A response for `rep`: validators, 304 handling, caching and CORS headers, optional gzip.

    `memo`: the server's front may keep the answer and give it again without the app (web/memo.py), which
    is right for every representation fixed by the release and the request's Vary headers.
    """
    if memo:
        allow(request.environ)
    use_gzip = gzip_wanted(rep, request.accept_encodings.quality("gzip"))
    body = rep.gzipped() if use_gzip else rep.body
    response = Response(body, status=200, headers=header_lines(rep, tuple(vary), max_age, use_gzip))
    return response.make_conditional(request)


def gzip_wanted(rep: Representation, gzip_quality: float) -> bool:
    """Whether `rep` goes out gzip-compressed to a client that rates gzip at `gzip_quality`."""
    return len(rep.body) >= GZIP_MIN_BYTES and rep.content_type.startswith(COMPRESSIBLE) and gzip_quality > 0


def header_lines(rep: Representation, vary: tuple[str, ...], max_age: int, use_gzip: bool) -> list[tuple[str, str]]:
    """The header lines `send` gives `rep`, all but Content-Length (the body's) and Date (the clock's).

    werkzeug's header objects cost more than the rest of a cached response, so the lines are built
    once per variant without its ETag (at most HEADERS_MAX of them), and the ETag is set in a copy.
    """
    key = (rep.content_type, rep.last_modified, rep.headers, vary, max_age, use_gzip)
    template = _HEADERS.get(key)
    if template is None:
        template = _headers(rep, vary, max_age, use_gzip)
        if len(_HEADERS) >= HEADERS_MAX:  # bounded: clients of a release ask for the same variants again
            _HEADERS.clear()
        _HEADERS[key] = template
    etag = quote_etag(rep.etag.strip('"') + ("-gzip" if use_gzip else ""))
    return [(name, etag) if name == "ETag" else (name, value) for name, value in template]


#: The header lines of a response per representation variant but its ETag, at most HEADERS_MAX of them.
_HEADERS: dict[tuple[object, ...], list[tuple[str, str]]] = {}
HEADERS_MAX = 1024


def _headers(rep: Representation, vary: tuple[str, ...], max_age: int, use_gzip: bool) -> list[tuple[str, str]]:
    """The header lines of `rep`'s variant (all but Content-Length), with its ETag in werkzeug's form."""
    response = Response(b"", status=200, content_type=rep.content_type)
    # Different content codings are different representations, so they get different strong ETags.
    response.set_etag(rep.etag.strip('"') + ("-gzip" if use_gzip else ""))
    response.last_modified = rep.last_modified
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    for name, value in rep.headers:
        response.headers.add(name, value)
    response.vary.update([*vary, *(("Cookie",) if "Accept-Language" in vary else ()), "Accept-Encoding"])
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Content-Location, Vary"
    return [(name, value) for name, value in response.headers.items() if name.lower() != "content-length"]


def wants_html(req: Request) -> bool:
    """True when the client prefers HTML to plain text (browsers)."""
    try:
        return negotiate(req.headers.get("Accept"), (TEXT, HTML)) is HTML
    except NotAcceptable:
        return False


def error_response(status: int, title: str, message: str, *, extra: Iterable[str] = ()) -> Response:
    """An error in HTML for browsers, plain text otherwise; never a traceback."""
    lines = [message, *extra]
    if wants_html(request):
        from flask import render_template

        from .html import page
        from .i18n import status_text
        from .lang import language

        lang = language()
        heading, explanation = status_text(status, lang)
        body = render_template("error.html", **page(lang, request.path), status=status, title=heading,
                               explanation=explanation, lines=lines)  # fmt: skip
        response = Response(body, status=status, content_type="text/html; charset=utf-8")
        response.headers["Content-Language"] = lang
        response.vary.update(["Accept-Language", "Cookie"])
    else:
        text = f"{status} {title}\n\n" + "\n".join(lines) + "\n"
        response = Response(text, status=status, content_type="text/plain; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response


def register_error_handlers(app: Flask) -> None:
    """Map the package's errors and werkzeug's HTTP errors to clear responses."""

    @app.errorhandler(OmsLdError)
    def _ours(exc: OmsLdError) -> Response:
        status = status_of(exc)
        message = exc.message
        if isinstance(exc, StoreError):
            # The detail can name the store's URL (with any token in it) and echo its internal errors:
            # it goes to the log under a reference; the client gets the reference only.
            reference = secrets.token_hex(6)
            log.error("%s [reference %s]: %s", type(exc).__name__, reference, exc.message)
            failed = "did not answer in time" if isinstance(exc, StoreTimeout) else "failed"
            message = f"the triple store {failed} (reference {reference}; the server log has the details)"
        elif status >= 500:
            log.warning("%s: %s", type(exc).__name__, exc.message)
        extra: list[str] = []
        if isinstance(exc, NotAcceptable):
            extra = ["", "Available formats:", *(f"  {m}" for m in exc.alternatives)]
        response = error_response(status, title_of(status), message, extra=extra)
        if isinstance(exc, Overloaded):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        response = error_response(status, exc.name, exc.description or exc.name)
        if status == 405 and exc.response is None:
            allowed = getattr(exc, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response
