"""Query processes: what they hold (descriptors, network, memory), what they answer, and capacity.

These run on the embedded store only: the query processes are its own (store/pool.py, confine.py).
Nothing is timed: "at once" is an answer that comes while the processes are still busy with queries
that only their time limit can end, and "stopped at the limit" is the limit's own error or signal.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from oms_ld import create_app
from oms_ld.errors import QueryRefused, ResultTooLarge
from oms_ld.publishing.representation import Representation, RepresentationCache
from oms_ld.store import EmbeddedStore, confine
from oms_ld.web.errors import status_of

from ..polling import LIMIT as HANG
from ..polling import wait_until

#: A cross join over the data that runs far past any time limit.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = {"Accept": "application/sparql-results+json"}
#: Long in CPU but flat in memory: it reads no store (on a disk store, HEAVY's nested scans allocate
#: as they go and can meet the memory budget before the time limit).
SPIN = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?{v} {{ {' '.join(str(i) for i in range(200))} }}" for v in "abcd") + " }"


def doubled(var: str, start: str, times: int) -> str:
    """BINDs that make ?{var}{times} the string `start` doubled `times` times."""
    binds = "".join(f"BIND(CONCAT(?{var}{i}, ?{var}{i}) AS ?{var}{i + 1}) " for i in range(times))
    return f'BIND("{start}" AS ?{var}0) {binds}'


#: 10,000 rows of 10 KiB each: a 100 MB answer.
HUNDRED_MB = "SELECT ?a ?b ?s10 {{ VALUES ?a {{ {v} }} VALUES ?b {{ {v} }} {binds} }}".format(
    v=" ".join(map(str, range(100))), binds=doubled("s", "aaaaaaaaaa", 10)
)


def make_app(**config: Any) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "QUERY_TIMEOUT": 3, **config})
    yield app
    app.extensions["oms_ld"].store.close()


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    # No queue and no express lane here: a query that finds both processes busy gets its 503 at once (the
    # queue and the lane have tests of their own).
    yield from make_app(QUERY_PROCESSES=2, QUERY_QUEUE=0, QUERY_EXPRESS_PROCESSES=0, MAX_RESULT_BYTES=5_000_000,
                        QUERY_MEMORY_BYTES=256 << 20)


def store_of(app: Flask) -> EmbeddedStore:
    store = app.extensions["oms_ld"].store
    assert isinstance(store, EmbeddedStore)
    return store


def descriptors(pid: int) -> dict[int, str]:
    """What each open descriptor of `pid` points at."""
    fds = {}
    for name in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(FileNotFoundError):  # closed meanwhile
            fds[int(name)] = os.readlink(f"/proc/{pid}/fd/{name}")
    return fds


def test_a_query_process_holds_only_its_pipe(app: Flask) -> None:
    """Sockets the worker has open when it forks (a client's, the listener) are not in the child."""
    store = store_of(app)
    store.close()  # the next query forks a new child, while these are open
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        ours = {os.readlink(f"/proc/self/fd/{sock.fileno()}") for sock in (client, accepted, listener)}
        store.query("ASK {}", timeout=5)
        (pid,) = store._pool.pids()
        held = descriptors(pid)
        with open(f"/proc/{pid}/status", encoding="ascii") as file:
            status = file.read()
    finally:
        for sock in (client, accepted, listener):
            sock.close()
    assert held[0] == held[1] == os.devnull
    rest = {fd: target for fd, target in held.items() if fd > 2}
    # Its own pipe, and the files of the release store it opened itself, read-only, after the close.
    assert store.path is not None
    pipes = [target for target in rest.values() if target.startswith("socket:")]
    assert len(pipes) == 1, held
    assert all(t.startswith(f"{store.path}/") for t in rest.values() if not t.startswith("socket:")), held
    assert not ours & set(held.values())
    assert "Seccomp:\t2" in status  # a seccomp filter is in force
    assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + confine.NICENESS


def test_service_reaching_the_engine_makes_no_connection(app: Flask) -> None:
    """Past the endpoint's SERVICE refusal, the engine still cannot connect: an error at once, no hang."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connections.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        for host in ("127.0.0.1", "localhost"):
            # Refused, not a QueryTimeout after 10 s of a connection that hangs.
            with pytest.raises(QueryRefused):
                store_of(app).query(f"SELECT * {{ SERVICE <http://{host}:{port}/sparql> {{ ?s ?p ?o }} }}", timeout=10)
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert connections == []


@pytest.mark.parametrize(
    ("query", "accept", "status"),
    [
        ("SELECT (<http://example.org/f>(1) AS ?x) {}", JSON, 400),  # unknown function
        # RDF 1.2 triple terms are not SPARQL 1.1: the grammar refuses them before any engine runs.
        ("CONSTRUCT { ?s ?p <<( ?s ?p ?o )>> } WHERE { ?s ?p ?o } LIMIT 1", {"Accept": "application/ld+json"}, 400),
        (f"SELECT (STRLEN(?l22) AS ?n) {{ {doubled('l', 'aaaaaaaa', 22)} }}", JSON, 200),  # 32 MiB, not sent
        (f"SELECT ?l22 {{ {doubled('l', 'aaaaaaaa', 22)} }}", JSON, 400),  # one 32 MiB literal: over the cap
        (f"SELECT (STRLEN(?l26) AS ?n) {{ {doubled('l', 'aaaaaaaa', 26)} }}", JSON, 400),  # 512 MiB: over memory
        ("SELECT * WHERE { ?s ?p }", JSON, 400),
    ],
)
def test_client_faults_are_4xx(app: Flask, query: str, accept: dict[str, str], status: int) -> None:
    response = app.test_client().get("/sparql", query_string={"query": query}, headers=accept)
    assert response.status_code == status, response.text
    assert app.test_client().get("/sparql", query_string={"query": "ASK {}"}, headers=JSON).status_code == 200


def test_an_engine_memory_error_is_a_4xx_not_a_500(app: Flask) -> None:
    """Each of the 16 MiB parser limit and the process's memory limit comes back as ResultTooLarge."""
    store = store_of(app)
    with pytest.raises(ResultTooLarge):
        store.query(f"SELECT (STRLEN(?l26) AS ?n) {{ {doubled('l', 'aaaaaaaa', 26)} }}", timeout=10)
    assert store.query("ASK {}", timeout=5).boolean is not None


def test_an_answer_over_the_byte_cap_is_refused_whole(app: Flask) -> None:
    response = app.test_client().get("/sparql", query_string={"query": HUNDRED_MB}, headers=JSON)
    assert response.status_code == 400
    assert "over the limit of 5000000 bytes" in response.text


def test_the_answer_is_written_in_the_asked_format_by_the_child(app: Flask) -> None:
    """The store returns final bytes for the asked media type; the view does not re-serialize."""
    from oms_ld.rdf.formats import RESULTS_CSV, TURTLE

    rows = store_of(app).query("SELECT ?x { VALUES ?x { 1 2 } }", timeout=5, media_type=RESULTS_CSV)
    assert rows.encoded == (RESULTS_CSV, b"x\r\n1\r\n2\r\n")
    graph = store_of(app).query("CONSTRUCT { <http://a> <http://b> 1 } {}", timeout=5, media_type=TURTLE)
    assert graph.encoded is not None and b"<http://a> <http://b> 1 ." in graph.encoded[1]


def test_children_are_replaced_after_max_queries() -> None:
    for app in make_app(QUERY_PROCESSES=1, QUERY_PROCESS_MAX_QUERIES=2):
        store = store_of(app)
        seen = []
        for _ in range(4):
            store.query("ASK {}", timeout=5)
            seen.append(tuple(store._pool.pids()))
        assert seen[0] and seen[1] == () and seen[2] and seen[2] != seen[0]


#: What a test child keeps between requests (in the child's own copy of this module).
_HELD: list[bytes] = []


def _hoard(request: Any, write: Any) -> str:
    """A child's work that keeps `request` bytes of touched memory alive, then answers `false`."""
    _HELD.append(b"x" * int(request))
    write(b"false")
    return "boolean"


def test_children_are_replaced_when_their_memory_grows_not_by_count() -> None:
    from oms_ld.store.pool import QueryPool

    pool = QueryPool(_hoard, size=1, max_bytes=1000, memory_budget=1 << 30, recycle_memory=32 << 20)
    try:
        pool.run(1000, timeout=5)
        first = pool.pids()
        for _ in range(5):  # small answers, flat memory: the same process answers on
            pool.run(1000, timeout=5)
        assert pool.pids() == first and first
        pool.run(48 << 20, timeout=5)  # its heap now holds 48 MiB more than at birth: replaced
        assert pool.pids() == []
        pool.run(1000, timeout=5)
        assert pool.pids() and pool.pids() != first
    finally:
        pool.close()


def test_a_full_pool_answers_503_at_once_and_pages_still_answer(app: Flask) -> None:
    pool = store_of(app)._pool
    # Each its own text: the same query asked at once would share one run (and one process).
    heavy = [{"query_string": {"query": f"{HEAVY} # {n}"}, "headers": JSON} for n in range(pool.size)]
    busy = [threading.Thread(target=app.test_client().get, args=("/sparql",), kwargs=kw) for kw in heavy]
    for thread in busy:
        thread.start()
    wait_until(lambda: pool.admission.free["regular"] == 0, "every query process busy with HEAVY", every=0.01)
    try:
        # HEAVY ends only at the 3 s limit: answers that come while both still run did not wait for a process.
        refused = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p 503 }"}, headers=JSON)
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) >= 1
        assert all(t.is_alive() for t in busy), "the 503 came only after a heavy query ended"
        assert app.test_client().get("/", headers={"Accept": "text/html"}).status_code == 200
        assert all(t.is_alive() for t in busy), "the page came only after a heavy query ended"
    finally:
        for thread in busy:
            thread.join()


