"""Serialize graphs: RDF formats in canonical order (see canonical.py), deterministic bytes for caching."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import Graph

from .canonical import canonical_bytes
from .formats import MediaType
from .namespaces import PREFIXES, bind_prefixes


def to_rdflib(triples: list[ox.Triple], prefixes: Mapping[str, str] = PREFIXES) -> Graph:
    """Copy pyoxigraph triples into an rdflib graph (through N-Triples, which both speak exactly)."""
    graph = bind_prefixes(Graph(), prefixes)
    if triples:
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def rdf_bytes(graph: Graph, media_type: MediaType, prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Serialize `graph` as `media_type`, in canonical order: equal graphs give equal bytes in every process."""
    if media_type.rdflib is None:
        raise ValueError(f"{media_type.mime} is not an RDF format")  # a caller's mistake, not the client's
    bind_prefixes(graph, prefixes)
    return canonical_bytes(graph, media_type, prefixes=prefixes)
