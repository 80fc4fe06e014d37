"""Serve the WSGI app under granian, so that slow or idle clients never hold a Python thread.

The app is built (and validated) once, then forked into `workers` processes. Granian's Rust I/O
reads and parses every request; Python sees a request only when it is whole:

* headers must arrive within HEADER_TIMEOUT (hyper closes the connection otherwise), and an idle
  keep-alive connection is closed after the same time; neither costs a Python thread;
* the body is read on the worker's event loop (RSGI), not by a WSGI thread (granian's WSGI mode
  would block a thread on a trickling body). It must arrive within BODY_TIMEOUT (else 408), have a
  Content-Length (else 411) and be at most `max_body` bytes (else 413, without reading it);
* only then does one of `threads` threads run the Flask app on the finished request (at most
  MAX_QUEUED wait for one; more get 503 with Retry-After). Bad framing
  (a body shorter than its Content-Length, conflicting lengths, no Host) is answered 4xx here;
* a repeated GET or HEAD of a representation fixed by the release is answered from the worker's memo
  (web/memo.py, FRONT_MEMO_BYTES) on the event loop, without a thread or Flask.

A process forked from a worker (the store's query children) keeps no descriptor it inherited but
its own pipe (store/confine.py), so that closing a connection in the worker really closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..web.memo import Memo
from .files import FileAnswer, FileChunks, file_answer

log = logging.getLogger(__name__)

#: Seconds a client may take to send the request line and headers; also the keep-alive idle limit.
HEADER_TIMEOUT = 5.0
#: Seconds a client may take to send the whole body, once the headers are in.
BODY_TIMEOUT = 10.0
#: Connections a worker holds at once (granian counts every connection, even one still sending its
#: head): more wait in the listen backlog. Generous, so that slow clients cannot fill it.
BACKPRESSURE = 4096
#: Whole requests a worker holds waiting for or running on a thread; more get 503 at once.
MAX_QUEUED = 256
#: Largest request head hyper buffers (request line and headers); larger ones get 431/414 from granian.
MAX_HEAD_BYTES = 64 * 1024
#: Largest total of header lines the app is given; more is refused with 431.
MAX_HEADER_BYTES = 16 * 1024

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Refused(Exception):
    """A request answered by the front itself, before the app runs."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _plain(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    body = f"{status} {message}\n".encode()
    return status, [("content-type", "text/plain; charset=utf-8"), ("connection", "close")], body


