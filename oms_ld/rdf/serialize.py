"""Serialize graphs: RDF formats through rdflib's serializers, deterministic bytes for caching."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import Graph

from .formats import JSONLD, NTRIPLES, MediaType
from .namespaces import PREFIXES, bind_prefixes


def to_rdflib(triples: list[ox.Triple], prefixes: Mapping[str, str] = PREFIXES) -> Graph:
    """Copy pyoxigraph triples into an rdflib graph (through N-Triples, which both speak exactly)."""
    graph = bind_prefixes(Graph(), prefixes)
    if triples:
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def jsonld_context(prefixes: Mapping[str, str] = PREFIXES) -> dict[str, str]:
    """The inline JSON-LD context: our prefixes. Inline, so no client or server fetches a context."""
    return dict(prefixes)


def rdf_bytes(graph: Graph, media_type: MediaType, prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Serialize `graph` as `media_type`; N-Triples lines are sorted so equal graphs give equal bytes."""
    if media_type.rdflib is None:
        raise ValueError(f"{media_type.mime} is not an RDF format")  # a caller's mistake, not the client's
    bind_prefixes(graph, prefixes)
    if media_type is NTRIPLES:
        lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
        return ("\n".join(lines) + "\n").encode("utf-8")
    if media_type is JSONLD:
        return graph.serialize(format="json-ld", context=jsonld_context(prefixes), auto_compact=True, indent=2).encode()
    return graph.serialize(format=media_type.rdflib, encoding="utf-8")
