"""The bulk downloads: the published content serialized once per data version, byte for byte reproducible.

Data + ontology as Turtle, N-Triples, JSON-LD and RDF/XML; all three named graphs (ontology, data,
shapes) as TriG and N-Quads; and a gzip of each. Every file has a dated name
(`oms-ld-2026-11-26.ttl`) and a stable alias (`oms-ld-latest.ttl`) with identical bytes.

The bytes must not depend on the process that made them (the server runs several workers, and the
catalogue publishes each file's SHA-256): every path writes them with dumpfiles.py, which streams
from the content files through a sorted, canonically labelled N-Triples to every format, so a
release of millions of triples is written in bounded memory. Pure: no Flask.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..rdf.formats import JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, MediaType
from ..rdf.sources import Sources
from ..rdf.uris import UriPolicy
from .dumpfiles import GZIP_LEVEL, Written, write_dumps

#: The dump formats, in the order they are listed; the first four hold data + ontology, the last two every graph.
FORMATS: tuple[MediaType, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS)
QUAD_FORMATS: tuple[MediaType, ...] = (TRIG, NQUADS)
BY_SUFFIX: dict[str, MediaType] = {m.suffix: m for m in FORMATS}
GZIP = "application/gzip"
LATEST = "latest"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Dump:
    """One downloadable file."""

    #: The file name in `/download/{name}`.
    name: str
    #: The media type it is served as (`application/gzip` for the `.gz` files).
    media_type: str
    #: The bytes, when held in memory (None: they are in the release file at `path`).
    data: bytes | None = field(repr=False)
    #: Hex SHA-256 of `body`.
    sha256: str
    size: int
    #: The RDF syntax of the (decompressed) content.
    rdf_format: MediaType
    #: The dated name a download is saved as (the `latest` alias saves as the dated file).
    filename: str
    #: What a file that is not a dump of the graphs holds, (sv, en): the code crosswalk says so here.
    about: tuple[str, str] = ("", "")
    #: The file that holds the bytes in a built release (see release.py); None for an in-memory dump.
    path: Path | None = None

    @property
    def body(self) -> bytes:
        """The file's bytes (read from the release file when not held in memory)."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    @property
    def compressed(self) -> bool:
        """True for the `.gz` files."""
        return self.name.endswith(".gz")

    @property
    def content_type(self) -> str:
        """The Content-Type header value (with a charset for the textual formats)."""
        return GZIP if self.compressed else self.rdf_format.content_type

    @property
    def quads(self) -> bool:
        """True when the file holds the named graphs (TriG, N-Quads) rather than data + ontology."""
        return self.rdf_format in QUAD_FORMATS


def write_content_dumps(sources: Sources, uris: UriPolicy, folder: Path, stem: str,
                        formats: tuple[MediaType, ...] = FORMATS, *,
                        level: int | None = GZIP_LEVEL) -> list[Written]:  # fmt: skip
    """Write the dumps of `sources` as `folder/{stem}.{suffix}` (and gzip), streaming (see dumpfiles.py)."""
    return write_dumps(sources.files, uris.graphs, folder, stem, uris.prefixes, formats, level=level)


def dump_bytes(sources: Sources, media_type: MediaType, uris: UriPolicy) -> bytes:
    """The content serialized as `media_type`: data + ontology, or all named graphs for TriG and N-Quads.

    The bytes of the release's file for the same content (small content only: they are held whole).
    """
    if media_type not in FORMATS:
        raise ValueError(f"{media_type.mime} is not a dump format")
    with tempfile.TemporaryDirectory(prefix="oms-ld-dump-") as tmp:
        (written,) = write_content_dumps(sources, uris, Path(tmp), "dump", (media_type,), level=None)
        return (Path(tmp) / written.name).read_bytes()


def make_dump(name: str, body: bytes, media_type: MediaType, filename: str, about: tuple[str, str] = ("", "")) -> Dump:
    """A download file: its bytes with their size and SHA-256."""
    compressed = name.endswith(".gz")
    return Dump(
        name=name,
        media_type=GZIP if compressed else media_type.mime,
        data=body,
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        rdf_format=media_type,
        filename=filename,
        about=about,
    )


def build_dumps(sources: Sources, release_date: str, uris: UriPolicy) -> dict[str, Dump]:
    """Every dump file by name: dated files first, then the `latest` aliases, each format plain then gzip.

    The content comes from `sources`, the graphs that passed the validation gate (the embedded store is
    loaded from the same files; a remote store is expected to hold them too).

    Raises:
        ConfigError: `release_date` is not a YYYY-MM-DD date.
    """
    if not _DATE.fullmatch(release_date):
        raise ConfigError(f"RELEASE_DATE must be a date like 2026-11-26, not {release_date!r}")
    dated: list[Dump] = []
    stem = f"oms-ld-{release_date}"
    with tempfile.TemporaryDirectory(prefix="oms-ld-dumps-") as tmp:
        for written in write_content_dumps(sources, uris, Path(tmp), stem):
            body = (Path(tmp) / written.name).read_bytes()
            dated.append(make_dump(written.name, body, written.rdf_format, written.name))
    aliases = [make_dump(d.name.replace(release_date, LATEST, 1), d.body, d.rdf_format, d.filename) for d in dated]
    return {d.name: d for d in (*dated, *aliases)}
