"""A remote store that is down, silent or talking nonsense: the client gets a clear 502/504, the log gets a
line, and nothing hangs. Also the Virtuoso answers the RemoteStore evens out, played by a fake server.

The site is built once on the embedded store; each test then puts a RemoteStore aimed at a fake
endpoint in its place (the store failing after start, the common case) with a fresh cache.

Nothing is timed. A failure that needs no waiting is told from one that waited for the store's time
limit by what the site says: 502 "the triple store failed" and its log line, against 504 "did not
answer in time". A request that is never answered fails the test after HANG seconds.
"""

from __future__ import annotations

import itertools
import json
import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oms_ld.errors import QueryError, StoreError, UpdateRefused
from oms_ld.publishing.representation import RepresentationCache
from oms_ld.store import RemoteStore
from oms_ld.store import remote as remote_module

from ..backends import free_port
from ..conftest import GRAPHS
from ..polling import LIMIT as HANG

ROUTES = ["/id/node-city/uppsala", "/doc/node-city/uppsala.ttl", "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D"]
TIMEOUT = 1.0


@dataclass
class Reply:
    """What the fake store answers: status, headers and body (with `trickle`, one byte every `trickle`
    seconds and then spaces for as long as the client listens)."""

    body: bytes = b""
    content_type: str = "application/sparql-results+json"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0


class FakeStore:
    """A loopback HTTP server that answers every request with `reply` and records the request bodies."""

    def __init__(self) -> None:
        self.reply = Reply()
        self.requests: list[dict[str, list[str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server name)
                length = int(self.headers.get("Content-Length", "0"))
                fake.requests.append(urllib.parse.parse_qs(self.rfile.read(length).decode()))
                reply = fake.reply
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if not reply.trickle:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    if not reply.trickle:
                        self.wfile.write(reply.body)
                        return
                    for byte in itertools.chain(reply.body, itertools.repeat(ord(" "))):
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                except OSError:
                    pass  # the client gave up, as it should

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/sparql"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site_app() -> Iterator[Flask]:
    from oms_ld import create_app

    app = create_app({"TESTING": True})
    yield app
    app.extensions["oms_ld"].store.close()


@pytest.fixture()
def fake() -> Iterator[FakeStore]:
    store = FakeStore()
    yield store
    store.close()


def remote_store(url: str, **kwargs: object) -> RemoteStore:
    options: dict[str, object] = {
        "timeout": TIMEOUT,
        "default_graphs": [GRAPHS["data"], GRAPHS["ontology"]],
        "named_graphs": list(GRAPHS.values()),
        "version": "test",
        "max_rows": 10000,
        **kwargs,
    }
    return RemoteStore(url, **options)  # type: ignore[arg-type]


@pytest.fixture()
def aim(site_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], FlaskClient]:
    """Point the site at a remote store at `url` (fresh cache, restored afterwards); return a client."""

    def aim_at(url: str) -> FlaskClient:
        site = site_app.extensions["oms_ld"]
        monkeypatch.setattr(site, "store", remote_store(url))
        monkeypatch.setattr(site, "cache", RepresentationCache())
        return site_app.test_client()

    return aim_at


@pytest.fixture()
def silent() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"


def answer(client: FlaskClient, path: str) -> tuple[int, str]:
    """GET `path`: the status and the text; fails if no answer comes within HANG seconds."""
    out: list[tuple[int, str]] = []

    def get() -> None:
        response = client.get(path, headers={"Accept": "text/turtle, application/sparql-results+json"})
        out.append((response.status_code, response.get_data(as_text=True)))

    thread = threading.Thread(target=get, daemon=True)
    thread.start()
    thread.join(HANG)
    assert out, f"GET {path} got no answer in {HANG:g} s: the site hangs on its store"
    return out[0]


def waited_for_the_store(caplog: pytest.LogCaptureFixture) -> bool:
    """Whether the store's time limit ran out (the remote store logs that it did not answer in time)."""
    return any(f"did not answer within {TIMEOUT:g} s" in line for line in remote_log_lines(caplog))


def remote_log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == remote_module.__name__ and r.levelno >= logging.WARNING]


@pytest.mark.parametrize("path", ROUTES)
def test_store_down_is_a_quick_502(aim, caplog, path: str) -> None:  # type: ignore[no-untyped-def]
    client = aim(f"http://127.0.0.1:{free_port()}/sparql")  # nothing listens there
    status, text = answer(client, path)
    assert status == 502, text
    assert "the triple store failed (reference " in text and "Traceback" not in text
    assert "127.0.0.1" not in text  # the store's URL is for the log only
    assert any("cannot reach" in line for line in remote_log_lines(caplog))
    assert not waited_for_the_store(caplog)  # refused at once, not a wait for the time limit


@pytest.mark.parametrize("path", ROUTES)
def test_silent_store_is_a_504_at_the_time_limit(aim, silent: str, caplog, path: str) -> None:  # type: ignore[no-untyped-def]
    status, text = answer(aim(silent), path)  # the silent store never answers: only the time limit ends this
    assert status == 504, text
    assert "the triple store did not answer in time (reference " in text
    assert waited_for_the_store(caplog)


