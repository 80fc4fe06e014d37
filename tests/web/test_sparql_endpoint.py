"""The SPARQL 1.1 Protocol endpoint: operations, formats, negotiation, errors, limits and safety.

Most tests use the Flask test client. The ones about the time limit, chunked request bodies and the
service description's exact endpoint URL run against a real threaded HTTP server.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import io
import os
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from werkzeug.test import TestResponse

from ..conftest import DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, need
from ..live import serve
from ..polling import wait_until

OMS = "https://w3id.org/oms-ld/def/oms#"
NODE_CITIES = f"SELECT ?n WHERE {{ ?n a <{OMS}NodeCity> }} ORDER BY ?n"
ASK_TRUE = f"ASK {{ ?n a <{OMS}NodeCity> }}"
CONSTRUCT = f"CONSTRUCT {{ ?n a <{OMS}NodeCity> }} WHERE {{ ?n a <{OMS}NodeCity> }}"
UPPSALA = "https://w3id.org/oms-ld/id/node-city/uppsala"
DESCRIBE = f"DESCRIBE <{UPPSALA}>"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = "http://www.w3.org/ns/formats/"

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": None,  # lossy: read with the csv module
}
RDF_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt",
             "application/ld+json": "json-ld"}  # fmt: skip
METHODS = ("GET", "FORM", "DIRECT")


# ---------------------------------------------------------------------------------------------------
# helpers


def ask(
    client: FlaskClient,
    sparql: str,
    *,
    method: str = "GET",
    accept: str | None = None,
    params: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    """Send `sparql` as a GET, a form POST or a direct POST (dataset `params` in the URL or form)."""
    extra = list(params or [])
    sent = {**({"Accept": accept} if accept else {}), **(headers or {})}
    if method == "GET":
        return client.get("/sparql?" + urlencode([("query", sparql), *extra]), headers=sent)
    if method == "FORM":
        return client.post("/sparql", data=urlencode([("query", sparql), *extra]), content_type=FORM, headers=sent)
    assert method == "DIRECT"
    return client.post("/sparql?" + urlencode(extra), data=sparql.encode(), content_type=DIRECT, headers=sent)


def mime(response: TestResponse) -> str:
    return response.headers["Content-Type"].split(";")[0].strip()


def rows(response: TestResponse) -> list[dict[str, str]]:
    """The solutions of a results document (any of the four formats), as {variable: lexical value}."""
    assert response.status_code == 200, response.get_data(as_text=True)
    kind = mime(response)
    if kind == "text/csv":
        return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    solutions = ox.parse_query_results(response.data, RESULT_TYPES[kind])
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def boolean(response: TestResponse) -> bool:
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = ox.parse_query_results(response.data, RESULT_TYPES[mime(response)])
    assert isinstance(answer, ox.QueryBoolean)
    return bool(answer)


def graph_of(response: TestResponse) -> rdflib.Graph:
    assert response.status_code == 200, response.get_data(as_text=True)
    return rdflib.Graph().parse(data=response.data, format=RDF_TYPES[mime(response)])


def count(client: FlaskClient, sparql: str, **kwargs: Any) -> int:
    return int(rows(ask(client, sparql, **kwargs))[0]["n"])


def graph_counts(client: FlaskClient) -> dict[str, int]:
    """Triples per named graph."""
    return {
        r["g"]: int(r["n"]) for r in rows(ask(client, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g {?s ?p ?o} } GROUP BY ?g"))
    }


def error_text(response: TestResponse) -> str:
    assert mime(response) == "text/plain"
    return response.get_data(as_text=True)


def fetch(
    base: str, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One real HTTP request: (status, headers with lower-case names, body)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def live(app: Flask) -> Iterator[str]:
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def small_app() -> Iterator[Flask]:
    from oms_ld import create_app

    app = create_app({"TESTING": True, "MAX_RESULT_ROWS": 5, "MAX_REQUEST_BYTES": 2048})
    yield app
    app.extensions["oms_ld"].store.close()


@pytest.fixture(scope="module")
def sizes(client: FlaskClient) -> dict[str, int]:
    """Triples per named graph, and in the service's default graph (key ""), as the endpoint counts them."""
    found = graph_counts(client)
    found[""] = count(client, COUNT_ALL)
    return found


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:  # module scope, so that `sizes` can use it
    return app.test_client()


# ---------------------------------------------------------------------------------------------------
# the three ways to send a query, for the four query forms


