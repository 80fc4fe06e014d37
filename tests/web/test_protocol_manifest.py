"""The W3C SPARQL 1.1 Protocol test suite, driven by its manifest, against a real HTTP server.

Every `mf:ProtocolTest` in `w3c-sparql11-tests/protocol/manifest.ttl` becomes one pytest case. Its
`ht:Request`s are sent as written (method, path, headers, body bytes in the stated encoding) with
http.client, and each `ht:resp` expectation (status class, result format, boolean) is checked.

The endpoint is read-only, so the 7 tests that expect an update to succeed are turned round: the
update must be refused with 4xx, the follow-up ASK must answer the opposite of what an executed
update would give, and a snapshot of every graph must be unchanged afterwards.
"""

from __future__ import annotations

import csv
import functools
import http.client
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection

from ..conftest import REFERENCE
from ..live import serve

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
MANIFEST = Path("w3c-sparql11-tests") / "protocol" / "manifest.ttl"
#: The manifest says every path starts with /sparql/; ours is /sparql.
PREFIX, ENDPOINT = "/sparql/", "/sparql"

BOOLEAN_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                 "application/sparql-results+xml": ox.QueryResultsFormat.XML}  # fmt: skip
#: CSV maps to None: pyoxigraph does not parse it (lossy), the csv module reads it.
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/csv": None, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
             "application/n-triples": ox.RdfFormat.N_TRIPLES, "application/ld+json": ox.RdfFormat.JSON_LD}  # fmt: skip


@dataclass(frozen=True)
class Expect:
    """What one response must be (from its `ht:resp`)."""

    statuses: frozenset[int]  # status classes: 2, 3, 4
    format: str | None  # "boolean", "tabular", "RDF"
    boolean: bool | None


