"""Slow clients held open against a server during the mixed load (the front must resist them).

Three kinds, each a thread on its own socket that reconnects whenever the server closes it, so the
clients stay attached for the whole run:

- **head tricklers** send a GET request head one byte per second;
- **body tricklers** send a complete POST /sparql head with a Content-Length, then the body one
  byte per second;
- **slow readers** ask for a big dump and read it a few KB per second (small receive buffer).

What the server does with them (answers late, times them out, closes them) is counted, not judged:
the judgement is on the other clients' errors and latency while these are attached.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

ASK = "/sparql?query=ASK%7B%7D"
BODY = b"ASK {}"


@dataclass
class Counts:
    """What happened to one kind of slow client."""

    clients: int
    connections: int = 0
    #: The server closed (or reset) the connection before the client was done.
    closed_by_server: int = 0
    #: Answers received (status lines), and complete dumps read.
    answers: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    bytes_read: int = 0
    connect_errors: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SlowClients:
    """`heads` + `bodies` + `readers` slow clients against `base` (http://host:port) until `stop()`."""

    base: str
    heads: int = 8
    bodies: int = 4
    readers: int = 4
    #: What the readers download, and how fast they read it.
    dump: str = "/download/oms-ld-latest.nt"
    read_bytes_per_s: int = 4096
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    counts: dict[str, Counts] = field(default_factory=dict)

    def start(self) -> SlowClients:
        parts = urlsplit(self.base)
        self._address = (parts.hostname or "127.0.0.1", parts.port or 80)
        for kind, n, loop in (("head tricklers", self.heads, self._head), ("body tricklers", self.bodies, self._body),
                              ("slow readers", self.readers, self._reader)):  # fmt: skip
            self.counts[kind] = Counts(clients=n)
            for _ in range(n):
                thread = threading.Thread(target=self._forever, args=(kind, loop), daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self) -> dict[str, dict[str, Any]]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        return {kind: c.as_dict() for kind, c in self.counts.items()}

    def _count(self, kind: str, **add: int) -> None:
        with self._lock:
            c = self.counts[kind]
            for key, value in add.items():
                setattr(c, key, getattr(c, key) + value)

    def _status(self, kind: str, head: bytes) -> None:
        line = head.split(b"\r\n", 1)[0].split()
        status = line[1].decode() if len(line) > 1 else "?"
        with self._lock:
            c = self.counts[kind]
            c.answers += 1
            c.statuses[status] = c.statuses.get(status, 0) + 1

    def _connect(self, kind: str, rcvbuf: int = 0) -> socket.socket | None:
        sock = socket.socket()
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(5)
        try:
            sock.connect(self._address)
        except OSError:
            sock.close()
            self._count(kind, connect_errors=1)
            return None
        self._count(kind, connections=1)
        return sock

    def _forever(self, kind: str, loop: Any) -> None:
        while not self._stop.is_set():
            sock = self._connect(kind, rcvbuf=4096 if kind == "slow readers" else 0)
            if sock is None:
                self._stop.wait(1)
                continue
            try:
                loop(kind, sock)
            except OSError:
                if not self._stop.is_set():
                    self._count(kind, closed_by_server=1)
            finally:
                sock.close()

    def _trickle(self, kind: str, sock: socket.socket, data: bytes) -> bool:
        """Send `data` a byte a second; False when the server closed the connection meanwhile."""
        sock.settimeout(1.0)
        for i in range(len(data)):
            if self._stop.is_set():
                return True
            sock.sendall(data[i : i + 1])
            try:
                early = sock.recv(65536)  # the server may answer (408, 400) or close before the end
            except TimeoutError:
                continue
            if not early:
                self._count(kind, closed_by_server=1)
                return False
            self._status(kind, early)
            return False
        return True

    def _finish(self, kind: str, sock: socket.socket) -> None:
        """Read the answer to a completely sent request, then let the loop reconnect."""
        sock.settimeout(30)
        head = sock.recv(65536)
        if head:
            self._status(kind, head)

    def _head(self, kind: str, sock: socket.socket) -> None:
        host = f"{self._address[0]}:{self._address[1]}"
        request = f"GET {ASK} HTTP/1.1\r\nHost: {host}\r\nAccept: application/sparql-results+json\r\n"
        request += "User-Agent: slow-head\r\nConnection: close\r\n\r\n"
        if self._trickle(kind, sock, request.encode()) and not self._stop.is_set():
            self._finish(kind, sock)

    def _body(self, kind: str, sock: socket.socket) -> None:
        host = f"{self._address[0]}:{self._address[1]}"
        head = (f"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\n"
                f"Accept: application/sparql-results+json\r\nContent-Length: {len(BODY)}\r\n"
                "Connection: close\r\n\r\n")  # fmt: skip
        sock.sendall(head.encode())
        if self._trickle(kind, sock, BODY) and not self._stop.is_set():
            self._finish(kind, sock)

    def _reader(self, kind: str, sock: socket.socket) -> None:
        host = f"{self._address[0]}:{self._address[1]}"
        sock.sendall(f"GET {self.dump} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        sock.settimeout(30)
        chunk = 1024
        pause = chunk / self.read_bytes_per_s
        first = True
        while not self._stop.is_set():
            data = sock.recv(chunk)
            if not data:
                with self._lock:  # the dump read to its end, or the server closed it meanwhile
                    self.counts[kind].statuses["ended"] = self.counts[kind].statuses.get("ended", 0) + 1
                return
            if first:
                self._status(kind, data)
                first = False
            self._count(kind, bytes_read=len(data))
            time.sleep(pause)
