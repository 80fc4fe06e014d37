"""SPARQL requests read by the grammar (oms_ld/rdf/sparql.py): the W3C syntax suites through the real
endpoint, the terminals one by one, and each request the old word scan misread, as a regression test.

The W3C suites run on the embedded store (one app built here); the requests that reach a remote store
run on every backend (`client`: embedded, Oxigraph server, Virtuoso).
"""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, Namespace
from werkzeug.test import TestResponse

from oms_ld.errors import QueryError
from oms_ld.rdf.sparql import MAX_NESTING, read
from oms_ld.rdf.sparql_checks import checked_query
from oms_ld.rdf.sparql_terms import UPDATE_VERBS, resolve, tokenize, unescape

from ..conftest import REFERENCE

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
W3C = "w3c-sparql11-tests"
SUITES = ("syntax-query", "syntax-fed", "syntax-update-1", "syntax-update-2",
          *(f"sparql10-syntax-sparql{i}" for i in range(1, 6)))  # fmt: skip
#: Manifest test types, SPARQL 1.1 and 1.0, by what the endpoint must do with them.
KINDS = {
    "PositiveSyntaxTest11": "query", "PositiveSyntaxTest": "query",
    "NegativeSyntaxTest11": "bad-query", "NegativeSyntaxTest": "bad-query",
    "PositiveUpdateSyntaxTest11": "update", "NegativeUpdateSyntaxTest11": "bad-update",
}  # fmt: skip
#: Positive tests that pyoxigraph refuses, with the reason. Its parser reads every positive query test from
#: the canonical text (which avoids its whitespace quirks: it refuses `CONCAT ( ?a, ?b )`, `COALESCE(?a , ?b)`
#: and TRUE in capitals; see rdf.sparql.Reading.pieces). But it will not run a query that calls a function
#: it does not know (SPARQL makes that an evaluation error, i.e. an unbound value): 400 "not supported".
UNKNOWN_FUNCTION = "pyoxigraph 0.5.13 refuses to run a call of an unknown function (custom function … is not supported)"
ENGINE_LIMITATIONS = dict.fromkeys(
    ["syntax-expr-05.rq", "syntax-order-05.rq", "syntax-order-06.rq", "syntax-function-01.rq", "syntax-function-02.rq",
     "syntax-function-03.rq", "syntax-function-04.rq", "syntax-select-expr-04.rq"], UNKNOWN_FUNCTION
)  # fmt: skip
#: Positive tests that rdflib's parser (the check before a query goes to a remote store) refuses.
RDFLIB_LIMITATIONS = {
    "syntax-general-08.rq": "rdflib 7.6 fails on the negative decimal right after an IRI (<b>-1.0): 'Not a number'",
    "syn-pp-in-collection.rq": "rdflib 7.6 does not accept a property path inside a collection",
}
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass(frozen=True)
class SyntaxCase:
    """One W3C syntax test: its folder, file, what it is (KINDS) and its text."""

    suite: str
    name: str
    kind: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"


def load_cases(root: Path) -> list[SyntaxCase]:
    """Every syntax test of the suites, read from each folder's manifest.ttl (mf:action names the file)."""
    cases = []
    for suite in SUITES:
        manifest = root / W3C / suite / "manifest.ttl"
        graph = rdflib.Graph().parse(manifest, publicID=manifest.as_uri())
        for test, kind in graph.subject_objects(RDF.type):
            name = str(kind).rsplit("#", 1)[-1]
            if str(kind).startswith(str(MF)) and name in KINDS:
                path = Path(str(graph.value(test, MF.action)).removeprefix("file://"))
                cases.append(SyntaxCase(suite, path.name, KINDS[name], path.read_text(encoding="utf-8")))
    return sorted(cases, key=lambda case: case.id)


CASES = load_cases(REFERENCE) if (REFERENCE / W3C / SUITES[0]).is_dir() else []
QUERIES = [case for case in CASES if case.kind in ("query", "bad-query")]
UPDATES = [case for case in CASES if case.kind in ("update", "bad-update")]


def ids(case: SyntaxCase) -> str:
    return case.id


@pytest.fixture(scope="module")
def embedded() -> Iterator[Flask]:
    from oms_ld import create_app

    app = create_app({"TESTING": True})
    yield app
    app.extensions["oms_ld"].store.close()


