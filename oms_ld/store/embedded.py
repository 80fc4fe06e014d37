"""The embedded default store: pyoxigraph in memory, loaded from the content files at start."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from ..errors import NotAcceptable, OmsLdError, QueryError, QueryRefused, ResultTooLarge, SandboxUnavailable, StoreError
from ..rdf.formats import PARSE_FORMATS, RDF_FORMATS, RESULT_FORMATS, MediaType
from ..rdf.sources import Sources
from ..rdf.sparql import Reading, read
from ..rdf.sparql_checks import locate, refuse_in_store
from .answers import NT, TSV, Answer, encode, query_error
from .base import Result
from .pool import ChildFailed, QueryPool

_ERRORS: dict[str, type[OmsLdError]] = {
    cls.__name__: cls for cls in (QueryError, QueryRefused, ResultTooLarge, StoreError, SandboxUnavailable)
}


@dataclass(frozen=True)
class Request:
    """One query as it crosses to a query process (picklable).

    `sparql` is the grammar's canonical text (rdf/sparql.py), read and checked where the request came in:
    the query process runs it without reading it again (its sandbox, not a second reading, is its defence).
    """

    sparql: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    #: Row and byte caps (None: trusted, no cap); the media type to write (None: TSV / N-Triples).
    max_rows: int | None
    max_bytes: int | None
    mime: str | None
    #: Whether the query names its own dataset (FROM / FROM NAMED), which then replaces the default graphs.
    own_dataset: bool = False


@dataclass(frozen=True)
class Limits:
    """What one untrusted query may use (config: QUERY_PROCESSES, MAX_RESULT_BYTES, QUERY_MEMORY_BYTES, …)."""

    processes: int = 2
    max_bytes: int = 50_000_000
    memory_budget: int = 1 << 30
    #: A backstop: processes are replaced by memory (store/pool.py), a fork costs tens of milliseconds.
    max_queries: int = 10_000
    #: Queries that may wait for a busy process, and for how long (seconds); beyond them, 503 at once.
    queue: int = 2
    wait: float = 1.0
    #: Processes beyond `processes` for the queries whose template last ran within `quick` CPU seconds.
    express: int = 1
    quick: float = 0.02


#: Quads copied at a time into a release store's default graph (`EmbeddedStore.seal`).
_CHUNK = 100_000
#: How an engine's syntax error starts; what follows has positions in the canonical text ("at 1:57").
SYNTAX_ERROR = "SPARQL syntax error: "


def _located(reading: Reading, message: str) -> str:
    """A query error, with the position of an engine's syntax error moved to the client's text."""
    if not message.startswith(SYNTAX_ERROR):
        return message
    return SYNTAX_ERROR + locate(reading, message[len(SYNTAX_ERROR) :])


def _error(failed: ChildFailed, media_type: MediaType | None) -> OmsLdError:
    """The project error a query process reported."""
    if failed.name == "NotAcceptable":
        family = RDF_FORMATS if media_type is not None and media_type.oxigraph is not None else RESULT_FORMATS
        return NotAcceptable(failed.message, [m.mime for m in family if m != media_type])
    return _ERRORS.get(failed.name, StoreError)(failed.message)


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
        limits: Limits | None = None,
        path: str | None = None,
        graph_sizes: Mapping[str, int] | None = None,
        merged_default: bool = False,
    ) -> None:
        self._store = store
        #: Whether the store's own default graph holds the union of `default_graphs` (`seal`, a release's).
        self.merged_default = merged_default
        #: The on-disk store this was opened read-only from (None: in memory, inherited by the children).
        self.path = path
        self._sizes = None if graph_sizes is None else dict(graph_sizes)
        #: Relative IRIs in queries resolve against this (the endpoint URL; SPARQL Protocol §2.3).
        self.base_iri = base_iri
        self.version = version
        self._default = tuple(default_graphs)
        self.max_rows = max_rows
        self.limits = limits or Limits()
        self._pool = QueryPool(
            self._answer,
            size=self.limits.processes,
            max_bytes=self.limits.max_bytes,
            memory_budget=self.limits.memory_budget,
            max_queries=self.limits.max_queries,
            queue=self.limits.queue,
            wait=self.limits.wait,
            express=self.limits.express,
            quick=self.limits.quick,
            reopen=None if path is None else self._reopen,
        )

    def _reopen(self) -> None:
        """In a query process, after its inherited descriptors are closed: a read-only handle of its own."""
        assert self.path is not None
        # The inherited handle is kept, never dropped: its files are closed, and RocksDB's close of it
        # in a forked child hangs the process. The child ends with os._exit, which runs no destructor.
        self._inherited = self._store
        self._store = ox.Store.read_only(self.path)

    @classmethod
    def open_release(
        cls,
        path: str,
        *,
        version: str,
        default_graphs: Sequence[str],
        graph_sizes: Mapping[str, int],
        max_rows: int,
        base_iri: str | None = None,
        limits: Limits | None = None,
    ) -> EmbeddedStore:
        """Open a built release's on-disk store read-only: every worker (and query process) shares its pages."""
        try:
            store = ox.Store.read_only(path)
        except OSError as exc:
            raise StoreError(f"cannot open the release store {path}: {exc}") from exc
        return cls(store, version=version, default_graphs=default_graphs, max_rows=max_rows, base_iri=base_iri,
                   limits=limits, path=path, graph_sizes=graph_sizes, merged_default=True)  # fmt: skip

    @classmethod
    def from_sources(
        cls,
        sources: Sources,
        graphs: Mapping[str, str],
        *,
        max_rows: int,
        extra: Mapping[str, str] | None = None,
        base_iri: str | None = None,
        limits: Limits | None = None,
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
        return cls(store, version=sources.version, default_graphs=default, max_rows=max_rows, base_iri=base_iri,
                   limits=limits)  # fmt: skip

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        media_type: MediaType | None = None,
    ) -> Result:
        """Run `sparql`; with a `timeout`, in a query process that is stopped when time runs out.

        With a `media_type`, the answer is written in it where the query runs (`Result.encoded`).
        """
        untrusted = timeout is not None  # the row and byte caps are for untrusted queries only
        reading = read(sparql)  # memoised by exact text: the endpoint read this very text already
        refuse_in_store(reading)  # the endpoint refused these already; a store never runs them
        request = Request(
            # The canonical text, not the client's: pyoxigraph reads it exactly as the grammar does.
            reading.canonical(),
            None if default_graphs is None else tuple(default_graphs),
            None if named_graphs is None else tuple(named_graphs),
            self.max_rows if untrusted else None,
            self.limits.max_bytes if untrusted else None,
            None if media_type is None else media_type.mime,
            reading.has_dataset,
        )
        if timeout is None:
            parts: list[bytes] = []
            try:
                kind = self._answer(request, parts.append)
            except QueryError as exc:
                raise QueryError(_located(reading, exc.message)) from exc
            body = b"".join(parts)
        else:
            try:
                kind, body = self._pool.run(request, timeout, reading.template)
            except ChildFailed as failed:
                if failed.name == "QueryError":
                    raise QueryError(_located(reading, failed.message)) from None
                raise _error(failed, media_type) from None
        if kind == "encoded":
            assert media_type is not None
            return Result(encoded=(media_type, body))
        if kind == "boolean":
            answer = ox.parse_query_results(b'{"head":{},"boolean":%s}' % body, ox.QueryResultsFormat.JSON)
            assert isinstance(answer, ox.QueryBoolean)
            return Result(boolean=answer)
        if kind == "triples":
            return Result(triples=[quad.triple for quad in ox.parse(body, NT)])
        solutions = ox.parse_query_results(body, TSV)
        assert isinstance(solutions, ox.QuerySolutions)
        return Result(solutions=solutions)

    def _answer(self, request: Request, write: Callable[[bytes], None]) -> str:
        """Execute one request, writing its answer through `write` (runs in-process or in a query process)."""
        graphs = self._default if request.default_graphs is None else request.default_graphs
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = [ox.NamedNode(g) for g in graphs]
        if request.default_graphs is None and request.own_dataset:
            default = None  # the query's own FROM decides (local graphs only; nothing is fetched)
        elif self.merged_default and set(graphs) == set(self._default):
            # The same triples, stored once as the real default graph: a pattern is one index lookup,
            # not one per graph (a default graph of two named graphs made a GROUP BY 1.7x slower).
            default = [ox.DefaultGraph()]
        named: list[ox.NamedNode | ox.BlankNode] | None = (
            None if request.named_graphs is None else [ox.NamedNode(g) for g in request.named_graphs]
        )

        def evaluate() -> Answer:
            try:
                return self._store.query(request.sparql, base_iri=self.base_iri, default_graph=default,
                                         named_graphs=named)  # fmt: skip
            except SyntaxError as exc:  # positions are in the canonical text; `query` maps them to the client's
                raise QueryError(f"{SYNTAX_ERROR}{exc}") from exc
            except Exception as exc:  # evaluation errors, each to the project's error for it
                raise query_error(exc) from exc

        max_bytes = sys.maxsize if request.max_bytes is None else request.max_bytes
        return encode(evaluate(), write, mime=request.mime, max_rows=request.max_rows, max_bytes=max_bytes,
                      again=evaluate)  # fmt: skip

    @staticmethod
    def seal(store: ox.Store, default_graphs: Sequence[str], files: Sequence[Path] = ()) -> None:
        """Finish a store about to be opened read-only: its default graph, then one compaction.

        The store's own default graph gets the union of `default_graphs`, which the release's readers
        query instead of the named graphs (`merged_default`). `files` (the files those graphs were loaded
        from, if given) are bulk-loaded into it again when the graphs hold no blank node (a blank node
        would come back as another one): at 1M the check took 9 s and the load 8 s, the copy 28 s.
        Otherwise the quads are copied (the same quads, so the same blank nodes). `optimize` then
        compacts RocksDB's levels after the bulk load: lookups read fewer files (a join took half the
        time after it). Both cost build time once, not time per query.
        """
        default = ox.DefaultGraph()
        graphs = [ox.NamedNode(graph) for graph in dict.fromkeys(default_graphs)]
        if files and not EmbeddedStore._has_blank_nodes(store, graphs):
            for path in files:
                store.bulk_load(path=str(path), format=PARSE_FORMATS[path.suffix], to_graph=default)
        else:
            for graph in graphs:
                quads = store.quads_for_pattern(None, None, None, graph)
                while chunk := [ox.Quad(q.subject, q.predicate, q.object, default) for q in islice(quads, _CHUNK)]:
                    store.bulk_extend(chunk)  # in bounded chunks of quads
        store.flush()
        store.optimize()

    @staticmethod
    def _has_blank_nodes(store: ox.Store, graphs: Sequence[ox.NamedNode]) -> bool:
        """Whether a blank node (or a triple term, which may hold one) is in any of `graphs`."""
        values = " ".join(str(graph) for graph in graphs)
        answer = store.query(f"ASK {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o "
                             "FILTER(isBLANK(?s) || isBLANK(?o) || isTRIPLE(?o)) } }")  # fmt: skip
        assert isinstance(answer, ox.QueryBoolean)
        return bool(answer)

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples per named graph (recorded in a release; they never change while it is open)."""
        if self._sizes is not None:
            return dict(self._sizes)
        rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(rows, ox.QuerySolutions)
        return {row["g"].value: int(row["n"].value) for row in rows}

    def close(self) -> None:
        """Stop the query children."""
        self._pool.close()
