"""Processes for the benchmarks: start a server, time it until its first 200, sample its memory, stop it.

Memory is read from /proc for the whole process tree (the server's main process, its workers and their
query children): PSS counts pages shared after fork once, so the sum is the tree's real footprint.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_pids(root: int) -> list[int]:
    """`root` and every descendant."""
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def _kib(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> tuple[int, int]:
    """(PSS, RSS) of the process tree at `root`, in bytes."""
    pids = tree_pids(root)
    pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
    rss = sum(_kib(f"/proc/{p}/status", "VmRSS:") for p in pids)
    return pss * 1024, rss * 1024


_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """The CPU seconds (user + system) the living processes of the tree at `root` have used."""
    ticks = 0
    for pid in tree_pids(root):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICK


def settle(*roots: int, share: float = 0.05, window: float = 0.5, limit: float = 60.0) -> float:
    """Wait until the trees at `roots` together use under `share` of a core over `window` seconds (at
    most `limit` seconds); returns the seconds waited. A run's clients stop at its end, but a server may
    still be answering what they asked (8 GROUP BYs over every place at 1M run on for seconds, at 100k
    rdflib-endpoint's for some 14 s): without this, the next run, of any server, is measured against
    that leftover work.
    """
    began = time.monotonic()
    while time.monotonic() - began < limit:
        before = sum(tree_cpu(root) for root in roots)
        time.sleep(window)
        if sum(tree_cpu(root) for root in roots) - before < share * window:
            break
    return time.monotonic() - began


def peak_rss(pid: int) -> int:
    """The high-water mark of one process's RSS (VmHWM), in bytes."""
    return _kib(f"/proc/{pid}/status", "VmHWM:") * 1024


@dataclass
class Sampler:
    """Samples the tree's PSS every `interval` seconds in a thread; keeps the peak and a time series."""

    root: int
    interval: float = 0.25
    peak: int = 0
    series: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> int:
        pss, _ = tree_memory(self.root)
        self.peak = max(self.peak, pss)
        self.series.append((time.monotonic(), pss))
        return pss

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> Sampler:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.peak


def http_status(url: str, headers: Mapping[str, str] | None = None, timeout: float = 5) -> int:
    """The status of a GET (0 when nothing answers)."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, urllib.error.URLError):
        return 0


@dataclass
class Server:
    """A started server process (in its own process group) and where it answers."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    #: Seconds from start until the first 200 on the readiness URL.
    startup: float = 0.0
    #: Peak PSS of the tree during startup, and the master's own high-water mark.
    startup_pss: int = 0
    startup_hwm: int = 0
    sampler: Sampler | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM to the process group, then SIGKILL after 15 s."""
        if self.sampler is not None:
            self.sampler.stop()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class StartupTimeout(Exception):
    """The server did not answer 200 within the time limit (it has been stopped)."""


def start(name: str, argv: Sequence[str], *, url: str, ready: str, log: Path, env: Mapping[str, str] | None = None,
          limit: float = 120, cwd: Path | None = None) -> Server:  # fmt: skip
    """Start `argv`, poll `ready` every 50 ms until it answers 200 (at most `limit` s), sampling memory meanwhile.

    Raises:
        StartupTimeout: no 200 within `limit` seconds, or the process exited (the log says why).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("wb")
    began = time.monotonic()
    process = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                               cwd=cwd, start_new_session=True)  # fmt: skip
    out.close()
    server = Server(name, process, url, log)
    sampler = Sampler(process.pid, interval=0.05).start()
    try:
        while True:
            if process.poll() is not None:
                raise StartupTimeout(f"{name} exited with {process.returncode}; see {log}")
            if http_status(ready, timeout=2) == 200:
                break
            if time.monotonic() - began > limit:
                raise StartupTimeout(f"{name} did not answer 200 within {limit:g} s")
            time.sleep(0.05)
        server.startup = time.monotonic() - began
        server.startup_hwm = peak_rss(process.pid)
        sampler.sample()
    except BaseException:
        sampler.stop()
        server.stop()
        raise
    server.startup_pss = sampler.stop()
    server.sampler = Sampler(process.pid, interval=0.5).start()
    return server


def run_measured(argv: Sequence[str], *, env: Mapping[str, str] | None = None, limit: float = 600) -> tuple[float, str]:
    """Run a command to completion: (seconds, its stdout). Raises RuntimeError (with its stderr) when it fails."""
    began = time.monotonic()
    done = subprocess.run(list(argv), capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=limit, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} … failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return time.monotonic() - began, done.stdout


@dataclass
class Measured:
    """One command run to completion with its process tree sampled."""

    seconds: float
    returncode: int
    #: Peaks of the tree's summed RSS and PSS (sampled), and the biggest single process's high-water mark.
    peak_rss: int
    peak_pss: int
    max_hwm: int
    stdout: str


def run_sampled(argv: Sequence[str], *, log: Path, env: Mapping[str, str] | None = None, limit: float = 600,
                interval: float = 0.5) -> Measured:  # fmt: skip
    """Run a command to completion, sampling its whole process tree's RSS and PSS every `interval` s.

    The tree's RSS is summed over every process alive at a sample (pages shared between them counted
    each time: an upper bound); `max_hwm` is the biggest VmHWM of one process (ru_maxrss of the command
    and every descendant it waited for, from wait4), which sampling cannot miss. Stdout and stderr go
    to `log`. Raises RuntimeError past `limit` (the tree is killed).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})}, start_new_session=True)  # fmt: skip
    peak_rss = peak_pss = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - began > limit:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -9
            raise RuntimeError(f"{' '.join(argv[:4])} … did not finish within {limit:g} s; see {log}")
        pss, rss = tree_memory(process.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(interval)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - began
    return Measured(seconds, process.returncode, peak_rss, peak_pss, usage.ru_maxrss * 1024,
                    log.read_text(errors="replace"))  # fmt: skip
