"""Building a release (see release.py for what one holds): validate, load, write, describe, rename.

Content that does not conform is refused before anything is written. The store is compiled into a
scratch directory beside the releases and renamed into place when complete, so a reader sees a whole
release or none; `current` is switched only after that. Flask-free.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from ..config import Settings
from ..errors import ConfigError, StoreError, ValidationFailed
from ..rdf.formats import PARSE_FORMATS, MediaType
from ..rdf.sources import Sources, load_sources
from ..rdf.uris import UriPolicy
from ..store import EmbeddedStore
from .batched import validate_store
from .counts import class_counts
from .dataset import PROFILES, build_metadata
from .dumps import _DATE, GZIP, LATEST, write_content_dumps
from .linking.crosswalk import crosswalk_dumps
from .linking.index import build_index
from .names import external_labels
from .release import (
    MANIFEST,
    Release,
    _switch,
    fsync_dir,
    list_releases,
    prune,
    release_dir_name,
    release_key,
    releases_dir,
    sync_tree,
    versions,
)
from .validation import ValidationReport, Violation, validate_graph, validate_sources
from .void import describe_void

log = logging.getLogger(__name__)

#: Focus nodes per batch when VALIDATION_BATCH_SIZE is 0.
BATCH_SIZE = 5000
#: Exit status of the isolated build when the content does not conform (its results on stdout).
REFUSED = 3


@dataclass(frozen=True)
class Built:
    """What `build_release` did."""

    release: Release
    #: False when the release existed already (building again changed nothing).
    built: bool
    seconds: float


def _file_entry(name: str, size: int, sha256: str, media_type: MediaType, filename: str,
                about: tuple[str, str] = ("", "")) -> dict[str, Any]:  # fmt: skip
    return {"name": name, "file": name, "media_type": GZIP if name.endswith(".gz") else media_type.mime,
            "format": media_type.mime, "filename": filename, "size": size, "sha256": sha256,
            "about": list(about)}  # fmt: skip


def _write_dumps(target: Path, sources: Sources, uris: UriPolicy, date: str) -> list[dict[str, Any]]:
    """Write every dump and its gzip, streaming from the content files (see dumpfiles.py)."""
    written = write_content_dumps(sources, uris, target / "dumps", f"oms-ld-{date}")
    return [_file_entry(w.name, w.size, w.sha256, w.rdf_format, w.name) for w in written]


@contextlib.contextmanager
def _step(name: str) -> Iterator[None]:
    """Log how long a build step took (INFO)."""
    started = time.monotonic()
    yield
    log.info("build: %s took %.1f s", name, time.monotonic() - started)


def _aliases(entries: list[dict[str, Any]], date: str) -> list[dict[str, Any]]:
    """The `latest` names: the same files (and bytes) as the dated ones."""
    return [{**entry, "name": entry["name"].replace(date, LATEST, 1)} for entry in entries]


def _history(settings: Settings, date: str) -> list[dict[str, Any]]:
    """The earlier releases the new one links to (oldest first): the newest KEEP_RELEASES - 1 other dates."""
    by_date: dict[str, Release] = {}
    for old in list_releases(settings):  # oldest build first: a later build of a date wins
        if old.release_date != date:
            by_date[old.release_date] = old
    kept = sorted(by_date.values(), key=lambda r: r.release_date)[-(settings.keep_releases - 1):] \
        if settings.keep_releases > 1 else []  # fmt: skip
    return [{"date": r.release_date, "dir": r.path.name,
             "dumps": [e for e in r.manifest["dumps"] if LATEST not in e["name"]]} for r in kept]  # fmt: skip


def _compile(target: Path, settings: Settings, sources: Sources, key: str) -> dict[str, Any]:
    """Fill `target` with the store, dumps and description; returns the manifest (not yet written)."""
    uris, date = UriPolicy(settings.base_iri), settings.release_date
    store = ox.Store(str(target / "store"))
    with _step("bulk load"):
        for group, files in sources.files.items():
            into = ox.NamedNode(uris.graphs[group])
            for path in files:
                store.bulk_load(path=str(path), format=PARSE_FORMATS[path.suffix], to_graph=into)
        for iri, file in settings.extra_graphs.items():
            store.bulk_load(path=file, format=PARSE_FORMATS[Path(file).suffix], to_graph=ox.NamedNode(iri))
        store.flush()
    view = EmbeddedStore(store, version=sources.version, default_graphs=list(uris.default_graphs),
                         max_rows=settings.max_result_rows)  # fmt: skip
    try:
        if settings.validator == "store":  # bounded memory: validate from the store just loaded
            with _step("validation (from the store)"):
                batch = settings.validation_batch_size or BATCH_SIZE
                report = validate_store(view, sources.shapes, sources.ontology, batch_size=batch)
            if not report.conforms:
                raise ValidationFailed(report)
            (target / "report.txt").write_text(report.text(), encoding="utf-8")
        sizes = view.graph_sizes()
        with _step("dumps"):
            entries = _write_dumps(target, sources, uris, date)
        with _step("code crosswalk"):
            crosswalk = crosswalk_dumps(build_index(view, uris.base, coded_only=True), date)
        for dump in crosswalk.values():
            if LATEST not in dump.name:
                body = dump.body
                (target / "dumps" / dump.name).write_bytes(body)
                entries.append(_file_entry(dump.name, len(body), hashlib.sha256(body).hexdigest(), dump.rdf_format,
                                           dump.filename, dump.about))  # fmt: skip
        entries += _aliases(entries, date)
        manifest: dict[str, Any] = {"key": key, "version": sources.version, "release_date": date,
                                    "built": datetime.now(UTC).isoformat(timespec="seconds"), "conforms": True,
                                    "versions": versions(), "graph_sizes": sizes, "dumps": entries,
                                    "class_counts": class_counts(view, uris.base, uris.graphs["data"]),
                                    "external_labels": external_labels(view, uris.graphs["data"], uris.base),
                                    "history": _history(settings, date)}  # fmt: skip
        release = Release(target, manifest)
        started = time.monotonic()
        void = uris.bind(Graph())
        describe_void(void, view, uris)  # once: the statistics are the same in every profile
        for profile in PROFILES:
            graph = build_metadata(view, release.own_dumps().values(), uris=uris, release_date=date,
                                   contact_email=settings.contact_email, profile=profile,
                                   history=release.history(), void=void)  # fmt: skip
            graph.serialize(target / f"metadata-{profile.token}.nt", format="nt", encoding="utf-8")
        log.info("build: VoID and DCAT took %.1f s", time.monotonic() - started)
    finally:
        view.close()
    with _step("default graph and compaction"):
        EmbeddedStore.seal(store, uris.default_graphs, [*sources.files["data"], *sources.files["ontology"]])
    return manifest


@contextlib.contextmanager
def _scratch(root: Path, key: str) -> Iterator[Path]:
    """A temporary build directory beside the releases (same filesystem: the rename is atomic)."""
    path = Path(tempfile.mkdtemp(prefix=f".build-{key[:12]}-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _build_into(root: Path, target: Path, settings: Settings, sources: Sources, key: str, report_text: str) -> bool:
    """Compile into a scratch directory and rename it to `target`; False when another build won the race."""
    with _scratch(root, key) as scratch:
        (scratch / "report.txt").write_text(report_text, encoding="utf-8")
        refused: ValidationFailed | None = None
        try:
            manifest = _compile(scratch, settings, sources, key)
        except ValidationFailed as exc:
            refused = ValidationFailed(exc.report)
        if refused is not None:
            # Raised anew outside the handler: the first error's traceback held the compile's frame, so
            # its store stayed open, and RocksDB's threads wrote into the folder `_scratch` was removing.
            raise refused
        (scratch / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        scratch.chmod(0o755)  # mkdtemp made it private; a release is for every worker to read
        sync_tree(scratch)
        try:
            scratch.rename(target)
        except OSError:  # another process finished the same release first: same bytes, keep theirs
            if not (target / MANIFEST).is_file():
                raise
            return False
    fsync_dir(root)  # the rename itself
    return True


def _build_elsewhere(settings: Settings, report_text: str) -> bool:
    """Compile in a fresh interpreter, so that this process never runs a writable RocksDB.

    RocksDB starts background threads that a later fork (granian's workers, the query processes)
    would inherit in whatever state they were, mutexes held included: a worker forked from a process
    that built a store can hang on its first read.
    """
    values = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    done = subprocess.run([sys.executable, "-m", __name__], input=json.dumps({"settings": values,
                          "report": report_text}), capture_output=True, text=True, check=False)  # fmt: skip
    for line in done.stderr.splitlines():  # the child's step times (INFO there), shown here
        if line.startswith("build: "):
            print(line, file=sys.stderr)
    if done.returncode == REFUSED:  # the batched validation failed there: its results, as JSON
        results = tuple(Violation(**r) for r in json.loads(done.stdout))
        raise ValidationFailed(ValidationReport(conforms=False, graph=Graph(), results=results))
    if done.returncode != 0:
        raise StoreError(f"building the release failed: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip() == "built"


def build_release(settings: Settings, sources: Sources | None = None, *, switch: bool = True,
                  validate_again: bool = True, isolate: bool = True) -> Built:  # fmt: skip
    """Build the release of the configured content (or find it built), then point `current` at it.

    `validate_again=False` lets a recorded conforming result for this exact content stand (see
    validation.py): the app factory uses it, so that tests building the same content stay fast.
    `isolate` (the default) compiles the store in a separate interpreter, so that a process that forks
    afterwards (a server, its query processes) never inherits RocksDB's threads; only a process that
    exits after building (`oms-ld build`) should pass False.

    Raises:
        ValidationFailed: the content does not conform; nothing is published, `current` is unchanged.
        SourceError: a content file cannot be read.
        ConfigError: RELEASE_DATE is not a date, or RELEASES_DIR cannot be written.
        StoreError: the isolated build failed.
    """
    started = time.monotonic()
    if not _DATE.fullmatch(settings.release_date):
        raise ConfigError(f"RELEASE_DATE must be a date like 2026-11-26, not {settings.release_date!r}")
    sources = sources or load_sources(settings)
    key = release_key(settings, sources)
    root = releases_dir(settings)
    target = root / release_dir_name(settings, key)
    built = False
    if not (target / MANIFEST).is_file():
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"RELEASES_DIR {root} cannot be created: {exc.strerror}") from exc
        if settings.validator == "store":  # validated in batches from the store, as it is compiled
            report = ValidationReport(conforms=True, graph=Graph(), results=())
        elif validate_again:
            report = validate_graph(sources.data, sources.shapes, sources.ontology)
        else:
            report = validate_sources(sources, settings.cache_dir)
        if not report.conforms:
            raise ValidationFailed(report)
        if isolate:
            built = _build_elsewhere(settings, report.text())
        else:
            built = _build_into(root, target, settings, sources, key, report.text())
    release = Release.open(target)
    if switch:
        _switch(root, release)
        prune(settings, settings.keep_releases)
    return Built(release, built, time.monotonic() - started)


def _main() -> None:
    """The isolated build (`_build_elsewhere`): settings and the report as JSON on stdin."""
    job = json.loads(sys.stdin.read())
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    settings = Settings(**job["settings"])
    sources = load_sources(settings)
    key = release_key(settings, sources)
    root = releases_dir(settings)
    try:
        built = _build_into(root, root / release_dir_name(settings, key), settings, sources, key, job["report"])
    except ValidationFailed as exc:
        assert isinstance(exc.report, ValidationReport)
        print(json.dumps([dataclasses.asdict(r) for r in exc.report.results]))
        sys.exit(REFUSED)
    print("built" if built else "found")


if __name__ == "__main__":
    _main()
