"""A store that forwards read-only SPARQL to a remote SPARQL 1.1 endpoint through SPARQLWrapper.

Stores differ; what is evened out here and in compat.py (each seen with Oxigraph server or Virtuoso 7.2):

* The Accept header depends on the query form: asked for "results first", Virtuoso answers a
  CONSTRUCT as a SPARQL JSON table of ?s ?p ?o.
* Virtuoso answers ASK with a one-column table (``__ASK_RETVAL``: one row ``1``, or no row), blank
  nodes as ``nodeID://b1``, and geo:wktLiteral values as its own single-precision geometry type.
* A protocol dataset must override the query's FROM (Virtuoso lets FROM win), and relative IRIs
  resolve against this service's base, as in the embedded store.
* The dataset: without named-graph-uri, Virtuoso lets GRAPH ?g reach its own system graphs, so the
  named graphs are always sent; a query's own FROM is left to decide, as in the embedded store.
* Row limits: an untrusted query's result is counted against MAX_RESULT_ROWS, as the embedded store
  does, and a store that cut the result itself (Virtuoso's ``X-SPARQL-MaxRows``) is refused, never passed on.
* Every failure (refused connection, timeout, HTTP error, unreadable or oversized answer) becomes a
  StoreError or StoreTimeout with a log line; reading the answer is bounded by the time limit too.
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
from collections.abc import Sequence
from typing import Any, NoReturn

import pyoxigraph as ox
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
)

from ..errors import QueryError, QueryTimeout, StoreError, StoreTimeout
from ..rdf.formats import MediaType
from ..rdf.sparql import Reading, read
from ..rdf.sparql_checks import checked_query, refuse_engine_functions, refuse_in_store
from .base import Result
from .compat import (
    VIRTRDF_GEOMETRY,
    ask_from_table,
    boolean,
    even_out_json,
    even_out_triple,
    store_message,
    unknown_function,
)

log = logging.getLogger(__name__)

#: What we ask the remote for, by query form: formats pyoxigraph parses quickly.
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
ACCEPT_ANY = f"{ACCEPT_RESULTS}, application/n-triples;q=0.8, text/turtle;q=0.7"
#: RDF media types that stores send and pyoxigraph does not know by that name.
RDF_ALIASES = {"text/rdf+n3": ox.RdfFormat.TURTLE}
#: An answer larger than this is refused rather than held in memory.
MAX_ANSWER_BYTES = 128 * 1024 * 1024
_READ_CHUNK = 64 * 1024
#: Words in a store's error that mean it stopped the query at its own time limit (Virtuoso: S1T00 SR171).
_TIMEOUT_WORDS = ("timed out", "timeout", "S1T00", "SR171")


class RemoteStore:
    """Read-only access to a SPARQL endpoint; every failure becomes a StoreError with the cause."""

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float,
        default_graphs: Sequence[str],
        version: str,
        max_rows: int,
        named_graphs: Sequence[str] = (),
        user: str = "",
        password: str = "",
        base_iri: str | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.version = version
        self.max_rows = max_rows
        #: Relative IRIs in queries resolve against this (sent as a BASE, so every store agrees).
        self.base_iri = base_iri
        self._default = list(default_graphs)
        #: Every graph of the published dataset: what GRAPH ?g may reach when the client names none.
        self._named = list(named_graphs)
        self._auth = (user, password) if user else None

    def _wrapper(
        self, sparql: str, form: str | None, default_graphs: Sequence[str], named_graphs: Sequence[str], timeout: float
    ) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setOnlyConneg(True)
        wrapper.setMethod(POST)  # form-encoded: Virtuoso 7.2 does not answer a direct application/sparql-query POST
        # Not setTimeout(): it truncates to whole seconds, and 0 means no timeout at all; urlopen takes a float.
        wrapper.timeout = timeout  # type: ignore[assignment]
        accept = ACCEPT_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT_RESULTS if form else ACCEPT_ANY
        wrapper.addCustomHttpHeader("Accept", accept)
        if self._auth:
            wrapper.setCredentials(*self._auth)
        for graph in default_graphs:
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs:
            wrapper.addNamedGraph(graph)
        # Not setQuery(): it guesses the form with a regex and sends anything that looks like INSERT or DROP
        # to the update operation. This store only ever sends the query operation (and the remote refuses
        # an update there). It also warns on text it cannot classify; the store gives the real syntax error.
        wrapper.queryString = sparql
        wrapper.queryType = form or "SELECT"
        return wrapper

    def _dataset(
        self, reading: Reading, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
    ) -> tuple[Sequence[str], Sequence[str]]:
        """The protocol dataset to send: the client's, else ours, unless the query names its own (FROM)."""
        if default_graphs is None and named_graphs is None and reading.has_dataset:
            return [], []
        return (
            self._default if default_graphs is None else default_graphs,
            self._named if named_graphs is None else named_graphs,
        )

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        media_type: MediaType | None = None,
    ) -> Result:
        """Send `sparql` to the endpoint and parse the answer by its Content-Type.

        A time limit closes the connection when it runs out; stopping the work is up to the remote. With a
        `media_type`, the answer comes back already written in it (`Result.encoded`): pyoxigraph's result
        objects may only be freed on the thread that made them, so they never leave this call.
        """
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        reading = read(sparql)
        refuse_in_store(reading)
        refuse_engine_functions(reading)
        form = reading.form
        default, named = self._dataset(reading, default_graphs, named_graphs)
        # A protocol dataset replaces the query's own (Protocol §2.1.4), but Virtuoso 7.2 lets FROM win.
        without_dataset = (default_graphs is not None or named_graphs is not None) and reading.has_dataset
        # Only the canonical text is sent: the store's own extensions (Virtuoso's DEFINE pragmas, comments its
        # parser reads) cannot reach it. A client's query is checked against the SPARQL 1.1 grammar first.
        if timeout is None:
            sparql = reading.canonical(without_dataset=without_dataset)
        else:
            sparql = checked_query(reading, without_dataset=without_dataset)
        if self.base_iri and reading.has_relative_iri and not reading.has_base:
            # Resolve as the embedded store does; only when the query has no BASE (Virtuoso allows one).
            sparql = f"BASE <{self.base_iri}>\n{sparql}"
        wrapper = self._wrapper(sparql, form, default, named, limit)
        body, headers = self._send(wrapper, limit)
        content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if headers.get("X-SPARQL-MaxRows"):
            log.warning("remote store %s cut a result at %s rows (raise Virtuoso's ResultSetMaxRows above "
                        "MAX_RESULT_ROWS)", self.endpoint, headers["X-SPARQL-MaxRows"])  # fmt: skip
            raise QueryError(
                f"the result has more rows than the triple store returns ({headers['X-SPARQL-MaxRows']}); add a LIMIT"
            )
        if headers.get("X-SQL-State"):  # Virtuoso's "anytime" answer: partial results at its time limit
            raise QueryTimeout(f"the triple store stopped the query at its time limit ({headers['X-SQL-State']})")
        result = self._parse(body, content_type, form, capped=timeout is not None)
        if media_type is None:
            return result
        encoded = result.serialize(media_type)
        del result
        return Result(encoded=(media_type, encoded))

    def _send(self, wrapper: SPARQLWrapper, limit: float) -> tuple[bytes, Any]:
        """POST the query; the body and headers, read within `limit` seconds in all."""
        started = time.monotonic()
        try:
            with wrapper.query().response as response:
                chunks: list[bytes] = []
                size = 0
                while chunk := response.read1(_READ_CHUNK):  # read1: what has arrived, so the clock is checked
                    chunks.append(chunk)
                    size += len(chunk)
                    if time.monotonic() - started > limit:
                        raise TimeoutError("the answer was still arriving at the time limit")
                    if size > MAX_ANSWER_BYTES:
                        self._fail(f"the answer is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MiB")
                return b"".join(chunks), response.headers
        except QueryBadFormed as exc:  # 400: the protocol's answer to a query that does not parse
            raise QueryError(f"SPARQL syntax error (reported by the triple store): {store_message(exc)}") from exc
        except EndPointInternalError as exc:
            message = store_message(exc)
            function = unknown_function(message)
            if function is not None:  # the client's query calls a function this store lacks: the client's fault
                raise QueryError(f"the triple store does not support the function <{function}>") from exc
            if any(word.lower() in message.lower() for word in _TIMEOUT_WORDS):
                log.warning("remote store %s stopped a query at its time limit: %s", self.endpoint, message)
                raise QueryTimeout("the triple store stopped the query at its time limit") from exc  # text: logged
            self._fail(f"the triple store failed: {message}", exc)
        except Unauthorized as exc:
            self._fail("the triple store refused our credentials (401); check SPARQL_USER and SPARQL_PASSWORD", exc)
        except EndPointNotFound as exc:
            self._fail(f"there is no SPARQL endpoint at {self.endpoint} (404)", exc)
        except TimeoutError as exc:
            self._timeout(limit, exc)
        except urllib.error.HTTPError as exc:
            self._fail(f"the triple store answered {exc.code} {exc.reason}", exc)
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                self._timeout(limit, exc)
            self._fail(f"cannot reach the triple store at {self.endpoint}: {exc.reason}", exc)
        except (SPARQLWrapperException, http.client.HTTPException, OSError) as exc:
            self._fail(f"the triple store sent no usable answer: {type(exc).__name__}: {exc}", exc)

    def _fail(self, message: str, cause: BaseException | None = None) -> NoReturn:
        log.warning("remote store %s: %s", self.endpoint, message)
        raise StoreError(message) from cause

    def _timeout(self, limit: float, cause: BaseException) -> NoReturn:
        log.warning("remote store %s did not answer within %g s: %s", self.endpoint, limit, cause)
        raise StoreTimeout(f"the triple store did not answer within {limit:g} s") from cause

    def _parse(self, body: bytes, content_type: str, form: str | None, *, capped: bool) -> Result:
        """The answer as a Result, checked whole (so a bad row fails here, not while serializing).

        `capped`: refuse more than `max_rows` rows or triples (untrusted queries only, as the embedded store).
        """
        results_format = ox.QueryResultsFormat.from_media_type(content_type)
        rdf_format = RDF_ALIASES.get(content_type) or ox.RdfFormat.from_media_type(content_type)
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        try:
            if results_format is not None and not graph_form:
                return self._results(body, results_format, form, capped=capped)
            if rdf_format is not None and form in ("CONSTRUCT", "DESCRIBE", None):
                triples = [q.triple for q in ox.parse(body, rdf_format)]
                if VIRTRDF_GEOMETRY.encode() in body:
                    triples = [even_out_triple(t) for t in triples]
                if capped and len(triples) > self.max_rows:
                    raise QueryError(f"the result has more than {self.max_rows} triples; add a LIMIT")
                return Result(triples=triples)
        except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
            self._fail(f"the triple store sent a malformed answer ({content_type or 'no type'}): {exc}", exc)
        self._fail(f"the triple store answered a {form or 'query'} with {content_type or 'no Content-Type'}")

    def _results(self, body: bytes, results_format: ox.QueryResultsFormat, form: str | None, *, capped: bool) -> Result:
        if results_format == ox.QueryResultsFormat.JSON:
            body = even_out_json(body)
        answer = ox.parse_query_results(body, results_format)
        if isinstance(answer, ox.QueryBoolean):
            return Result(boolean=answer)
        if form == "ASK":
            return Result(boolean=boolean(ask_from_table(answer)))
        rows = sum(1 for _ in answer)  # parses every row: a bad one raises here
        del answer
        if capped and rows > self.max_rows:
            raise QueryError(f"the result has more than {self.max_rows} rows; add a LIMIT")
        solutions = ox.parse_query_results(body, results_format)
        assert isinstance(solutions, ox.QuerySolutions)
        return Result(solutions=solutions)

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples per named graph of the dataset, as the remote store counts them."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            default_graphs=[],
            named_graphs=self._named or None,
        )
        assert result.solutions is not None
        return {row["g"].value: int(row["n"].value) for row in result.solutions}

    def close(self) -> None:
        """Nothing is held open between requests."""
