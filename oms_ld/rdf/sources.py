"""Find and parse the content files under ontology/, data/ and shapes/ into rdflib graphs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from rdflib import Graph

from ..config import Settings
from ..errors import SourceError
from .digests import file_digests
from .namespaces import bind_prefixes

#: File suffix → rdflib parser name. Content is Turtle by policy; the rest are accepted for deployments.
PARSERS = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".jsonld": "json-ld", ".trig": "trig"}


@dataclass(frozen=True)
class Sources:
    """The content files, their version fingerprint, and their graphs (parsed with rdflib on first use).

    The store parses the files natively; the rdflib graphs are only needed to validate, to write the
    dumps and to draw the ontology and shapes pages, so big data is not parsed twice at start.
    """

    #: SHA-256 over every file's name and bytes: changes whenever any content changes.
    version: str
    #: Newest modification time of the files, for Last-Modified.
    modified: datetime
    #: The files of each group ("ontology", "data", "shapes").
    files: dict[str, tuple[Path, ...]]
    #: Each file's SHA-256 (hex).
    digests: dict[Path, str] = field(default_factory=dict)

    @cached_property
    def ontology(self) -> Graph:
        """The ontology graph."""
        return parse_files(list(self.files["ontology"]))

    @cached_property
    def data(self) -> Graph:
        """The instance data graph."""
        return parse_files(list(self.files["data"]))

    @cached_property
    def shapes(self) -> Graph:
        """The SHACL shapes graph."""
        return parse_files(list(self.files["shapes"]))

    @property
    def size(self) -> int:
        """Total bytes of the content files."""
        return sum(path.stat().st_size for files in self.files.values() for path in files)

    def published(self) -> Graph:
        """Data and ontology together: what the dumps and the default SPARQL graph contain."""
        graph = bind_prefixes(Graph())
        for triple in self.ontology:
            graph.add(triple)
        for triple in self.data:
            graph.add(triple)
        return graph


def content_files(directory: str | Path) -> list[Path]:
    """The parseable files directly in `directory`, sorted by name; a missing directory is an error."""
    path = Path(directory)
    if not path.is_dir():
        raise SourceError(f"{path}: not a directory")
    return sorted(p for p in path.iterdir() if p.suffix in PARSERS and p.is_file())


def parse_files(files: list[Path]) -> Graph:
    """Parse `files` into one graph; a syntax error names the file (and line, where the parser says)."""
    graph = bind_prefixes(Graph())
    for path in files:
        try:
            graph.parse(path, format=PARSERS[path.suffix])
        except Exception as exc:  # rdflib's parsers raise many unrelated types for bad input
            raise SourceError(f"{path}: cannot parse {PARSERS[path.suffix]}: {_one_line(exc)}") from exc
    return graph


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def load_sources(settings: Settings) -> Sources:
    """Find the ontology, data and shapes files in `settings`' folders and fingerprint them (no parsing yet)."""
    dirs = {"ONTOLOGY_DIR": settings.ontology_dir, "DATA_DIR": settings.data_dir, "SHAPES_DIR": settings.shapes_dir}
    groups = {key: content_files(folder) for key, folder in dirs.items()}
    for key, files in groups.items():
        if not files:
            raise SourceError(f"{dirs[key]}: no content files ({', '.join(PARSERS)})")
    digests = file_digests([path for files in groups.values() for path in files], settings.cache_dir)
    digest = hashlib.sha256()
    newest = 0.0
    for key, files in groups.items():
        for path in files:
            digest.update(f"{key}/{path.name}\0{digests[path]}\n".encode())
            newest = max(newest, path.stat().st_mtime)
    return Sources(
        version=digest.hexdigest()[:20],
        modified=datetime.fromtimestamp(int(newest), tz=UTC),
        files={
            "ontology": tuple(groups["ONTOLOGY_DIR"]),
            "data": tuple(groups["DATA_DIR"]),
            "shapes": tuple(groups["SHAPES_DIR"]),
        },
        digests=digests,
    )
