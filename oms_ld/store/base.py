"""The storage seam: one small protocol, and the backend-neutral query result it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from ..errors import NotAcceptable
from ..rdf.formats import MediaType


@dataclass
class Result:
    """A query result held as pyoxigraph values, whichever backend produced it.

    Exactly one of `solutions`, `boolean`, `triples` or `encoded` is set. `encoded` is an answer
    already written in the media type the caller asked for (by the embedded store's query process).
    """

    solutions: ox.QuerySolutions | None = None
    boolean: ox.QueryBoolean | None = None
    triples: list[ox.Triple] | None = None
    encoded: tuple[MediaType, bytes] | None = None

    def serialize(self, media_type: MediaType) -> bytes:
        """Serialize in `media_type`: a results format for SELECT/ASK, an RDF format for graphs."""
        if self.encoded is not None:
            made, body = self.encoded
            if made.mime != media_type.mime:
                raise NotAcceptable(f"this answer was written as {made.mime}", [made.mime])
            return body
        if self.triples is not None:
            if media_type.oxigraph is None:
                raise ValueError(f"{media_type.mime} is not an RDF format")
            return ox.serialize(self.triples, format=media_type.oxigraph) or b""
        if media_type.results is None:
            raise ValueError(f"{media_type.mime} is not a SPARQL results format")
        answer = self.solutions if self.solutions is not None else self.boolean
        assert answer is not None
        return answer.serialize(format=media_type.results) or b""


class Store(Protocol):
    """What the publisher needs from a triple store: read-only SPARQL over a few named graphs."""

    #: Fingerprint of the published data; changes whenever the data changes.
    version: str

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        media_type: MediaType | None = None,
    ) -> Result:
        """Run a read-only SPARQL query.

        Args:
            sparql: the query text.
            default_graphs: graph IRIs merged into the default graph (None: the published graphs,
                or the query's own FROM clauses when it has some).
            named_graphs: graph IRIs usable with GRAPH (None: every graph).
            timeout: seconds the query may run (None: trusted, unlimited); the work stops at the limit.
            media_type: the format the caller will `serialize` the result to; a store may write it
                directly (`Result.encoded`) where the query runs.

        Raises:
            QueryError: the query does not parse.
            QueryTimeout: the query ran past `timeout` and was stopped.
            ResultTooLarge: the answer is over the byte limit (untrusted queries).
            Overloaded: no capacity for an untrusted query now.
            StoreError: the store failed; StoreTimeout when a remote store did not answer in time.
        """
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples per named graph."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...


def select_rows(store: Store, sparql: str, *, default_graphs: Sequence[str] | None = None) -> list[dict[str, str]]:
    """A trusted SELECT's rows as {variable: lexical value} (unbound variables left out)."""
    solutions = store.query(sparql, default_graphs=default_graphs).solutions
    if solutions is None:
        raise ValueError("expected a SELECT query")
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]