@pytest.mark.parametrize("method", METHODS)
def test_select(client: FlaskClient, method: str) -> None:
    response = ask(client, NODE_CITIES, method=method)
    assert mime(response) == "application/sparql-results+json"
    found = [r["n"] for r in rows(response)]
    assert len(found) == 14 and UPPSALA in found


@pytest.mark.parametrize("method", METHODS)
def test_ask(client: FlaskClient, method: str) -> None:
    assert boolean(ask(client, ASK_TRUE, method=method)) is True
    assert boolean(ask(client, f"ASK {{ <{UPPSALA}> a <{OMS}Nothing> }}", method=method)) is False


@pytest.mark.parametrize("method", METHODS)
def test_construct(client: FlaskClient, method: str) -> None:
    response = ask(client, CONSTRUCT, method=method)
    assert mime(response) == "text/turtle"
    assert len(graph_of(response)) == 14


@pytest.mark.parametrize("method", METHODS)
def test_describe(client: FlaskClient, method: str) -> None:
    graph = graph_of(ask(client, DESCRIBE, method=method))
    assert (URIRef(UPPSALA), RDF.type, URIRef(OMS + "NodeCity")) in graph


# ---------------------------------------------------------------------------------------------------
# result formats


@pytest.mark.parametrize("accept", list(RESULT_TYPES))
def test_select_formats(client: FlaskClient, accept: str) -> None:
    response = ask(client, NODE_CITIES, accept=accept)
    assert response.headers["Content-Type"] == f"{accept}; charset=utf-8"
    found = [r["n"].strip("<>") for r in rows(response)]  # TSV writes IRIs as <…>
    assert len(found) == 14 and UPPSALA in found


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_formats(client: FlaskClient, accept: str) -> None:
    response = ask(client, ASK_TRUE, accept=accept)
    assert mime(response) == accept
    assert boolean(response) is True


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values"])
def test_ask_in_csv_or_tsv_is_one_true_or_false(client: FlaskClient, accept: str) -> None:
    """CSV and TSV define no boolean result; like Oxigraph and Fuseki, the answer is the bare word."""
    response = ask(client, ASK_TRUE, accept=accept)
    assert response.status_code == 200
    assert mime(response) == accept
    assert response.get_data().strip() == b"true"
    answer = ask(client, "ASK { <urn:x:nothing> ?p ?o }", accept=accept)
    assert answer.get_data().strip() == b"false"


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_graph_formats(client: FlaskClient, query: str) -> None:
    graphs = []
    for accept in RDF_TYPES:
        response = ask(client, query, accept=accept)
        assert response.headers["Content-Type"] == f"{accept}; charset=utf-8"
        graphs.append(graph_of(response))
    assert len(graphs[0]) > 0
    assert all(isomorphic(graphs[0], g) for g in graphs[1:])


# ---------------------------------------------------------------------------------------------------
# content negotiation


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (NODE_CITIES, None, "application/sparql-results+json"),
        (NODE_CITIES, "*/*", "application/sparql-results+json"),
        (ASK_TRUE, None, "application/sparql-results+json"),
        (CONSTRUCT, None, "text/turtle"),
        (CONSTRUCT, "*/*", "text/turtle"),
        (DESCRIBE, None, "text/turtle"),
        (NODE_CITIES, "application/sparql-results+json;q=0.5, application/sparql-results+xml",
         "application/sparql-results+xml"),
        (NODE_CITIES, "text/csv;q=0.9, text/tab-separated-values", "text/tab-separated-values"),
        (NODE_CITIES, "application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
        (CONSTRUCT, "text/turtle;q=0.1, application/n-triples", "application/n-triples"),
        (CONSTRUCT, "application/ld+json, text/turtle;q=0.9", "application/ld+json"),
        # SPARQLWrapper's JSON, and its CONSTRUCT default (RDF/XML)
        (NODE_CITIES, "application/sparql-results+json,application/json,text/javascript,application/javascript",
         "application/sparql-results+json"),
        (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
        # YASGUI
        (NODE_CITIES, "application/sparql-results+json,*/*;q=0.9", "application/sparql-results+json"),
        (CONSTRUCT, "application/n-triples,*/*;q=0.9", "application/n-triples"),
        # rdflib (no q-values: the server's order decides) and rapper (HTML with high q, RDF higher)
        (CONSTRUCT, "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
         "application/n-quads, application/trix, application/trig", "text/turtle"),
        (CONSTRUCT, "application/rdf+xml, text/rdf;q=0.6, application/n-triples, text/plain;q=0.1, text/turtle, "
         "text/html;q=0.2, application/xhtml+xml;q=0.4, text/html;q=0.6, application/xhtml+xml;q=0.8, */*;q=0.1",
         "text/turtle"),
        # SPARQL 1.2 announces a version as a media-type parameter
        (NODE_CITIES, "application/sparql-results+xml;version=1.2", "application/sparql-results+xml"),
        (CONSTRUCT, "application/n-triples; version=1.2", "application/n-triples"),
    ],
)  # fmt: skip
def test_negotiation(client: FlaskClient, query: str, accept: str | None, expected: str) -> None:
    response = ask(client, query, accept=accept)
    assert response.status_code == 200
    assert mime(response) == expected
    assert "Accept" in response.vary
    if query == NODE_CITIES:
        assert len(rows(response)) == 14
    elif query == CONSTRUCT:
        assert len(graph_of(response)) == 14


