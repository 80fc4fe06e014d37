"""The endpoint's answer cache admits an answer on its second asking: one-off queries do not fill it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from oms_ld.publishing.representation import Representation, RepresentationCache
from oms_ld.web import site_of

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