@pytest.fixture(scope="module")
def before(embedded: Flask) -> dict[str, str]:
    """Triples per named graph before the updates were sent (they must not change)."""
    return graph_sizes(embedded.test_client())


def graph_sizes(client: FlaskClient) -> dict[str, str]:
    query = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    response = client.get("/sparql?" + urlencode({"query": query}), headers={"Accept": "text/csv"})
    assert response.status_code == 200
    return dict(line.split(",") for line in response.get_data(as_text=True).splitlines()[1:])


#: A protocol dataset of one empty graph: the W3C queries run quickly and within the row limit over it.
EMPTY = [("default-graph-uri", "urn:oms-ld:test:empty"), ("named-graph-uri", "urn:oms-ld:test:empty")]


def ask(
    client: FlaskClient, sparql: str, method: str = "GET", accept: str | None = None,
    dataset: list[tuple[str, str]] | None = None,
) -> TestResponse:  # fmt: skip
    headers = {"Accept": accept} if accept else {}
    params = [("query", sparql), *(dataset or [])]
    if method == "GET":
        return client.get("/sparql?" + urlencode(params), headers=headers)
    if method == "FORM":
        return client.post("/sparql", data=urlencode(params), content_type=FORM, headers=headers)
    return client.post("/sparql?" + urlencode(dataset or []), data=sparql.encode(), content_type=DIRECT,
                       headers=headers)  # fmt: skip


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def count(client: FlaskClient, sparql: str) -> int:
    response = ask(client, sparql, accept="text/csv")
    assert response.status_code == 200, text_of(response)
    return int(text_of(response).splitlines()[1])


# ---------------------------------------------------------------------------------------------------
# the W3C syntax suites


def test_the_w3c_syntax_suites_are_all_there(reference: Path) -> None:
    kinds = [case.kind for case in CASES]
    assert (kinds.count("query"), kinds.count("bad-query")) == (215, 81)
    assert (kinds.count("update"), kinds.count("bad-update")) == (42, 13)


@pytest.mark.parametrize("case", QUERIES, ids=ids)
def test_w3c_query_syntax(embedded: Flask, case: SyntaxCase) -> None:
    """A positive test is answered (SERVICE refused, and only SERVICE); a negative one is a 400."""
    client = embedded.test_client()
    for method in ("GET", "DIRECT"):
        response = ask(client, case.text, method, dataset=EMPTY)
        if case.kind == "bad-query":
            assert response.status_code == 400, text_of(response)
        elif case.name in ENGINE_LIMITATIONS:
            assert response.status_code == 400 and "is not supported" in text_of(response), text_of(response)
        elif case.suite == "syntax-fed":
            assert response.status_code == 400 and "SERVICE is not allowed" in text_of(response)
        else:
            assert response.status_code == 200, text_of(response)


@pytest.mark.parametrize("case", UPDATES, ids=ids)
def test_w3c_update_syntax_is_refused(embedded: Flask, before: dict[str, str], case: SyntaxCase) -> None:
    """Every update, valid or not, is refused and never runs: 403 by the update operation, and as a query
    403 for a valid update (400 when it has no operation at all, or does not read)."""
    client = embedded.test_client()
    sent = [
        client.post("/sparql", data=case.text.encode(), content_type="application/sparql-update"),
        client.post("/sparql", data=urlencode({"update": case.text}), content_type=FORM),
    ]
    assert [r.status_code for r in sent] == [403, 403]
    as_query = ask(client, case.text)
    if case.kind == "update":
        operations = [t for t in tokenize(unescape(case.text)) if t.keyword in UPDATE_VERBS]
        assert as_query.status_code == (403 if operations else 400), text_of(as_query)
        assert ("read-only" if operations else "no query") in text_of(as_query)
    else:
        assert as_query.status_code in (400, 403), text_of(as_query)


def test_no_update_was_run(embedded: Flask, before: dict[str, str]) -> None:
    assert graph_sizes(embedded.test_client()) == before


