"""The embedded default store: pyoxigraph in memory, loaded from the content files at start."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from ..errors import BadRequest, OmsLdError, QueryTimeout, StoreError
from ..formats import PARSE_FORMATS
from ..sources import Sources
from ..sparql_text import locate, read, refuse_in_store
from .base import Result
from .pool import QueryPool, Reply, Request

TSV = ox.QueryResultsFormat.TSV
NT = ox.RdfFormat.N_TRIPLES
_ERRORS: dict[str, type[OmsLdError]] = {"BadRequest": BadRequest, "StoreError": StoreError}


class _RowLimit(Exception):
    """Raised inside a serializer callback to stop a result that is over the row limit."""


class _CountingWriter:
    """A bytes sink for pyoxigraph's TSV writer that stops the query once it has too many rows."""

    def __init__(self, max_rows: int) -> None:
        self.buffer = BytesIO()
        self.lines = 0
        self.max_lines = max_rows + 1  # the TSV header line

    def write(self, chunk: bytes) -> int:
        self.lines += chunk.count(b"\n")
        if self.lines > self.max_lines:
            raise _RowLimit
        return self.buffer.write(chunk)

    def flush(self) -> None:
        """Nothing is buffered here."""


def _collect(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, max_rows: int | None) -> Reply:
    """The answer as picklable bytes, stopping (with _RowLimit) once it is over `max_rows`."""
    if isinstance(answer, ox.QueryBoolean):
        return ("boolean", bool(answer))
    if isinstance(answer, ox.QueryTriples):
        triples = []
        for triple in answer:
            triples.append(triple)
            if max_rows is not None and len(triples) > max_rows:
                raise _RowLimit
        return ("triples", ox.serialize(triples, format=NT) or b"")
    if max_rows is None:
        return ("solutions", answer.serialize(format=TSV) or b"")
    # Solutions stream through the TSV writer, which counts rows and stops the query early.
    sink = _CountingWriter(max_rows)
    answer.serialize(cast(IO[bytes], sink), TSV)
    return ("solutions", sink.buffer.getvalue())


class EmbeddedStore:
    """A pyoxigraph store holding the ontology, data and shapes as named graphs.

    Trusted queries (the site's own) run in-process; queries given a `timeout` (the public
    endpoint's) run in a child process that is killed when it overruns.
    """

    def __init__(
        self,
        store: ox.Store,
        *,
        version: str,
        default_graphs: Sequence[str],
        max_rows: int,
        base_iri: str | None = None,
    ) -> None:
        self._store = store
        #: Relative IRIs in queries resolve against this (the endpoint URL; SPARQL Protocol §2.3).
        self.base_iri = base_iri
        self.version = version
        self._default = tuple(default_graphs)
        self.max_rows = max_rows
        self._pool = QueryPool(self._answer, size=8)

    @classmethod
    def from_sources(
        cls,
        sources: Sources,
        graphs: Mapping[str, str],
        *,
        max_rows: int,
        extra: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> EmbeddedStore:
        """Load the files of `sources` natively; `graphs` maps "ontology"/"data"/"shapes" to graph IRIs.

        `extra` maps further graph IRIs to files loaded as additional named graphs.
        """
        store = ox.Store()
        for group, files in sources.files.items():
            for path in files:
                store.bulk_load(path=str(path), format=PARSE_FORMATS[path.suffix], to_graph=ox.NamedNode(graphs[group]))
        for iri, file in (extra or {}).items():
            store.bulk_load(path=file, format=PARSE_FORMATS[Path(file).suffix], to_graph=ox.NamedNode(iri))
        default = [graphs["data"], graphs["ontology"]]
        return cls(store, version=sources.version, default_graphs=default, max_rows=max_rows, base_iri=base_iri)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> Result:
        """Run `sparql`; with a `timeout`, in a child process that is stopped when time runs out."""
        request: Request = (
            sparql,
            None if default_graphs is None else tuple(default_graphs),
            None if named_graphs is None else tuple(named_graphs),
            None if timeout is None else self.max_rows,  # the row cap is for untrusted queries only
        )
        reply = self._answer(request) if timeout is None else self._pool.run(request, timeout)
        if reply is None:
            raise QueryTimeout(f"the query was stopped after the time limit of {timeout:g} s")
        kind, payload = reply
        if kind == "error":
            name, message = payload
            raise _ERRORS.get(name, StoreError)(message)
        if kind == "boolean":
            answer = ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if payload else b"false"),
                                            ox.QueryResultsFormat.JSON)  # fmt: skip
            assert isinstance(answer, ox.QueryBoolean)
            return Result(boolean=answer)
        if kind == "triples":
            return Result(triples=[quad.triple for quad in ox.parse(payload, NT)])
        solutions = ox.parse_query_results(payload, TSV)
        assert isinstance(solutions, ox.QuerySolutions)
        return Result(solutions=solutions)

    def _answer(self, request: Request) -> Reply:
        """Execute one request and return picklable bytes (runs in-process or in a pool child)."""
        sparql, default_graphs, named_graphs, max_rows = request
        try:
            reading = read(sparql)
            refuse_in_store(reading)  # the endpoint refused these already; a store never runs them
        except OmsLdError as exc:
            return ("error", ("BadRequest", exc.message))
        graphs = self._default if default_graphs is None else default_graphs
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = [ox.NamedNode(g) for g in graphs]
        if default_graphs is None and reading.has_dataset:
            default = None  # the query's own FROM decides (local graphs only; nothing is fetched)
        named: list[ox.NamedNode | ox.BlankNode] | None = (
            None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs]
        )
        try:
            # The canonical text, not the client's: pyoxigraph reads it exactly as the grammar does (see sparql_text).
            text = reading.canonical()
            answer = self._store.query(text, base_iri=self.base_iri, default_graph=default, named_graphs=named)
            return _collect(answer, max_rows)
        except SyntaxError as exc:
            return ("error", ("BadRequest", f"SPARQL syntax error: {locate(reading, str(exc))}"))
        except _RowLimit:
            return ("error", ("BadRequest", f"the result has more than {self.max_rows} rows; add a LIMIT"))
        except RuntimeError as exc:  # pyoxigraph: "The custom function <…> is not supported" is the client's
            kind = "BadRequest" if "is not supported" in str(exc) else "StoreError"
            return ("error", (kind, f"query failed: {exc}"))
        except (OSError, ValueError) as exc:
            return ("error", ("StoreError", f"query failed: {exc}"))

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples per named graph."""
        rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(rows, ox.QuerySolutions)
        return {row["g"].value: int(row["n"].value) for row in rows}

    def close(self) -> None:
        """Stop the query children."""
        self._pool.close()
