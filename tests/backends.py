"""Real SPARQL servers for the test matrix: Oxigraph server and Virtuoso 7, on loopback, in a tmp dir.

Each `start_*` function finds the server program (None when it is not installed), starts it on free
127.0.0.1 ports with its own files, loads the published data with `oms-ld load` (so every session
also tests the loader: Graph Store PUT for Oxigraph, chunked SPARQL Update with Digest auth for
Virtuoso) and returns a `Server` once it answers. Startup is bounded; a server that fails to start
raises `ServerFailed` with the tail of its log.

`ServerPool` starts them in background threads as soon as the session knows it will need them
(after collection), so they come up while the embedded-store tests run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .polling import NeverHappened, wait_until

ROOT = Path(__file__).resolve().parent.parent
#: Bounds on waiting, in seconds: a server that is not up by then is reported, never waited for forever.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
LOAD_TIMEOUT = 120.0


class ServerFailed(RuntimeError):
    """A server did not start, or the data could not be loaded into it; the message has its log tail."""


@dataclass
class Server:
    """A running server process and what the app needs to use it."""

    name: str
    endpoint: str
    process: subprocess.Popen[bytes]
    log: Path
    #: Config overrides for `create_app` (SPARQL_ENDPOINT, credentials).
    config: dict[str, object] = field(default_factory=dict)
    #: The endpoint that accepts SPARQL Update or Graph Store writes, and how `oms-ld load` reaches it.
    load_args: tuple[str, ...] = ()

    def tail(self, lines: int = 40) -> str:
        """The last lines of the server's log, for diagnostics."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Terminate the server (killing it if it does not stop in time)."""
        stop_process(self.process)


def program(name: str) -> str | None:
    """The path of an executable, looking beside this Python first (pip installs scripts there)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after STOP_TIMEOUT."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


def answers(url: str) -> bool:
    """Whether a SPARQL endpoint answers ASK {} with 200 right now."""
    query = urllib.parse.urlencode({"query": "ASK {}"})
    request = urllib.request.Request(f"{url}?{query}", headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_for(server: Server, ready: Callable[[], bool], limit: float = START_TIMEOUT) -> None:
    """Poll `ready` until it holds; raise ServerFailed with the log tail if the server exits or never gets there."""

    def up() -> bool:
        if server.process.poll() is not None:
            raise ServerFailed(f"{server.name} exited with {server.process.returncode}:\n{server.tail()}")
        return ready()

    try:
        wait_until(up, f"{server.name} answering at {server.endpoint}", limit)
    except NeverHappened as exc:
        stop_process(server.process)
        raise ServerFailed(f"{exc}\n{server.tail()}") from None


def launch(name: str, args: list[str], workdir: Path, endpoint: str) -> Server:
    """Start `args` with output to `workdir/NAME.log` and wait until `endpoint` answers."""
    log = workdir / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(args, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(name, endpoint, process, log)
    wait_for(server, lambda: answers(endpoint))
    return server


def oms_ld_load(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `oms-ld load` (as `python -m oms_ld`, the code under test) against `server`."""
    command = [sys.executable, "-m", "oms_ld", "load", "--endpoint", server.endpoint, *server.load_args, *args]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=LOAD_TIMEOUT)
    if run.returncode != 0:
        raise ServerFailed(
            f"oms-ld load into {server.name} exited with {run.returncode}:\n{run.stdout}{run.stderr}\n"
            f"--- {server.name} log ---\n{server.tail()}"
        )
    return run


def start_oxigraph(workdir: Path) -> Server | None:
    """Oxigraph server, read-only: loaded through its Graph Store endpoint by a short read-write run."""
    binary = program("oxigraph")
    if binary is None:
        return None
    location = workdir / "db"
    port = free_port()
    writer = launch("oxigraph", [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                    workdir, f"http://127.0.0.1:{port}/query")  # fmt: skip
    writer.load_args = ("--graph-store", f"http://127.0.0.1:{port}/store")
    try:
        oms_ld_load(writer)
    finally:
        writer.stop()
    port = free_port()
    args = [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--timeout-s", "30"]
    server = launch("oxigraph", args, workdir, f"http://127.0.0.1:{port}/query")
    server.config = {"SPARQL_ENDPOINT": server.endpoint}
    return server


#: Our own Virtuoso configuration: loopback ports, files in the tmp dir, no result truncation at 10000
#: rows (ResultSetMaxRows), query time bounded, no periodic checkpoints (the data is loaded once).
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso-error.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxClientConnections = 20
DirsAllowed = ., {dir}
VADInstallDir = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 20
MaxClientConnections = 20
MaxKeepAlives = 20
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def start_virtuoso(workdir: Path) -> Server | None:
    """Virtuoso 7 with our ini, loaded by `oms-ld load` over SPARQL Update (Digest auth on /sparql-auth).

    The app queries the anonymous /sparql, which may not update; the loader writes as dba on
    /sparql-auth (a fresh database's dba password is "dba"; the server listens on loopback only).
    """
    binary = program("virtuoso-t")
    if binary is None:
        return None
    http_port, sql_port = free_port(), free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=workdir, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    base = f"http://127.0.0.1:{http_port}"
    server = launch("virtuoso", [binary, "+foreground", "+configfile", str(ini)], workdir, f"{base}/sparql")
    server.load_args = ("--update-endpoint", f"{base}/sparql-auth", "--user", "dba", "--password", "dba",
                        "--chunk-size", "500")  # fmt: skip
    try:
        oms_ld_load(server)
    except BaseException:
        server.stop()
        raise
    server.config = {"SPARQL_ENDPOINT": server.endpoint}
    return server


STARTERS: dict[str, Callable[[Path], Server | None]] = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}


class ServerPool:
    """The session's servers: started in the background on demand, each once, all stopped at the end."""

    def __init__(self) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="oms-ld-servers-"))
        self._executor = ThreadPoolExecutor(max_workers=len(STARTERS), thread_name_prefix="server-start")
        self._futures: dict[str, Future[Server | None]] = {}

    def start(self, names: Iterable[str]) -> None:
        """Begin starting the named servers (those not started yet) without waiting for them."""
        for name in names:
            if name not in self._futures:
                self._futures[name] = self._executor.submit(self._start, name)

    def _start(self, name: str) -> Server | None:
        """Start `name`, trying once more on failure (a free port can be taken between choice and bind)."""
        first = self._root / name
        first.mkdir()
        try:
            return STARTERS[name](first)
        except ServerFailed as exc:
            second = self._root / f"{name}-retry"
            second.mkdir()
            try:
                return STARTERS[name](second)
            except ServerFailed as again:
                raise ServerFailed(f"{again}\n--- first attempt ---\n{exc}") from again

    def get(self, name: str) -> Server | None:
        """The running server (None when its program is not installed); raises ServerFailed."""
        self.start([name])
        return self._futures[name].result(timeout=START_TIMEOUT * 2 + LOAD_TIMEOUT)

    def stop_all(self) -> None:
        """Stop every server that started, then remove their files."""
        self._executor.shutdown(wait=True)
        for future in self._futures.values():
            server = None if future.exception() else future.result()
            if server is not None:
                server.stop()
        shutil.rmtree(self._root, ignore_errors=True)