@pytest.mark.parametrize(("query", "accept"), [(NODE_CITIES, "image/png"), (NODE_CITIES, "text/turtle"),
                                               (CONSTRUCT, "application/sparql-results+json"),
                                               (ASK_TRUE, "application/n-triples")])  # fmt: skip
def test_not_acceptable(client: FlaskClient, query: str, accept: str) -> None:
    for method in METHODS:
        response = ask(client, query, method=method, accept=accept)
        assert response.status_code == 406
        assert "Accept" in response.vary
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Available formats" in error_text(response)


def test_roqet(client: FlaskClient) -> None:
    """roqet: every letter percent-encoded (%53E%4CEC%54), and only SPARQL XML is accepted."""
    encoded = "".join(f"%{ord(c):02X}" if c.isalpha() else quote(c, safe="") for c in NODE_CITIES)
    response = client.get(f"/sparql?query={encoded}", headers={"Accept": "application/sparql-results+xml"})
    assert mime(response) == "application/sparql-results+xml"
    assert len(rows(response)) == 14


def test_sparql_12_version_is_tolerated(client: FlaskClient) -> None:
    for method in METHODS:
        assert len(rows(ask(client, NODE_CITIES, method=method, params=[("version", "1.2")]))) == 14
    direct = client.post("/sparql", data=ASK_TRUE, content_type=f"{DIRECT}; version=1.2")
    assert boolean(direct) is True
    form = client.post("/sparql", data=urlencode({"query": ASK_TRUE}), content_type=f"{FORM}; version=1.2")
    assert boolean(form) is True


def test_unknown_parameters_are_ignored(client: FlaskClient) -> None:
    """SPARQLWrapper adds format/output/results; they change nothing (Accept decides)."""
    junk = [("format", "xml"), ("output", "xml"), ("results", "xml"), ("callback", "f"), ("timeout", "0")]
    for method in METHODS:
        response = ask(client, NODE_CITIES, method=method, params=junk)
        assert mime(response) == "application/sparql-results+json"
        assert len(rows(response)) == 14
    response = ask(client, NODE_CITIES, accept="text/csv", params=[("format", "json"), ("output", "json")])
    assert mime(response) == "text/csv"


# ---------------------------------------------------------------------------------------------------
# protocol errors


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type"),
    [
        ("GET", "/sparql?default-graph-uri=" + quote(str(DATA_GRAPH), safe=""), None, None),
        ("GET", "/sparql?named-graph-uri=" + quote(str(DATA_GRAPH), safe=""), None, None),
        ("POST", "/sparql", urlencode({"default-graph-uri": str(DATA_GRAPH)}), FORM),
        ("GET", "/sparql?" + urlencode([("query", ASK_TRUE), ("query", ASK_TRUE)]), None, None),
        ("POST", "/sparql", urlencode([("query", ASK_TRUE), ("query", NODE_CITIES)]), FORM),
        ("POST", "/sparql?" + urlencode({"query": ASK_TRUE}), urlencode({"query": ASK_TRUE}), FORM),
        ("POST", "/sparql?" + urlencode({"query": ASK_TRUE}), ASK_TRUE, DIRECT),
        ("GET", "/sparql?query=", None, None),
        ("POST", "/sparql", "  \n", DIRECT),
        ("GET", "/sparql?" + urlencode({"query": ASK_TRUE, "default-graph-uri": "not an IRI>"}), None, None),
    ],
    ids=["dataset-no-query", "named-no-query", "form-dataset-no-query", "two-get", "two-form", "url-and-form",
         "url-and-direct", "empty", "blank-direct", "bad-graph-iri"],
)  # fmt: skip
def test_exactly_one_query(
    client: FlaskClient, method: str, path: str, body: str | None, content_type: str | None
) -> None:
    response = client.open(path, method=method, data=body, content_type=content_type)
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert error_text(response).startswith("400 Bad Request")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method(client: FlaskClient, method: str) -> None:
    response = client.open("/sparql?" + urlencode({"query": ASK_TRUE}), method=method, data=b"", content_type=FORM)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed and method not in allowed


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json", "application/sparql-results+json"])
def test_unsupported_body_type(client: FlaskClient, content_type: str | None) -> None:
    response = client.post("/sparql", data=ASK_TRUE.encode(), content_type=content_type)
    assert response.status_code == 415
    assert DIRECT in error_text(response)