class RsgiFront:
    """An RSGI application that reads the whole request, then runs a WSGI app on a thread pool."""

    def __init__(
        self,
        app: WsgiApp,
        *,
        threads: int,
        max_body: int,
        body_timeout: float = BODY_TIMEOUT,
        max_queued: int = MAX_QUEUED,
        memo: Memo | None = None,
    ) -> None:
        self.app = app
        self.memo = memo
        self.threads = threads
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.max_queued = max_queued
        self._queued = 0
        self._pool: ThreadPoolExecutor | None = None

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called in each worker after the fork: the threads are the worker's own."""
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="oms-ld")

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    async def __call__(self, scope: Any, proto: Any) -> None:
        """Handle one request (granian calls the target itself when it has no `__rsgi__`)."""
        if scope.proto != "http":
            return
        try:
            headers = list(scope.headers.items())
            environ = self._environ(scope, headers)
            kept = None if self.memo is None else self.memo.answer(environ)
            if kept is not None:  # answered on the event loop: no thread, no Flask
                self._respond(proto, *kept)
                return
            body = await self._body(environ, proto)
        except _Refused as exc:
            self._respond(proto, *_plain(exc.status, exc.message))
            return
        if self._queued >= self.max_queued:
            status, out_headers, out = _plain(503, "Service Unavailable: too many requests at once; retry")
            self._respond(proto, status, [*out_headers, ("retry-after", "1")], out)
            return
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        loop = asyncio.get_running_loop()
        self._queued += 1  # only the worker's event loop thread counts: no lock
        try:
            answer = await self._on_thread(loop, environ)
        except Exception:  # a bug in the front itself: the app's own errors are Flask's 500 pages
            log.exception("the front failed on %s %s", scope.method, scope.path)
            answer = _plain(500, "Internal Server Error")
        finally:
            self._queued -= 1
        if isinstance(answer, FileAnswer):
            with contextlib.suppress(RuntimeError):  # granian's ProtocolClosed: the client has gone
                if answer.end is None:
                    proto.response_file(answer.status, answer.headers, answer.path)
                else:
                    proto.response_file_range(answer.status, answer.headers, answer.path, answer.start, answer.end)
            return
        if self.memo is not None:
            self.memo.keep(environ, answer)
        self._respond(proto, *answer)

    def _on_thread(self, loop: asyncio.AbstractEventLoop, environ: dict[str, Any]) -> asyncio.Future[Any]:
        """`_run(environ)` on a pool thread, settled on the loop by one call_soon_threadsafe.

        Leaner than run_in_executor, which chains a concurrent future to an asyncio one (a copy of its
        state, callbacks on both sides): at a few thousand requests per second that was a visible part
        of the event loop's time.
        """
        done: asyncio.Future[Any] = loop.create_future()

        def work() -> None:
            try:
                answer = self._run(environ)
            except BaseException as exc:  # noqa: BLE001 -- handed to the awaiting coroutine, which logs it
                loop.call_soon_threadsafe(_settle, done, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, done, answer, None)

        assert self._pool is not None
        self._pool.submit(work)
        return done

    @staticmethod
    def _respond(proto: Any, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        with contextlib.suppress(RuntimeError):  # granian's ProtocolClosed: the client has gone
            proto.response_bytes(status, headers, body)

    async def _body(self, environ: dict[str, Any], proto: Any) -> bytes:
        """The whole body, within the size and time limits; a body shorter than announced is a 400."""
        if "HTTP_TRANSFER_ENCODING" in environ:
            # Granian reads a chunked body whole before it reports a framing error: no size bound.
            raise _Refused(411, "Length Required: send the request body with a Content-Length")
        length = environ.get("CONTENT_LENGTH", "")
        if not length:
            return b""
        if not length.isdigit():
            raise _Refused(400, "Bad Request: invalid Content-Length")
        if int(length) > self.max_body:
            raise _Refused(413, f"Payload Too Large: the limit is {self.max_body} bytes")
        if int(length) == 0:
            return b""
        try:
            body: bytes = await asyncio.wait_for(proto(), self.body_timeout)
        except TimeoutError:
            raise _Refused(408, f"Request Timeout: the body did not arrive within {self.body_timeout:g} s") from None
        except RuntimeError as exc:  # granian's ProtocolClosed/ProtocolError: the body ended early
            raise _Refused(400, "Bad Request: the body is shorter than its Content-Length") from exc
        if len(body) != int(length):
            raise _Refused(400, "Bad Request: the body does not match its Content-Length")
        return body

    @staticmethod
    def _environ(scope: Any, headers: list[tuple[str, str]]) -> dict[str, Any]:
        """A PEP 3333 environ for the request (without the body), or _Refused for a request we will not run."""
        path = scope.path  # granian has already decoded the %-escapes
        if not path.startswith("/"):  # `*` and CONNECT's authority-form
            raise _Refused(400, "Bad Request: invalid request target")
        if "\x00" in path:
            raise _Refused(400, "Bad Request: NUL in the path")
        if sum(len(name) + len(value) + 4 for name, value in headers) > MAX_HEADER_BYTES:
            raise _Refused(431, f"Request Header Fields Too Large: the limit is {MAX_HEADER_BYTES} bytes")
        host, _, port = (scope.server or "127.0.0.1:0").rpartition(":")
        client, _, client_port = (scope.client or ":").rpartition(":")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path.encode("utf-8", "surrogateescape").decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "REMOTE_ADDR": client,
            "REMOTE_PORT": client_port,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.scheme,
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for name, value in headers:
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            elif key in environ and environ[key] != value:
                raise _Refused(400, f"Bad Request: conflicting {name} headers")
            environ[key] = f"{environ[key]}, {value}" if key in environ and key.startswith("HTTP_") else value
        if scope.http_version == "1.1" and "HTTP_HOST" not in environ:
            raise _Refused(400, "Bad Request: no Host header (RFC 9112 §3.2)")
        if scope.authority and scope.authority != environ.get("HTTP_HOST", scope.authority):
            # Absolute-form is for proxies; this server is none, and will not answer for another host.
            raise _Refused(400, "Bad Request: the request target names another host than Host")
        return environ

    def _run(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | FileAnswer:
        """Run the WSGI app on one request (in a pool thread): its status, headers and whole body, or
        for a file the app sends (a dump, a big graph file) the file for granian to send."""
        started: list[Any] = []
        files: list[str] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            started[:] = [int(status.split(" ", 1)[0]), headers]
            return lambda data: None  # write() is not used by Flask

        def file_wrapper(file: Any, buffer_size: int = 8192) -> FileChunks:
            if isinstance(getattr(file, "name", None), str):
                files.append(file.name)
            return FileChunks(file, buffer_size)

        environ["wsgi.file_wrapper"] = file_wrapper
        result = self.app(environ, start_response)
        try:
            sent = file_answer(started[0], started[1], files) if environ["REQUEST_METHOD"] != "HEAD" else None
            if sent is not None:
                return sent
            return started[0], started[1], b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


def _settle(done: asyncio.Future[Any], answer: Any, error: BaseException | None) -> None:
    """Complete `done` on its loop (unless the request was cancelled meanwhile: its client has gone)."""
    if done.done():
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(answer)
