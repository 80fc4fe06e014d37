"""A running `oms-ld serve` switches to each new release while clients keep asking (issue #11).

The real server (granian, two workers, their query processes) on a copy of the data with its own
releases folder; a client thread keeps asking for a document, a SPARQL answer and a dump while the
data changes and `oms-ld build` runs. Nothing here is timed: every wait polls with a generous deadline.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from oms_ld.config import load_settings
from oms_ld.publishing.release import CURRENT, _unused, prune

from .conftest import ROOT
from .front import served
from .polling import wait_until

#: Generous: a build validates and compiles the data on a shared machine.
DEADLINE = 240.0
OLD = '"Uppsala"@sv , "Uppsala"@en ;'
NEW = '"Uppsala"@sv , "Uppsala city"@en ;'
QUERY = ('SELECT ?l WHERE { <https://w3id.org/oms-ld/id/node-city/uppsala> '
         '<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = "en") }')  # fmt: skip
ASKS = {
    "document": ("/doc/node-city/uppsala.nt", {}),
    "sparql": ("/sparql?" + urllib.parse.urlencode({"query": QUERY}), {"Accept": "text/csv"}),
    "dump": ("/download/oms-ld-latest.nt", {}),
    # A 303 followed to its document (both kept in the front's memo, which a switch must empty).
    "deref": ("/id/node-city/uppsala", {"Accept": "text/turtle"}),
}


@dataclass(frozen=True)
class Answer:
    kind: str
    status: int
    body: bytes
    etag: str
    modified: str

    @property
    def version(self) -> str:
        """Which content the answer shows: "old", "new", or "mixed" (neither or both)."""
        old, new = b'"Uppsala"@en' in self.body or b"\r\nUppsala\r\n" in self.body, b"Uppsala city" in self.body
        return "new" if new and not old else "old" if old and not new else "mixed"


def ask(port: int, kind: str) -> Answer:
    path, headers = ASKS[kind]
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return Answer(kind, response.status, response.read(), response.headers.get("ETag", ""),
                          response.headers.get("Last-Modified", ""))  # fmt: skip
    except urllib.error.HTTPError as exc:
        return Answer(kind, exc.code, exc.read(), "", "")
    except OSError as exc:  # a refused or dropped connection is a failed request too
        return Answer(kind, 0, str(exc).encode(), "", "")


class Client(threading.Thread):
    """Asks for each kind in turn until stopped, keeping every answer."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.answers: list[Answer] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for kind in ASKS:
                self.answers.append(ask(self.port, kind))

    def of(self, kind: str) -> list[Answer]:
        return [a for a in list(self.answers) if a.kind == kind]


def poll(what: str, condition: Callable[[], bool]) -> None:
    wait_until(condition, what, DEADLINE, every=0.2)


def build(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oms_ld", "build"], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=False, timeout=DEADLINE)  # fmt: skip


def open_under(folder: Path) -> list[str]:
    """Descriptors of any process of ours that point into `folder` (the server's workers included)."""
    found = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            targets = [os.readlink(fd) for fd in fd_dir.iterdir()]
        except OSError:  # not ours, or gone
            continue
        found += [f"{fd_dir.parent.name}: {t}" for t in targets if t.startswith(f"{folder}/")]
    return found


def test_a_running_server_switches_releases_with_every_request_answered(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    releases = tmp_path / "releases"
    env = {"OMS_LD_DATA_DIR": str(data), "OMS_LD_RELEASES_DIR": str(releases), "OMS_LD_KEEP_RELEASES": "1",
           "OMS_LD_CACHE_DIR": str(tmp_path / "cache"), "OMS_LD_RELEASE_CHECK_SECONDS": "0.2"}  # fmt: skip
    with served("--workers", "2", env=env) as port:
        client = Client(port)
        client.start()
        try:
            poll("answers from the first release", lambda: all(len(client.of(k)) >= 3 for k in ASKS))
            old = (releases / CURRENT).resolve()
            nodes = data / "nodes.ttl"
            assert OLD in nodes.read_text(encoding="utf-8")
            nodes.write_text(nodes.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
            done = build(env)
            assert done.returncode == 0, done.stderr
            new = (releases / CURRENT).resolve()
            assert new != old and old.is_dir()  # the build's prune (KEEP_RELEASES=1) left A: the server holds it
            seen = {kind: len(client.of(kind)) for kind in ASKS}

            def switched() -> bool:  # ten answers of each kind in a row from the new release, in both workers
                return all(len(client.of(k)) >= seen[k] + 10 and
                           all(a.version == "new" for a in client.of(k)[-10:]) for k in ASKS)  # fmt: skip

            poll("every kind of answer from the new release", switched)
            settled = {kind: len(client.of(kind)) for kind in ASKS}
            poll("the old release let go by every process", lambda: _unused(old) and not open_under(old))
            assert prune(load_settings({"RELEASES_DIR": str(releases), "DATA_DIR": str(data)}), 1) == [old]

            # Content that does not conform (a node city without an English name) is refused by the build;
            # the server stays on the new release.
            nodes.write_text(nodes.read_text(encoding="utf-8").replace(NEW, '"Uppsala"@sv ;'), encoding="utf-8")
            refused = build(env)
            assert refused.returncode == 1 and "current release is unchanged" in refused.stdout + refused.stderr
            assert (releases / CURRENT).resolve() == new
            after = {kind: len(client.of(kind)) for kind in ASKS}
            poll("more answers after the refused build",
                 lambda: all(len(client.of(k)) >= after[k] + 10 for k in ASKS))  # fmt: skip
        finally:
            client.stop.set()
            client.join(60)
    answers = client.answers
    assert answers and all(a.status == 200 for a in answers), {(a.kind, a.status, a.body[:200]) for a in answers
                                                               if a.status != 200}  # fmt: skip
    assert all(a.version != "mixed" for a in answers), [a for a in answers if a.version == "mixed"][:1]
    for kind in ASKS:
        mine = client.of(kind)
        assert mine[0].version == "old" and mine[-1].version == "new", kind
        assert all(a.version == "new" for a in mine[-10:]), kind  # after the refused build too
        # Once both workers answered from the new release, neither answers from the old one again (memo included).
        assert all(a.version == "new" for a in mine[settled[kind] - 10 :]), kind
        tags = {v: {a.etag for a in mine if a.version == v} for v in ("old", "new")}
        assert all(len(t) == 1 for t in tags.values()) and tags["old"] != tags["new"], (kind, tags)
    dumps = client.of("dump")
    digests = {v: {hashlib.sha256(a.body).hexdigest() for a in dumps if a.version == v} for v in ("old", "new")}
    assert all(len(d) == 1 for d in digests.values()) and digests["old"] != digests["new"]
    documents = client.of("document")
    modified = {v: {a.modified for a in documents if a.version == v} for v in ("old", "new")}
    assert all(len(m) == 1 for m in modified.values()) and modified["old"] != modified["new"]