@pytest.mark.parametrize("content_type", [f"{DIRECT}; charset=iso-8859-1", f"{DIRECT}; charset=UTF-16",
                                          f"{FORM}; charset=windows-1252"])  # fmt: skip
def test_charset_other_than_utf8(client: FlaskClient, content_type: str) -> None:
    body = ASK_TRUE if content_type.startswith(DIRECT) else urlencode({"query": ASK_TRUE})
    response = client.post("/sparql", data=body.encode(), content_type=content_type)
    assert response.status_code == 400
    assert "UTF-8" in error_text(response)


def test_utf8_charset_in_any_case(client: FlaskClient) -> None:
    for charset in ("utf-8", "UTF-8", '"utf-8"', "utf8"):
        response = client.post("/sparql", data=ASK_TRUE.encode(), content_type=f"{DIRECT}; charset={charset}")
        assert boolean(response) is True


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/sparql", 'ASK { FILTER("\xff" = "x") }'.encode("latin-1"), DIRECT),
        ("/sparql", b"query=ASK+%7B+FILTER%28%22\xff%22+%3D+%22x%22%29+%7D", FORM),
        ("/sparql", b"query=ASK+%7B+FILTER%28%22%FF%22+%3D+%22x%22%29+%7D", FORM),
        ("/sparql?query=ASK+%7B+FILTER%28%22%FF%22+%3D+%22x%22%29+%7D", None, None),
        ("/sparql?query=ASK+%7B%7D&default-graph-uri=http%3A%2F%2Fexample.org%2F%E9", None, None),
    ],
    ids=["direct-bytes", "form-bytes", "form-escape", "url-escape", "url-graph-escape"],
)
def test_bytes_that_are_not_utf8(client: FlaskClient, path: str, body: bytes | None, content_type: str | None) -> None:
    """Not silently replaced by U+FFFD (which would run a different query): refused."""
    response = client.open(path, method="POST" if body else "GET", data=body, content_type=content_type)
    assert response.status_code == 400
    assert "not valid UTF-8" in error_text(response)


def test_non_ascii_utf8_works(client: FlaskClient) -> None:
    query = (
        f"SELECT ?label {{ ?n a <{OMS}NodeCity> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label "
        'FILTER(STRSTARTS(?label, "Linkö") && LANG(?label) = "sv") }'
    )
    for method in METHODS:
        assert [r["label"] for r in rows(ask(client, query, method=method))] == ["Linköping"]


@pytest.mark.parametrize("method", METHODS)
def test_syntax_error(client: FlaskClient, method: str) -> None:
    response = ask(client, "SELECT ?x WHERE { ?x ?y }", method=method)
    assert response.status_code == 400
    text = error_text(response)
    # The parser's own message with its position (pyoxigraph: "error at 1:26"; Virtuoso: "line 1: syntax error").
    assert "syntax error" in text.lower() and re.search(r"error at 1:\d+|line 1: syntax error", text), text
    assert "Traceback" not in text


# ---------------------------------------------------------------------------------------------------
# SERVICE, FROM and updates: nothing is fetched, nothing is written


