"""The embedded default store: pyoxigraph in memory, loaded from the content files at start."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import IO, cast

import pyoxigraph as ox

from ..errors import BadRequest, StoreError
from ..formats import PARSE_FORMATS
from ..sources import Sources
from .base import Result

TSV = ox.QueryResultsFormat.TSV


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


class EmbeddedStore:
    """A pyoxigraph store holding the ontology, data and shapes as three named graphs."""

    def __init__(self, store: ox.Store, *, version: str, default_graphs: Sequence[str], max_rows: int) -> None:
        self._store = store
        self.version = version
        self._default = [ox.NamedNode(g) for g in default_graphs]
        self.max_rows = max_rows

    @classmethod
    def from_sources(cls, sources: Sources, graphs: dict[str, str], *, max_rows: int) -> EmbeddedStore:
        """Load the files of `sources` natively; `graphs` maps "ontology"/"data"/"shapes" to graph IRIs."""
        store = ox.Store()
        for group, files in sources.files.items():
            target = ox.NamedNode(graphs[group])
            for path in files:
                store.load(path=str(path), format=PARSE_FORMATS[path.suffix], to_graph=target)
        default = [graphs["data"], graphs["ontology"]]
        return cls(store, version=sources.version, default_graphs=default, max_rows=max_rows)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> Result:
        """Run `sparql` on the in-memory store, refusing results over the row limit."""
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = (
            [ox.NamedNode(g) for g in default_graphs] if default_graphs is not None else list(self._default)
        )
        named: list[ox.NamedNode | ox.BlankNode] | None = (
            [ox.NamedNode(g) for g in named_graphs] if named_graphs is not None else None
        )
        try:
            answer = self._store.query(sparql, default_graph=default, named_graphs=named)
        except SyntaxError as exc:
            raise BadRequest(f"SPARQL syntax error: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}") from exc
        try:
            return self._collect(answer)
        except _RowLimit:
            raise BadRequest(f"the result has more than {self.max_rows} rows; add a LIMIT") from None
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def _collect(self, answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Result:
        if isinstance(answer, ox.QueryBoolean):
            return Result(boolean=answer)
        if isinstance(answer, ox.QueryTriples):
            triples = []
            for triple in answer:
                triples.append(triple)
                if len(triples) > self.max_rows:
                    raise _RowLimit
            return Result(triples=triples)
        # Solutions stream through the TSV writer (counting rows, stopping early), then parse back.
        sink = _CountingWriter(self.max_rows)
        answer.serialize(cast(IO[bytes], sink), TSV)
        parsed = ox.parse_query_results(sink.buffer.getvalue(), TSV)
        assert isinstance(parsed, ox.QuerySolutions)
        return Result(solutions=parsed)

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples per named graph."""
        rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(rows, ox.QuerySolutions)
        return {row["g"].value: int(row["n"].value) for row in rows}

    def close(self) -> None:
        """Nothing to release for an in-memory store."""
