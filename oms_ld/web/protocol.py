"""SPARQL 1.1 Protocol request reading: pure functions, no Flask.

The view hands in the method, headers, URL parameters and body; this module decides what was asked
(or raises the error the protocol calls for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox

from ..errors import InvalidRequest, UnsupportedMediaType, UpdateRefused
from ..rdf import queries
from ..rdf.sparql import read
from ..rdf.sparql_checks import refuse_service, refuse_update

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class QueryRequest:
    """A query operation: the query and the protocol-specified dataset (None: the service default)."""

    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """`type/subtype` (lower case) and its parameters."""
    kind, *params = content_type.split(";")
    values = dict(p.strip().split("=", 1) for p in params if "=" in p)
    return kind.strip().lower(), {k.strip().lower(): v.strip().strip('"').lower() for k, v in values.items()}


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(f"the {what} is not valid UTF-8 (UTF-8 is the only valid charset)") from exc


def parse_params(raw: bytes, what: str) -> list[tuple[str, str]]:
    """The `name=value&…` pairs of a URL query string or form body, decoded strictly as UTF-8.

    Raises:
        InvalidRequest: raw bytes or percent-escapes that are not UTF-8 (they would be silently replaced).
    """
    text = _utf8(raw, what)
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(
            f"the {what} has %-escapes that are not valid UTF-8 (UTF-8 is the only valid charset)"
        ) from exc


def read_request(
    method: str, content_type: str | None, url_params: Sequence[tuple[str, str]], body: bytes
) -> QueryRequest | None:
    """What a request to the endpoint asks for; None when it carries no query (service description).

    Raises:
        UpdateRefused: an update request (never executed), also one sent as `query`.
        UnsupportedMediaType: a POST body type the protocol does not define for queries.
        InvalidRequest: several or empty `query` parameters, bad charset or bytes, text that is not SPARQL 1.1
            (see rdf.sparql.read), SERVICE (QueryRefused).
    """
    params = list(url_params)
    direct: str | None = None
    if method == "POST":
        kind, options = _media_type(content_type or "")
        if kind == UPDATE:
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
        if options.get("charset", "utf-8") not in ("utf-8", "utf8"):
            raise InvalidRequest(f"charset {options['charset']!r} is not supported: UTF-8 is the only valid charset")
        if kind == FORM:
            params += parse_params(body, "form body")
        elif kind == DIRECT:
            direct = _utf8(body, "query")
        elif not kind:
            raise UnsupportedMediaType(f"a POST needs a Content-Type: {FORM} or {DIRECT}")
        else:
            raise UnsupportedMediaType(f"{kind} is not a query body: send {FORM} or {DIRECT}")
    if any(name == "update" for name, _ in params):
        raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
    texts = [value for name, value in params if name == "query"] + ([direct] if direct is not None else [])
    default = tuple(v for n, v in params if n == "default-graph-uri")
    named = tuple(v for n, v in params if n == "named-graph-uri")
    if not texts:
        if default or named:
            raise InvalidRequest("a dataset was given but no query")
        return None
    if len(texts) > 1:
        raise InvalidRequest(f"exactly one query is allowed per request, got {len(texts)}")
    if not texts[0].strip():
        raise InvalidRequest("the query is empty")
    reading = read(texts[0])  # by the grammar's terminals; InvalidRequest when they do not read
    refuse_update(reading)
    refuse_service(reading)
    for iri in default + named:
        queries.iri_ref(iri)
        try:  # the store takes absolute IRIs only; a relative one was a 502 from its ValueError
            ox.NamedNode(iri)
        except ValueError as exc:
            raise InvalidRequest(f"a dataset graph must be an absolute IRI, not {iri[:200]!r} ({exc})") from exc
    if default or named:  # a protocol dataset replaces the service's default entirely (§2.1.4)
        return QueryRequest(texts[0], default, named)
    return QueryRequest(texts[0], None, None)
