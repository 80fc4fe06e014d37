"""Real SPARQL clients against a real HTTP server: SPARQLWrapper and rdflib's SPARQLStore.

A small WSGI wrapper records what each client really sent (method, URL parameters, Accept,
Content-Type), so the tests can show that SPARQLWrapper's extra `format`/`output`/`results`
parameters arrive and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import Flask
from rdflib import RDF, Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from ..live import serve

pytestmark = [
    # SPARQLWrapper 2.0 parses RDF answers into rdflib's deprecated ConjunctiveGraph: not ours to fix.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

NODE_CITY = URIRef("https://w3id.org/oms-ld/def/oms#NodeCity")
UPPSALA = URIRef("https://w3id.org/oms-ld/id/node-city/uppsala")
NODE_CITIES = f"SELECT ?n WHERE {{ ?n a <{NODE_CITY}> }} ORDER BY ?n"
ASK_NODE_CITY = f"ASK {{ ?n a <{NODE_CITY}> }}"
CONSTRUCT = f"CONSTRUCT {{ ?n a <{NODE_CITY}> }} WHERE {{ ?n a <{NODE_CITY}> }}"
DESCRIBE = f"DESCRIBE <{UPPSALA}>"


@dataclass(frozen=True)
class Seen:
    """What a client sent."""

    method: str
    params: tuple[str, ...]
    accept: str
    content_type: str


@dataclass
class Endpoint:
    url: str
    seen: list[Seen]


@pytest.fixture(scope="module")
def endpoint(app: Flask) -> Iterator[Endpoint]:
    """The app on a real threaded HTTP server, behind a recorder of the requests it receives."""
    seen: list[Seen] = []

    def recorder(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        names = tuple(name for name, _ in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        seen.append(Seen(environ["REQUEST_METHOD"], names, environ.get("HTTP_ACCEPT", ""),
                         environ.get("CONTENT_TYPE", "")))  # fmt: skip
        return app(environ, start_response)

    with serve(recorder) as url:
        yield Endpoint(f"{url}/sparql", seen)


def wrapper(endpoint: Endpoint, query: str, return_format: str | None = None, method: str | None = None) -> Any:
    """Run `query` with SPARQLWrapper's defaults (GET, extra format params), as a user would; convert()."""
    sparql = SPARQLWrapper(endpoint.url)
    sparql.setQuery(query)
    if return_format:
        sparql.setReturnFormat(return_format)
    if method == POSTDIRECTLY:
        sparql.setMethod(POST)
        sparql.setRequestMethod(POSTDIRECTLY)
    elif method:
        sparql.setMethod(method)
    return sparql.query().convert()


# ---------------------------------------------------------------------------------------------------
# SPARQLWrapper 2.0


@pytest.mark.parametrize("method", [None, POST, POSTDIRECTLY])
def test_sparqlwrapper_select_json(endpoint: Endpoint, method: str | None) -> None:
    result = wrapper(endpoint, NODE_CITIES, JSON, method)
    found = [b["n"]["value"] for b in result["results"]["bindings"]]
    assert len(found) == 14 and str(UPPSALA) in found


@pytest.mark.parametrize("return_format", [XML, None])  # XML is SPARQLWrapper's default
def test_sparqlwrapper_select_xml(endpoint: Endpoint, return_format: str | None) -> None:
    document = wrapper(endpoint, NODE_CITIES, return_format)
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert len(document.getElementsByTagName("result")) == 14 and str(UPPSALA) in uris
    assert endpoint.seen[-1].accept == "application/sparql-results+xml"


def test_sparqlwrapper_select_csv(endpoint: Endpoint) -> None:
    lines = wrapper(endpoint, NODE_CITIES, CSV).decode("utf-8").splitlines()
    assert lines[0] == "n" and len(lines) == 15 and str(UPPSALA) in lines


@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(endpoint: Endpoint, return_format: str) -> None:
    result = wrapper(endpoint, ASK_NODE_CITY, return_format)
    if return_format == JSON:
        assert result["boolean"] is True
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_construct_default_is_rdfxml(endpoint: Endpoint) -> None:
    graph = wrapper(endpoint, CONSTRUCT)
    assert endpoint.seen[-1].accept == "application/rdf+xml"
    assert isinstance(graph, Graph) and len(graph) == 14
    assert (UPPSALA, RDF.type, NODE_CITY) in graph


@pytest.mark.parametrize("return_format", [TURTLE, JSONLD])
def test_sparqlwrapper_construct_other_formats(endpoint: Endpoint, return_format: str) -> None:
    result = wrapper(endpoint, CONSTRUCT, return_format)
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert len(graph) == 14


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_describe(endpoint: Endpoint, method: str | None) -> None:
    graph = wrapper(endpoint, DESCRIBE, None, method)
    assert (UPPSALA, RDF.type, NODE_CITY) in graph


def test_sparqlwrapper_extra_parameters_are_ignored(endpoint: Endpoint) -> None:
    """SPARQLWrapper adds format/output/results (here saying "json") to an XML request: the XML wins."""
    before = len(endpoint.seen)
    wrapper(endpoint, NODE_CITIES, XML)
    wrapper(endpoint, NODE_CITIES, JSON)
    xml_request, json_request = endpoint.seen[before:]
    assert {"query", "format", "output", "results"} <= set(xml_request.params)
    assert {"format", "output", "results"} <= set(json_request.params)


def test_sparqlwrapper_errors(endpoint: Endpoint) -> None:
    """HTTP 400 becomes QueryBadFormed: a syntax error, and a SERVICE the endpoint refuses."""
    with pytest.raises(QueryBadFormed, match="syntax error"):
        wrapper(endpoint, "SELECT ?x WHERE { ?x }", JSON)
    with pytest.raises(QueryBadFormed, match="SERVICE is not allowed"):
        wrapper(endpoint, "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", JSON)


# ---------------------------------------------------------------------------------------------------
# rdflib 7 SPARQLStore


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(endpoint: Endpoint, method: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint.url, method=method))
    found = [row.n for row in graph.query(NODE_CITIES)]  # type: ignore[union-attr]
    assert len(found) == 14 and UPPSALA in found
    assert graph.query(ASK_NODE_CITY).askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and len(constructed) == 14
    assert endpoint.seen[-1].method == method
    # rdflib builds its Accept from a set: the order changes from run to run, and neither has a q-value.
    accepted = {part.strip() for part in endpoint.seen[-1].accept.split(",")}
    assert accepted == {"application/sparql-results+xml", "application/rdf+xml"}


def test_rdflib_sparqlstore_json(endpoint: Endpoint) -> None:
    """With returnFormat="json" rdflib accepts only SPARQL JSON, so it can run SELECT and ASK (not CONSTRUCT)."""
    graph = Graph(store=SPARQLStore(endpoint.url, returnFormat="json"))
    assert len(list(graph.query(NODE_CITIES))) == 14
    assert graph.query(ASK_NODE_CITY).askAnswer is True
    assert endpoint.seen[-1].accept == "application/sparql-results+json"


def test_rdflib_sparqlstore_graph_api(endpoint: Endpoint) -> None:
    """The Graph API over the store turns into SELECTs the endpoint answers."""
    graph = Graph(store=SPARQLStore(endpoint.url))
    assert len(set(graph.subjects(RDF.type, NODE_CITY))) == 14
    assert (UPPSALA, RDF.type, NODE_CITY) in graph
    labels = {str(label) for label in graph.objects(UPPSALA, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert any(label.startswith("Uppsala") for label in labels)
