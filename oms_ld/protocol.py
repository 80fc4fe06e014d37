"""SPARQL 1.1 Protocol request reading and service description: pure functions, no Flask.

The view hands in the method, headers, URL parameters and body; this module decides what was asked
(or raises the error the protocol calls for) and describes the service as RDF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from . import queries
from .errors import BadRequest, QueryRefused, UnsupportedMediaType, UpdateRefused
from .formats import RDF_FORMATS, RESULT_FORMATS
from .namespaces import SD, bind_prefixes

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
#: W3C format IRIs (http://www.w3.org/ns/formats/) of what the endpoint really serves.
FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/rdf+xml": "RDF_XML",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
}


@dataclass(frozen=True)
class QueryRequest:
    """A query operation: the query and the protocol-specified dataset (None: the service default)."""

    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """`type/subtype` (lower case) and its parameters."""
    kind, *params = content_type.split(";")
    values = dict(p.strip().split("=", 1) for p in params if "=" in p)
    return kind.strip().lower(), {k.strip().lower(): v.strip().strip('"').lower() for k, v in values.items()}


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {what} is not valid UTF-8 (UTF-8 is the only valid charset)") from exc


def parse_params(raw: bytes, what: str) -> list[tuple[str, str]]:
    """The `name=value&…` pairs of a URL query string or form body, decoded strictly as UTF-8.

    Raises:
        BadRequest: raw bytes or percent-escapes that are not UTF-8 (they would be silently replaced).
    """
    text = _utf8(raw, what)
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"the {what} has %-escapes that are not valid UTF-8 (UTF-8 is the only valid charset)"
        ) from exc


def read_request(
    method: str, content_type: str | None, url_params: Sequence[tuple[str, str]], body: bytes
) -> QueryRequest | None:
    """What a request to the endpoint asks for; None when it carries no query (service description).

    Raises:
        UpdateRefused: an update request (never executed), also one sent as `query`.
        UnsupportedMediaType: a POST body type the protocol does not define for queries.
        BadRequest: several or empty `query` parameters, bad charset or bytes, SERVICE.
    """
    params = list(url_params)
    direct: str | None = None
    if method == "POST":
        kind, options = _media_type(content_type or "")
        if kind == UPDATE:
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
        if options.get("charset", "utf-8") not in ("utf-8", "utf8"):
            raise BadRequest(f"charset {options['charset']!r} is not supported: UTF-8 is the only valid charset")
        if kind == FORM:
            params += parse_params(body, "form body")
        elif kind == DIRECT:
            direct = _utf8(body, "query")
        elif not kind:
            raise UnsupportedMediaType(f"a POST needs a Content-Type: {FORM} or {DIRECT}")
        else:
            raise UnsupportedMediaType(f"{kind} is not a query body: send {FORM} or {DIRECT}")
    if any(name == "update" for name, _ in params):
        raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
    texts = [value for name, value in params if name == "query"] + ([direct] if direct is not None else [])
    default = tuple(v for n, v in params if n == "default-graph-uri")
    named = tuple(v for n, v in params if n == "named-graph-uri")
    if not texts:
        if default or named:
            raise BadRequest("a dataset was given but no query")
        return None
    if len(texts) > 1:
        raise BadRequest(f"exactly one query is allowed per request, got {len(texts)}")
    if not texts[0].strip():
        raise BadRequest("the query is empty")
    if queries.is_update(texts[0]):
        raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted (not even as a query)")
    if "SERVICE" in queries.keywords(texts[0]):
        raise QueryRefused(
            "SERVICE is not allowed: it would make this server send requests to other hosts on your behalf. "
            "Run federated queries from your own SPARQL client, with this endpoint as one of the services."
        )
    for iri in default + named:
        queries.iri_ref(iri)
        try:  # the store takes absolute IRIs only; a relative one was a 502 from its ValueError
            ox.NamedNode(iri)
        except ValueError as exc:
            raise BadRequest(f"a dataset graph must be an absolute IRI, not {iri[:200]!r} ({exc})") from exc
    if default or named:  # a protocol dataset replaces the service's default entirely (§2.1.4)
        return QueryRequest(texts[0], default, named)
    return QueryRequest(texts[0], None, None)


def service_description(
    endpoints: Sequence[str], graph_sizes: Mapping[str, int], default_graphs: Sequence[str]
) -> Graph:
    """A SPARQL 1.1 Service Description of this endpoint (SD §3), with graph sizes from the store."""
    graph = bind_prefixes(Graph())
    service = URIRef(endpoints[0] + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, RDFS.label, Literal("ÖMS SPARQL endpoint (read-only)", lang="en")))
    graph.add((service, RDFS.label, Literal("ÖMS SPARQL-ändpunkt (endast läsning)", lang="sv")))
    for endpoint in endpoints:
        graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for media_type in (*RESULT_FORMATS, *RDF_FORMATS):
        graph.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/" + FORMAT_IRIS[media_type.mime])))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    total = sum(graph_sizes.get(g, 0) for g in default_graphs)
    graph.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    for name, size in sorted(graph_sizes.items()):
        named, inner = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(size, datatype=XSD.integer)))
    return graph