#: About 3.4 million solutions counted: a second or so of engine time, far inside the 10 s limit.
SECOND = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?{v} {{ {' '.join(str(i) for i in range(150))} }}" for v in "abc") + " }"


def test_concurrent_askings_of_one_query_share_one_run() -> None:
    """One process and no queue: a second asking while the first runs would be a 503 (the pool is full),
    but it waits for the first's answer instead, so both get it and the process ran the query once."""
    for app in make_app(QUERY_PROCESSES=1, QUERY_QUEUE=0, QUERY_TIMEOUT=10):
        pool = store_of(app)._pool
        assert app.test_client().get("/sparql", query_string={"query": "ASK {}"}, headers=JSON).status_code == 200
        (child,) = pool._idle
        ran = child.answered
        answers: list[tuple[int, bytes]] = []

        def ask(app: Flask = app, out: list[tuple[int, bytes]] = answers) -> None:
            answer = app.test_client().get("/sparql", query_string={"query": SECOND}, headers=JSON)
            out.append((answer.status_code, answer.data))

        first = threading.Thread(target=ask)
        first.start()
        wait_until(lambda pool=pool: pool.admission.free["regular"] == 0, "the query process busy", every=0.001)
        ask()  # while the first still runs (it takes about a second)
        first.join(HANG)
        assert [status for status, _ in answers] == [200, 200], answers
        assert answers[0][1] == answers[1][1] and b'"3375000"' in answers[0][1]
        assert child.answered == ran + 1  # one run for both
        third = app.test_client().get("/sparql", query_string={"query": SECOND}, headers=JSON)
        assert third.data == answers[0][1] and child.answered == ran + 1  # asked again, so it was kept


