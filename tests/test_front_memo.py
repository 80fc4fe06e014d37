"""The front's memo (web/memo.py): a repeated request gets the bytes Flask would send, whatever the memo holds.

Through the real served front (granian, one worker, so the second request meets the first one's memo),
every kind of URL of the representation table, with a few Accept, Accept-Language, Accept-Encoding and
Cookie values, GET and HEAD: the first answer (from Flask), the second (from the memo) and the answer of a
server started with FRONT_MEMO_BYTES=0 are byte-identical, but for the Date's value. In process, the front
around the real app shows which answers the memo kept and gave, and how it counts its bytes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from oms_ld import create_app
from oms_ld.app import release_site
from oms_ld.publishing.current import CurrentSite, release_name
from oms_ld.server import RsgiFront
from oms_ld.web import register, site_of
from oms_ld.web.memo import ENTRY_OVERHEAD, MAX_ENTRY_BYTES, Memo
from oms_ld.web.representations import TABLE

from .front import RsgiScope, exchange, served

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: One URL (or more) of every kind in the representation table, and of the other memoised answers.
URLS = {
    "document": ["/doc/node-city/uppsala", "/doc/county/uppsala-lan.ttl", "/doc/node-city/uppsala.html",
                 "/doc/node-city/uppsala?format=jsonld"],
    "definition": ["/def/oms", "/def/shapes.ttl", "/def/oms/1.0.0"],
    "download-index": ["/download/"],
    "void": ["/.well-known/void"],
    "catalog": ["/catalog", "/catalog?_profile=dcat-ap"],
    "service": ["/sparql"],
    "thing": ["/id/node-city/uppsala", "/id/node-city/uppsala?lang=en"],
    "other": ["/", "/map.svg", "/graph/data", "/graph/ontology/triples.ttl", "/download/oms-ld-codes-latest.csv",
              "/doc/node-city/nowhere", "/download/oms-ld-latest.ttl", "/sparql?query=ASK%7B%7D",
              "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%209"],
}  # fmt: skip
HEADERS = [
    {},
    {"Accept": "text/turtle"},
    {"Accept": FIREFOX, "Accept-Language": "sv"},
    {"Accept": "application/ld+json", "Accept-Encoding": "gzip", "Accept-Language": "en"},
    {"Accept": FIREFOX, "Accept-Language": "en", "Accept-Encoding": "gzip, deflate", "Cookie": "lang=sv"},
]
Headers = dict[str, str]
DATE = re.compile(rb"\r\ndate: [^\r]*", re.IGNORECASE)
#: A cookie's Expires, and the Expires header werkzeug's send_file gives files (now + max-age).
EXPIRES = re.compile(rb"(; expires=|\r\nexpires: )[^;\r]*", re.IGNORECASE)


def test_every_kind_of_the_table_is_asked_for() -> None:
    assert {kind.name for kind in TABLE} <= set(URLS)


def raw(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"{method} {path} HTTP/1.1\r\nHost: t\r\n{lines}Connection: close\r\n\r\n".encode()


def undated(data: bytes) -> bytes:
    """The answer with its Date's and Expires' values blanked: each second has its own."""
    assert len(DATE.findall(data.partition(b"\r\n\r\n")[0])) <= 1, data[:600]
    return EXPIRES.sub(rb"\1-", DATE.sub(b"\r\ndate: -", data, count=1))


def differences(answers: list[bytes]) -> list[tuple[int, bytes, bytes]]:
    """Where the answers differ from the first: (answer, its line, the first's line)."""
    firsts = answers[0].split(b"\r\n")
    return [(n, line, firsts[i] if i < len(firsts) else b"")
            for n, answer in enumerate(answers[1:], 1) for i, line in enumerate(answer.split(b"\r\n"))
            if i >= len(firsts) or line != firsts[i]][:6]  # fmt: skip


@pytest.fixture(scope="module")
def ports() -> Iterator[tuple[int, int]]:
    """A server with the memo (one worker: every request meets the same memo), and one without."""
    with served("--workers", "1") as memo, served("--workers", "1", env={"OMS_LD_FRONT_MEMO_BYTES": "0"}) as plain:
        yield memo, plain


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("headers", HEADERS, ids=[",".join(h) or "none" for h in HEADERS])
def test_the_memo_answers_with_the_bytes_flask_sends(ports: tuple[int, int], method: str, headers: Headers) -> None:
    memo, plain = ports
    for path in (p for paths in URLS.values() for p in paths):
        request = raw(method, path, headers)
        first, second, third = (exchange(port, request, 30) for port in (memo, memo, plain))
        assert first[0] in (200, 303, 404, 406), (path, first[1][:400])
        answers = [undated(data) for _, data in (first, second, third)]
        assert answers[0] == answers[1] == answers[2], (path, differences(answers))
        head = first[1].partition(b"\r\n\r\n")[0].lower()
        names = b"".join(line.partition(b":")[0] for line in head.split(b"\r\n"))
        assert b"oms" not in names, head  # no internal header


def test_a_cookie_set_for_lang_is_set_whatever_was_asked_before(ports: tuple[int, int]) -> None:
    memo, _ = ports
    for path in ("/doc/node-city/uppsala?lang=en", "/id/node-city/uppsala?lang=en"):
        with_cookie = exchange(memo, raw("GET", path, {"Accept": FIREFOX, "Cookie": "lang=en"}))[1]
        assert b"set-cookie" not in with_cookie.lower().partition(b"\r\n\r\n")[0]
        for _ in range(2):
            without = exchange(memo, raw("GET", path, {"Accept": FIREFOX}))[1]
            assert b"\r\nset-cookie: lang=en;" in without.lower().partition(b"\r\n\r\n")[0], without[:600]


def test_conditional_requests_get_the_304_flask_sends(ports: tuple[int, int]) -> None:
    memo, plain = ports
    path, turtle = "/doc/node-city/uppsala", {"Accept": "text/turtle"}
    for _ in range(2):
        status, data = exchange(memo, raw("GET", path, turtle))
    assert status == 200
    etag = re.search(rb"\r\netag: ([^\r]*)", data, re.IGNORECASE)
    modified = re.search(rb"\r\nlast-modified: ([^\r]*)", data, re.IGNORECASE)
    assert etag is not None and modified is not None
    tag = etag[1].decode()
    for conditional, expected in [
        ({"If-None-Match": tag}, 304),  # from the memo's 200
        ({"If-None-Match": f'"other", W/{tag}'}, 304),  # weak comparison, as werkzeug's
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-None-Match": "no quotes, at all"}, 200),
        ({"If-Modified-Since": modified[1].decode()}, 304),  # from Flask
        ({"If-None-Match": tag, "If-Modified-Since": modified[1].decode()}, 304),
    ]:
        for method in ("GET", "HEAD"):
            answers = [exchange(port, raw(method, path, {**turtle, **conditional})) for port in (memo, memo, plain)]
            assert [status for status, _ in answers] == [expected] * 3, conditional
            assert len({undated(data) for _, data in answers}) == 1, (conditional, answers)
    ranged = [exchange(port, raw("GET", path, {**turtle, "Range": "bytes=0-9"})) for port in (memo, plain)]
    assert undated(ranged[0][1]) == undated(ranged[1][1])


# --- In process: the front around the real app, asked by hand (as granian would).


class _Proto:
    def __init__(self) -> None:
        self.answers: list[tuple[int, list[tuple[str, str]], bytes]] = []

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.answers.append((status, headers, body))


def ask(front: RsgiFront, method: str, target: str, headers: dict[str, str] | None = None) -> Any:
    proto = _Proto()

    async def main() -> None:
        await front(RsgiScope(method, target, headers), proto)

    asyncio.run(main())
    return proto.answers[0]


Switching = tuple[Flask, CurrentSite, list[str]]


@pytest.fixture(scope="module")
def switching() -> Iterator[Switching]:
    """The real app on a site that `current.check()` switches to another site of the same release."""
    first = site_of(create_app({"TESTING": True}))
    assert first.release is not None
    target = [release_name(first) or ""]
    current = CurrentSite(first, watch=lambda: target[0],
                          open_site=lambda _name: release_site(first.settings, first.release),  # type: ignore[arg-type]
                          every=3600.0)  # fmt: skip
    yield register(current), current, target
    current.close()


def undated_answer(answer: tuple[int, list[tuple[str, str]], bytes]) -> tuple[int, list[tuple[str, str]], bytes]:
    status, headers, body = answer
    return status, [(name, "-" if name.lower() == "date" else value) for name, value in headers], body


def front_of(app: Flask, max_bytes: int) -> RsgiFront:
    front = RsgiFront(app.wsgi_app, threads=2, max_body=1024, memo=Memo(max_bytes, lambda: site_of(app)))
    front._pool = ThreadPoolExecutor(2)  # not __rsgi_init__: there is no granian worker here
    return front


def test_the_memo_gives_what_it_kept_and_keeps_only_what_it_may(switching: Switching) -> None:
    app, _, _ = switching
    front = front_of(app, 32 << 20)
    memo = front.memo
    assert memo is not None
    turtle = {"Accept": "text/turtle"}
    first = ask(front, "GET", "/doc/node-city/uppsala", turtle)
    assert (memo.kept, memo.hits) == (1, 0)
    assert ask(front, "GET", "/doc/node-city/uppsala", turtle) == first and memo.hits == 1
    assert ask(front, "GET", "/doc/node-city/uppsala", {"Accept": "text/turtle "})[2] == first[2]  # another key
    assert memo.hits == 1 and memo.kept == 2
    ask(front, "HEAD", "/doc/node-city/uppsala", turtle)
    head = ask(front, "HEAD", "/doc/node-city/uppsala", turtle)
    assert head[2] == b"" and memo.hits == 2
    assert ask(front, "GET", "/id/node-city/uppsala", turtle)[0] == 303
    assert ask(front, "GET", "/id/node-city/uppsala", turtle)[0] == 303 and memo.hits == 3
    kept = memo.kept
    for target, headers in [
        ("/sparql", turtle),
        ("/doc/node-city/uppsala?lang=en", {"Accept": FIREFOX}),  # sets a cookie
        ("/doc/node-city/nowhere", turtle),  # 404
        ("/doc/node-city/uppsala", {**turtle, "If-Modified-Since": "Tue, 01 Dec 2026 15:30:15 GMT"}),
        ("/doc/node-city/uppsala", {**turtle, "Authorization": "Basic eDp5"}),
        ("/download/oms-ld-latest.nt", {}),  # from disk
    ]:
        for _ in range(2):
            ask(front, "GET", target, headers)
    assert memo.kept == kept and memo.hits == 3
    plain = RsgiFront(app.wsgi_app, threads=1, max_body=1024)
    plain._pool = ThreadPoolExecutor(1)
    tag = dict((name.lower(), value) for name, value in first[1])["etag"]
    for method in ("GET", "HEAD"):
        for conditions in (tag, f"W/{tag}", '"x"'):
            asked = (method, "/doc/node-city/uppsala", {**turtle, "If-None-Match": conditions})
            hits = memo.hits
            kept_answer, flask_answer = ask(front, *asked), ask(plain, *asked)
            assert undated_answer(kept_answer) == undated_answer(flask_answer)
            assert kept_answer[0] == (200 if conditions == '"x"' else 304)
            assert memo.hits == hits + 1 and memo.kept == kept  # answered from the memo, and nothing more kept
    plain._pool.shutdown()
    front._pool.shutdown()  # type: ignore[union-attr]


def test_a_sparql_answer_is_kept_from_its_second_asking_and_a_one_off_never(switching: Switching) -> None:
    app, _, _ = switching
    front = front_of(app, 32 << 20)
    memo = front.memo
    assert memo is not None
    json = {"Accept": "application/sparql-results+json"}
    target = "/sparql?query=" + quote("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 # kept from the second asking")
    first = ask(front, "GET", target, json)
    assert first[0] == 200 and (memo.kept, memo.hits) == (0, 0)  # asked once: neither cached nor kept
    second = ask(front, "GET", target, json)
    assert (memo.kept, memo.hits) == (1, 0)  # asked again: the cache kept it, so may the memo
    third = ask(front, "GET", target, json)
    assert memo.hits == 1
    assert undated_answer(first) == undated_answer(second) == undated_answer(third)
    for n in range(20):  # one-off queries (a fresh comment each time): never kept
        ask(front, "GET", "/sparql?query=" + quote(f"ASK {{ ?s ?p ?o }} # one-off {n}"), json)
    assert (memo.kept, memo.hits) == (1, 1)
    front._pool.shutdown()  # type: ignore[union-attr]


def test_the_memo_counts_its_bytes_and_stays_within_them(switching: Switching) -> None:
    app, _, _ = switching
    budget = 3 * (ENTRY_OVERHEAD + 4096)
    front = front_of(app, budget)
    memo = front.memo
    assert memo is not None
    answers = {}
    for suffix in ("ttl", "nt", "jsonld", "rdf"):
        answers[suffix] = ask(front, "GET", f"/doc/node-city/uppsala.{suffix}")
        sizes = [entry.size for entry in memo._entries.values()]
        assert memo.used == sum(sizes) <= budget
        for entry in memo._entries.values():
            counted = ENTRY_OVERHEAD + len(entry.body) + sum(len(n) + len(v) + 64 for n, v in entry.headers)
            assert entry.size >= counted
    assert memo.kept == 4 and len(memo) < 4  # the least recently used went
    assert ask(front, "GET", "/doc/node-city/uppsala.rdf") == answers["rdf"] and memo.hits == 1
    assert all(len(entry.body) <= MAX_ENTRY_BYTES for entry in memo._entries.values())
    front._pool.shutdown()  # type: ignore[union-attr]


def test_a_switched_release_never_answers_from_the_old_memo(switching: Switching) -> None:
    app, current, target = switching
    front = front_of(app, 32 << 20)
    memo = front.memo
    assert memo is not None
    path, turtle = "/doc/node-city/uppsala.ttl", {"Accept": "text/turtle"}
    ask(front, "GET", path, turtle)
    ask(front, "GET", path, turtle)
    assert memo.hits == 1 and len(memo) == 1
    old = current.site
    target[0] = "again"  # the watcher's next look opens another site (of the same release here)
    assert current.check() and current.site is not old
    ask(front, "GET", path, turtle)
    assert memo.hits == 1 and memo.kept == 2 and len(memo) == 1  # emptied, then kept from the new site
    ask(front, "GET", path, turtle)
    assert memo.hits == 2
    front._pool.shutdown()  # type: ignore[union-attr]