SERVICE_QUERIES = {
    "plain": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "odd-case": "select * { sErViCe <http://example.org/sparql> { ?s ?p ?o } }",
    "silent-variable": "SELECT * { VALUES ?e { <http://example.org/sparql> } SERVICE SILENT ?e { ?s ?p ?o } }",
    "subquery": "SELECT * { { SELECT ?s { ?s ?p ?o . SERVICE <http://example.org/sparql> { ?s ?q ?r } } } }",
    "optional-exists": "ASK { OPTIONAL { FILTER EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } } }",
    "after-comment": "SELECT * { # a comment }\n SERVICE<http://example.org/sparql>{?s ?p ?o} }",
    "unicode-escape": "SELECT * { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "no-space": "SELECT * {?s ?p ?o.SERVICE<http://example.org/sparql>{?s ?p ?o}}",
}
NOT_SERVICE = {
    "string": 'SELECT ?s { ?s ?p ?o FILTER(?o != "SERVICE <http://example.org/> { }") } LIMIT 1',
    "long-string": "SELECT ?s { ?s ?p ?o FILTER(?o != '''\nSERVICE <x> {}\n''') } LIMIT 1",
    "variables": "SELECT ?service $Service { ?service ?p ?o BIND(1 AS $Service) } LIMIT 1",
    "iri": "SELECT ?s { ?s ?p ?o FILTER(?p != <http://example.org/SERVICE>) } LIMIT 1",
    "comment": "SELECT ?s # no SERVICE here\n { ?s ?p ?o } LIMIT 1",
    "prefixed": "PREFIX service: <http://example.org/> SELECT ?s { ?s ?p ?o FILTER(?p != service:service) } LIMIT 1",
    "hyphenated": "PREFIX ex: <http://example.org/> SELECT ?s { ?s ?p ?o FILTER(?p != ex:public-service) } LIMIT 1",
    "language": 'SELECT ?s { ?s ?p ?o FILTER(?o != "x"@service) } LIMIT 1',
}


@pytest.mark.parametrize("query", SERVICE_QUERIES.values(), ids=SERVICE_QUERIES.keys())
def test_service_is_refused(client: FlaskClient, query: str) -> None:
    for method in METHODS:
        response = ask(client, query, method=method)
        assert response.status_code == 400
        text = error_text(response)
        assert "SERVICE is not allowed" in text and "other hosts" in text


@pytest.mark.parametrize("query", NOT_SERVICE.values(), ids=NOT_SERVICE.keys())
def test_service_lookalikes_run(client: FlaskClient, query: str) -> None:
    assert len(rows(ask(client, query))) == 1


def test_a_from_lookalike_keeps_the_default_graph(client: FlaskClient, sizes: dict[str, int]) -> None:
    """`ex:valid-from` is not FROM: the query still sees the service's default graph."""
    query = "PREFIX ex: <http://example.org/> SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER(?p != ex:valid-from) }"
    assert count(client, query) == sizes[""] > 1000


@pytest.fixture()
def listener() -> Iterator[tuple[socket.socket, int]]:
    """A plain TCP listener on 127.0.0.1 that no request should ever reach."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock, sock.getsockname()[1]
    finally:
        sock.close()


def test_nothing_is_fetched(client: FlaskClient, listener: tuple[socket.socket, int], sizes: dict[str, int]) -> None:
    sock, port = listener
    here = f"http://127.0.0.1:{port}"
    for query in (
        f"SELECT * {{ SERVICE <{here}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{here}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ {{ SELECT ?s {{ SeRvIcE <{here}/sparql> {{ ?s ?p ?o }} }} }} }}",
    ):
        for method in METHODS:
            assert ask(client, query, method=method).status_code == 400
    for update in (f"LOAD <{here}/x.ttl>", f"LOAD SILENT <{here}/x.ttl> INTO GRAPH <{here}/g>"):
        assert ask(client, update).status_code == 403
        assert client.post("/sparql", data=update, content_type="application/sparql-update").status_code == 403
    # FROM and FROM NAMED name local graphs only: an unknown IRI is an empty graph, never a download.
    anything = "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    assert rows(ask(client, f"SELECT * FROM <{here}/x> FROM NAMED <{here}/y> {anything}")) == []
    local = f"SELECT (COUNT(*) AS ?n) FROM <{DATA_GRAPH}> FROM <{here}/x> WHERE {{ ?s ?p ?o }}"
    assert count(client, local) == sizes[str(DATA_GRAPH)]
    ready, _, _ = select.select([sock], [], [], 0.5)
    assert ready == [], "the endpoint connected to the listener"


UPDATES = [
    f'INSERT DATA {{ <{UPPSALA}> <http://www.w3.org/2000/01/rdf-schema#label> "hacked" }}',
    f"PREFIX ex: <http://example.org/> INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ ex:a ex:b ex:c }} }}",
    "DELETE WHERE { ?s ?p ?o }",
    f"CLEAR GRAPH <{DATA_GRAPH}>",
    "DROP ALL",
    f"WITH <{DATA_GRAPH}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(client: FlaskClient, sizes: dict[str, int], update: str) -> None:
    attempts = [
        client.post("/sparql", data=urlencode({"update": update}), content_type=FORM),
        client.post("/sparql", data=update, content_type="application/sparql-update"),
        client.post("/sparql", data=update, content_type="application/sparql-update; charset=utf-8"),
        client.get("/sparql?" + urlencode({"update": update})),
        *(ask(client, update, method=method) for method in METHODS),  # an update sent as a query
    ]
    for response in attempts:
        assert response.status_code == 403, response.get_data(as_text=True)
        assert "read-only" in error_text(response)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert graph_counts(client) == {g: n for g, n in sizes.items() if g}
    assert count(client, COUNT_ALL) == sizes[""]
    assert boolean(ask(client, 'ASK { ?s ?p "hacked" }')) is False


# ---------------------------------------------------------------------------------------------------
# limits: request size, result size, time


def test_request_body_over_the_limit(small_app: Flask) -> None:
    client = small_app.test_client()
    padding = " " * 2100
    for body, content_type in ((ASK_TRUE + padding, DIRECT), (urlencode({"query": ASK_TRUE + padding}), FORM)):
        response = client.post("/sparql", data=body, content_type=content_type)
        assert response.status_code == 413
        assert "2048 bytes" in error_text(response)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert boolean(client.post("/sparql", data=ASK_TRUE + " " * 1000, content_type=DIRECT)) is True


def test_chunked_body_over_the_limit(small_app: Flask) -> None:
    """No Content-Length: the body is counted while read, never cut at the limit and run."""

    def chunks() -> Iterator[bytes]:
        yield b"SELECT ?x { BIND(STRLEN('"
        yield b"a" * 4000
        yield b"') AS ?x) }"

    with serve(small_app) as base:
        host, port = base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("POST", "/sparql", body=chunks(), headers={"Content-Type": DIRECT}, encode_chunked=True)
        response = conn.getresponse()
        assert response.status == 413
        assert b"2048 bytes" in response.read()
        conn.close()
        status, _, body = fetch(base, "POST", "/sparql", body=b"ASK {}", headers={"Content-Type": DIRECT})
        assert status == 200 and b"true" in body


@pytest.mark.parametrize("accept", [*RESULT_TYPES, *RDF_TYPES])
def test_result_over_the_row_limit(small_app: Flask, accept: str) -> None:
    client = small_app.test_client()
    graph_form = accept in RDF_TYPES
    for limit, ok in ((5, True), (6, False), (None, False)):
        where = "WHERE { ?s ?p ?o }" + (f" LIMIT {limit}" if limit else "")
        query = ("CONSTRUCT " if graph_form else "SELECT * ") + where
        for method in METHODS:
            response = ask(client, query, method=method, accept=accept)
            if ok:
                assert response.status_code == 200
                assert len(graph_of(response) if graph_form else rows(response)) == 5
            else:
                assert response.status_code == 400  # never a 200 with the first rows
                assert "more than 5" in error_text(response) and "LIMIT" in error_text(response)


@pytest.fixture(scope="module")
def slow_server() -> Iterator[tuple[Flask, str]]:
    from oms_ld import create_app

    app = create_app({"TESTING": True, "QUERY_TIMEOUT": 2})
    with serve(app) as base:
        yield app, base
    app.extensions["oms_ld"].store.close()


def _post_query(base: str, query: str) -> tuple[int, bytes]:
    """POST `query`; a server that never answers fails at the client's own timeout (fetch's 30 s)."""
    status, _, body = fetch(base, "POST", "/sparql", body=query.encode(), headers={"Content-Type": DIRECT})
    return status, body


def _children() -> dict[int, str]:
    """This process's child processes and their states (R running, S sleeping, Z zombie …), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == os.getpid():
                    found[int(entry.name)] = fields[0]
    return found


