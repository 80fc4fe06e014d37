"""Serialize graphs: RDF formats through rdflib's serializers, deterministic bytes for caching."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from ..errors import BadRequest
from .formats import JSONLD, NTRIPLES, MediaType
from .namespaces import PREFIXES, bind_prefixes


def to_rdflib(triples: list[ox.Triple]) -> Graph:
    """Copy pyoxigraph triples into an rdflib graph (through N-Triples, which both speak exactly)."""
    graph = bind_prefixes(Graph())
    if triples:
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def jsonld_context() -> dict[str, str]:
    """The inline JSON-LD context: our prefixes. Inline, so no client or server fetches a context."""
    return dict(PREFIXES)


def rdf_bytes(graph: Graph, media_type: MediaType) -> bytes:
    """Serialize `graph` as `media_type`; N-Triples lines are sorted so equal graphs give equal bytes."""
    if media_type.rdflib is None:
        raise BadRequest(f"{media_type.mime} is not an RDF format")
    bind_prefixes(graph)
    if media_type is NTRIPLES:
        lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
        return ("\n".join(lines) + "\n").encode("utf-8")
    if media_type is JSONLD:
        return graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True, indent=2).encode()
    return graph.serialize(format=media_type.rdflib, encoding="utf-8")
