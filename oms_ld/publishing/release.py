"""A release: the content compiled once into a directory that every server worker shares (issue #11).

`build_release` validates the content, bulk-loads an on-disk pyoxigraph store (the three named graphs),
writes every dump and its gzip to files, and precomputes the dataset description (VoID + DCAT, in each
profile) and the graph sizes of the service description. A JSON manifest records each file's size and
SHA-256. Workers then open the store read-only (`Store.read_only`: one copy in the page cache for all)
and send the dump files as they are, so nothing is parsed or serialized per worker.

A release lives in `RELEASES_DIR/{date}-{key}`, where the key is the SHA-256 of the content and of
everything else that shapes the bytes (base IRI, release date, contact, the versions of pyoxigraph,
pySHACL and oms-ld). Building is idempotent (an existing release is a no-op), atomic (built in a
temporary directory, then renamed) and gated: content that does not conform is never published and
never replaces the `current` pointer, a symlink switched with one rename. Flask-free.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
from rdflib import Graph

from ..config import Settings
from ..rdf.digests import file_digests
from ..rdf.formats import MediaType
from ..rdf.namespaces import bind_prefixes
from ..rdf.sources import Sources, load_sources
from .dataset import Profile
from .dumps import FORMATS, Dump
from .linking.crosswalk import CSV, CSVW_JSON
from .validation import ValidationReport
from .versions import Version

log = logging.getLogger(__name__)

#: Bumped whenever the layout of a release directory changes (part of the key).
#: 2: the store's default graph holds the data and ontology graphs' union, and the store is compacted.
LAYOUT = 2
MANIFEST = "manifest.json"
CURRENT = "current"
#: The syntaxes a manifest names by media type.
_MEDIA: dict[str, MediaType] = {m.mime: m for m in (*FORMATS, CSV, CSVW_JSON)}
#: The releases this process holds (see `Release.hold`), by path.
_HELD: dict[Path, list[int]] = {}
_HELD_LOCK = threading.Lock()


def _package(name: str) -> str:
    try:
        return package_version(name)
    except PackageNotFoundError:  # pragma: no cover -- an uninstalled checkout
        return "0"


def versions() -> dict[str, str]:
    """The versions that change a release's bytes or verdict."""
    return {"pyoxigraph": ox.__version__, "pyshacl": pyshacl.__version__, "oms-ld": _package("oms-ld"),
            "layout": str(LAYOUT)}  # fmt: skip


def release_key(settings: Settings, sources: Sources) -> str:
    """The release's identity: SHA-256 of the content and of what else shapes the published bytes."""
    files = [path for group in sources.files.values() for path in group if path not in sources.digests]
    extra = {iri: Path(file) for iri, file in settings.extra_graphs.items()}
    digests = sources.digests | file_digests([*files, *extra.values()], settings.cache_dir)
    digest = hashlib.sha256()
    for group, paths in sources.files.items():
        for path in paths:
            digest.update(f"{group}/{path.name}\0{digests[path]}\n".encode())
    for iri, file in sorted(extra.items()):
        digest.update(f"extra/{iri}\0{digests[file]}\n".encode())
    context = {"base": settings.base_iri, "date": settings.release_date, "contact": settings.contact_email,
               **versions()}  # fmt: skip
    digest.update(json.dumps(context, sort_keys=True).encode())
    return digest.hexdigest()


def release_dir_name(settings: Settings, key: str) -> str:
    """A release's directory name: its date (sorts by release) and the start of its key."""
    return f"{settings.release_date}-{key[:24]}"


def releases_dir(settings: Settings) -> Path:
    """Where releases are built: RELEASES_DIR, else `releases/` in CACHE_DIR."""
    return Path(settings.releases_dir or Path(settings.cache_dir) / "releases")


def _dump(entry: dict[str, Any], folder: Path) -> Dump:
    """A manifest entry as a file-backed dump."""
    about = entry.get("about") or ["", ""]
    return Dump(name=entry["name"], media_type=entry["media_type"], data=None, sha256=entry["sha256"],
                size=entry["size"], rdf_format=_MEDIA[entry["format"]], filename=entry["filename"],
                about=(about[0], about[1]), path=folder / entry["file"])  # fmt: skip