@pytest.mark.parametrize("case", [c for c in QUERIES if c.kind == "query"], ids=ids)
def test_w3c_positive_queries_pass_the_check_before_a_remote_store(case: SyntaxCase) -> None:
    """What a remote store is sent passes rdflib's SPARQL 1.1 parser (except the listed rdflib limitations)."""
    reading = read(case.text)
    assert reading.form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and not reading.is_update
    assert reading.has_service == (case.suite == "syntax-fed")
    if case.name in RDFLIB_LIMITATIONS:
        with pytest.raises(QueryError):
            checked_query(reading)
    else:
        checked_query(reading)


# ---------------------------------------------------------------------------------------------------
# the terminals


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(unescape(text))]


@pytest.mark.parametrize(("text", "expected"), [
    ("ex:not.from", [("PNAME_LN", "ex:not.from")]),
    ("ex:a. ", [("PNAME_LN", "ex:a"), ("PUNCT", ".")]),  # a local name does not end with "."
    ("select.x:", [("PNAME_NS", "select.x:")]),
    ("SERVICEex:x", [("PNAME_LN", "SERVICEex:x")]),
    ("ex:a\\' ?o", [("PNAME_LN", "ex:a\\'"), ("VAR", "?o")]),
    ("ex:%41b:c", [("PNAME_LN", "ex:%41b:c")]),
    ("1SERVICE", [("INTEGER", "1"), ("KEYWORD", "SERVICE")]),
    ("1.e1 1. .5 -2.5E-3 +7", [("DOUBLE", "1.e1"), ("INTEGER", "1"), ("PUNCT", "."), ("DECIMAL", ".5"),
                                ("DOUBLE", "-2.5E-3"), ("INTEGER", "+7")]),
    ("<2)SERVICE#>", [("IRIREF", "<2)SERVICE#>")]),  # longest match: an IRI reference
    ("?a < ?b", [("VAR", "?a"), ("PUNCT", "<"), ("VAR", "?b")]),
    ("'''a''b''' 'c\\'' \"\"", [("STRING", "'''a''b'''"), ("STRING", "'c\\''"), ("STRING", '""')]),
    ('"x"@en-GB', [("STRING", '"x"'), ("LANGTAG", "@en-GB")]),
    ("_:b.1 _:b. [ ] ( \t)", [("BLANK_NODE_LABEL", "_:b.1"), ("BLANK_NODE_LABEL", "_:b"), ("PUNCT", "."),
                              ("ANON", "[ ]"), ("NIL", "( \t)")]),
    ("$x ?y a # comment SERVICE\n^^ ^ || &&", [("VAR", "$x"), ("VAR", "?y"), ("A", "a"), ("PUNCT", "^^"),
                                                ("PUNCT", "^"), ("PUNCT", "||"), ("PUNCT", "&&")]),
    ("sErViCe \\u0053ERVICE", [("KEYWORD", "sErViCe"), ("KEYWORD", "SERVICE")]),
])  # fmt: skip
def test_terminals(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("SELECT * { ?s ?p 'open }", "at 1:18"),
    ("SELECT * {\n DEFINE }", "at 2:2: 'DEFINE' is not a SPARQL 1.1 keyword"),
    ("SELECT * { A ?p ?o }", "'A' is not a SPARQL 1.1 keyword"),  # only lower-case "a" is rdf:type
    ("SELECT * { ?s ?p \\ }", "backslash"),
    ("SELECT * { ?s ?p '\\q' }", "escape"),
    ("SELECT * { ?s ?p ex:o }", "the prefix ex: is not declared"),
    ("SELECT * { ?s ?p ?o ", "not closed"),
    ("SELECT * { ?s ?p ?o ) }", "closes nothing"),
    ("PREFIX <a> SELECT * {}", "PREFIX needs a prefix name"),
    ("# only a comment", "no query"),
    ("SELECT * { ?s ?p '\\u005Cu0053' }", "spell other"),
    ("SELECT * { FILTER(?a<?b&&?c>?d) }", "put spaces around the operator"),
])  # fmt: skip
def test_text_that_does_not_read_is_400(text: str, message: str) -> None:
    with pytest.raises(QueryError) as raised:
        read(text)
    assert message in raised.value.message


