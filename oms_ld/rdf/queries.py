"""SPARQL text builders: pure functions, no I/O. IRIs are checked before they are spliced in."""

from __future__ import annotations

import re

from ..errors import InvalidRequest
from .namespaces import sparql_prologue

_IRI = re.compile(r"[^\x00-\x20<>\"{}|^`\\]+")

#: What can hide a keyword: long and short strings, IRI references and comments, matched left to right.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*",
    re.DOTALL,
)
#: A bare word that is not part of a variable (?x, $x), a prefixed name (ex:x, x:y, ex:valid-from,
#: my-ns:x) or a language tag ("…"@service, @en-service): no keyword ever touches "-" or follows "@".
_WORD = re.compile(r"(?<![?$:@\w-])([A-Za-z]+)(?![\w:-])")
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: The words an update request starts with (after its prologue): SPARQL 1.1 Update §3.1–3.2.
UPDATE_VERBS = frozenset({"INSERT", "DELETE", "WITH", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"})
_PROLOGUE = frozenset({"BASE", "PREFIX", "VERSION"})
#: SPARQL allows \\u and \\U escapes anywhere in a query (SPARQL 1.1 §19.2); undo them before looking.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _visible(sparql: str) -> str:
    """The query with escapes undone and strings, IRIs and comments blanked out."""
    unescaped = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)
    return _OPAQUE.sub(" ", unescaped)


def keywords(sparql: str) -> set[str]:
    """The bare words of a query, upper-cased, outside strings, IRIs and comments.

    Used to refuse SERVICE (an outbound request) and to see whether the query names its own dataset
    (FROM). Over-approximate on purpose: a word that only looks like a keyword errs on the safe side.
    """
    return {w.upper() for w in _WORD.findall(_visible(sparql))}


def query_form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword of the query (None if there is none)."""
    for word in _WORD.findall(_visible(sparql)):
        upper = str(word).upper()
        if upper in FORMS:
            return upper
    return None


def is_update(sparql: str) -> bool:
    """True when the text is a SPARQL Update request (its first keyword after the prologue is an update verb)."""
    for word in _WORD.findall(_visible(sparql)):
        upper = str(word).upper()
        if upper not in _PROLOGUE:
            return upper in UPDATE_VERBS
    return False


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
