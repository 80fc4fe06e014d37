"""Answers written straight from the engine (store/answers.py): the same bytes as the TSV round trip, the same cap."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from oms_ld.errors import OmsLdError, QueryError, ResultTooLarge
from oms_ld.rdf.formats import RDF_FORMATS, RESULT_FORMATS
from oms_ld.store.answers import encode

EX = "http://example.org/"
#: Thirty subjects, each with a literal over three lines (quoted line breaks in CSV), a number and a language tag.
ROWS = 30


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for i in range(ROWS):
        s = ox.NamedNode(f"{EX}s{i:02d}")
        store.add(ox.Quad(s, ox.NamedNode(EX + "text"), ox.Literal(f'line {i}\nsecond, "quoted"\nthird')))
        store.add(ox.Quad(s, ox.NamedNode(EX + "n"), ox.Literal(str(i), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))))  # fmt: skip
        store.add(ox.Quad(s, ox.NamedNode(EX + "label"), ox.Literal(f"ställe {i}", language="sv")))
        store.add(ox.Quad(s, ox.NamedNode(EX + "next"), ox.BlankNode(f"b{i}")))
    return store


SELECTS = [
    "SELECT ?s ?t WHERE { ?s <http://example.org/text> ?t } ORDER BY ?s",
    "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p",
    "SELECT ?s (COUNT(*) AS ?n) (SAMPLE(?o) AS ?any) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?s",
    'SELECT ?x ?y WHERE { VALUES (?x ?y) { (1 "01"^^<http://www.w3.org/2001/XMLSchema#integer>) (UNDEF 1.50) } }',
]
CONSTRUCTS = [
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p",
    "CONSTRUCT { ?s <http://example.org/twice> ?t } WHERE { ?s <http://example.org/text> ?t }",
]


def run(store: ox.Store, query: str, mime: str, max_rows: int | None, direct: bool) -> bytes:
    parts: list[bytes] = []
    again = (lambda: store.query(query)) if direct else None
    assert encode(store.query(query), parts.append, mime=mime, max_rows=max_rows, max_bytes=10**9,
                  again=again) == "encoded"  # fmt: skip
    return b"".join(parts)


@pytest.mark.parametrize("mime", [m.mime for m in RESULT_FORMATS])
@pytest.mark.parametrize("query", SELECTS)
def test_solutions_are_the_bytes_the_round_trip_wrote(store: ox.Store, query: str, mime: str) -> None:
    assert run(store, query, mime, 10_000, True) == run(store, query, mime, 10_000, False)


@pytest.mark.parametrize(
    "mime", [m.mime for m in RDF_FORMATS if m.mime not in ("application/trig", "application/n-quads")]
)
@pytest.mark.parametrize("query", CONSTRUCTS)
def test_graphs_are_the_bytes_the_round_trip_wrote(store: ox.Store, query: str, mime: str) -> None:
    assert run(store, query, mime, 10_000, True) == run(store, query, mime, 10_000, False)


@pytest.mark.parametrize("mime", [m.mime for m in (*RESULT_FORMATS, *RDF_FORMATS)
                                  if m.mime not in ("application/trig", "application/n-quads")])  # fmt: skip
def test_the_row_cap_is_exact_in_every_format(store: ox.Store, mime: str) -> None:
    """Exactly the cap passes, one row over it is refused: CSV's quoted line breaks are not rows."""
    graph = any(m.mime == mime for m in RDF_FORMATS)
    query = CONSTRUCTS[1] if graph else SELECTS[0]
    assert run(store, query, mime, ROWS, True) == run(store, query, mime, None, False)
    with pytest.raises(QueryError, match=f"more than {ROWS - 1} rows"):
        run(store, query, mime, ROWS - 1, True)


def test_a_failure_of_the_direct_writer_is_reported_as_before(store: ox.Store) -> None:
    """RDF 1.2 triple terms cannot be written as JSON-LD: the same error either way."""
    query = "CONSTRUCT { ?s ?p <<( ?s ?p ?o )>> } WHERE { ?s ?p ?o } LIMIT 1"
    errors = []
    for direct in (True, False):
        with pytest.raises(OmsLdError) as caught:
            run(store, query, "application/ld+json", 10, direct)
        errors.append((type(caught.value), caught.value.message))
    assert errors[0] == errors[1]


def outcome(store: ox.Store, query: str, mime: str, max_rows: int, max_bytes: int, direct: bool) -> object:
    parts: list[bytes] = []
    again = (lambda: store.query(query)) if direct else None
    try:
        encode(store.query(query), parts.append, mime=mime, max_rows=max_rows, max_bytes=max_bytes, again=again)
    except OmsLdError as exc:
        return type(exc).__name__, exc.message
    return b"".join(parts)


@pytest.mark.parametrize("direct_max", [300, 1 << 20])
@pytest.mark.parametrize("max_bytes", [700, 2500, 10**9])
@pytest.mark.parametrize("max_rows", [ROWS - 1, ROWS])
@pytest.mark.parametrize("mime", ["application/sparql-results+json", "text/csv", "text/turtle"])
def test_over_a_cap_the_answer_is_the_one_the_round_trip_gave(
    store: ox.Store, monkeypatch: pytest.MonkeyPatch, mime: str, max_rows: int, max_bytes: int, direct_max: int
) -> None:
    """Whichever cap an answer meets, long or short, the client gets what it got before (bytes or error)."""
    from oms_ld.store import answers

    monkeypatch.setattr(answers, "_DIRECT_MAX", direct_max)
    query = CONSTRUCTS[1] if mime == "text/turtle" else SELECTS[0]
    expected = outcome(store, query, mime, max_rows, max_bytes, False)
    assert outcome(store, query, mime, max_rows, max_bytes, True) == expected


@pytest.mark.parametrize("mime", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_a_large_value_over_the_byte_cap_is_refused_without_a_second_evaluation(
    store: ox.Store, monkeypatch: pytest.MonkeyPatch, mime: str
) -> None:
    """Rows are counted as SPARQL JSON and XML are written: an answer of few rows is not asked for again."""
    from oms_ld.store import answers

    monkeypatch.setattr(answers, "_DIRECT_MAX", 1000)
    query = "SELECT ?s (CONCAT(?t, ?t, ?t, ?t, ?t, ?t, ?t, ?t) AS ?x) WHERE { ?s <http://example.org/text> ?t }"

    def again() -> ox.QuerySolutions:
        raise AssertionError("evaluated a second time")

    with pytest.raises(ResultTooLarge):
        encode(store.query(query), [].append, mime=mime, max_rows=ROWS, max_bytes=8000, again=again)
    with pytest.raises(QueryError, match=f"more than {ROWS - 5} rows"):
        encode(store.query(query), [].append, mime=mime, max_rows=ROWS - 5, max_bytes=10**9, again=again)
