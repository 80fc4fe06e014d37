"""The endpoint's answer cache admits an answer on its second asking: one-off queries do not fill it."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from oms_ld.publishing.representation import Representation, RepresentationCache
from oms_ld.web import http, site_of

JSON = {"Accept": "application/sparql-results+json"}


def _ask(web: FlaskClient, query: str) -> bytes:
    answer = web.get("/sparql", query_string={"query": query}, headers=JSON)
    assert answer.status_code == 200, answer.text
    return answer.data


def test_one_off_queries_leave_the_cache_as_it_was(linking_app: Flask, web: FlaskClient) -> None:
    cache = site_of(linking_app).cache
    before = cache.size
    for n in range(50):  # what a crawler or a benchmark with a comment per request sends
        _ask(web, f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 3 #one-off {n}")
    assert cache.size == before


def test_a_query_asked_again_is_kept_and_answered_with_the_same_bytes(linking_app: Flask, web: FlaskClient) -> None:
    cache = site_of(linking_app).cache
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } #asked again"
    before = cache.size
    first = _ask(web, query)
    assert cache.size == before  # asked once: not kept
    second = _ask(web, query)
    assert cache.size > before  # asked again: kept
    assert _ask(web, query) == second == first


def test_asked_before_is_bounded_in_keys() -> None:
    cache = RepresentationCache(remembered=3)
    assert not cache.asked_before(("q", "a"))
    for other in "bcd":
        cache.asked_before(("q", other))
    assert not cache.asked_before(("q", "a"))  # forgotten: four others came after it
    assert cache.asked_before(("q", "a"))
    when = datetime(2026, 1, 1, tzinfo=UTC)
    cache.put(("q", "a"), Representation(b"x", "text/plain", '"a"', when))
    assert cache.peek(("q", "a")) is not None


def test_one_off_queries_add_no_memoised_header_lines(linking_app: Flask, web: FlaskClient) -> None:
    """Each answer has its own ETag; the memoised header lines are per kind of answer, not per ETag."""
    _ask(web, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 #first")
    before = len(http._HEADERS)
    etags = set()
    for n in range(50):
        answer = web.get("/sparql", query_string={"query": f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 2 #{n}"},
                         headers=JSON)  # fmt: skip
        etags.add(answer.headers["ETag"])
        again = web.get("/sparql", query_string={"query": f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 2 #{n}"},
                        headers={**JSON, "If-None-Match": answer.headers["ETag"]})  # fmt: skip
        assert again.status_code == 304 and again.headers["ETag"] == answer.headers["ETag"]
    assert len(etags) == 50
    assert len(http._HEADERS) == before


def test_asked_before_takes_its_bytes_at_first_use_and_no_more() -> None:
    """Remembering one-off queries does not grow memory while they come in: the table is made whole."""
    cache = RepresentationCache(remembered=4096)
    tracemalloc.start()
    try:
        cache.asked_before(("q", "first"))
        first = tracemalloc.get_traced_memory()[0]
        for n in range(3 * 4096):
            cache.asked_before(("q", f"one-off {n}"))
        grown = tracemalloc.get_traced_memory()[0] - first
    finally:
        tracemalloc.stop()
    assert grown < 4096, f"{grown} bytes more after 12 288 one-off keys"
    assert cache.asked_before(("q", f"one-off {3 * 4096 - 1}"))  # the latest are remembered
