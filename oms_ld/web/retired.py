"""Retired IRIs: `410 Gone` with an explanation, or `301 Moved Permanently` to the replacement.

The URI policy says a published IRI is never reused; a thing that is withdrawn keeps answering, so
links to it fail clearly rather than with a 404. The list is data, in Turtle files under
`RETIRED_DIR` (default `retired/`, beside `data/` but not published or validated): each retired IRI
has `owl:deprecated true`, an `rdfs:comment` per language saying why, and optionally
`dct:isReplacedBy` with its replacement.
"""

from __future__ import annotations

from flask import Flask, redirect, request
from werkzeug.wrappers import Response

from ..rdf.formats import BY_SUFFIX
from .context import get_site
from .http import error_response


def _local(iri: str, base: str) -> str:
    """A path on this server for an IRI under `base`, else the IRI."""
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


def answer_retired() -> Response | None:
    """Before routing: a request for a retired `/id/…` or `/doc/…` gets 301 or 410 (None for the rest)."""
    site = get_site()
    retired = site.retired
    path = request.path
    if not retired or not path.startswith(("/id/", "/doc/")):
        return None
    base = site.base
    kind, rest = path[1:].split("/", 1)
    stem, dot, suffix = rest.rpartition(".")
    variant = f".{suffix}" if kind == "doc" and dot and suffix in BY_SUFFIX else ""
    entry = retired.get(f"{base}id/{stem if variant else rest}")
    if entry is None:
        return None
    if entry.replaced_by is not None:
        target = _local(entry.replaced_by, base)
        if kind == "doc" and target.startswith("/id/"):
            target = "/doc/" + target.removeprefix("/id/") + variant
        response = redirect(target, code=301)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    from .lang import language

    lang = language()
    note = entry.notes.get(lang) or entry.notes.get("en") or entry.notes.get("") or ""
    policy = {"sv": "IRI:n har dragits tillbaka och återanvänds aldrig för något annat.",
              "en": "This IRI has been retired; it is never reused for anything else."}  # fmt: skip
    return error_response(410, "Gone", f"{entry.iri}: {policy.get(lang, policy['en'])}", extra=[note] if note else [])


def register_retired(app: Flask) -> None:
    """Answer the site's retired IRIs (RETIRED_DIR) before any view runs."""
    app.before_request(answer_retired)
