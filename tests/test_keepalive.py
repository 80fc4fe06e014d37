"""Issue #15: kept-alive client connections still answer after the server forked query processes.

Query processes used to inherit the serving worker's client sockets. When the worker dropped an idle
keep-alive connection, the child still held it open, so the client's next request on it hung. This
runs a real `python -m oms_ld serve` (whatever front it uses) on a free port, makes it fork and
replace query processes (first queries, then one killed at the time limit), and then asks for an
answer on every connection kept alive from before. A connection the server closed must look closed
(then a new one answers); none may hang.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from .backends import ROOT, Server, free_port, stop_process, wait_for

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HEAD = b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
#: Longer than any front's idle keep-alive timeout that this test relies on (gunicorn's is 2 s).
IDLE = 3.0
#: A connection that has not answered in this time is taken to hang.
HANG = 5.0


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Server]]:
    port = free_port()
    workdir = tmp_path_factory.mktemp("serve")
    log = workdir / "serve.log"
    env = {**os.environ, "OMS_LD_QUERY_TIMEOUT": "1", "OMS_LD_CACHE_DIR": str(workdir / "cache")}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "oms_ld", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    running = Server("oms-ld serve", base + "/sparql", process, Path(log))
    try:
        wait_for(running, lambda: status(base + "/sparql?query=ASK%7B%7D") == 200, 120)
        yield base, running
    finally:
        stop_process(process)


def query_url(base: str, query: str) -> str:
    return f"{base}/sparql?query={quote(query)}"


def answer_on_raw(sock: socket.socket, port: int) -> None:
    """A HEAD on `sock` answers, or `sock` is closed and a new connection answers; never a hang."""
    sock.settimeout(HANG)
    try:
        sock.sendall(HEAD)
        reply = sock.recv(100)
    except TimeoutError:
        pytest.fail("a kept-alive connection hung: something still holds it open (issue #15)")
    except (ConnectionResetError, BrokenPipeError):
        reply = b""
    if reply:
        assert reply.startswith(b"HTTP/1.1 200"), reply
        return
    with socket.create_connection(("127.0.0.1", port), timeout=HANG) as fresh:
        fresh.sendall(HEAD)
        assert fresh.recv(100).startswith(b"HTTP/1.1 200")


def answer_on_client(conn: http.client.HTTPConnection) -> None:
    """A request on `conn` answers 200, reconnecting once if the server had closed it; never a hang."""
    for attempt in (1, 2):
        try:
            conn.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            return
        except TimeoutError:
            pytest.fail("a kept-alive connection hung: something still holds it open (issue #15)")
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()  # closed by the server, as it may be: the next request opens a new one
            if attempt == 2:
                raise


def descendants(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as file:
                children = [int(p) for p in file.read().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def test_kept_alive_connections_answer_after_children_are_forked_and_replaced(server: tuple[str, Server]) -> None:
    base, running = server
    port = int(base.rsplit(":", 1)[1])
    raw = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
    clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=HANG) for _ in range(2)]
    try:
        for sock in raw:
            sock.sendall(HEAD)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        for conn in clients:
            answer_on_client(conn)
        for i in range(6):  # first queries: the workers fork query processes while those are open
            assert status(query_url(base, f"ASK {{ ?s ?p {i} }}")) == 200
        assert status(query_url(base, HEAVY)) == 503  # killed at the time limit; its process is replaced
        for i in range(6, 9):
            assert status(query_url(base, f"ASK {{ ?s ?p {i} }}")) == 200
        time.sleep(IDLE)  # past the idle keep-alive timeout: the front may drop the connections now
        for sock in raw:
            answer_on_raw(sock, port)
        for conn in clients:
            answer_on_client(conn)
        # Every query process holds one socket only: its own pair with the worker.
        confined = []
        for pid in descendants(running.process.pid):
            try:
                with open(f"/proc/{pid}/status", encoding="ascii") as file:
                    if "Seccomp:\t2" not in file.read():
                        continue
                links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            except OSError:
                continue
            confined.append(pid)
            assert sum(link.startswith("socket:") for link in links) == 1, links
        assert confined, "no query process found under the server"
    finally:
        for sock in raw:
            sock.close()
        for conn in clients:
            conn.close()
