"""A store that forwards read-only SPARQL to a remote SPARQL 1.1 endpoint through SPARQLWrapper."""

from __future__ import annotations

import logging
import urllib.error
from collections.abc import Sequence

import pyoxigraph as ox
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from ..errors import BadRequest, StoreError, StoreTimeout
from .base import Result

log = logging.getLogger(__name__)

#: What we ask the remote for: formats pyoxigraph parses quickly, results first.
ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.9, text/turtle;q=0.8"
)


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
        user: str = "",
        password: str = "",
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.version = version
        self.max_rows = max_rows
        self._default = list(default_graphs)
        self._auth = (user, password) if user else None

    def _wrapper(
        self, sparql: str, default_graphs: Sequence[str], named_graphs: Sequence[str], timeout: float
    ) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setOnlyConneg(True)
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(max(1, timeout)))
        wrapper.addCustomHttpHeader("Accept", ACCEPT)
        if self._auth:
            wrapper.setCredentials(*self._auth)
        for graph in default_graphs:
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs:
            wrapper.addNamedGraph(graph)
        wrapper.setQuery(sparql)
        return wrapper

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> Result:
        """Send `sparql` to the endpoint and parse the answer by its Content-Type.

        A time limit closes the connection when it runs out; stopping the work is up to the remote.
        """
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        graphs = self._default if default_graphs is None else default_graphs
        wrapper = self._wrapper(sparql, graphs, named_graphs or [], limit)
        try:
            response = wrapper.query().response
            body = response.read()
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        except QueryBadFormed as exc:
            raise BadRequest(f"the store rejected the query: {exc}") from exc
        except TimeoutError as exc:
            log.warning("remote store %s timed out: %s", self.endpoint, exc)
            raise StoreTimeout(f"the triple store did not answer within {limit:g} s") from exc
        except (SPARQLWrapperException, urllib.error.URLError, OSError) as exc:
            log.warning("remote store %s failed: %s", self.endpoint, exc)
            if isinstance(getattr(exc, "reason", None), TimeoutError):
                raise StoreTimeout(f"the triple store did not answer within {limit:g} s") from exc
            raise StoreError(f"the triple store failed: {exc}") from exc
        return self._parse(body, content_type)

    def _parse(self, body: bytes, content_type: str) -> Result:
        try:
            results_format = ox.QueryResultsFormat.from_media_type(content_type)
            if results_format is not None:
                answer = ox.parse_query_results(body, results_format)
                if isinstance(answer, ox.QueryBoolean):
                    return Result(boolean=answer)
                return Result(solutions=answer)
            rdf_format = ox.RdfFormat.from_media_type(content_type)
            if rdf_format is None:
                raise StoreError(f"the triple store answered an unexpected type {content_type!r}")
            triples = [q.triple for q in ox.parse(body, rdf_format)]
        except (SyntaxError, ValueError) as exc:
            log.warning("remote store %s sent a malformed answer: %s", self.endpoint, exc)
            raise StoreError(f"the triple store sent a malformed answer: {exc}") from exc
        if len(triples) > self.max_rows:
            raise BadRequest(f"the result has more than {self.max_rows} triples; add a LIMIT")
        return Result(triples=triples)

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples per named graph, as the remote store counts them."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", default_graphs=[]
        )
        assert result.solutions is not None
        return {row["g"].value: int(row["n"].value) for row in result.solutions}

    def close(self) -> None:
        """Nothing is held open between requests."""