def test_an_answer_that_never_ends_is_cut_at_the_time_limit(aim, fake: FakeStore, caplog) -> None:  # type: ignore[no-untyped-def]
    fake.reply = Reply(body=b'{"head":{"vars":["s"]},"results":{"bindings":[', trickle=0.05)  # then spaces
    status, text = answer(aim(fake.url), ROUTES[2])  # only the time limit ends this
    assert status == 504, text
    assert "the triple store did not answer in time (reference " in text
    assert remote_log_lines(caplog)


BROKEN = {
    "garbage-json": Reply(b"{this is not json", "application/sparql-results+json"),
    "html-page-200": Reply(b"<html><body>Service temporarily moved</body></html>", "text/html"),
    "no-content-type": Reply(b"hello", ""),
    "server-error-500": Reply(b"Internal error", "text/plain", status=500),
    "bad-gateway-502": Reply(b"proxy says no", "text/plain", status=502),
    "truncated-turtle": Reply(b"<http://a> <http://b> ", "text/turtle"),
}


@pytest.mark.parametrize("reply", BROKEN.values(), ids=BROKEN)
@pytest.mark.parametrize("path", ROUTES)
def test_malformed_answer_is_a_quick_502(aim, fake: FakeStore, caplog, reply: Reply, path: str) -> None:  # type: ignore[no-untyped-def]
    fake.reply = reply
    status, text = answer(aim(fake.url), path)
    assert status == 502, text
    assert "triple store" in text and "Traceback" not in text
    assert remote_log_lines(caplog) and not waited_for_the_store(caplog)


def test_a_table_for_a_construct_is_a_502(aim, fake: FakeStore, caplog) -> None:  # type: ignore[no-untyped-def]
    """Asked "results first", Virtuoso answers CONSTRUCT with a ?s ?p ?o table; never read that as "no triples"."""
    fake.reply = Reply(b'{"head":{"vars":["s","p","o"]},"results":{"bindings":[]}}')
    status, text = answer(aim(fake.url), ROUTES[1])
    assert status == 502 and "the triple store failed" in text
    assert any("answered a CONSTRUCT with application/sparql-results+json" in x for x in remote_log_lines(caplog))


