"""Writing the dumps as files, streaming: memory stays bounded whatever the size of the content.

Every path that publishes dumps (`oms-ld build`, the in-memory site of a remote store, `oms-ld dump`,
the static export) writes them here, so the same content gives the same bytes everywhere:

1. each graph's files are parsed by pyoxigraph (the parser the store's bulk load uses) into
   N-Triples; a graph with blank nodes is first relabelled canonically (RDFC-1.0, labels prefixed by
   the graph's name so that graphs never share one);
2. the lines are sorted and deduplicated by `sort` in the C locale (code point order, external and
   bounded: `-S`), so neither the parser's nor a store's order reaches the bytes;
3. N-Triples is the merge of the data and ontology lines, N-Quads each graph's lines with its IRI;
   Turtle, JSON-LD and RDF/XML (from the N-Triples) and TriG (from the N-Quads) are written by
   pyoxigraph in that order, straight to the file;
4. each file gets its gzip (mtime 0, level `GZIP_LEVEL`), size and SHA-256 by reading it in chunks,
   in a thread beside the next format's serializer (zlib and hashlib release the GIL).

Pure: no Flask, no rdflib.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..rdf.formats import JSONLD, NQUADS, NTRIPLES, PARSE_FORMATS, RDFXML, TRIG, TURTLE, MediaType

#: gzip's own default: about 1.5× faster than 9 for 7% bigger files (measured on the 1M dumps).
GZIP_LEVEL = 6
#: The memory `sort` may use before it spills to temporary files.
SORT_MEMORY = "256M"
_CHUNK = 1 << 20
#: The groups whose union the triple formats (Turtle, N-Triples, JSON-LD, RDF/XML) hold.
PUBLISHED = ("ontology", "data")


@dataclass(frozen=True)
class Written:
    """One file written: its name in the folder, what it holds, its size and SHA-256."""

    name: str
    rdf_format: MediaType
    size: int
    sha256: str


def _sort(inputs: Sequence[Path], output: Path, work: Path, *, merge: bool = False) -> None:
    """Sort (or merge sorted) N-Triples lines byte-wise, dropping duplicates, in bounded memory."""
    command = ["sort", "-u", "-S", SORT_MEMORY, "-T", str(work), "-o", str(output)]
    command += ["-m"] if merge else []
    subprocess.run([*command, *map(str, inputs)], check=True, env={**os.environ, "LC_ALL": "C"})


def _has_blank_nodes(path: Path) -> bool:
    """True when the N-Triples file may name a blank node (a literal holding `_:` also says so: harmless)."""
    with path.open("rb") as file:
        tail = b""
        while chunk := file.read(_CHUNK):
            if b"_:" in tail + chunk[:1]:
                return True
            if b"_:" in chunk:
                return True
            tail = chunk[-1:]
    return False


def _relabelled(path: Path, prefix: str) -> Iterator[ox.Triple]:
    """The triples of an N-Triples file with blank nodes labelled canonically (RDFC-1.0), then `prefix`-ed."""
    dataset = ox.Dataset(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> object:
        return ox.BlankNode(f"{prefix}{node.value}") if isinstance(node, ox.BlankNode) else node

    for quad in dataset:
        yield ox.Triple(term(quad.subject), quad.predicate, term(quad.object))  # type: ignore[arg-type]


def graph_lines(files: Sequence[Path], output: Path, work: Path, prefix: str) -> None:
    """Write the sorted, canonical N-Triples lines of the graph parsed from `files` to `output`."""
    raw = work / f"{output.name}.raw"
    with raw.open("wb") as file:
        for path in files:
            ox.serialize(ox.parse(path=str(path), format=PARSE_FORMATS[path.suffix]), file, ox.RdfFormat.N_TRIPLES)
    if _has_blank_nodes(raw):
        canonical = work / f"{output.name}.c14n"
        ox.serialize(_relabelled(raw, prefix), str(canonical), ox.RdfFormat.N_TRIPLES)
        raw.unlink()
        raw = canonical
    _sort([raw], output, work)
    raw.unlink()


def _add_graph(lines: Path, iri: str, output: object) -> None:
    """Append `lines` (N-Triples) to `output` as N-Quads in graph `iri`."""
    suffix = f" <{iri}> .\n".encode()
    with lines.open("rb") as file:
        rest = b""
        while chunk := file.read(_CHUNK):
            chunk = rest + chunk
            cut = chunk.rfind(b"\n") + 1
            chunk, rest = chunk[:cut], chunk[cut:]
            # A line ends " .\n" and nowhere else (N-Triples escapes newlines inside literals).
            output.write(chunk.replace(b" .\n", suffix))  # type: ignore[attr-defined]


def _seal(path: Path, media_type: MediaType, level: int) -> list[Written]:
    """Size and SHA-256 of `path`, and its gzip beside it with its own: read in chunks."""
    plain, packed = hashlib.sha256(), hashlib.sha256()
    size = 0
    gz_path = path.with_name(path.name + ".gz")
    with (path.open("rb") as source, gz_path.open("wb") as raw,
          gzip.GzipFile(filename="", mode="wb", compresslevel=level, fileobj=raw, mtime=0) as target):  # fmt: skip
        while chunk := source.read(_CHUNK):
            plain.update(chunk)
            size += len(chunk)
            target.write(chunk)
    with gz_path.open("rb") as done:
        while chunk := done.read(_CHUNK):
            packed.update(chunk)
    return [Written(path.name, media_type, size, plain.hexdigest()),
            Written(gz_path.name, media_type, gz_path.stat().st_size, packed.hexdigest())]  # fmt: skip


def write_dumps(files: Mapping[str, Sequence[Path]], graphs: Mapping[str, str], folder: Path, stem: str,
                prefixes: Mapping[str, str], formats: Sequence[MediaType], *,
                level: int | None = GZIP_LEVEL) -> list[Written]:  # fmt: skip
    """Write `folder/{stem}.{suffix}` for each of `formats` (and its gzip unless `level` is None).

    `files` are the content files of each group, `graphs` the IRI of each group's named graph, in the
    order the quad formats list them. Returns the files written, in `formats` order, plain then gzip.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sealed: dict[MediaType, Future[list[Written]]] = {}
    with tempfile.TemporaryDirectory(prefix=".dumps-", dir=folder) as tmp, ThreadPoolExecutor(1) as pool:
        work = Path(tmp)
        for group in graphs:
            graph_lines(files.get(group, ()), work / f"{group}.nt", work, prefix=group[0])
        published = work / "published.nt"
        _sort([work / f"{g}.nt" for g in PUBLISHED if g in graphs], published, work, merge=True)
        wanted = list(formats)
        if TRIG in wanted:  # TriG is written from the N-Quads
            wanted = [m for m in wanted if m is not NQUADS]
            wanted.insert(wanted.index(TRIG), NQUADS)
        written: dict[MediaType, Path] = {}
        for media_type in wanted:
            path = folder / f"{stem}.{media_type.suffix}"
            if media_type is NTRIPLES:
                shutil.copyfile(published, path)
            elif media_type is NQUADS:
                with path.open("wb") as out:
                    for group, iri in graphs.items():
                        _add_graph(work / f"{group}.nt", iri, out)
            elif media_type is TRIG:
                quads = ox.parse(path=str(written[NQUADS]), format=ox.RdfFormat.N_QUADS)
                ox.serialize(quads, str(path), ox.RdfFormat.TRIG, prefixes=dict(prefixes))
            elif media_type in (TURTLE, JSONLD, RDFXML):
                assert media_type.oxigraph is not None
                triples = ox.parse(path=str(published), format=ox.RdfFormat.N_TRIPLES)
                ox.serialize(triples, str(path), media_type.oxigraph, prefixes=dict(prefixes))
            else:
                raise ValueError(f"{media_type.mime} is not a dump format")
            written[media_type] = path
            if media_type in formats and level is not None:
                sealed[media_type] = pool.submit(_seal, path, media_type, level)
        for media_type, path in written.items():
            if media_type not in formats:
                path.unlink()
        if level is None:
            return [Written(written[m].name, m, *_digest(written[m])) for m in formats]
        return [entry for media_type in formats for entry in sealed[media_type].result()]


def _digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def write_graph(files: Sequence[Path], path: Path, prefixes: Mapping[str, str], media_type: MediaType,
                prefix: str) -> None:  # fmt: skip
    """Write the one graph parsed from `files` to `path` as `media_type` (triple formats), streaming.

    The same canonical order as the dumps: sorted N-Triples lines, the other formats written from them.
    The file appears whole or not at all (written beside `path`, then renamed).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".graph-", dir=path.parent) as tmp:
        work = Path(tmp)
        lines, out = work / "graph.nt", work / path.name
        graph_lines(files, lines, work, prefix=prefix)
        if media_type is NTRIPLES:
            lines.replace(out)
        elif media_type in (TURTLE, JSONLD, RDFXML) and media_type.oxigraph is not None:
            triples = ox.parse(path=str(lines), format=ox.RdfFormat.N_TRIPLES)
            ox.serialize(triples, str(out), media_type.oxigraph, prefixes=dict(prefixes))
        else:
            raise ValueError(f"{media_type.mime} is not a triple format")
        out.replace(path)
