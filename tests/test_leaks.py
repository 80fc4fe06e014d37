"""Regressions: error pages that named the store (with its token), and result links that left the site."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

import pytest
from flask import Flask

from oms_ld import create_app
from oms_ld.rdf.uris import href as href_for
from oms_ld.web import site_of

from .backends import free_port

BASE = "https://w3id.org/oms-ld/"
#: Requests that need the store, as (path, Accept): the page for browsers, plain text for the rest.
STORE_REQUESTS = [
    ("/sparql?query=ASK%7B%7D&run=1", "text/html"),
    ("/doc/node-city/uppsala", "text/html"),
    ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
    ("/sparql", "text/turtle"),
    ("/id/node-city/uppsala", "text/turtle"),
    ("/doc/node-city/uppsala.ttl", "*/*"),
    ("/.well-known/void", "text/plain, text/turtle;q=0.5"),
]


@pytest.fixture(scope="module")
def down_store_app() -> Flask:
    """The app on a remote store that is down: nothing listens on the port, and the URL carries a token."""
    endpoint = f"http://127.0.0.1:{free_port()}/sparql?apikey=secret-token-42"
    return create_app({"TESTING": True, "SPARQL_ENDPOINT": endpoint, "SPARQL_USER": "reader",
                       "SPARQL_PASSWORD": "hunter2", "REMOTE_TIMEOUT": 2.0})  # fmt: skip


@pytest.mark.parametrize(("path", "accept"), STORE_REQUESTS)
def test_store_error_pages_name_no_store_url_or_credentials(
    down_store_app: Flask, caplog: pytest.LogCaptureFixture, path: str, accept: str
) -> None:
    port = site_of(down_store_app).settings.sparql_endpoint.split(":")[2].split("/")[0]
    with caplog.at_level(logging.ERROR):
        response = down_store_app.test_client().get(path, headers={"Accept": accept})
    body = response.get_data(as_text=True)
    assert response.status_code in (502, 504), body
    for secret in ("secret-token-42", "apikey", "hunter2", "reader", "127.0.0.1", port, "Connection refused"):
        assert secret not in body and secret not in str(response.headers), secret
    assert "the triple store" in body
    reference = re.search(r"reference ([0-9a-f]{12})", body)
    assert reference, body
    assert any(reference.group(1) in record.getMessage() for record in caplog.records)  # the log has the detail


@pytest.mark.parametrize(
    ("iri", "href"),
    [
        (BASE + "id/node-city/uppsala", "/id/node-city/uppsala"),
        (BASE + "def/oms#NodeCity", "/def/oms#NodeCity"),
        (BASE + "/evil.example/", "/%2Fevil.example/"),  # https://w3id.org/oms-ld//evil.example/
        (BASE + "//evil.example/", "/%2F/evil.example/"),
        (BASE + "\\evil.example/", "/%5Cevil.example/"),
        (BASE + "\t/evil.example/", "/%09/evil.example/"),
        ("https://example.org/x", "https://example.org/x"),
        ("javascript:alert(1)", None),
    ],
)
def test_href_for_keeps_local_links_on_the_site(iri: str, href: str | None) -> None:
    assert href_for(iri, BASE)[0] == href
    if href is not None and iri.startswith(BASE):
        assert href.startswith("/") and not href.startswith(("//", "/\\"))


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"TESTING": True})


def test_query_page_results_link_no_other_host(app: Flask) -> None:
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ <{BASE}/evil.example/> <{BASE}id/node-city/uppsala> }} }}"
    response = app.test_client().get(f"/sparql?query={quote(query)}&run=1", headers={"Accept": "text/html"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="//' not in body and "href='//" not in body
    assert 'href="/%2Fevil.example/"' in body and 'href="/id/node-city/uppsala"' in body
