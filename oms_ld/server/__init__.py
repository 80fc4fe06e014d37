"""`oms-ld serve`: the app under granian, behind the RSGI front (front.py) that reads whole requests
before Python runs the app, answers repeated ones from memory, and hands files to granian (files.py)."""

from __future__ import annotations

import errno
import gc
import logging
import socket

from ..app import create_app
from ..config import Settings
from ..errors import ConfigError
from ..web import App, site_of
from ..web.memo import Memo
from .front import BACKPRESSURE, BODY_TIMEOUT, HEADER_TIMEOUT, MAX_HEAD_BYTES, RsgiFront

__all__ = ["BODY_TIMEOUT", "HEADER_TIMEOUT", "RsgiFront", "check_port", "run", "share_with_workers", "thread_advice"]

log = logging.getLogger(__name__)


def check_port(host: str, port: int) -> None:
    """Fail now, with one line, when the address is taken (granian would only log and retry per worker)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            why = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise ConfigError(f"cannot listen on {host}:{port}: {why}") from exc


def thread_advice(threads: int, settings: Settings) -> str | None:
    """Why `threads` per worker are too few for the query limits (None: enough).

    SPARQL holds at most one thread per query process and per queued query; pages need one more.
    """
    held = settings.query_processes + settings.query_express_processes + settings.query_queue
    if threads > held:
        return None
    return (f"--threads {threads} leaves no thread for pages when SPARQL holds all it may ({held}: QUERY_PROCESSES "
            f"{settings.query_processes} + QUERY_EXPRESS_PROCESSES {settings.query_express_processes} + QUERY_QUEUE "
            f"{settings.query_queue}); use --threads {held + 1} or more, or a smaller QUERY_QUEUE")


def share_with_workers() -> None:
    """Keep the pages of what the master built shared with the workers it forks (copy-on-write).

    The cyclic collector writes into the header of every object it examines, so a worker's first full
    collection would copy every page of the app it inherited: about 13 MB per worker at the ÖMS data and
    100k, once, at a moment set by its allocations (the mixed load's memory step). Frozen objects are
    never examined; their refcounts still change, which copies only the pages of objects a request
    touches. Nothing is collected first: that took 0.1 s of the start and found some 20 objects. A
    release switch unfreezes them (publishing/current.py), so that the old release's objects can be freed.
    """
    gc.freeze()


def run(*, host: str, port: int, workers: int, threads: int, access_log: bool = True) -> None:
    """Build the app (raising if the data does not validate) and serve it until interrupted.

    `access_log` logs every request to stdout; under heavy load that costs throughput.
    """
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    if not logging.getLogger().handlers:  # the app's own log lines (store failures with their reference)
        logging.basicConfig(level=logging.INFO, format="[%(levelname)s] %(name)s: %(message)s")
    check_port(host, port)
    app: App = create_app()
    check_port(host, port)  # again: building a big app takes a while
    settings = site_of(app).settings
    if advice := thread_advice(threads, settings):
        log.warning(advice)
    memo = Memo(settings.front_memo_bytes, lambda: site_of(app)) if settings.front_memo_bytes else None
    front = RsgiFront(app.wsgi_app, threads=threads, max_body=settings.max_request_bytes, memo=memo)
    server = Server(
        "oms_ld",  # a label only: the target is `front`, handed over by the loader below
        address=host,
        port=port,
        interface=Interfaces.RSGI,
        workers=workers,
        blocking_threads=1,  # the worker's event loop; the app runs on `threads` threads of its own
        backpressure=BACKPRESSURE,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=int(HEADER_TIMEOUT * 1000), keep_alive=True, max_buffer_size=MAX_HEAD_BYTES
        ),
        log_access=access_log,
        websockets=False,
    )
    share_with_workers()  # the last thing before granian forks the workers
    server.serve(target_loader=lambda _target: front)
