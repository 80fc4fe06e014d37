"""Files the app sends (dumps) leave the server from disk, a piece at a time, with every HTTP feature intact.

The front used to join every answer into one bytes object: a download of a dump held the whole
file in the worker until the client had read it, so a few slow readers of a big dump held
gigabytes. The real server runs here on synthetic data whose N-Triples dump is several MB.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .backends import free_port, stop_process
from .front import ROOT, wait_for_port

SYNTHETIC = "https://w3id.org/oms-ld/synthetic/"
#: Slow readers attached at once; each would hold the whole dump if the server read it into memory.
READERS = 8


def _tree(pid: int) -> list[int]:
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += _tree(int(child))
    return found


def _tree_rss(pid: int) -> int:
    """Bytes resident in the server's process tree (anonymous and file pages alike)."""
    total = 0
    for each in _tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int, dict[str, object]]]:
    """The shipped server on ~50k synthetic triples: its port, its pid and its release's manifest."""
    from benchmarks import generate

    root = tmp_path_factory.mktemp("files")
    generate.write(50_000, root / "data")
    env = {**os.environ, "OMS_LD_DATA_DIR": str(root / "data"), "OMS_LD_BASE_IRI": SYNTHETIC,
           "OMS_LD_CACHE_DIR": str(root / "cache"), "OMS_LD_RELEASES_DIR": str(root / "releases")}  # fmt: skip
    port = free_port()
    command = [sys.executable, "-m", "oms_ld", "serve", "--port", str(port), "--no-access-log", "--workers", "1"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        manifest = json.loads((root / "releases" / "current" / "manifest.json").read_text(encoding="utf-8"))
        yield port, process.pid, manifest
    finally:
        stop_process(process)


def _dumps(manifest: dict[str, object]) -> list[dict[str, object]]:
    dumps = manifest["dumps"]
    assert isinstance(dumps, list) and dumps
    return dumps


def test_every_dump_downloads_byte_for_byte(server: tuple[int, int, dict[str, object]]) -> None:
    port, _, manifest = server
    for dump in _dumps(manifest):
        answer = requests.get(f"http://127.0.0.1:{port}/download/{dump['name']}", timeout=60,
                              headers={"Accept-Encoding": "identity"})  # fmt: skip
        assert answer.status_code == 200, dump["name"]
        assert hashlib.sha256(answer.content).hexdigest() == dump["sha256"], dump["name"]
        assert answer.headers["Content-Length"] == str(len(answer.content))


def test_ranges_head_and_conditional_requests_of_a_dump(server: tuple[int, int, dict[str, object]]) -> None:
    port, _, manifest = server
    url = f"http://127.0.0.1:{port}/download/oms-ld-latest.nt"
    whole = requests.get(url, timeout=60, headers={"Accept-Encoding": "identity"})
    assert len(whole.content) > 4 << 20  # big enough that holding it per reader shows below
    part = requests.get(url, timeout=60, headers={"Range": "bytes=1000-1999", "Accept-Encoding": "identity"})
    assert part.status_code == 206 and part.content == whole.content[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(whole.content)}"
    tail = requests.get(url, timeout=60, headers={"Range": "bytes=-10", "Accept-Encoding": "identity"})
    assert tail.status_code == 206 and tail.content == whole.content[-10:]
    head = requests.head(url, timeout=60, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(whole.content))
    again = {"If-None-Match": whole.headers["ETag"], "Accept-Encoding": "identity"}
    assert requests.get(url, timeout=60, headers=again).status_code == 304
    assert requests.get(url, timeout=60, headers={"Range": f"bytes={len(whole.content) + 5}-"}).status_code == 416
    packed = requests.get(url, timeout=60, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.content == whole.content  # requests unpacks


def test_slow_readers_of_a_dump_do_not_hold_it_in_the_server(server: tuple[int, int, dict[str, object]]) -> None:
    port, pid, manifest = server
    size = next(int(str(d["size"])) for d in _dumps(manifest) if str(d["name"]).endswith(".nt"))
    requests.get(f"http://127.0.0.1:{port}/download/oms-ld-latest.nt", timeout=60)  # worker warmed up
    before = _tree_rss(pid)
    readers = []
    try:
        for _ in range(READERS):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(60)
            sock.connect(("127.0.0.1", port))
            sock.sendall(b"GET /download/oms-ld-latest.nt HTTP/1.1\r\nHost: t\r\nAccept-Encoding: identity\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            readers.append(sock)  # and then reads nothing more
        time.sleep(2)  # the server has had time to read whatever it would read ahead
        grown = _tree_rss(pid) - before
    finally:
        for sock in readers:
            sock.close()
    held = READERS * size
    assert grown < held // 4, f"{READERS} stalled readers grew the server by {grown >> 20} MB (dump {size >> 20} MB)"
