"""SPARQL text builders: pure functions, no I/O. IRIs are checked before they are spliced in."""

from __future__ import annotations

import re
from collections.abc import Iterable

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
    """CONSTRUCT the thing's own part of the document graph of `iri`.

    It holds the thing's own triples, those of its hash sub-resources (geometries), and the labels of
    everything it links to. What points at it comes from `incoming_counts` and `incoming`, bounded.
    """
    s = iri_ref(iri)
    return (
        sparql_prologue("rdfs", "skos")
        + f"""CONSTRUCT {{ ?s ?p ?o . ?n rdfs:label ?l . ?n skos:prefLabel ?pl }}
WHERE {{
  {{ BIND({s} AS ?s) ?s ?p ?o }}
  UNION {{ {s} ?p0 ?s . FILTER(STRSTARTS(STR(?s), CONCAT(STR({s}), "#"))) ?s ?p ?o }}
  UNION {{ {s} ?p1 ?n . ?n rdfs:label ?l }}
  UNION {{ {s} ?p3 ?n . ?n skos:prefLabel ?pl }}
}}"""
    )


def incoming_counts(iri: str) -> str:
    """SELECT each property ?q that points at `iri` with how many triples ?x ?q `iri` there are (?n)."""
    return f"SELECT ?q (COUNT(*) AS ?n) WHERE {{ ?x ?q {iri_ref(iri)} }} GROUP BY ?q ORDER BY ?q"


def incoming(iri: str, capped: Iterable[str], limit: int) -> str:
    """CONSTRUCT the triples pointing at `iri`, with their subjects' labels: all of them, except that through
    each property in `capped` only the first `limit` by subject IRI (the same ones whatever the store's order).
    """
    s = iri_ref(iri)
    capped = [iri_ref(p) for p in capped]
    parts = [f"{{ ?x ?q {s} FILTER(?q NOT IN ({', '.join(capped)})) }}" if capped else f"{{ ?x ?q {s} }}"]
    parts += [f"{{ SELECT ?x ?q WHERE {{ ?x {p} {s} BIND({p} AS ?q) }} ORDER BY ?x LIMIT {limit} }}" for p in capped]
    return (
        sparql_prologue("rdfs")
        + f"CONSTRUCT {{ ?x ?q {s} . ?x rdfs:label ?l }}\nWHERE {{\n  "
        + "\n  UNION ".join(parts)
        + "\n  OPTIONAL { ?x rdfs:label ?l }\n}"
    )


def all_incoming(iri: str, page: int = 1000) -> str:
    """CONSTRUCT every triple pointing at `iri`, `page` at a time in a fixed order (edit OFFSET for more)."""
    s = iri_ref(iri)
    return f"CONSTRUCT {{ ?x ?q {s} }} WHERE {{ ?x ?q {s} }} ORDER BY ?x ?q LIMIT {page} OFFSET 0"


def pointing_through(iri: str, prop: str, page: int = 1000) -> str:
    """SELECT every ?s with `?s prop iri`, `page` at a time by IRI (edit OFFSET for more)."""
    return f"SELECT ?s WHERE {{ ?s {iri_ref(prop)} {iri_ref(iri)} }} ORDER BY ?s LIMIT {page} OFFSET 0"
