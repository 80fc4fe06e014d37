"""CORS for every resource: `Access-Control-Allow-Origin: *` on each answer and a complete preflight.

Everything published is public and read-only, so any origin may read it (the Fetch standard's
"CORS protocol"). A browser that wants to send a non-simple request (an `Accept-Language` or
`If-None-Match` header, a JSON body) first sends `OPTIONS` with `Access-Control-Request-Method`;
it gets `204` with the methods the resource allows and the request headers it may send.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

#: Request headers a cross-origin client may send (beyond the CORS-safelisted ones).
ALLOW_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since"
EXPOSE_HEADERS = "ETag, Link, Content-Location, Vary"
MAX_AGE = "86400"


def preflight() -> Response | None:
    """The answer to an `OPTIONS` request on a known route (its own view answers for /sparql)."""
    if request.method != "OPTIONS" or request.url_rule is None or request.endpoint == "sparql.endpoint":
        return None
    methods = sorted(request.url_rule.methods or {"GET", "HEAD", "OPTIONS"})
    allowed = ", ".join(methods)
    return Response(
        status=204,
        headers={
            "Allow": allowed,
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": allowed,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": MAX_AGE,
        },
    )


def allow_any_origin(response: Response) -> Response:
    """Every answer (errors, redirects, 304s included) may be read by any origin."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    if response.status_code < 400:
        response.headers.setdefault("Access-Control-Expose-Headers", EXPOSE_HEADERS)
    return response


def register_cors(app: Flask) -> None:
    """Answer preflights on every route and mark every response readable cross-origin."""
    app.before_request(preflight)
    app.after_request(allow_any_origin)