def test_the_representation_cache_is_bounded_by_bytes() -> None:
    from datetime import UTC, datetime

    cache = RepresentationCache(max_bytes=10_000)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(10):
        cache.put(("k", str(i)), Representation(b"x" * 1000, "text/plain", f'"{i}"', when))
    assert cache.size <= 10_000
    assert cache.peek(("k", "9")) is not None and cache.peek(("k", "0")) is None
    cache.put(("big",), Representation(b"x" * 20_000, "text/plain", '"b"', when))
    assert cache.peek(("big",)) is None


def test_a_bounded_queue_waits_briefly_for_a_process_then_answers_503_at_once() -> None:
    """One process busy: the next query waits (queue of one) and is answered when it frees; the one after
    that finds the queue full and gets its 503 at once."""
    for app in make_app(QUERY_PROCESSES=1, QUERY_QUEUE=1, QUERY_QUEUE_WAIT=5, QUERY_TIMEOUT=2):
        pool = store_of(app)._pool
        assert app.test_client().get("/sparql", query_string={"query": "ASK {}"}, headers=JSON).status_code == 200
        #: The order in which answers came: (which, status).
        answers: list[tuple[str, int]] = []

        def ask(which: str, query: str, client: Any, out: list[tuple[str, int]] = answers) -> None:
            out.append((which, client.get("/sparql", query_string={"query": query}, headers=JSON).status_code))

        slow = threading.Thread(target=ask, args=("slow", SPIN, app.test_client()))  # ends only at the 2 s limit
        slow.start()
        wait_until(lambda pool=pool: pool.admission.free["regular"] == 0, "the process busy with SPIN", every=0.01)
        second = threading.Thread(target=ask, args=("queued", "ASK { ?s ?p 1 }", app.test_client()))
        second.start()
        wait_until(lambda pool=pool: pool.admission.waiting >= 1, "the second query waiting in the queue", every=0.01)
        third = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p 2 }"}, headers=JSON)
        assert third.status_code == 503, third.text
        assert answers == [], f"the full queue's 503 came only after {answers}"  # at once: both still wait
        second.join(HANG)
        slow.join(HANG)
        # The slow query stopped at its limit; the queued one (QUEUE_WAIT 5 s > the limit) was then served.
        assert sorted(answers) == [("queued", 200), ("slow", 503)], answers