@dataclass(frozen=True)
class Release:
    """A built release directory, read through its manifest."""

    path: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, path: Path) -> Release:
        """The release at `path` (its manifest is written last, so a release with one is complete)."""
        return cls(path.resolve(), json.loads((path / MANIFEST).read_text(encoding="utf-8")))

    @property
    def key(self) -> str:
        return str(self.manifest["key"])

    @property
    def version(self) -> str:
        """The content fingerprint (as `Sources.version`), part of every ETag."""
        return str(self.manifest["version"])

    @property
    def release_date(self) -> str:
        return str(self.manifest["release_date"])

    @property
    def store_path(self) -> str:
        return str(self.path / "store")

    @property
    def graph_sizes(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.manifest["graph_sizes"].items()}

    @cached_property
    def dumps(self) -> dict[str, Dump]:
        """Every download by name: this release's (dated, then `latest`), then the dated files of the
        earlier releases it lists (`history`), each backed by its file in its release directory."""
        found = self.own_dumps()
        for old in reversed(self.manifest.get("history", [])):  # newest first: a name keeps its newest file
            for entry in old["dumps"]:
                found.setdefault(entry["name"], _dump(entry, self.path.parent / old["dir"] / "dumps"))
        return found

    def own_dumps(self) -> dict[str, Dump]:
        """The files of this release only."""
        return {entry["name"]: _dump(entry, self.path / "dumps") for entry in self.manifest["dumps"]}

    def history(self) -> list[Version]:
        """The earlier releases this one links to (oldest first), with their dated files."""
        return [Version(old["date"], tuple(_dump(e, self.path.parent / old["dir"] / "dumps") for e in old["dumps"]))
                for old in self.manifest.get("history", [])]  # fmt: skip

    def metadata(self, profile: Profile) -> Graph:
        """The precomputed dataset description in `profile` (parsed from its N-Triples file)."""
        graph = bind_prefixes(Graph())
        graph.parse(self.path / f"metadata-{profile.token}.nt", format="nt")
        return graph

    def hold(self) -> int:
        """Take a shared lock on this release until `let_go` (forks share it: a forked process holds it too
        until it lets go itself): `prune` never deletes a release some server still answers from. One
        descriptor per release and process, counted: as many `let_go` as `hold` release it."""
        with _HELD_LOCK:
            held = _HELD.get(self.path)
            if held is None:
                fd = os.open(self.path / MANIFEST, os.O_RDONLY | os.O_CLOEXEC)
                fcntl.flock(fd, fcntl.LOCK_SH)
                held = _HELD[self.path] = [fd, 0]
            held[1] += 1
            return held[0]

    def let_go(self) -> None:
        """Undo one `hold`; the last one closes this process's descriptor (its share of the lock)."""
        with _HELD_LOCK:
            held = _HELD.get(self.path)
            if held is None:
                return
            held[1] -= 1
            if held[1] <= 0:
                del _HELD[self.path]
                os.close(held[0])

    def report(self) -> ValidationReport:
        """The validation verdict the release was built with (a release exists only when it conformed)."""
        return ValidationReport(conforms=bool(self.manifest["conforms"]), graph=Graph(), results=())


def _switch(root: Path, release: Release) -> None:
    """Point `current` at `release` with one rename (readers see the old target or the new, never none)."""
    link = root / f".{CURRENT}-{os.getpid()}-{time.monotonic_ns()}"
    link.symlink_to(release.path.name)
    os.replace(link, root / CURRENT)
    fsync_dir(root)  # the switch survives a crash


def sync_tree(folder: Path) -> None:
    """Flush every file and folder of a finished release to disk before it is renamed into place: the
    rename must never publish a directory whose files a crash could leave short. (At 10M the build
    writes some 10 GB: they are on disk when it ends, not still being written back while a server
    starts on them.)"""
    for path in sorted(folder.rglob("*"), reverse=True):  # files before the folders that hold them
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as file:
                os.fsync(file.fileno())
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(folder)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename or a new file in it) to disk."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def current_name(settings: Settings) -> str | None:
    """The name of the release directory `current` points at (one readlink), if any."""
    try:
        return os.readlink(releases_dir(settings) / CURRENT)
    except OSError:
        return None


def current_release(settings: Settings) -> Release | None:
    """The release `current` points at, if any."""
    link = releases_dir(settings) / CURRENT
    try:
        return Release.open(link.resolve())
    except (OSError, ValueError):
        return None


def find_release(settings: Settings, sources: Sources | None = None) -> Release | None:
    """The built release of the configured content, if there is one."""
    sources = sources or load_sources(settings)
    key = release_key(settings, sources)
    path = releases_dir(settings) / release_dir_name(settings, key)
    return Release.open(path) if (path / MANIFEST).is_file() else None


def list_releases(settings: Settings) -> list[Release]:
    """Every complete release, oldest build first."""
    root = releases_dir(settings)
    found = [Release.open(p) for p in root.glob("*-*") if not p.name.startswith(".") and (p / MANIFEST).is_file()]
    return sorted(found, key=lambda r: (str(r.manifest["built"]), r.path.name))


def _unused(path: Path) -> bool:
    """True when no process holds the release at `path` (see `Release.hold`)."""
    try:
        fd = os.open(path / MANIFEST, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def prune(settings: Settings, keep: int) -> list[Path]:
    """Delete all but the newest `keep` releases, never the current one nor one a server still holds."""
    current = current_release(settings)
    old = list_releases(settings)[:-keep] if keep > 0 else []
    gone = [r.path for r in old if (current is None or r.path != current.path) and _unused(r.path)]
    for path in gone:
        shutil.rmtree(path, ignore_errors=True)
    return gone