def test_what_the_reading_says() -> None:
    reading = read("BASE <http://a/b/c> PREFIX e: <../d/> PREFIX : <#>\n"
                   "select * from e:g FROM NAMED <x/../y> from :z { ?s ?p ?o } # SERVICE")  # fmt: skip
    assert (reading.form, reading.is_update, reading.has_service) == ("SELECT", False, False)
    assert reading.from_graphs == ("http://a/d/g", "http://a/b/c#z") and reading.from_named == ("http://a/b/y",)
    assert reading.has_base and reading.has_relative_iri
    assert reading.canonical() == ("BASE <http://a/b/c> PREFIX p0: <../d/> PREFIX p1: <#> SELECT * FROM p0:g "
                                   "FROM NAMED <x/../y> FROM p1:z { ?s ?p ?o }")  # fmt: skip
    assert reading.canonical(without_dataset=True).endswith("PREFIX p1: <#> SELECT * { ?s ?p ?o }")
    assert read("PREFIX insert.x: <urn:x#> SELECT * { ?s ?p insert.x:y }").is_update is False
    assert read("PREFIX ex: <urn:ex:> ASK { ?s ex:not.from ex:self.service }").form == "ASK"
    assert read("PREFIX ex: <x:> WITH ex:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").is_update
    assert read("SELECT * { ?s ?p ?o } LIMIT 1 INSERT DATA {}").is_update  # never a query, whatever it is
    assert read("PREFIX a: <x:> INSERT DATA { a:a a:b a:c } ; PREFIX b: <y:> INSERT DATA { b:a b:b b:c }").is_update
    assert read("CONSTRUCT { ?s ?p 'a\\n\"b' } WHERE { FILTER(TRUE) }").canonical() == (
        "CONSTRUCT { ?s ?p \"a\\n\\\"b\" } WHERE { FILTER ( true ) }"
    )


POINT = "SELECT ?p ?o WHERE { <urn:a> ?p ?o }"


@pytest.mark.parametrize(("other", "same"), [
    ("SELECT ?p ?o WHERE { <urn:b> ?p ?o }", True),  # another IRI
    ("PREFIX ex: <urn:ex:> select ?p ?o where {\n<urn:c> ?p ?o } # a comment", True),  # prologue, case, spacing
    ("SELECT ?p ?o WHERE { <urn:a> ?p ?o } LIMIT 10", False),
    ("SELECT ?q ?o WHERE { <urn:a> ?q ?o }", False),  # variables stay: ?s ?p ?s is not ?s ?p ?o
    ("SELECT ?p ?o WHERE { ?x ?p ?o }", False),
    ("ASK { <urn:a> ?p ?o }", False),
])  # fmt: skip
def test_a_template_leaves_out_iris_and_values_only(other: str, same: bool) -> None:
    assert (read(other).template == read(POINT).template) is same


def test_a_template_keeps_prefixed_names_and_leaves_out_literals() -> None:
    labels = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s {{ ?s {} {} }}"
    assert read(labels.format("rdfs:label", '"Uppsala"@sv')).template == read(
        labels.format("rdfs:label", "'Gävle'@sv")).template  # fmt: skip
    assert read(labels.format("rdfs:label", "1")).template == read(labels.format("rdfs:label", "2")).template
    assert read(labels.format("rdfs:label", "1")).template != read(labels.format("rdfs:comment", "1")).template


def test_engine_errors_point_into_the_clients_text(embedded: Flask) -> None:
    query = "PREFIX ex: <urn:x:>  # the store reads one line\nSELECT ?x WHERE {\n  ?x ex:y }"
    response = ask(embedded.test_client(), query)
    assert response.status_code == 400 and "error at 3:" in text_of(response), text_of(response)