def test_without_seccomp_queries_are_refused_loudly(monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    """No confinement, no untrusted query: 503 and an error in the log; pages keep working."""
    from oms_ld.store import confine

    for app in make_app(QUERY_PROCESSES=1):
        monkeypatch.setattr(confine, "available", lambda: "seccomp is not available (test)")
        client = app.test_client()
        refused = client.get("/sparql", query_string={"query": "ASK { ?s ?p 70 }"}, headers=JSON)
        assert refused.status_code == 503 and "seccomp is not available" in refused.text
        assert any(r.levelname == "ERROR" and "refused" in r.getMessage() for r in caplog.records)
        assert client.get("/", headers={"Accept": "text/html"}).status_code == 200


def test_a_child_that_cannot_confine_itself_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from oms_ld.errors import SandboxUnavailable
    from oms_ld.store import confine

    def fail(keep: Any, memory_budget: int, reopen: Any = None) -> None:
        raise OSError("seccomp_load failed (test)")

    for app in make_app(QUERY_PROCESSES=1):
        monkeypatch.setattr(confine, "confine", fail)  # inherited by the fork
        with pytest.raises(SandboxUnavailable, match="seccomp_load failed"):
            store_of(app).query("ASK { ?s ?p 71 }", timeout=5)


@pytest.fixture(scope="module")
def default_store() -> Iterator[EmbeddedStore]:
    for app in make_app():
        yield store_of(app)


@pytest.mark.parametrize(
    ("query", "mime", "error"),
    [
        ("SELECT (<http://example.org/f>(1) AS ?x) {}", "application/sparql-results+json", "QueryError"),
        ("SELECT * { SERVICE ?s { ?a ?b ?c } }", "application/sparql-results+json", "QueryRefused"),
        ("CONSTRUCT { ?s ?p <<( ?s ?p ?o )>> } WHERE { ?s ?p ?o } LIMIT 1", "application/ld+json", "QueryError"),
        (f"SELECT ?l22 {{ {doubled('l', 'aaaaaaaa', 22)} }}", "application/sparql-results+json", "ResultTooLarge"),
        ("SELECT * WHERE { ?s ?p }", "application/sparql-results+json", "QueryError"),
    ],
)
def test_the_engine_s_client_errors_are_the_client_s(default_store: EmbeddedStore, query: str, mime: str,
                                                     error: str) -> None:  # fmt: skip
    """Straight to the store (past the endpoint's own refusals): 400/406 errors, never 5xx."""
    from oms_ld.errors import OmsLdError
    from oms_ld.rdf.formats import BY_MIME

    with pytest.raises(OmsLdError) as caught:
        default_store.query(query, timeout=10, media_type=BY_MIME[mime])
    assert type(caught.value).__name__ == error and status_of(caught.value) < 500, caught.value.message


def test_a_32_mib_value_can_still_be_had_as_tsv(default_store: EmbeddedStore) -> None:
    from oms_ld.rdf.formats import RESULTS_TSV

    result = default_store.query(f"SELECT ?l22 {{ {doubled('l', 'aaaaaaaa', 22)} }}", timeout=10,
                                 media_type=RESULTS_TSV)  # fmt: skip
    assert result.encoded is not None and len(result.encoded[1]) > 32 << 20


def test_a_query_process_stops_itself_past_the_limit(app: Flask) -> None:
    """Its own SIGALRM ends a query even when nobody kills it (the worker died, say)."""
    import pickle
    import signal

    from oms_ld.store.embedded import Request

    pool = store_of(app)._pool
    child = pool._take()
    child.conn.send_bytes(pickle.dumps((0.5, Request(SPIN, None, None, 10, 1000, None))))
    assert child.conn.poll(HANG), "the query process is still working: nothing stopped it"
    with pytest.raises(EOFError):  # readable because the child's end has closed, with no answer
        child.conn.recv_bytes()
    _, status = os.waitpid(child.pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM  # its own alarm, at its limit
    child.conn.close()



def _counted(limit: int) -> str:
    """SPIN's solutions, at most `limit` of them counted: one template for every limit (numbers are left out)."""
    values = SPIN[SPIN.index("VALUES") : -2]
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT * WHERE {{ {values} }} LIMIT {limit} }} }}"


