"""Canonical serialization: the same graph gives the same bytes in every process.

Strong ETags, the published SHA-256 of the dumps and the static export all promise that equal content
is equal bytes. rdflib's RDF/XML and JSON-LD writers follow the order of a Python set (which changes
with the hash seed of each process) and blank nodes get fresh random labels, so here blank nodes get
canonical labels (rdflib's `to_canonical_graph`, only when there are any), N-Triples lines are sorted,
RDF/XML is written by pyoxigraph from the sorted lines, and JSON-LD has sorted keys and arrays. Pure:
no Flask.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from .formats import JSONLD, NTRIPLES, RDFXML, TURTLE, MediaType
from .namespaces import PREFIXES, bind_prefixes

#: Graphs up to this many triples get rdflib's Turtle (nested blank nodes); bigger ones pyoxigraph's.
RDFLIB_TURTLE_MAX = 20_000


def canonical(graph: Graph, prefixes: Mapping[str, str] = PREFIXES) -> Graph:
    """`graph` with blank nodes relabelled canonically (so equal graphs serialize alike); as-is without any."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    result = bind_prefixes(Graph(), prefixes)
    for triple in to_canonical_graph(graph):
        result.add(triple)
    return result


def nt_lines(graph: Graph) -> list[str]:
    """The N-Triples lines of `graph` (blank nodes as they are labelled), sorted."""
    return sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())


def sorted_json(value: Any) -> Any:
    """JSON with every array (except RDF lists) in a fixed order, so the text does not depend on set order."""
    if isinstance(value, dict):
        return {k: (v if k == "@list" else sorted_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def jsonld_context(prefixes: Mapping[str, str] = PREFIXES) -> dict[str, str]:
    """The inline JSON-LD context: our prefixes. Inline, so no client or server fetches a context."""
    return dict(prefixes)


def canonical_bytes(
    graph: Graph, media_type: MediaType, *, relabel: bool = True, prefixes: Mapping[str, str] = PREFIXES
) -> bytes:
    """`graph` as `media_type` (Turtle, N-Triples, JSON-LD or RDF/XML), byte for byte reproducible.

    `relabel=False` is for a graph that already went through `canonical`.
    """
    if relabel:
        graph = canonical(graph, prefixes)
    if media_type is TURTLE and len(graph) <= RDFLIB_TURTLE_MAX:
        # rdflib's Turtle writer sorts subjects and predicates and nests blank nodes used once.
        return graph.serialize(format="turtle", encoding="utf-8")
    lines = nt_lines(graph)
    text = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    if media_type is NTRIPLES:
        return text
    if media_type is TURTLE:
        # Big graphs: rdflib's Turtle writer is quadratic (88 s for 100k triples); pyoxigraph writes the
        # sorted triples in order (under a second).
        triples = list(ox.parse(text, ox.RdfFormat.N_TRIPLES))
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(prefixes)) or b""
    if media_type is JSONLD:
        written = graph.serialize(format="json-ld", context=jsonld_context(prefixes), auto_compact=True)
        document = sorted_json(json.loads(written))
        return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    if media_type is RDFXML:
        # pyoxigraph writes the triples in the (sorted) order given.
        triples = list(ox.parse(text, ox.RdfFormat.N_TRIPLES)) if text else []
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=dict(prefixes)) or b""
    raise ValueError(f"{media_type.mime} is not a graph format")