def test_a_non_http_answer_is_a_502(aim, caplog) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)

        def babble() -> None:
            conn, _ = sock.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")

        threading.Thread(target=babble, daemon=True).start()
        status, text = answer(aim(f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"), ROUTES[1])
    assert status == 502, text
    assert remote_log_lines(caplog) and not waited_for_the_store(caplog)


def test_a_store_that_cut_the_result_is_refused(aim, fake: FakeStore) -> None:  # type: ignore[no-untyped-def]
    """Virtuoso truncates at ResultSetMaxRows and says so only in a header: never pass a cut result on."""
    fake.reply = Reply(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}', headers={"X-SPARQL-MaxRows": "100"})
    status, text = answer(aim(fake.url), ROUTES[2])
    assert status == 400 and "add a LIMIT" in text


def test_the_store_stopping_a_query_at_its_limit_is_503(aim, fake: FakeStore) -> None:  # type: ignore[no-untyped-def]
    fake.reply = Reply(b"Virtuoso S1T00 Error SR171: Transaction timed out\n\nSPARQL query:\nSELECT", "text/plain", 500)
    status, text = answer(aim(fake.url), ROUTES[2])
    assert status == 503 and "time limit" in text and "SPARQL query" not in text


def test_the_store_rejecting_a_query_is_400_with_its_message(aim, fake: FakeStore) -> None:  # type: ignore[no-untyped-def]
    fake.reply = Reply(b"Virtuoso 37000 Error SP030: syntax error at 'x'\n\nSPARQL query:\nSELECT x", "text/plain", 400)
    status, text = answer(aim(fake.url), ROUTES[2])
    assert status == 400 and "SP030: syntax error at 'x'" in text and "SPARQL query:" not in text


# --- What the RemoteStore sends, and the Virtuoso answers it evens out (no Virtuoso needed here).


def test_only_the_query_operation_is_ever_sent(fake: FakeStore) -> None:
    """SPARQLWrapper would route text that looks like an update to `update=`; this store sends no update at all."""
    fake.reply = Reply(b"bad", "text/plain", 400)
    store = remote_store(fake.url)
    for text in ("INSERT DATA { <a> <b> <c> }", "DROP ALL", "PREFIX x: <y:> DELETE WHERE { ?s ?p ?o }"):
        with pytest.raises(UpdateRefused, match="read-only"):
            store.query(text)
    with pytest.raises(QueryError, match="syntax error"):
        store.query("???")
    assert fake.requests == []  # refused by the grammar before anything is sent
    with pytest.raises(QueryError, match="syntax error"):
        store.query("SELECT * { ?s ?p ?o", timeout=1)
    assert fake.requests == []


def test_the_service_dataset_is_sent_unless_the_query_has_from(fake: FakeStore) -> None:
    fake.reply = Reply(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}')
    store = remote_store(fake.url)
    store.query("SELECT * { ?s ?p ?o }")
    store.query("SELECT * FROM <http://example.org/g> { ?s ?p ?o }")
    store.query("SELECT * FROM <http://example.org/g> { ?s ?p ?o }", default_graphs=[GRAPHS["shapes"]])
    ours, own, protocol = fake.requests
    assert ours["default-graph-uri"] == [GRAPHS["data"], GRAPHS["ontology"]]
    assert set(ours["named-graph-uri"]) == set(GRAPHS.values())  # else Virtuoso's system graphs show
    assert "default-graph-uri" not in own and "named-graph-uri" not in own
    assert protocol["default-graph-uri"] == [GRAPHS["shapes"]]
    assert protocol["query"][0] == ours["query"][0] == "SELECT * { ?s ?p ?o }"  # the FROM clause is left out


def test_relative_iris_get_the_endpoint_base_unless_the_query_has_one(fake: FakeStore) -> None:
    fake.reply = Reply(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}')
    store = remote_store(fake.url, base_iri="https://w3id.org/oms-ld/sparql")
    store.query("SELECT * { <s> ?p ?o }")
    store.query("BASE <http://example.org/> SELECT * { <s> ?p ?o }")
    store.query("SELECT * { <http://example.org/s> ?p '<s>' }")
    relative, own_base, absolute = (sent["query"][0] for sent in fake.requests)
    assert relative.startswith("BASE <https://w3id.org/oms-ld/sparql>\n")
    assert own_base.count("BASE") == 1 and not absolute.startswith("BASE")


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"head":{"vars":["__ASK_RETVAL"]},"results":{"bindings":[{"__ASK_RETVAL":{"type":"typed-literal",'
     b'"datatype":"http://www.w3.org/2001/XMLSchema#integer","value":"1"}}]}}', True),
    (b'{"head":{"vars":["__ASK_RETVAL"]},"results":{"bindings":[]}}', False),
    (b'{"head":{},"boolean":true}', True),
])  # fmt: skip
def test_ask_answered_as_a_table(fake: FakeStore, body: bytes, expected: bool) -> None:
    fake.reply = Reply(body)
    assert bool(remote_store(fake.url).query("ASK { ?s ?p ?o }").boolean) is expected


def test_virtuoso_blank_nodes_and_geometries_are_made_standard(fake: FakeStore) -> None:
    bindings = [{"b": {"type": "bnode", "value": "nodeID://b10078"},
                 "w": {"type": "typed-literal", "datatype": "http://www.openlinksw.com/schemas/virtrdf#Geometry",
                       "value": "POINT(17.641000747681 59.859001159668)"}}]  # fmt: skip
    fake.reply = Reply(json.dumps({"head": {"vars": ["b", "w"]}, "results": {"bindings": bindings}}).encode())
    solutions = remote_store(fake.url).query("SELECT * { ?b ?p ?w }").solutions
    assert solutions is not None
    ((blank, wkt),) = [(row["b"], row["w"]) for row in solutions]
    assert blank.value == "b10078"
    assert wkt.value == "POINT(17.641 59.859)" and wkt.datatype.value.endswith("geosparql#wktLiteral")
    geometry = b"<http://www.openlinksw.com/schemas/virtrdf#Geometry>"
    line = b'<http://a> <http://b> "POINT(15.625 58.409999847412)"^^' + geometry + b" .\n"
    fake.reply = Reply(line, "application/n-triples")
    triples = remote_store(fake.url).query("CONSTRUCT WHERE { ?s ?p ?o }").triples
    assert triples is not None
    assert str(triples[0].object) == '"POINT(15.625 58.41)"^^<http://www.opengis.net/ont/geosparql#wktLiteral>'


def test_row_limit_applies_to_untrusted_queries_only(fake: FakeStore) -> None:
    rows = [{"s": {"type": "uri", "value": f"http://example.org/{i}"}} for i in range(6)]
    fake.reply = Reply(json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}}).encode())
    store = remote_store(fake.url, max_rows=5)
    with pytest.raises(QueryError, match="more than 5 rows"):
        store.query("SELECT * { ?s ?p ?o }", timeout=1)
    solutions = store.query("SELECT * { ?s ?p ?o }").solutions  # the site's own queries are trusted
    assert solutions is not None and len(list(solutions)) == 6


def test_an_oversized_answer_is_refused(fake: FakeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote_module, "MAX_ANSWER_BYTES", 1000)
    fake.reply = Reply(b'{"head":{"vars":["s"]},"results":{"bindings":[' + b" " * 200_000 + b"]}}")
    with pytest.raises(StoreError, match="larger than"):
        remote_store(fake.url).query("SELECT * { ?s ?p ?o }")


def test_the_app_starts_while_the_store_is_down(caplog: pytest.LogCaptureFixture) -> None:
    """The app starts (the dataset description waits for the store), and answers 502 meanwhile."""
    from oms_ld import create_app

    app = create_app({"TESTING": True, "SPARQL_ENDPOINT": f"http://127.0.0.1:{free_port()}/sparql"})
    assert "does not answer at start" in caplog.text
    client = app.test_client()
    assert client.get(ROUTES[0]).status_code == 502
    assert client.get("/.well-known/void").status_code == 502
