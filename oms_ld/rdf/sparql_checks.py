"""What the service refuses to run, decided on a grammar-correct `Reading` of the request: updates,
SERVICE, and (for remote stores) engine extensions and text that SPARQL 1.1 does not parse. Pure.
"""

from __future__ import annotations

import functools
import re

from ..errors import QueryError, QueryRefused, UpdateRefused
from .sparql import Reading
from .sparql_terms import SCHEME


def refuse_service(reading: Reading) -> None:
    """Raise QueryRefused when the request uses SERVICE (an outbound request on the client's behalf)."""
    if reading.has_service:
        raise QueryRefused(
            "SERVICE is not allowed: it would make this server send requests to other hosts on your behalf. "
            "Run federated queries from your own SPARQL client, with this endpoint as one of the services."
        )


def refuse_update(reading: Reading) -> None:
    """Raise UpdateRefused when the request is (or contains) SPARQL Update."""
    if reading.is_update:
        raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted (not even as a query)")


def refuse_in_store(reading: Reading) -> None:
    """What every store checks again before it runs anything: no update, no SERVICE."""
    refuse_update(reading)
    refuse_service(reading)


def locate(reading: Reading, message: str) -> str:
    """An engine's error about `reading.canonical()` ("error at 1:57: …") with the position in the client's text."""

    def position(match: re.Match[str]) -> str:
        line, column = reading.position(int(match.group(1)) - 1)
        return f"at {line}:{column}"

    return re.sub(r"\bat 1:(\d+)", position, message, count=1)


def refuse_engine_functions(reading: Reading) -> None:
    """Raise QueryRefused for a call of a function whose IRI is not http(s).

    Such IRIs name an engine's own procedures rather than functions on RDF terms: Virtuoso runs any SQL
    built-in as `bif:…` and stored procedures as `sql:…` (with PREFIX bif: <bif:>, the query is valid SPARQL).
    """
    for iri in reading.functions:
        scheme = iri.split(":", 1)[0].lower() if SCHEME.match(iri) else "relative"
        if scheme not in ("http", "https", "relative"):
            raise QueryRefused(
                f"the function <{iri[:200]}> is not passed on to the triple store: only functions named by http(s) "
                "IRIs (XSD casts, GeoSPARQL, …) are; a scheme such as bif: or sql: names the store's own procedures"
            )


@functools.lru_cache(maxsize=32)
def checked_query(reading: Reading, *, without_dataset: bool = False) -> str:
    """The canonical text of `reading`, checked with a full SPARQL 1.1 Query parser (rdflib's).

    Used before a query goes to a remote store, whose parser may accept more than SPARQL 1.1 (Virtuoso's
    DEFINE pragmas, its own functions) or read ambiguous text another way. rdflib parses only: nothing is
    evaluated. It is slow (pyparsing, about 20 ms for a small query) and its recursion gives up at about
    24 nested parentheses; such a query is refused as too deep for the check.

    Raises:
        QueryError: the text is not a SPARQL 1.1 query, with the position in the client's text.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    text = reading.canonical(without_dataset=without_dataset)
    try:
        parseQuery(text)
    except ParseBaseException as exc:
        line, column = reading.position(exc.loc, without_dataset=without_dataset)
        raise QueryError(f"SPARQL syntax error at {line}:{column} (SPARQL 1.1 grammar): {exc.msg}") from exc
    except RecursionError as exc:
        raise QueryError("the query is nested too deeply to be checked before it is sent to the triple store: "
                         "write it flatter") from exc  # fmt: skip
    except Exception as exc:  # rdflib's parse actions raise plain exceptions on some malformed terms
        raise QueryError(f"SPARQL syntax error (SPARQL 1.1 grammar): {exc}") from exc
    return text
