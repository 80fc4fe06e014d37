"""Serialize graphs: RDF formats in canonical order (see canonical.py), deterministic bytes for caching."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from .canonical import canonical_bytes
from .errors import BadRequest
from .formats import MediaType
from .namespaces import bind_prefixes


def to_rdflib(triples: list[ox.Triple]) -> Graph:
    """Copy pyoxigraph triples into an rdflib graph (through N-Triples, which both speak exactly)."""
    graph = bind_prefixes(Graph())
    if triples:
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def rdf_bytes(graph: Graph, media_type: MediaType) -> bytes:
    """Serialize `graph` as `media_type`, in canonical order: equal graphs give equal bytes in every process."""
    if media_type.rdflib is None:
        raise BadRequest(f"{media_type.mime} is not an RDF format")
    bind_prefixes(graph)
    return canonical_bytes(graph, media_type)