def test_resolve_follows_rfc_3986() -> None:
    base = "http://a/b/c/d;p?q"  # the examples of RFC 3986 §5.4
    for reference, expected in [("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("/g", "http://a/g"),
                                ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("#s", "http://a/b/c/d;p?q#s"),
                                ("", "http://a/b/c/d;p?q"), ("..", "http://a/b/"), ("../../../g", "http://a/g"),
                                ("g;x=1/../y", "http://a/b/c/y"), ("urn:x:y", "urn:x:y")]:  # fmt: skip
        assert resolve(base, reference) == expected, reference


# ---------------------------------------------------------------------------------------------------
# regressions: what the word scan got wrong, on every backend


@pytest.fixture()
def listener() -> Iterator[tuple[socket.socket, int]]:
    """A TCP listener on 127.0.0.1 that no request may ever reach."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock, sock.getsockname()[1]
    finally:
        sock.close()


def ssrf_spellings(port: int) -> dict[str, str]:
    here = f"http://127.0.0.1:{port}"
    return {
        "comment-in-iri": f"SELECT * WHERE {{ FILTER(1<2)SERVICE#>\n<{here}/x> {{ ?s ?p ?o }} }}",
        "after-number": f"SELECT * WHERE {{ ?s ?p 1SERVICE <{here}/x> {{ ?s ?p ?o }} }}",
        "escaped-quote-in-name": f"PREFIX ex: <http://example.org/> SELECT * WHERE {{ OPTIONAL {{ ?s ex:a\\' ?o }} "
                                 f"SERVICE <{here}/x> {{ ?s ?p ?o }} FILTER(STR(?z) != 'q') }}",
        # pyoxigraph matches keywords without a word boundary: these two ran SERVICE before the canonical text.
        "prefix-named-service": f"PREFIX : <{here}/> PREFIX service: <urn:x:> SELECT * {{ service:x {{ ?s ?p ?o }} }}",
        "keyword-glued-to-name": f"PREFIX ex: <{here}/> PREFIX SERVICEex: <urn:x:> "
                                 "SELECT * { SERVICEex:x { ?s ?p ?o } }",
        "unicode-escape": f"SELECT * {{ \\u0053ERVICE <{here}/x> {{ ?s ?p ?o }} }}",
    }  # fmt: skip


def test_no_ssrf_spelling_reaches_the_network(client: FlaskClient, listener: tuple[socket.socket, int]) -> None:
    sock, port = listener
    for name, query in ssrf_spellings(port).items():
        for method in ("GET", "FORM", "DIRECT"):
            response = ask(client, query, method)
            assert response.status_code == 400, (name, text_of(response))
        ready, _, _ = select.select([sock], [], [], 0.3)
        assert ready == [], f"{name}: the endpoint (or the store behind it) connected to the listener"


@pytest.mark.parametrize(("query", "accept"), [
    ("PREFIX ex: <urn:ex:> SELECT * WHERE { ?s ?p ?o FILTER(?o != ex:self.service) } LIMIT 1", "text/csv"),
    ("PREFIX insert.x: <urn:x#> SELECT * WHERE { ?s ?p ?o FILTER(?p != insert.x:y) } LIMIT 1", "text/csv"),
    ("PREFIX ask.x: <urn:x#> SELECT * WHERE { ?s ?p ?o FILTER(?p != ask.x:y) } LIMIT 1", "text/csv"),
    ("PREFIX construct.x: <urn:x#> SELECT * WHERE { ?s ?p ?o FILTER(?p != construct.x:y) } LIMIT 1", "text/csv"),
    ("PREFIX select.x: <urn:x#> CONSTRUCT WHERE { ?s select.x:y ?o }", "text/turtle"),
    ("PREFIX select.x: <urn:x#> ASK { ?s ?p ?o FILTER(?p != select.x:y) }", "application/sparql-results+json"),
])  # fmt: skip
def test_names_that_contain_keywords_are_names(client: FlaskClient, query: str, accept: str) -> None:
    response = ask(client, query, accept=accept)
    assert response.status_code == 200, text_of(response)
    assert response.mimetype == accept


def test_a_name_with_from_in_it_keeps_the_default_graph(client: FlaskClient) -> None:
    total = count(client, COUNT_ALL)
    assert total > 1000
    query = "PREFIX ex: <urn:ex:> SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != ex:not.from) }"
    assert count(client, query) == total


@pytest.mark.parametrize("query", [
    "SELECT * { " + "{ " * 5000 + "}" * 5000 + " }",
    "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * { FILTER(" + "!" * 5000 + "true) }",
    "SELECT * { FILTER(" + "1+" * 5000 + "1) }",
    "SELECT * { " + "{} UNION " * 5000 + "{} }",
], ids=["groups", "parentheses", "negations", "sum", "union"])  # fmt: skip
def test_deep_nesting_is_400(client: FlaskClient, query: str) -> None:
    response = ask(client, query, "DIRECT")
    assert response.status_code == 400 and "nested too deeply" in text_of(response)


def test_nesting_below_the_limit_runs(embedded: Flask) -> None:
    client = embedded.test_client()
    depth = MAX_NESTING - 10
    for query in ("SELECT * { " + "{ " * depth + "}" * depth + " }",
                  "SELECT * { FILTER(" + "(" * depth + "true" + ")" * depth + ") }"):  # fmt: skip
        assert ask(client, query, "DIRECT").status_code == 200


def test_nesting_rdflib_cannot_check_is_not_sent_to_a_remote_store(client: FlaskClient, backend: Any) -> None:
    """rdflib's parser, the check before a remote store, gives up at about 24 nested parentheses: 400, never sent."""
    query = "SELECT * { FILTER(" + "(" * 40 + "true" + ")" * 40 + ") }"
    response = ask(client, query, "DIRECT")
    if backend.name == "embedded":
        assert response.status_code == 200, text_of(response)
    else:
        assert response.status_code == 400 and "too deeply to be checked" in text_of(response)


def test_less_than_needs_no_space_where_no_iri_can_be_read(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER(1<2 && 3 > 2) }"
    assert count(client, query) == count(client, COUNT_ALL)


# ---------------------------------------------------------------------------------------------------
# what a remote store is sent


VIRTUOSO_EXTENSIONS = [
    "DEFINE sql:log-enable 2 INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DEFINE sql:log-enable 3 LOAD <http://127.0.0.1:1/x.ttl>",
    "DEFINE input:inference 'x' CLEAR GRAPH <https://w3id.org/oms-ld/graph/data>",
    'DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:1/x> { ?s ?p ?o }',
    "SELECT * { ?s ?p ?o } ; CLEAR GRAPH <https://w3id.org/oms-ld/graph/data>",
    "PREFIX ex: <urn:x:> SELECT * { ?s ?p ?o } LIMIT 1 INSERT DATA { ex:a ex:b ex:c }",
]


@pytest.fixture()
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The query texts a RemoteStore puts on the wire, recorded as they are sent."""
    from oms_ld.store import remote

    texts: list[str] = []
    original = remote.RemoteStore._send

    def record(self: Any, wrapper: Any, limit: float) -> Any:
        texts.append(wrapper.queryString)
        return original(self, wrapper, limit)

    monkeypatch.setattr(remote.RemoteStore, "_send", record)
    return texts


@pytest.mark.parametrize("query", [
    "PREFIX bif: <bif:> SELECT (bif:now() AS ?x) WHERE { }",
    "SELECT * WHERE { BIND(<sql:DB.DBA.f>('x') AS ?x) }",
    "PREFIX bif: <bif:> SELECT * WHERE { ?s ?p ?o FILTER bif:contains(?o, 'x') }",
])  # fmt: skip
def test_engine_procedures_are_not_called(client: FlaskClient, query: str, sent: list[str]) -> None:
    """Virtuoso runs SQL built-ins as bif:… and stored procedures as sql:…; neither is sent (nor known here)."""
    response = ask(client, query)
    assert response.status_code == 400, text_of(response)
    assert sent == []
    cast = "SELECT (<http://www.w3.org/2001/XMLSchema#integer>('7') AS ?x) WHERE { }"
    response = ask(client, cast, accept="text/csv")
    assert response.status_code == 200 and text_of(response).splitlines()[1] == "7", text_of(response)


def test_the_remote_store_is_sent_only_read_only_sparql_11(client: FlaskClient, sent: list[str]) -> None:
    before = count(client, COUNT_ALL)
    for query in VIRTUOSO_EXTENSIONS:
        for method in ("GET", "DIRECT"):
            response = ask(client, query, method)
            assert response.status_code in (400, 403), (query, text_of(response))
    ok = ask(client, "PREFIX ex: <urn:x:> # a comment\nselect ?s { ?s ?p ?o FILTER(?p != ex:p) } limit 1",
             accept="text/csv")  # fmt: skip
    assert ok.status_code == 200, text_of(ok)
    assert count(client, COUNT_ALL) == before
    for text in sent:  # on the embedded store nothing is recorded: it has no wire
        assert not any(word in text.upper() for word in ("DEFINE", "INSERT", "LOAD", "CLEAR", "#"))
    if sent:
        assert "PREFIX p0: <urn:x:> SELECT ?s { ?s ?p ?o FILTER ( ?p != p0:p ) } LIMIT 1" in sent
