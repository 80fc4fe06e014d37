"""What remote stores do differently, evened out: pure functions on query text and answers, no I/O.

Each was seen with Virtuoso 7.2 (Debian's virtuoso-opensource-7) and is tested in
tests/test_remote_failures.py with a fake server, and against the real thing in tests/test_backends.py.
"""

from __future__ import annotations

import ast
import json
import re
import struct

import pyoxigraph as ox

#: Virtuoso 7.2 stores geo:wktLiteral values as its own geometry type, in single precision, and answers
#: with that datatype (openlink/virtuoso-opensource#456, #808); the answer is given back GeoSPARQL's.
VIRTRDF_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral"
_DECIMAL = re.compile(r"-?\d+\.\d+")


def boolean(value: bool) -> ox.QueryBoolean:
    """A pyoxigraph ASK result holding `value`."""
    answer = ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if value else b"false"),
                                    ox.QueryResultsFormat.JSON)  # fmt: skip
    assert isinstance(answer, ox.QueryBoolean)
    return answer


def store_message(exc: BaseException) -> str:
    """The store's own error text from a SPARQLWrapper exception, on one line, without the echoed query."""
    text = str(exc)
    if "Response:" in text:
        raw = text.split("Response:", 1)[1].strip()
        try:
            answer = ast.literal_eval(raw)
            text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
        except (ValueError, SyntaxError):
            text = raw
    text = text.split("SPARQL query:", 1)[0]  # Virtuoso repeats the whole query after its message
    return " ".join(text.split())[:500]


#: Virtuoso's error for a function it does not have: `SR185: Undefined procedure DB.DBA.<iri>.`
_UNDEFINED_PROCEDURE = re.compile(r"SR185: Undefined procedure (?:DB\.DBA\.)?(\S+?)\.?(?:\s|$)")


def unknown_function(message: str) -> str | None:
    """The IRI of the function a store's error says it does not know (Virtuoso's SR185), else None."""
    found = _UNDEFINED_PROCEDURE.search(message)
    return found.group(1) if found else None


def wkt_from_single(text: str) -> str:
    """`text` (WKT) with each number as the shortest decimal of the same single-precision value.

    Virtuoso 7.2 keeps coordinates as single-precision floats and prints them with 12 decimals
    ("17.641000747681" for "17.641"); this gives "17.641" back. Trailing zeros ("58.410") are lost.
    """

    def shortest(match: re.Match[str]) -> str:
        value = float(match.group())
        target = struct.pack("<f", value)
        for decimals in range(12):
            candidate = f"{value:.{decimals}f}"
            if struct.pack("<f", float(candidate)) == target:
                return candidate
        return match.group()

    return _DECIMAL.sub(shortest, text)


def bnode_id(value: str) -> str:
    """A blank node label pyoxigraph accepts, from Virtuoso's ``nodeID://b10078`` form."""
    return re.sub(r"[^A-Za-z0-9_]", "", value.removeprefix("nodeID://")) or "b"


def even_out_json(body: bytes) -> bytes:
    """SPARQL JSON results with Virtuoso's blank node ids and geometry literals made standard."""
    if b'"bnode"' not in body and VIRTRDF_GEOMETRY.encode() not in body:
        return body
    document = json.loads(body)
    try:
        for row in document["results"]["bindings"]:
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = bnode_id(term["value"])
                elif term.get("datatype") == VIRTRDF_GEOMETRY:
                    term["datatype"], term["value"] = WKT_LITERAL, wkt_from_single(term["value"])
    except (KeyError, TypeError, AttributeError):
        return body  # not the shape of SPARQL JSON: pyoxigraph will say what is wrong
    return json.dumps(document).encode("utf-8")


def even_out_triple(triple: ox.Triple) -> ox.Triple:
    """The triple with a Virtuoso geometry object given back its GeoSPARQL datatype."""
    value = triple.object
    if isinstance(value, ox.Literal) and value.datatype.value == VIRTRDF_GEOMETRY:
        wkt = ox.Literal(wkt_from_single(value.value), datatype=ox.NamedNode(WKT_LITERAL))
        return ox.Triple(triple.subject, triple.predicate, wkt)
    return triple


def ask_from_table(solutions: ox.QuerySolutions) -> bool:
    """An ASK answered as a one-column table (Virtuoso 7.2 sends ``__ASK_RETVAL``: one row 1, or no row).

    Raises:
        ValueError: the table has another shape.
    """
    if len(solutions.variables) != 1:
        raise ValueError(f"an ASK was answered with a table of {len(solutions.variables)} columns")
    values = [row[0] for row in solutions]
    if len(values) > 1 or not all(isinstance(v, ox.Literal) and v.value in ("0", "1", "true", "false") for v in values):
        raise ValueError("an ASK was answered with a table that is not a boolean")
    return bool(values) and values[0].value in ("1", "true")