def test_time_limit(slow_server: tuple[Flask, str]) -> None:
    """SLOW (a four-way cross join) would run for hours: only the limit can end it before the client's
    own timeout, and its answer says so. Nothing here is timed."""
    need(Path("/proc/self/stat").exists(), "the test reads process states from /proc")
    _, base = slow_server
    others = set(_children())  # other apps' query processes in this test session: not this server's

    def running() -> list[int]:
        return [pid for pid, state in _children().items() if state in "RD" and pid not in others]

    assert _post_query(base, ASK_TRUE)[0] == 200  # a child is forked and warm
    for attempt in range(2):  # the second proves the pool recovered from the first kill
        result: list[tuple[int, bytes]] = []
        thread = threading.Thread(target=lambda out=result: out.append(_post_query(base, SLOW)))
        thread.start()
        time.sleep(0.3)
        # The query process working on SLOW; a process just forked to refill the pool runs for a moment too.
        def one_busy(result: list[tuple[int, bytes]] = result) -> list[int]:
            pids = running()
            return pids if len(pids) == 1 and not result else []

        busy = wait_until(one_busy, "exactly one query process running, on the slow query", every=0.05)
        # Meanwhile, another client is answered (POST, so not from the cache) while SLOW still runs.
        status, body = _post_query(base, f"{ASK_TRUE} # {attempt}")
        assert status == 200 and b"true" in body
        assert not result and busy[0] in running(), "the other client was answered only after the slow query ended"
        thread.join(60)
        assert result, "the slow query got no answer: the time limit did not stop it"
        status, body = result[0]
        assert status == 503, body
        assert b"time limit of 2 s" in body  # stopped by the limit (the server's own message), not an error
        assert busy[0] not in _children()  # killed and reaped: no zombie, no busy orphan
        assert not Path(f"/proc/{busy[0]}").exists()
    wait_until(lambda: not running(), "every query process of the server to stop running", every=0.05)
    assert _post_query(base, NODE_CITIES)[0] == 200


