"""The shipped front (`oms-ld serve`): slow and idle clients hold no Python thread, bad framing gets a 4xx.

Every test talks to a real `python -m oms_ld serve` subprocess over loopback, with raw sockets where
the request must be malformed. Nothing is timed: "does not block others" is an answer that comes while
the slow connections are still open (the server has not yet cut them off at its limits), "is cut off"
is the server closing the connection, and a hang is the client's own generous timeout running out.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms_ld.config import Settings
from oms_ld.server import BODY_TIMEOUT, HEADER_TIMEOUT, thread_advice

from .backends import free_port
from .front import HANG, ROOT, RsgiScope, exchange, is_open, read_response, read_until_closed, served

AT_HEADER_TIMEOUT = f"at the header timeout ({HEADER_TIMEOUT:g} s)"
#: Pages a normal client asks for during the attacks.
NORMAL = ("/", "/sparql?query=ASK%7B%7D")


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with served() as port:
        yield port


def get(port: int, path: str) -> int:
    """GET `path` on a fresh connection: the status (a hang fails at the client's timeout, HANG)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG)
    try:
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json, text/html;q=0.9"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def answered_while_open(port: int, attackers: list[socket.socket], what: str) -> None:
    """Each normal page answers 200 while every attacking connection is still open.

    The server cuts the attackers off at its header or body timeout; a page that had to wait for a
    thread or a slot they held would come only after that, when some of them are closed.
    """
    for path in NORMAL:
        assert get(port, path) == 200, path
        closed = sum(not is_open(sock) for sock in attackers)
        assert not closed, f"{path} was answered only after the server cut off {closed} of {len(attackers)} {what}"


class Trickle:
    """Connections that send `start`, then one byte of `rest` every `interval` seconds, on one thread."""

    def __init__(self, port: int, count: int, start: bytes, rest: bytes, interval: float = 0.5) -> None:
        self.socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        self._stop = threading.Event()
        for sock in self.socks:
            sock.sendall(start)
        self._thread = threading.Thread(target=self._run, args=(rest, interval), daemon=True)
        self._thread.start()

    def _run(self, rest: bytes, interval: float) -> None:
        live = list(self.socks)
        for byte in rest * 100:
            if self._stop.wait(interval) or not live:
                return
            for sock in list(live):
                try:
                    sock.sendall(bytes([byte]))
                except OSError:  # the server cut it off
                    live.remove(sock)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in self.socks:
            sock.close()


def test_trickled_headers_and_idle_connections_do_not_block_others() -> None:
    """Also: the ASK forks a query child while they are open, and the server still closes them all.

    (The child inherited them; it must close them, or a connection the worker closed stays open.)
    """
    with served() as port:  # its own server: the query child must be forked while the attack runs
        trickle = Trickle(port, 16, b"GET / HTTP/1.1\r\nHost: t\r\n", b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(8)]
        try:
            time.sleep(1.0)  # let them all be accepted and started
            answered_while_open(port, trickle.socks + idle, "trickling or idle connections")
            for _ in range(2):
                assert all(get(port, path) == 200 for path in NORMAL)
            for sock in idle:
                status, data = read_until_closed(sock, f"an idle connection {AT_HEADER_TIMEOUT}")
                assert status in (0, 408), data[:200]
            for sock in trickle.socks:  # still trickling: only the server's header timeout ends them
                status, data = read_until_closed(sock, f"a connection trickling its headers {AT_HEADER_TIMEOUT}")
                assert status in (0, 408), data[:200]
        finally:
            trickle.close()
            for sock in idle:
                sock.close()


def test_hundreds_of_half_sent_requests_do_not_fill_the_workers(port: int) -> None:
    """Granian counts every connection against its backpressure, even one still sending its head."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(600)]
    try:
        for sock in socks:
            sock.sendall(b"GET / HTTP/1.1\r\n")
        time.sleep(0.5)
        answered_while_open(port, socks, "half-sent requests")
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.parametrize("sent", [b"", b"GET / HTTP/1.1\r\n", b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"])
def test_idle_and_stalled_connections_are_closed_at_the_header_timeout(port: int, sent: bytes) -> None:
    """Nothing sent, a request that stops mid-head, a keep-alive connection after its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(sent)
        if sent.endswith(b"\r\n\r\n"):
            assert read_response(sock)[0] == 200
        # Nothing more is sent: only the server's header timeout closes it (else the read times out at HANG).
        status, data = read_until_closed(sock, f"a connection that sent {sent!r} {AT_HEADER_TIMEOUT}")
        assert status in (0, 408), data[:200]


def test_slow_post_bodies_do_not_block_others_and_are_cut_off(port: int) -> None:
    head = (b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000\r\n\r\nquery=")  # fmt: skip
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(16)]
    try:
        for sock in socks:
            sock.sendall(head)
        stop = threading.Event()

        def dribble() -> None:
            while not stop.wait(0.5):
                for sock in socks:
                    with contextlib.suppress(OSError):
                        sock.sendall(b"A")

        threading.Thread(target=dribble, daemon=True).start()
        time.sleep(1.0)
        answered_while_open(port, socks, "slow POST bodies")
        for _ in range(2):
            assert all(get(port, path) == 200 for path in NORMAL)
        for sock in socks:  # still dribbling (2 bytes a second of 994): only the body timeout ends them
            status, data = read_until_closed(sock, f"a slow POST body at the body timeout ({BODY_TIMEOUT:g} s)")
            assert status == 408 or (status == 0 and not data), data[:200]
        stop.set()
    finally:
        for sock in socks:
            sock.close()


POST_DIRECT = b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
HOST = b"Host: t\r\n"
#: Malformed or hostile requests, each answered with a 4xx or a closed connection, never a 5xx.
BAD: dict[str, bytes] = {
    "chunk-size-zz": POST_DIRECT + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nASK{}\r\n0\r\n\r\n",
    "chunk-size-huge": POST_DIRECT + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nASK{}\r\n0\r\n\r\n",
    "chunk-then-garbage": POST_DIRECT + b"Transfer-Encoding: chunked\r\n\r\n5\r\nASK{}\r\nzz\r\n",
    "length-and-chunked": POST_DIRECT + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nASK{}\r\n0\r\n",
    "two-lengths": POST_DIRECT + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nASK{}",
    "negative-length": POST_DIRECT + b"Content-Length: -1\r\n\r\n",
    "length-overflow": POST_DIRECT + b"Content-Length: 99999999999999999999999\r\n\r\n",
    "length-over-limit": POST_DIRECT + b"Content-Length: 100000000\r\n\r\nASK{}",
    "unknown-coding": POST_DIRECT + b"Transfer-Encoding: gzip\r\n\r\nASK{}",
    "huge-header": b"GET / HTTP/1.1\r\nHost: t\r\nX-A: " + b"a" * 100_000 + b"\r\n\r\n",
    "many-headers": b"GET / HTTP/1.1\r\nHost: t\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(500)) + b"\r\n",
    "long-target": b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
    "nul-in-path": b"GET /\x00 HTTP/1.1\r\nHost: t\r\n\r\n",
    "escaped-nul-in-path": b"GET /doc/%00x HTTP/1.1\r\nHost: t\r\n\r\n",
    "control-in-header": b"GET / HTTP/1.1\r\nHost: t\r\nAccept-Language: \x01;q=\r\n\r\n",
    "space-in-header-name": b"GET / HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n",
    "method-FOO": b"FOO / HTTP/1.1\r\nHost: t\r\n\r\n",
    "method-TRACE": b"TRACE / HTTP/1.1\r\nHost: t\r\n\r\n",
    "method-PUT": b"PUT /sparql HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
    "method-DELETE": b"DELETE /doc/node-city/uppsala HTTP/1.1\r\nHost: t\r\n\r\n",
    "method-CONNECT": b"CONNECT t:443 HTTP/1.1\r\nHost: t\r\n\r\n",
    "asterisk-form": b"OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n",
    "absolute-form-other-host": b"GET http://evil.example/sparql HTTP/1.1\r\nHost: t\r\n\r\n",
    "absolute-form-no-host": b"GET http://evil.example/ HTTP/1.1\r\n\r\n",
    "no-host": b"GET / HTTP/1.1\r\n\r\n",
    "bad-version": b"GET / HTTP/2.0\r\nHost: t\r\n\r\n",
    "bad-percent-escape-path": b"GET /doc/%zz HTTP/1.1\r\nHost: t\r\n\r\n",
    "bad-percent-escape-query": b"GET /sparql?query=%zz HTTP/1.1\r\nHost: t\r\n\r\n",
    "escaped-invalid-utf8-query": b"GET /sparql?query=%FF%FE HTTP/1.1\r\nHost: t\r\n\r\n",
    "raw-invalid-utf8-query": b"GET /sparql?query=\xff\xfe HTTP/1.1\r\nHost: t\r\n\r\n",
    "raw-invalid-utf8-path": b"GET /doc/\xff HTTP/1.1\r\nHost: t\r\n\r\n",
    "escaped-invalid-utf8-path": b"GET /doc/node-city/%FF HTTP/1.1\r\nHost: t\r\n\r\n",
    "form-invalid-utf8": POST_DIRECT.replace(b"sparql-query", b"x-www-form-urlencoded")
    + b"Content-Length: 12\r\n\r\nquery=%FF%FE",
}


@pytest.mark.parametrize("request_bytes", BAD.values(), ids=BAD)
def test_bad_input_gets_a_4xx_or_a_close_never_a_5xx_or_a_hang(port: int, request_bytes: bytes) -> None:
    """Judged on what was sent: never a 408, which would mean the server waited for more instead."""
    status, data = exchange(port, request_bytes)  # a hang: TimeoutError at HANG
    assert status == 0 or (400 <= status < 500 and status != 408), data[:300]


def test_a_body_shorter_than_its_length_is_cut_at_the_body_timeout(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(POST_DIRECT + b"Content-Length: 100\r\n\r\nASK{}")
        status, data = read_until_closed(sock, f"a body 95 bytes short at the body timeout ({BODY_TIMEOUT:g} s)")
    assert status in (0, 408), data[:300]


def test_a_body_that_ends_early_is_a_400(port: int) -> None:
    status, data = exchange(port, POST_DIRECT + b"Content-Length: 100\r\n\r\nASK{}", half_close=True)
    assert status in (0, 400), data[:300]


def test_well_formed_requests_still_work(port: int) -> None:
    ask = POST_DIRECT + b"Accept: application/sparql-results+json\r\nContent-Length: 5\r\n\r\nASK{}"
    status, data = exchange(port, ask)
    assert status == 200 and data.endswith(b'"boolean":true}'), data[:300]
    status, data = exchange(port, b"HEAD /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: t\r\n\r\n")
    assert status == 200
    status, data = exchange(port, b"GET /doc/node-city/uppsala.ttl HTTP/1.0\r\n\r\n")  # 1.0 needs no Host
    assert status == 200 and b"uppsala" in data
    expect = ask.replace(b"Content-Length", b"Expect: 100-continue\r\nContent-Length")
    assert exchange(port, expect)[0] == 200
    status, data = exchange(port, b"GET http://t/doc/node-city/uppsala.ttl HTTP/1.1\r\nHost: t\r\n\r\n")
    assert status == 200  # absolute-form naming this host


def test_keep_alive_serves_several_requests_on_one_connection(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
            response = conn.getresponse()
            assert response.status == 200 and response.read() == b'{"head":{},"boolean":true}'
    finally:
        conn.close()


def serve_command(port: int, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oms_ld", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_busy_port_is_one_line_and_exit_1() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        result = serve_command(sock.getsockname()[1], {})  # a hang: TimeoutExpired
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "in use" in lines[0], result.stderr


def test_data_that_does_not_conform_exits_1_without_serving(tmp_path: Path) -> None:
    invalid = sorted((ROOT / "tests" / "data" / "invalid").glob("*.ttl"))[0]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / invalid.name).write_bytes(invalid.read_bytes())
    port = free_port()
    env = {"OMS_LD_DATA_DIR": str(tmp_path / "data"), "OMS_LD_CACHE_DIR": str(tmp_path / "cache")}
    result = serve_command(port, env)
    assert result.returncode == 1, result.stderr
    assert "does not conform" in result.stderr and "not serving" in result.stderr
    assert "granian" not in result.stderr.lower()  # no worker was started
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


class _Proto:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.statuses.append(status)


def test_requests_over_the_queue_limit_get_503_at_once() -> None:
    """More whole requests than MAX_QUEUED waiting for the app's threads: the rest are told to retry."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from oms_ld.server import RsgiFront

    release = threading.Event()

    def slow_app(environ: dict[str, object], start_response):  # type: ignore[no-untyped-def]
        release.wait(5)
        start_response("200 OK", [("content-type", "text/plain")])
        return [b"ok"]

    front = RsgiFront(slow_app, threads=1, max_body=10, max_queued=2)
    statuses: list[int] = []

    async def main() -> None:
        # Not __rsgi_init__: it also registers the worker's at-fork hook, which is not for pytest's process.
        front._pool = ThreadPoolExecutor(1)
        tasks = [asyncio.create_task(front(RsgiScope(), _Proto(statuses))) for _ in range(5)]

        async def three_answered() -> None:
            while len(statuses) < 3:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(three_answered(), HANG)
        assert statuses == [503, 503, 503]  # at once: the app has not been released, two still wait
        assert sum(not task.done() for task in tasks) == 2
        release.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
        front.__rsgi_del__(asyncio.get_running_loop())

    asyncio.run(main())
    assert sorted(statuses) == [200, 200, 503, 503, 503]


@pytest.mark.parametrize(
    ("threads", "limits", "enough"),
    [
        (16, {}, True),  # the defaults: 2 + 1 + 12 held, one thread left for pages
        (15, {}, False),
        (8, {"query_queue": 4}, True),
        (7, {"query_queue": 4}, False),
        (2, {"query_processes": 1, "query_express_processes": 0, "query_queue": 0}, True),
    ],
)
def test_serve_warns_when_sparql_could_hold_every_thread(threads: int, limits: dict[str, int], enough: bool) -> None:
    settings = Settings(**limits)  # not the environment's OMS_LD_* settings
    advice = thread_advice(threads, settings)
    if enough:
        assert advice is None
    else:
        held = settings.query_processes + settings.query_express_processes + settings.query_queue
        assert advice is not None and f"use --threads {held + 1} or more" in advice


def test_workers_and_threads_options_still_work() -> None:
    with served("--workers", "1", "--threads", "2") as port:
        for path in NORMAL:
            assert get(port, path) == 200
