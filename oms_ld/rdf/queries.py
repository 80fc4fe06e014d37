"""SPARQL text builders: pure functions, no I/O. IRIs are checked before they are spliced in."""

from __future__ import annotations

import re

from ..errors import InvalidRequest
from .namespaces import sparql_prologue

_IRI = re.compile(r"[^\x00-\x20<>\"{}|^`\\]+")


def iri_ref(iri: str) -> str:
    """`<iri>` for a SPARQL query, refusing characters that could escape the IRI."""
    if not _IRI.fullmatch(iri):
        raise InvalidRequest(f"not a usable IRI: {iri[:200]!r}")
    return f"<{iri}>"


def exists(iri: str) -> str:
    """ASK whether `iri` is the subject of any triple."""
    return f"ASK {{ {iri_ref(iri)} ?p ?o }}"


def describe(iri: str) -> str:
    """CONSTRUCT the document graph of `iri`.

    It holds the thing's own triples, those of its hash sub-resources (geometries), the triples that
    point at it ("referred to by"), and the labels of everything it links to or is linked from.
    """
    s = iri_ref(iri)
    return (
        sparql_prologue("rdfs", "skos")
        + f"""CONSTRUCT {{ ?s ?p ?o . ?x ?q ?s . ?n rdfs:label ?l . ?n skos:prefLabel ?pl }}
WHERE {{
  {{ BIND({s} AS ?s) ?s ?p ?o }}
  UNION {{ {s} ?p0 ?s . FILTER(STRSTARTS(STR(?s), CONCAT(STR({s}), "#"))) ?s ?p ?o }}
  UNION {{ BIND({s} AS ?s) ?x ?q ?s }}
  UNION {{ {s} ?p1 ?n . ?n rdfs:label ?l }}
  UNION {{ ?n ?p2 {s} . ?n rdfs:label ?l }}
  UNION {{ {s} ?p3 ?n . ?n skos:prefLabel ?pl }}
}}"""
    )