# ---------------------------------------------------------------------------------------------------
# HTTP caching, CORS


def test_etag_and_304(client: FlaskClient) -> None:
    first = ask(client, NODE_CITIES)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"].startswith("public")
    again = ask(client, NODE_CITIES, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert ask(client, NODE_CITIES, headers={"If-None-Match": '"other"'}).status_code == 200
    head = client.head("/sparql?" + urlencode({"query": NODE_CITIES}))
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag
    assert head.headers["Cache-Control"] == first.headers["Cache-Control"]
    head_304 = client.head("/sparql?" + urlencode({"query": NODE_CITIES}), headers={"If-None-Match": etag})
    assert head_304.status_code == 304


def test_etag_differs_per_format_and_query(client: FlaskClient) -> None:
    etags = {ask(client, NODE_CITIES, accept=a).headers["ETag"] for a in RESULT_TYPES}
    etags.add(ask(client, NODE_CITIES + " LIMIT 3").headers["ETag"])
    etags |= {ask(client, CONSTRUCT, accept=a).headers["ETag"] for a in RDF_TYPES}
    assert len(etags) == len(RESULT_TYPES) + 1 + len(RDF_TYPES)


def test_post_answers_are_not_stored(client: FlaskClient) -> None:
    for method in ("FORM", "DIRECT"):
        cache_control = ask(client, NODE_CITIES, method=method).headers["Cache-Control"]
        assert "no-store" in cache_control and "public" not in cache_control


def test_cors(client: FlaskClient) -> None:
    for response in (
        ask(client, NODE_CITIES),
        ask(client, CONSTRUCT, method="DIRECT"),
        ask(client, "SELECT ?x {"),
        ask(client, NODE_CITIES, accept="image/png"),
        client.put("/sparql"),
        client.post("/sparql", data=b"x", content_type="text/plain"),
        client.get("/sparql", headers={"Accept": "text/turtle"}),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*", response.status_code


def test_cors_preflight(client: FlaskClient) -> None:
    """application/sparql-query is not CORS-safelisted: a browser asks first."""
    response = client.options("/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})  # fmt: skip
    assert 200 <= response.status_code < 300
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept"} <= allowed


# ---------------------------------------------------------------------------------------------------
# base IRI and dataset


def test_base_iri(client: FlaskClient) -> None:
    for method in METHODS:
        graph = graph_of(ask(client, "CONSTRUCT { <s> <p> 1 } WHERE {}", method=method, accept="application/n-triples"))
        ((s, p, o),) = list(graph)
        assert str(s).startswith("http") and str(s).endswith("/s") and str(p).endswith("/p")
        assert o == Literal(1)
    assert boolean(ask(client, "BASE <http://example.org/> ASK { FILTER(<s> = <http://example.org/s>) }")) is True


def test_default_graph_uri(client: FlaskClient, sizes: dict[str, int]) -> None:
    shapes = "ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }"
    assert boolean(ask(client, shapes)) is False  # the shapes are not in the service's default graph
    for method in METHODS:
        dataset = [("default-graph-uri", str(SHAPES_GRAPH))]
        assert boolean(ask(client, shapes, method=method, params=dataset)) is True
        both = [("default-graph-uri", str(DATA_GRAPH)), ("default-graph-uri", str(ONTOLOGY_GRAPH))]
        assert count(client, COUNT_ALL, method=method, params=both) == sizes[""]
        # The protocol dataset overrides the query's FROM.
        query = f"SELECT (COUNT(*) AS ?n) FROM <{DATA_GRAPH}> WHERE {{ ?s ?p ?o }}"
        ontology = [("default-graph-uri", str(ONTOLOGY_GRAPH))]
        assert count(client, query, method=method, params=ontology) == sizes[str(ONTOLOGY_GRAPH)]
        # An unknown graph is empty, not an error.
        assert count(client, COUNT_ALL, method=method, params=[("default-graph-uri", "http://example.org/none")]) == 0


def test_named_graph_uri(client: FlaskClient) -> None:
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert {r["g"] for r in rows(ask(client, query))} >= {str(DATA_GRAPH), str(ONTOLOGY_GRAPH), str(SHAPES_GRAPH)}
    for method in METHODS:
        found = rows(ask(client, query, method=method, params=[("named-graph-uri", str(DATA_GRAPH))]))
        assert [r["g"] for r in found] == [str(DATA_GRAPH)]
        none = rows(ask(client, query, method=method, params=[("named-graph-uri", "http://example.org/none")]))
        assert none == []
        # Only named graphs given: the default graph is empty.
        assert count(client, COUNT_ALL, method=method, params=[("named-graph-uri", str(DATA_GRAPH))]) == 0


def test_from_without_protocol_dataset(client: FlaskClient, sizes: dict[str, int]) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{SHAPES_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(client, query) == sizes[str(SHAPES_GRAPH)]


# ---------------------------------------------------------------------------------------------------
# service description and query page


@pytest.mark.parametrize(("accept", "rdflib_format"), [("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
                                                        (None, "turtle"), ("*/*", "turtle")])  # fmt: skip
def test_service_description(live: str, sizes: dict[str, int], accept: str | None, rdflib_format: str) -> None:
    status, headers, body = fetch(live, "GET", "/sparql", headers={"Accept": accept} if accept else {})
    assert status == 200
    assert headers["content-type"].split(";")[0] == (accept if accept and accept != "*/*" else "text/turtle")
    assert "Accept" in headers["vary"] and headers["access-control-allow-origin"] == "*"
    graph = rdflib.Graph().parse(data=body, format=rdflib_format)
    services = set(graph.subjects(SD.endpoint, URIRef(f"{live}/sparql")))  # the exact URL requested
    assert len(services) == 1
    service = services.pop()
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    served = {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
              "RDF_XML", "N-Triples", "JSON-LD"}  # fmt: skip
    assert set(graph.objects(service, SD.resultFormat)) == {URIRef(FORMATS + f) for f in served}
    default = graph.value(graph.value(service, SD.defaultDataset), SD.defaultGraph)
    assert graph.value(default, VOID.triples).toPython() == sizes[""]  # type: ignore[union-attr]
    named = {
        str(graph.value(n, SD.name)): graph.value(graph.value(n, SD.graph), VOID.triples).toPython()  # type: ignore[union-attr]
        for n in graph.objects(graph.value(service, SD.defaultDataset), SD.namedGraph)
    }
    assert named == {g: n for g, n in sizes.items() if g}
    assert set(named) >= {str(DATA_GRAPH), str(ONTOLOGY_GRAPH), str(SHAPES_GRAPH)}


def test_service_description_follows_the_request_url(client: FlaskClient) -> None:
    graph = graph_of(client.get("/sparql", base_url="http://sparql.example:8080", headers={"Accept": "text/turtle"}))
    assert set(graph.subjects(SD.endpoint, URIRef("http://sparql.example:8080/sparql")))


def test_service_description_head(client: FlaskClient) -> None:
    response = client.head("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.data == b"" and mime(response) == "text/turtle"


def test_browser_gets_the_query_page(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert mime(response) == "text/html"
    assert "<textarea" in response.get_data(as_text=True) and "Accept" in response.vary


def test_query_permalink(client: FlaskClient) -> None:
    query = 'SELECT ?s { ?s ?p "<b>&" } LIMIT 1'
    response = ask(client, query, headers={"Accept": BROWSER})
    assert mime(response) == "text/html"
    page = response.get_data(as_text=True)
    assert "SELECT ?s { ?s ?p &#34;&lt;b&gt;&amp;&#34; } LIMIT 1" in page or "&lt;b&gt;&amp;" in page
    assert "<b>&" not in page
    # The same URL still gives results to a SPARQL client.
    assert mime(ask(client, query)) == "application/sparql-results+json"
    # A POST is an API call: no page for it, whatever the Accept.
    assert ask(client, query, method="DIRECT", headers={"Accept": "text/html"}).status_code == 406