@dataclass(frozen=True)
class Step:
    """One `ht:Request` of a test, ready to send."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expect: Expect

    @property
    def is_update(self) -> bool:
        """True for a SPARQL Update request (direct, form body or URL parameter)."""
        content_type = dict((k.lower(), v) for k, v in self.headers).get("content-type", "")
        params = parse_qsl(urlsplit(self.path).query)
        if content_type.startswith("application/x-www-form-urlencoded") and self.body:
            params += parse_qsl(self.body.decode("utf-8"))
        return content_type.startswith("application/sparql-update") or any(n == "update" for n, _ in params)


@dataclass(frozen=True)
class ProtocolTest:
    """One `mf:ProtocolTest`: its local name, label and requests in order."""

    id: str
    name: str
    steps: tuple[Step, ...]

    @property
    def expects_update(self) -> bool:
        """True when the test expects an update to succeed: the read-only endpoint must refuse it."""
        return any(step.is_update and 2 in step.expect.statuses for step in self.steps)


@dataclass(frozen=True)
class Manifest:
    """The protocol tests in manifest order, and the data graphs they need."""

    tests: tuple[ProtocolTest, ...]
    #: Graph IRI → data file, from every test's `ut:graphData` (`ut:graph` file, `rdfs:label` IRI).
    graphs: dict[str, str]


def _list(graph: rdflib.Graph, node: Any) -> list[Any]:
    return list(Collection(graph, node)) if node is not None else []


def _step(graph: rdflib.Graph, node: Any) -> Step:
    path = str(graph.value(node, HT.absolutePath))
    assert path.startswith(PREFIX), path
    headers = tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in _list(graph, graph.value(node, HT.headers))
    )
    body_node = graph.value(node, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    resp = graph.value(node, HT.resp)
    classes = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4, HTS.StatusCode5xx: 5}
    boolean = graph.value(resp, MF.expectedBoolean)
    expected_format = graph.value(resp, MF.expectedFormat)
    expect = Expect(
        statuses=frozenset(classes[s] for s in graph.objects(resp, MF.expectedStatus)),  # type: ignore[index]
        format=None if expected_format is None else str(expected_format),
        boolean=None if boolean is None else bool(boolean.toPython()),
    )
    # "/sparql/?query=…" → "/sparql?query=…", "/sparql/" → "/sparql" (every path is "/sparql/" + "" or "?…").
    rest = path[len(PREFIX) :]
    assert rest == "" or rest.startswith("?"), path
    return Step(str(graph.value(node, HT.methodName)), ENDPOINT + rest, headers, body, expect)


@functools.cache
def load_manifest(path: Path) -> Manifest:
    """Every mf:ProtocolTest of the manifest, in the order of its mf:entries."""
    graph = rdflib.Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in _list(graph, graph.value(manifest, MF.entries)):
        if (entry, RDF.type, MF.ProtocolTest) not in graph:
            continue
        action = graph.value(entry, MF.action)
        steps = tuple(_step(graph, r) for r in _list(graph, graph.value(action, HT.requests)))
        tests.append(ProtocolTest(str(entry).rsplit("#", 1)[-1], str(graph.value(entry, MF.name)), steps))
    graphs = {
        str(graph.value(data, RDFS.label)): str(path.parent / str(graph.value(data, UT.graph)).rsplit("/", 1)[-1])
        for data in graph.objects(None, UT.graphData)
    }
    return Manifest(tuple(tests), graphs)


def _ids() -> list[str]:
    """The test ids, read at collection time (none when the reference folder is missing: see below)."""
    path = REFERENCE / MANIFEST
    return [t.id for t in load_manifest(path).tests] if path.is_file() else []


# ---------------------------------------------------------------------------------------------------
# A real HTTP server over an app with the manifest's data graphs loaded as extra named graphs.


@pytest.fixture(scope="module")
def manifest(reference: Path) -> Manifest:
    return load_manifest(reference / MANIFEST)


@pytest.fixture(scope="module")
def server(manifest: Manifest) -> Iterator[tuple[str, int]]:
    """(host, port) of a threaded werkzeug server running the app with the test data graphs."""
    from oms_ld import create_app

    app = create_app({"TESTING": True, "EXTRA_GRAPHS": manifest.graphs})
    with serve(app) as url:
        host, port = url.removeprefix("http://").split(":")
        yield host, int(port)
    app.extensions["oms_ld"].store.close()


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def send(server: tuple[str, int], step: Step) -> Answer:
    """Send one request exactly as the manifest gives it (no Accept: the tests send none)."""
    conn = http.client.HTTPConnection(*server, timeout=30)
    try:
        conn.request(step.method, step.path, body=step.body, headers=dict(step.headers))
        response = conn.getresponse()
        body = response.read()
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        return Answer(response.status, content_type, body)
    finally:
        conn.close()


def check(answer: Answer, expect: Expect, *, negate_boolean: bool = False) -> None:
    """Assert the status class, the format (by Content-Type, and the body parses) and the boolean."""
    assert answer.status // 100 in expect.statuses, (answer.status, answer.body[:500])
    if expect.format == "boolean":
        assert answer.content_type in BOOLEAN_TYPES, answer.content_type
        result = ox.parse_query_results(answer.body, BOOLEAN_TYPES[answer.content_type])
        assert isinstance(result, ox.QueryBoolean)
        if expect.boolean is not None:
            assert bool(result) is (expect.boolean ^ negate_boolean)
    elif expect.format == "tabular":
        assert answer.content_type in TABULAR_TYPES, answer.content_type
        results_format = TABULAR_TYPES[answer.content_type]
        if results_format is None:
            assert next(csv.reader(io.StringIO(answer.body.decode("utf-8"))))  # a header row of variables
        else:
            result = ox.parse_query_results(answer.body, results_format)
            assert isinstance(result, ox.QuerySolutions)
            list(result)
    elif expect.format == "RDF":
        assert answer.content_type in RDF_TYPES, answer.content_type
        list(ox.parse(answer.body, RDF_TYPES[answer.content_type]))
    else:
        assert expect.format is None, expect.format


SNAPSHOT = Step(
    "POST",
    ENDPOINT,
    (("Content-Type", "application/sparql-query"), ("Accept", "text/tab-separated-values")),
    b"SELECT ?g (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ORDER BY ?g",
    Expect(frozenset({2}), "tabular", None),
)


def snapshot(server: tuple[str, int]) -> dict[str, int]:
    """Triples in the default graph (key "") and in every named graph, as the endpoint counts them."""
    answer = send(server, SNAPSHOT)
    check(answer, SNAPSHOT.expect)
    result = ox.parse_query_results(answer.body, ox.QueryResultsFormat.TSV)
    assert isinstance(result, ox.QuerySolutions)
    counts = {row["g"].value if row["g"] else "": int(row["n"].value) for row in result}
    assert counts[""] > 1000 and len(counts) >= 7  # the published data and the 3 test graphs are there
    return counts


# ---------------------------------------------------------------------------------------------------


def test_manifest_has_34_protocol_tests(manifest: Manifest) -> None:
    assert len(manifest.tests) == 34
    assert len({t.id for t in manifest.tests}) == 34
    assert sum(t.expects_update for t in manifest.tests) == 7
    assert set(manifest.graphs) == {f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3)}
    assert all(Path(f).is_file() for f in manifest.graphs.values())
    assert all(step.path.startswith(ENDPOINT) and not step.path.startswith(PREFIX)
               for t in manifest.tests for step in t.steps)  # fmt: skip


@pytest.mark.parametrize("test_id", _ids())
def test_protocol(test_id: str, manifest: Manifest, server: tuple[str, int]) -> None:
    """Run the test's requests in order; whatever they are, the data the endpoint serves never changes."""
    test = next(t for t in manifest.tests if t.id == test_id)
    before = snapshot(server)
    for step in test.steps:
        answer = send(server, step)
        if test.expects_update and step.is_update:
            # Read-only endpoint: refused, never executed ...
            assert 400 <= answer.status < 500, (answer.status, answer.body[:500])
        else:
            # ... so the follow-up ASK of such a test finds none of the update's effects.
            check(answer, step.expect, negate_boolean=test.expects_update)
    assert snapshot(server) == before
