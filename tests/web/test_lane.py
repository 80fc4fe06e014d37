"""The query lane answers plain SPARQL GETs without Flask: the view's answer to the byte, headers included.

Each request runs twice through the real app: once through the whole WSGI stack (the lane first) and
once through Flask alone (the lane's inner app, behind the same lease). Status, header lines (but the
clock's Date) and body must be identical, and the lane must have answered exactly the plain GETs.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from oms_ld.web.context import CURRENT, SITE_KEY, Leasing
from oms_ld.web.lane import QueryLane
from oms_ld.web.sparql import LANE_FAILED

POINT = "SELECT ?p ?o WHERE { ?s ?p ?o } LIMIT 3"
MANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 400"
ASK = "ASK { ?s ?p ?o }"
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 20"

#: Plain GETs: the lane answers them (query, Accept, Accept-Encoding).
ANSWERED = [
    (POINT, "application/sparql-results+json", None),
    (POINT, "application/sparql-results+xml", None),
    (POINT, "text/csv", None),
    (POINT, "text/tab-separated-values", None),
    (POINT, None, None),
    (POINT, "*/*", None),
    (MANY, "application/sparql-results+json", "gzip, deflate"),
    (MANY, "application/sparql-results+json", "gzip;q=0"),
    (ASK, "application/sparql-results+json", None),
    (GRAPH, "text/turtle", None),
    (GRAPH, "application/n-triples", None),
    (GRAPH, "application/ld+json", "gzip"),
    (f"{POINT} # a comment makes it another query", "application/json", None),
]

#: Requests the lane leaves to Flask (method, query string, extra headers).
PASSED_ON = [
    ("HEAD", {"query": POINT}, {}),
    ("POST", {"query": POINT}, {}),
    ("GET", {"query": POINT}, {"If-None-Match": '"x"'}),
    ("GET", {"query": POINT}, {"Range": "bytes=0-9"}),
    ("GET", {"query": POINT, "default-graph-uri": "https://example.org/g"}, {}),
    ("GET", {"query": POINT, "lang": "en"}, {}),
    ("GET", {"query": POINT}, {"Accept": "text/html"}),
    ("GET", {}, {"Accept": "text/turtle"}),
]

#: Errors met in the lane: Flask maps them (query string, Accept).
FAILED = [
    ("SELECT ?s WHERE { ?s ?p ", "application/sparql-results+json"),
    (POINT, "image/png"),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", None),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", None),
    ("", None),
]


def _environ(app: Flask, method: str, query: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    builder = EnvironBuilder(path="/sparql", method=method, query_string=query, headers=headers,
                             data="" if method == "POST" else None)  # fmt: skip
    return builder.get_environ()


def _run(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    body, status, headers = run_wsgi_app(app, dict(environ))
    try:
        data = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    return status, [(k, v) for k, v in headers.to_wsgi_list() if k != "Date"], data


def _stacks(app: Flask) -> tuple[Any, Any, QueryLane]:
    whole = app.wsgi_app
    assert isinstance(whole, Leasing) and isinstance(whole.app, QueryLane)
    return whole, Leasing(whole.app.app, app.extensions[CURRENT]), whole.app


def _leased(app: Flask, environ: dict[str, Any]) -> dict[str, Any]:
    environ = dict(environ)
    environ[SITE_KEY] = app.extensions[CURRENT].site
    return environ


@pytest.mark.parametrize(("query", "accept", "encoding"), ANSWERED)
def test_the_lane_answers_a_plain_get_as_the_view_does(linking_app: Flask, query: str, accept: str | None,
                                                       encoding: str | None) -> None:  # fmt: skip
    headers = {k: v for k, v in (("Accept", accept), ("Accept-Encoding", encoding)) if v is not None}
    environ = _environ(linking_app, "GET", {"query": query}, headers)
    whole, flask_only, lane = _stacks(linking_app)
    assert lane.answer(_leased(linking_app, environ)) is not None
    through_lane, through_flask = _run(whole, environ), _run(flask_only, environ)
    assert through_lane[0] == "200 OK", through_lane[2][:300]
    assert through_lane == through_flask
    assert ("Content-Encoding", "gzip") in through_lane[1] or encoding != "gzip, deflate"


@pytest.mark.parametrize(("method", "query", "headers"), PASSED_ON)
def test_anything_else_goes_on_to_flask(linking_app: Flask, method: str, query: dict[str, str],
                                        headers: dict[str, str]) -> None:  # fmt: skip
    environ = _environ(linking_app, method, query, headers)
    whole, flask_only, lane = _stacks(linking_app)
    leased = _leased(linking_app, environ)
    assert lane.answer(leased) is None and LANE_FAILED not in leased
    assert _run(whole, environ) == _run(flask_only, environ)


@pytest.mark.parametrize(("query", "accept"), FAILED)
def test_an_error_in_the_lane_is_mapped_by_flask_as_the_view_maps_it(linking_app: Flask, query: str,
                                                                      accept: str | None) -> None:  # fmt: skip
    environ = _environ(linking_app, "GET", {"query": query}, {"Accept": accept} if accept else {})
    whole, flask_only, lane = _stacks(linking_app)
    leased = _leased(linking_app, environ)
    assert lane.answer(leased) is None and isinstance(leased[LANE_FAILED], Exception)
    through_lane = _run(whole, environ)
    assert 400 <= int(through_lane[0][:3]) < 500, through_lane
    assert through_lane == _run(flask_only, environ)