def _ask(app: Flask, query: str, out: list[int] | None = None) -> int:
    status = app.test_client().get("/sparql", query_string={"query": query}, headers=JSON).status_code
    if out is not None:
        out.append(status)
    return status


def test_a_quick_query_is_answered_while_slow_ones_fill_the_regular_processes() -> None:
    """One regular process and one express one, no waiting. A query whose template ran quick before takes
    the express process while SPIN fills the regular one; a template never seen gets 503; a template that
    ran quick once but then overran its limit in the express process is slow until it runs quick again."""
    from oms_ld.rdf.sparql import read

    for app in make_app(QUERY_PROCESSES=1, QUERY_EXPRESS_PROCESSES=1, QUERY_QUEUE=0, QUERY_QUEUE_WAIT=0,
                        QUERY_TIMEOUT=2):  # fmt: skip
        pool = store_of(app)._pool
        point, counted = "SELECT ?p ?o WHERE { <%s> ?p ?o }", _counted(1)
        assert _ask(app, point % "urn:first") == 200 and _ask(app, counted) == 200  # learnt: both quick
        assert pool.costs.seconds(read(counted).template) <= pool.quick
        statuses: list[int] = []
        spin = threading.Thread(target=_ask, args=(app, SPIN, statuses))  # never seen: a regular process
        spin.start()
        wait_until(lambda p=pool: p.admission.free["regular"] == 0, "SPIN in the regular process", every=0.01)
        assert _ask(app, point % "urn:second") == 200  # another IRI, the same template: the express process
        assert _ask(app, "ASK { ?x ?y ?z }") == 503  # never seen: it may not take the express process
        overrun = threading.Thread(target=_ask, args=(app, _counted(10**12), statuses))
        overrun.start()  # a quick template, so the express process; but this one counts until the limit
        wait_until(lambda p=pool: p.admission.free["express"] == 0, "the overrun in the express process", every=0.01)
        assert spin.is_alive() and overrun.is_alive(), "an answer came before the limit"
        assert _ask(app, point % "urn:third") == 503  # both lanes busy, and no waiting
        spin.join(HANG)
        overrun.join(HANG)
        assert statuses == [503, 503]  # both stopped at the limit
        assert pool.costs.seconds(read(SPIN).template) == pool.costs.seconds(read(counted).template) == float("inf")
        assert _ask(app, counted) == 200  # run in a regular process, quick again
        assert pool.costs.seconds(read(counted).template) <= pool.quick
